"""Personal access tokens: create (shown once), list, revoke, and authenticate an API call's bearer token.

A token acts with its owner's permissions and no more: scopes only narrow what the owner may do through the
API. A role is offered only the scopes it has endpoints for (a student cannot hold `write:placements`). The
token authenticates while it is not revoked and its owner is active; a deactivated owner's tokens stop at once.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import ApiToken, Role, User
from marketplace.models.base import utcnow
from marketplace.services import audit
from marketplace.services.errors import DomainError, NotFound, Reasons

TOKEN_PREFIX = "mkt_"
MAX_NAME = 100
MAX_TOKENS = 20  # active tokens per account
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last-used time is written at most once a minute per token

# Every scope the API checks, with what it allows (shown on the token page).
SCOPES: dict[str, object] = {
    "read:openings": _l("Read openings and companies beyond the public ones (your company's drafts, "
                        "openings waiting for your review)"),
    "read:applications": _l("Read your applications (students) or the ranked applicants of your openings "
                            "(company managers)"),
    "write:applications": _l("Apply to openings and withdraw your applications"),
    "read:placements": _l("Read the placements of your project groups"),
    "write:placements": _l("Approve or return placement requests of your project groups"),
    "read:reports": _l("Read the programme reports of your project groups (the programme office: every group)"),
    "read:practice": _l("Read the weekly practice logs and evaluations of the practices you take part in, as their "
                        "pages show them"),
}

# The scopes each role has endpoints for.
ROLE_SCOPES: dict[Role, tuple[str, ...]] = {
    Role.STUDENT: ("read:openings", "read:applications", "write:applications", "read:practice"),
    Role.COMPANY_MANAGER: ("read:openings", "read:applications", "read:practice"),
    Role.EXCHANGE_MANAGER: ("read:openings", "read:placements", "write:placements", "read:reports", "read:practice"),
    Role.ADMIN: ("read:openings", "read:placements", "write:placements", "read:reports", "read:practice"),
    # Mentors read the practices of the students assigned to them.
    Role.MENTOR: ("read:openings", "read:practice"),
}


def scopes_for(user: User) -> tuple[str, ...]:
    return ROLE_SCOPES.get(user.role, ())


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass
class NewToken:
    token: ApiToken
    secret: str  # shown to the owner once, never stored


def create_token(actor: User, name: str, scopes: list[str]) -> NewToken:
    """A new token of the actor's, with a name and some of the scopes their role has."""
    problems = Reasons()
    name = " ".join((name or "").split())
    if not name:
        problems.add("name", _l("Give the token a name, e.g. the system that will use it."))
    elif len(name) > MAX_NAME:
        problems.add("name", _l("Use at most %(max)d characters.", max=MAX_NAME))
    wanted = sorted(set(scopes or []))
    if not wanted:
        problems.add("scopes", _l("Choose at least one scope."))
    elif any(scope not in scopes_for(actor) for scope in wanted):
        problems.add("scopes", _l("Your account cannot hold one of these scopes."))
    active = db.session.scalar(select(func.count()).select_from(ApiToken)
                               .where(ApiToken.user_id == actor.id, ApiToken.revoked_at.is_(None)))
    if active >= MAX_TOKENS:
        problems.add(None, _l("You have %(n)d active tokens; revoke one you no longer use first.", n=MAX_TOKENS))
    problems.raise_if_any()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, scopes=" ".join(wanted), digest=digest_of(secret),
                     prefix=secret[:len(TOKEN_PREFIX) + 4])
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token", token.id, "created", None, "active", f"{name}: {token.scopes}")
    return NewToken(token, secret)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, active first, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's tokens; another's (or an unknown id) is 'not found'."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == actor.id))
    if token is None:
        raise NotFound(str(_l("No such token.")))
    if token.revoked_at is not None:
        raise DomainError(str(_l("This token was already revoked.")))
    token.revoked_at = utcnow()
    audit.record(actor, "api_token", token.id, "revoked", "active", "revoked", token.name)
    db.session.flush()
    return token


def authenticate(secret: str) -> ApiToken | None:
    """The active token this secret belongs to, with its active owner; None for anything else.

    Records the time of use (at most once a minute per token, in its own short transaction so a failed
    call still shows when the token was last presented)."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken).options(joinedload(ApiToken.user))
        .where(ApiToken.digest == digest_of(secret), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        with db.engine.begin() as connection:
            connection.execute(update(ApiToken.__table__).where(ApiToken.__table__.c.id == token.id)
                               .values(last_used_at=now))
        set_committed_value(token, "last_used_at", now)
    return token
