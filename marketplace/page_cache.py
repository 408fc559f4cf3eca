"""The cache of public pages for anonymous visitors: Flask-Caching (per-process memory by default, Redis
when CACHE_REDIS_URL or REDIS_URL is set), keyed by a stamp that every committed change of what they show
rewrites.

Correctness does not depend on the cache being shared: the stamp lives in the database (table cache_stamp)
and is rewritten in the same transaction as the change (an opening, its requirements, groups or search
document, a company, a placement, a project group). Every request reads it (one primary-key lookup), so
a copy made before a change is never served again by any worker or server, whatever the cache backend.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.extensions import cache, db
from marketplace.models import (
    CacheStamp,
    Company,
    Opening,
    OpeningSearch,
    OpeningSkill,
    Placement,
    ProjectGroup,
)

PUBLIC = "public"
# What the public pages show: a change to any row of these rewrites the stamp.
WATCHED = (Opening, OpeningSkill, OpeningSearch, Company, Placement, ProjectGroup)
_FLAG = "public_pages_changed"


def _touches(objects) -> bool:
    return any(isinstance(obj, WATCHED) for obj in objects)


@event.listens_for(Session, "before_flush")
def _note_changes(session, _context, _instances) -> None:
    if _touches(session.new) or _touches(session.dirty) or _touches(session.deleted):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    """Conditional moves (`UPDATE opening ... WHERE status = ...`) change rows without the unit of work."""
    if (state.is_update or state.is_delete) and any(m.class_ in WATCHED for m in state.all_mappers):
        state.session.info[_FLAG] = True


@event.listens_for(Session, "before_commit")
def _rewrite_stamp(session) -> None:
    # Last thing before COMMIT, so the stamp's row lock is the last lock taken and is held only for a moment.
    if session.info.pop(_FLAG, False) or _touches(session.new) or _touches(session.dirty) or _touches(session.deleted):
        _write_stamp(session, PUBLIC)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session) -> None:
    session.info.pop(_FLAG, None)


def _write_stamp(session, name: str) -> None:
    token = uuid.uuid4().hex
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(CacheStamp.__table__).values(name=name, token=token)
    session.execute(statement.on_conflict_do_update(index_elements=["name"], set_={"token": token}))


def bump_public_version() -> None:
    """Make every cached public page stale (bulk writers that bypass the ORM call this)."""
    _write_stamp(db.session, PUBLIC)


_STAMP = sa.select(CacheStamp.__table__.c.token).where(CacheStamp.__table__.c.name == PUBLIC)


def public_stamp() -> str:
    # Core on the request's connection: no ORM entity work for the one value read on every cached page.
    return db.session.connection().execute(_STAMP).scalar() or "-"


def serves_from_cache() -> bool:
    """Anonymous visitors without a pending message (flashes are personal) get cached pages."""
    return (current_app.config.get("PUBLIC_PAGE_CACHE", True) and not current_user.is_authenticated
            and not session.get("_flashes"))


# Where the visitor's own CSRF token goes in a stored page (the language switch is a form on every page).
_CSRF_SLOT = f"csrf-slot-{uuid.uuid4().hex}"


def cached_page(area: str, locale: str, extra: str, render: Callable[..., str]) -> str:
    """The whole HTML page for this request's address: from the cache when the stamp still matches, else
    rendered (`render(**context)`) and stored. The page must not depend on the viewer: it is served to
    anonymous visitors only, each getting their own CSRF token put into the stored copy."""
    if not serves_from_cache():
        return render()
    args = "&".join(f"{k}={v}" for k, v in sorted(request.args.items(multi=True)))
    key = f"page:{area}:{public_stamp()}:{locale}:{extra}:{request.path}?{args}"
    html = cache.get(key)
    if html is None:
        html = render(csrf_token=lambda: _CSRF_SLOT)
        cache.set(key, html)
    return html.replace(_CSRF_SLOT, generate_csrf())
