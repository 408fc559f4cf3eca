"""The token itself: who it acts as and what it may do (for a system checking its setup)."""
from __future__ import annotations

from flask import g

from marketplace.api import auth
from marketplace.api.common import Blueprint
from marketplace.api.schemas import TokenInfo
from marketplace.i18n import gettext as _

blp = Blueprint("api_token", __name__, url_prefix="/api/v1", description="The calling token.")
blp.before_request(auth.authenticate)
blp.after_request(auth.cache_headers)


@blp.route("/token")
@auth.any_token
@blp.response(200, TokenInfo)
def current_token():
    """The calling token: its owner, name and scopes"""
    token = g.get("api_token")
    if token is None:
        raise auth.ApiAuthError(401, _("This call needs a personal access token."))
    user = token.user
    return {"name": token.name, "scopes": sorted(token.scope_set), "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "user": {"id": user.id, "display_name": user.display_name, "role": user.role.value,
                     "locale": user.locale}}
