"""Who calls the API: a personal access token (`Authorization: Bearer mkt_...`) or nobody.

- A cookie never authenticates an API call: every /api/v1 request runs as an anonymous visitor of the site
  (the session cookie is not even read), and acts as the token's owner only when a valid token is sent.
- CSRF: the API blueprints are exempt from Flask-WTF's automatic check, but a write that carries any cookie
  is checked again (`csrf.protect()`): only token-authenticated, cookie-less calls skip it. A browser page
  can therefore never be tricked into writing, and the reference page's "Try it out" sends its CSRF header.
- Every call counts against API_RATE_LIMIT per token (per address without a token, and for bad tokens).
- Problems are written in the token owner's saved language, else Accept-Language, else Korean.
"""
from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_babel import refresh
from flask_smorest import Blueprint as SmorestBlueprint

from marketplace.extensions import csrf, login_manager
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import User
from marketplace.services import api_tokens, throttle

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SCHEME = "bearerAuth"


class ApiAuthError(Exception):
    """401 (no or bad token) or 403 (scope too narrow, or the account cannot do this at all)."""

    def __init__(self, status: int, detail: str, scope: str | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scope = scope

    def headers(self) -> dict:
        if self.status == 401:
            error = ' error="invalid_token"' if request.headers.get("Authorization") else ""
            return {"WWW-Authenticate": f'Bearer realm="api"{error}'}
        if self.scope:
            return {"WWW-Authenticate": f'Bearer realm="api" error="insufficient_scope" scope="{self.scope}"'}
        return {}


def ignore_cookies() -> None:
    """before_request (app-wide, first): under /api/v1 the signed-in session is never loaded."""
    from marketplace.api.problems import in_api

    if in_api():
        g._login_user = login_manager.anonymous_user()


def caller() -> User | None:
    """The token's owner, or None for an anonymous call."""
    return g.get("api_user")


def authenticate() -> None:
    """before_request of every API blueprint: token, CSRF for cookie-carrying writes, rate limit."""
    header = request.headers.get("Authorization")
    token = None
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            _count("api-address:" + (request.remote_addr or "-"))
            raise ApiAuthError(401, str(_l("Use the Bearer scheme: Authorization: Bearer <token>.")))
        token = api_tokens.authenticate(secret.strip())
        if token is None:
            _count("api-address:" + (request.remote_addr or "-"))
            raise ApiAuthError(401, str(_l("This token is not valid: it is unknown or revoked, or its "
                                            "account is deactivated.")))
        g.api_token, g.api_user = token, token.user
        refresh()  # the owner's language from now on
    if request.method not in SAFE_METHODS and request.cookies:
        csrf.protect()
    _count(f"api-token:{token.id}" if token is not None else "api-address:" + (request.remote_addr or "-"))


def cache_headers(response):
    """after_request of every API blueprint: answers differ by token and language; a token's answers are private
    (no shared cache keeps them) and every answer is revalidated with its ETag."""
    response.headers["Cache-Control"] = "private, no-cache" if g.get("api_token") is not None else "no-cache"
    response.headers["Vary"] = "Authorization, Accept-Language"
    return response


def _count(key: str) -> None:
    throttle.reserve(throttle.configured("API_RATE_LIMIT"), key)


def require(scope: str):
    """The call needs a token holding `scope` (enforced here; documented as the operation's security)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = g.get("api_token")
            if token is None:
                raise ApiAuthError(401, str(_l("This call needs a personal access token with the scope "
                                                "%(scope)s.", scope=scope)))
            if scope not in token.scope_set:
                raise ApiAuthError(403, str(_l("This token lacks the scope %(scope)s.", scope=scope)), scope)
            return view(*args, **kwargs)

        return SmorestBlueprint.doc(security=[{SCHEME: [scope]}],
                                    responses={"401": "UNAUTHORIZED", "403": "FORBIDDEN"})(wrapped)

    return decorator


def any_token(view):
    """Documented as needing a token, of any scope (the view checks there is one)."""
    return SmorestBlueprint.doc(security=[{SCHEME: []}], responses={"401": "UNAUTHORIZED"})(view)


def optional(view):
    """Public data: no token needed; with one (and the scope read:openings) the owner sees what the pages
    show them beyond the public records."""
    return SmorestBlueprint.doc(security=[{}, {SCHEME: []}], responses={"401": "UNAUTHORIZED"})(view)


def viewer_with(scope: str) -> User | None:
    """The owner when the token holds `scope`, else None (an anonymous view of public data)."""
    token = g.get("api_token")
    return token.user if token is not None and scope in token.scope_set else None


def locale_for_api(languages) -> str | None:
    """The API's language: the token owner's saved choice, else Accept-Language (None: the default)."""
    user = caller()
    if user is not None and user.locale in languages:
        return user.locale
    return request.accept_languages.best_match(languages)


def rate_limit_configured(app) -> None:
    throttle.Limit.parse(app.config["API_RATE_LIMIT"])  # a bad setting stops the start
