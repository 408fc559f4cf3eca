"""Forgot password: a one-hour link to the account's address, and setting a new password through it.

The request answers the same whether or not the address has an account (no page tells who is registered), is
throttled per address typed and per client, and the new password ends every other session."""
from __future__ import annotations


from marketplace.models import TokenPurpose, User
from marketplace.services import account_mail, accounts, audit, email_confirmation, throttle, tokens
from marketplace.services.errors import DomainError
from marketplace.services.identity import normalize_email
from marketplace.services.passwords import password_problem


def request_reset(email: str, client_address: str) -> None:
    """Mail a reset link if `email` belongs to an active account; otherwise do nothing, and say nothing."""
    address = normalize_email(email)  # the format only: the same answer for every well-formed address
    throttle.reserve(throttle.configured("PASSWORD_RESET_CLIENT_RATE_LIMIT"), "reset-client:" + client_address)
    throttle.reserve(throttle.configured("PASSWORD_RESET_RATE_LIMIT"), "reset-address:" + address)
    user = accounts.find_user_by_email(address)
    if user is None or not user.active:
        return
    tokens.spend_all(user, TokenPurpose.RESET_PASSWORD)  # only the newest link works
    account_mail.password_reset(user, tokens.issue(user, TokenPurpose.RESET_PASSWORD))
    audit.record(None, "user", user.id, "password_reset_requested")


def check_reset_link(raw_token: str) -> User:
    """The account a reset link is for, or LinkRefused/LinkUsed (shown before the form)."""
    return tokens.check(raw_token, TokenPurpose.RESET_PASSWORD).user


def reset_password(raw_token: str, new_password: str) -> User:
    """Set the new password through the link: a bad password keeps the link usable; a good one spends it, ends
    every session of the account and (the link reached the mailbox) confirms its address."""
    user = check_reset_link(raw_token)
    problem = password_problem(new_password or "", user.email)
    if problem:
        raise DomainError(problem, field="new_password")
    tokens.redeem(raw_token, TokenPurpose.RESET_PASSWORD)
    email_confirmation.mark_confirmed(user, user, "password reset link")
    accounts.set_password(user, new_password, "password_reset")
    return user
