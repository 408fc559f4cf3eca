"""Invitations instead of hand-passed passwords: an account made for someone else waits, without a usable
password, until its owner opens the mailed link and chooses one (which also confirms the address)."""
from __future__ import annotations

from marketplace.i18n import lazy_gettext as _l
from marketplace.models import Role, TokenPurpose, User
from marketplace.services import account_mail, accounts, audit, email_confirmation, tokens
from marketplace.services.errors import DomainError
from marketplace.services.identity import clean_display_name
from marketplace.services.passwords import password_problem
from marketplace.signals import invitation_accepted

# Stored as the password hash of an invited account: no password verifies against it (not an argon2 hash).
_NO_PASSWORD_YET = "!invited"


def awaiting_first_password(user: User) -> bool:
    """The account was made by an invitation whose owner has not chosen a password yet."""
    return user.password_hash == _NO_PASSWORD_YET


def create_invited_account(actor: User, email: str, display_name: str, role: Role) -> User:
    """A new account for an already normalised, unused `email`, to be completed through an invitation."""
    user = User(email=email, password_hash=_NO_PASSWORD_YET, display_name=clean_display_name(display_name),
                role=role, locale=actor.locale)
    accounts.insert_account(user)
    audit.record(actor, "user", user.id, "invited", None, role.value)
    return user


def send_invitation(actor: User, user: User, what) -> None:
    """Mail `user` a fresh 7-day invitation link (older ones stop working); `what` says what they are invited to."""
    tokens.spend_all(user, TokenPurpose.INVITATION)
    account_mail.invitation(user, tokens.issue(user, TokenPurpose.INVITATION, actor), actor, what)


def check_invitation_link(raw_token: str) -> User:
    return tokens.check(raw_token, TokenPurpose.INVITATION).user


def accept_invitation(raw_token: str, password: str) -> User:
    """The invitee chooses their password through the link: the address is confirmed, the link spent."""
    user = check_invitation_link(raw_token)
    problem = password_problem(password or "", user.email)
    if problem:
        raise DomainError(problem, field="new_password")
    tokens.redeem(raw_token, TokenPurpose.INVITATION)
    email_confirmation.mark_confirmed(user, user, "invitation link")
    accounts.set_password(user, password, "invitation_accepted")
    invitation_accepted.send(user)
    return user


def invitation_sentence(kind: str, **params) -> str:
    """What the invitee is invited to, in the mail's language (rendered inside force_locale)."""
    return {
        "exchange_manager": _l("to serve as exchange manager for %(groups)s.", **params),
        "colleague": _l("to manage %(company)s with them.", **params),
        "mentor": _l("to serve as a mentor professor of %(group)s's practice students.", **params),
        "contest_judge": _l("to judge the contest %(contest)s.", **params),
    }[kind]
