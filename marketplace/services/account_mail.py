"""E-mails about the account itself (confirmation, reset, invitation links), queued in the outbox.

They are not notifications: they carry a one-time link, so they never appear in the in-app list, and no
e-mail preference can turn them off. Written in the reader's language; links are absolute (PUBLIC_BASE_URL).
"""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale

from marketplace.i18n import lazy_gettext as _l
from marketplace.models import User
from marketplace.models.notifications import OutboxEmail
from marketplace.services.notifications import header_text, link_to, public_url, queue_email


def _queue(to_address: str, locale: str | None, subject, lines) -> OutboxEmail:
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject_text = header_text(str(_l("[Medical AI Exchange] %(text)s", text=str(subject))))
        body = "\n\n".join(str(line) for line in lines if line)
    return queue_email(to_address, subject_text, body)


def _link(endpoint: str, token: str) -> str:
    return public_url(link_to(endpoint, token=token))


def confirmation(user: User, token: str) -> OutboxEmail:
    return _queue(user.email, user.locale, _l("Confirm your e-mail address"), [
        _l("Hello %(name)s,", name=user.display_name),
        _l("Please confirm that this is your e-mail address by opening the link below. It works once and "
           "expires in 24 hours."),
        _link("auth.confirm_email", token),
        _l("If you did not create an account, ignore this e-mail: nothing happens without the link."),
    ])


def registration_attempt(user: User) -> OutboxEmail:
    """Someone registered with an address that already has an account: its owner hears of it (the form said
    nothing, so that no page tells whether an address has an account)."""
    return _queue(user.email, user.locale, _l("You already have an account"), [
        _l("Hello %(name)s,", name=user.display_name),
        _l("Someone (hopefully you) tried to create a new account with this e-mail address, which already has an "
           "account. No new account was created."),
        _l("To use your account, sign in:"),
        public_url(link_to("auth.login")),
        _l("Forgot your password? Choose a new one here:"),
        public_url(link_to("auth.forgot_password")),
        _l("If it was not you, ignore this e-mail: nothing changed."),
    ])


def password_reset(user: User, token: str) -> OutboxEmail:
    return _queue(user.email, user.locale, _l("Reset your password"), [
        _l("Hello %(name)s,", name=user.display_name),
        _l("Someone (hopefully you) asked to reset the password of your account. Open the link below to choose "
           "a new one. It works once and expires in 1 hour; setting a new password signs out every device."),
        _link("auth.reset_password", token),
        _l("If you did not ask for this, ignore this e-mail: your password stays as it is."),
    ])


def invitation(user: User, token: str, inviter: User, what) -> OutboxEmail:
    return _queue(user.email, user.locale, _l("You are invited to the Medical AI Exchange"), [
        _l("Hello %(name)s,", name=user.display_name),
        _l("%(inviter)s invited you %(what)s", inviter=inviter.display_name, what=what),
        _l("Open the link below to choose your password and sign in. It works once and expires in 7 days."),
        _link("auth.accept_invitation", token),
        _l("If you do not know the sender, ignore this e-mail."),
    ])


def colleague_invitation_for_existing(user: User, inviter: User, company_name: str, business_number: str):
    """An address that already has an account gets this instead of a link (the inviter is told the same)."""
    return _queue(user.email, user.locale, _l("You are invited to join %(company)s", company=company_name), [
        _l("Hello %(name)s,", name=user.display_name),
        _l("%(inviter)s invited you to manage %(company)s with them on the Medical AI Exchange. Sign in with your "
           "account and ask to join the company with its business registration number %(number)s.",
           inviter=inviter.display_name, company=company_name, number=business_number),
        public_url(link_to("auth.login")),
    ])
