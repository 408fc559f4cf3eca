"""Every account proves it owns its e-mail address: the confirmation link, its resending, and the predicate
the services ask before anything that sends data to others (applying, registering a company)."""
from __future__ import annotations

from marketplace.i18n import lazy_gettext as _l
from marketplace.models import TokenPurpose, User
from marketplace.models.base import utcnow
from marketplace.services import account_mail, audit, throttle, tokens
from marketplace.services.errors import DomainError
from marketplace.signals import email_confirmed


def has_confirmed_email(user: User | None) -> bool:
    """The one predicate every path asks (services, pages, the banner)."""
    return user is not None and getattr(user, "email_confirmed_at", None) is not None


def require_confirmed_email(user: User, message=None) -> None:
    """A DomainError with a clear sentence (shown on the page, the form kept) while `user` has not confirmed
    their address."""
    if not has_confirmed_email(user):
        raise DomainError(str(message or _l("Confirm your e-mail address first: open the link we sent you, or ask "
                                          "for a new one from the banner at the top of the page.")))


def send_confirmation(user: User, actor: User | None = None) -> None:
    """Queue a fresh confirmation link (the older ones stop working)."""
    tokens.spend_all(user, TokenPurpose.CONFIRM_EMAIL)
    account_mail.confirmation(user, tokens.issue(user, TokenPurpose.CONFIRM_EMAIL, actor))


def resend_confirmation(user: User) -> None:
    """The banner's button: throttled per account (CONFIRMATION_RATE_LIMIT), so it cannot flood a mailbox."""
    if has_confirmed_email(user):
        raise DomainError(str(_l("Your e-mail address is already confirmed.")))
    throttle.reserve(throttle.configured("CONFIRMATION_RATE_LIMIT"), f"confirmation-resend:{user.id}")
    send_confirmation(user, user)
    audit.record(user, "user", user.id, "confirmation_sent")


def mark_confirmed(user: User, actor: User | None, how: str) -> bool:
    """Record that `user` owns `user.email` (True if it was news). Receivers of `email_confirmed` (student
    verification) run here, inside the same transaction."""
    if user.email_confirmed_at is not None:
        return False
    user.email_confirmed_at = utcnow()
    tokens.spend_all(user, TokenPurpose.CONFIRM_EMAIL)
    audit.record(actor, "user", user.id, "email_confirmed", "unconfirmed", "confirmed", how)
    email_confirmed.send(user)
    return True


def check_confirmation_link(raw_token: str) -> None:
    """LinkRefused/LinkUsed when the link cannot be used (shown before its owner presses the button)."""
    tokens.check(raw_token, TokenPurpose.CONFIRM_EMAIL)


def confirm_email(raw_token: str) -> User:
    """The link in the confirmation e-mail was opened: the account's address is confirmed."""
    user = tokens.redeem(raw_token, TokenPurpose.CONFIRM_EMAIL)
    mark_confirmed(user, user, "link")
    return user
