"""Routes of the tokens blueprint: /account/tokens (list, create, revoke)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required

from marketplace import web
from marketplace.forms import ActionForm
from marketplace.i18n import gettext as _
from marketplace.services import api_tokens
from marketplace.tokens.forms import TokenForm

bp = Blueprint("tokens", __name__)


def _form(actor) -> TokenForm:
    form = TokenForm()
    form.scopes.choices = [(scope, f"{scope} — {api_tokens.SCOPES[scope]}") for scope in api_tokens.scopes_for(actor)]
    return form


def _page(form: TokenForm, created=None, status: int = 200):
    actor = web.actor()
    return render_template("tokens/index.html", form=form, created=created, tokens=api_tokens.tokens_of(actor),
                           revoke_form=ActionForm()), status


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    actor = web.actor()
    form = _form(actor)
    if form.validate_on_submit():
        done = web.run(api_tokens.create_token, actor, form.name.data or "", form.scopes.data or [], form=form,
                       success=lambda new: _("The token “%(name)s” was created. Copy it now: it is shown only "
                                             "this once.", name=new.token.name))
        if done:
            # Rendered, not redirected: the secret must not travel through the session cookie or a flash.
            return _page(_form(actor), created=done.value, status=201)
    return _page(form, status=web.form_status())


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    web.require_form()
    web.run(api_tokens.revoke_token, web.actor(), token_id,
            success=lambda token: _("The token “%(name)s” was revoked; calls with it now get 401.", name=token.name))
    return redirect(url_for("tokens.index"))
