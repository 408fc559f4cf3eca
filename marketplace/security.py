"""HTTP security headers, the safe-redirect rule and the log of refused requests."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_login import current_user

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def apply_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        # Signed-in pages carry personal data; public pages change as openings move.
        if current_user.is_authenticated or request.blueprint in {"auth", "admin"}:
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        headers.setdefault("Vary", "Cookie")
    if "request_id" in g:
        headers.setdefault("X-Request-ID", g.request_id)
    return response


def safe_next_url(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    if any(ch in target for ch in "\\\t\r\n") or any(ord(ch) < 32 for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# -- the log of refused requests ----------------------------------------------------------------------------
# One line per failed sign-in, 403 and 429: event, acting user id, route and the ids in the URL (or the account
# a sign-in aimed at). Never e-mail addresses, names, passwords or anything else typed into a form.


def _security_logger() -> logging.Logger:
    # A child of the app's logger, so it reaches the same handler (and the request id) as every other line.
    return current_app.logger.getChild("security")


def log_refusal(event: str, object_id: int | str | None = None) -> None:
    """Log a refused request: `event` (sign_in_failed, forbidden, rate_limited), who asked, where, on what."""
    user_id = current_user.id if current_user.is_authenticated else "-"
    if object_id is None:
        # Only the integer ids of the URL: a route's other parts may be text someone typed.
        ids = [f"{k}={v}" for k, v in sorted((request.view_args or {}).items()) if isinstance(v, int)]
        object_id = ",".join(ids) or "-"
    route = request.url_rule.rule if request.url_rule else "-"
    _security_logger().warning("refused event=%s user=%s route=%s %s object=%s",
                               event, user_id, request.method, route, object_id)


def log_failed_sign_in(account_id: int | None) -> None:
    """A sign-in was refused; `account_id` is the account the e-mail belongs to (None: no such account).
    Other sign-in checks (throttles, fresh-login prompts) call this too, so the log has one shape."""
    log_refusal("sign_in_failed", account_id if account_id is not None else "unknown-account")
