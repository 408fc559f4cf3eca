"""Session rules: how long "keep me signed in" lasts, and recent sign-in for staff actions.

The rule (README, Security):
- "Keep me signed in" brings a device back without the password for at most REMEMBER_COOKIE_DURATION
  (14 days) counted from the sign-in where it was ticked; using the site does not extend it. Sign-out,
  a password change or deactivation ends it at once (the account's session token rotates).
- A session brought back that way is not fresh. Admins and exchange managers may use their areas
  (admin, manager console, matching rounds: designations, approvals, exports, deactivation ...) only
  with a password entered within the idle limit (SESSION_IDLE_MINUTES); otherwise they are asked for
  the password and then return to the page or action they were on.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import confirm_login, current_user

from marketplace.extensions import login_manager
from marketplace.i18n import gettext as _
from marketplace.models import Role
from marketplace.security import log_failed_sign_in
from marketplace.services import accounts

# Blueprints whose every page and action needs a recent password from admins and exchange managers.
STAFF_AREAS = frozenset({"admin", "manager", "mentors", "rounds", "tokens", "clauses"})  # tokens: a token acts as its owner
REAUTH_FIELD = "reauth_password"


def remember_id(token: str, issued_at: float | None = None) -> str:
    """The id a remember-me cookie carries: the session token and when the password was entered.

    Flask-Login signs the cookie, so the date cannot be altered; `load_user` refuses it once too old."""
    return f"{token}.{int(time.time() if issued_at is None else issued_at)}"


def token_from_id(value: str) -> str | None:
    """The session token in a session or remember-me id; None when a remember-me id has expired."""
    token, _, issued = (value or "").partition(".")
    if issued:
        if not issued.isdigit():
            return None
        max_age = current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
        if time.time() - int(issued) > max_age:
            return None
    return token


def password_entered() -> None:
    """Record that the user has just typed their password (sign-in, registration, confirmation)."""
    session["password_at"] = time.time()
    confirm_login()


def signed_in_recently() -> bool:
    at = session.get("password_at")
    window = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    return bool(session.get("_fresh")) and at is not None and time.time() - at <= window


def needs_recent_sign_in() -> bool:
    return (
        current_user.is_authenticated
        and current_user.role in (Role.ADMIN, Role.EXCHANGE_MANAGER)
        and request.blueprint in STAFF_AREAS
    )


def _replayed_fields() -> list[tuple[str, str]]:
    return [(name, value) for name, values in request.form.lists() for value in values
            if name not in {"csrf_token", REAUTH_FIELD}]


def ask_for_password(error: str | None = None, status: int = 401):
    """The fresh-login prompt (Flask-Login's needs_refresh). A page: confirm, then come back to it.
    An action (POST): the prompt carries the submitted fields and posts them to the action again."""
    if request.method in {"GET", "HEAD"}:
        flash(_("Please enter your password again to continue."), "info")
        target = request.full_path.rstrip("?")
        return redirect(url_for("auth.confirm_password", next=target))
    action = request.full_path.rstrip("?")
    return render_template("auth/confirm_password.html", action=action, fields=_replayed_fields(),
                           field_name=REAUTH_FIELD, error=error), status


def require_recent_sign_in():
    """before_request: staff areas need a password entered within the idle limit."""
    if not needs_recent_sign_in() or signed_in_recently():
        return None
    if request.method == "POST" and REAUTH_FIELD in request.form:
        user = current_user._get_current_object()
        if accounts.confirm_password(user, request.form.get(REAUTH_FIELD, "")):
            password_entered()
            return None  # the action goes ahead with the fields it was sent with
        log_failed_sign_in(user.id)
        return ask_for_password(_("The password is not correct."), status=400)
    return login_manager.needs_refresh()


def register(app: Flask) -> None:
    login_manager.refresh_view = "auth.confirm_password"
    login_manager.needs_refresh_handler(ask_for_password)
    app.before_request(require_recent_sign_in)
