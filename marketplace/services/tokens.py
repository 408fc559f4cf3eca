"""One-time links: random, stored hashed, single-use, expiring, bound to a purpose and to the account as it was.

A link carries `secrets.token_urlsafe(32)` (256 random bits); the database keeps only its SHA-256, so reading
the table opens no account. Each token is bound to

- its purpose: a confirmation link cannot reset a password, and so on;
- the account's e-mail address and password hash when it was made (a `fingerprint`): a reset link dies when
  the password changes, any link dies when the address changes;
- a lifetime (LIFETIMES): valid while now < expires_at.

Redeeming is a conditional move (`UPDATE ... WHERE used_at IS NULL`), so of two clicks at the same moment
exactly one redeems; the other is told the link was used.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import AccountToken, TokenPurpose, User
from marketplace.models.base import utcnow
from marketplace.services.errors import Conflict, DomainError

# Confirmation 24 h and reset 1 h (the issue's rule). An invitation waits 7 days: staff and colleagues are
# invited by someone who told them it is coming, and may read their mail only after a weekend.
LIFETIMES = {
    TokenPurpose.CONFIRM_EMAIL: timedelta(hours=24),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
    TokenPurpose.INVITATION: timedelta(days=7),
}


class LinkRefused(DomainError):
    """The link cannot be used: forged, for another purpose, expired, or made for the account as it was."""


class LinkUsed(Conflict):
    """The link was used already (perhaps a moment ago, in another tab)."""


def _forged() -> LinkRefused:
    return LinkRefused(str(_l("This link is not valid. Check that you opened the whole address from the e-mail, "
                              "or ask for a new link.")))


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint(user: User) -> str:
    """What a link is bound to: the account's current e-mail address and password hash."""
    return hashlib.sha256(f"{user.id}\x00{user.email}\x00{user.password_hash}".encode()).hexdigest()


def issue(user: User, purpose: TokenPurpose, actor: User | None = None, now: datetime | None = None) -> str:
    """A new link secret for `user` and `purpose` (shown once, in the e-mail; only its hash is kept)."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    db.session.add(AccountToken(
        user_id=user.id, purpose=purpose, token_hash=_digest(raw), fingerprint=fingerprint(user),
        created_at=now, expires_at=now + LIFETIMES[purpose], created_by_id=actor.id if actor else None,
    ))
    db.session.flush()
    return raw


def check(raw: str | None, purpose: TokenPurpose, now: datetime | None = None) -> AccountToken:
    """The token behind `raw` if it may be used now for `purpose`; LinkRefused/LinkUsed with the reason."""
    now = now or utcnow()
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        raise _forged()
    token = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _digest(raw)))
    if token is None:
        raise _forged()
    if token.purpose != purpose:
        raise LinkRefused(str(_l("This link was sent for another purpose and cannot be used on this page. "
                                 "Open the link from the right e-mail, or ask for a new one.")))
    if token.used_at is not None:
        raise LinkUsed(str(_l("This link was already used. Each link works once; ask for a new one if you "
                              "still need it.")))
    if now >= token.expires_at:
        raise LinkRefused(str(_l("This link has expired. Ask for a new one.")))
    user = token.user
    if not user.active:
        raise _forged()
    if token.fingerprint != fingerprint(user):
        raise LinkRefused(str(_l("This link no longer applies: the account's password or e-mail address changed "
                                 "after it was sent. Ask for a new one.")))
    return token


def redeem(raw: str | None, purpose: TokenPurpose, now: datetime | None = None) -> User:
    """Use the link once: checks it, then marks it used only if nobody did meanwhile. Other unused links of the
    same account and purpose are spent with it (the newest mail is not the only one that could be clicked)."""
    now = now or utcnow()
    token = check(raw, purpose, now)
    used = db.session.execute(
        update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if used != 1:
        raise LinkUsed(str(_l("This link was already used. Each link works once; ask for a new one if you "
                              "still need it.")))
    spend_all(token.user, purpose, now)
    db.session.refresh(token)
    return token.user


def spend_all(user: User, purpose: TokenPurpose, now: datetime | None = None) -> None:
    """Mark every unused link of `user` for `purpose` used (a newer one replaces them, or the step is done)."""
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
