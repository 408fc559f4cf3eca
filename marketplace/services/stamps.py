"""Stamps: results that are costly to compute and read far more often than they change, kept correct in any
cache. The public pages for anonymous visitors (marketplace/page_cache.py), the exchange managers' dashboard
figures, each student's ranked openings and each opening's ranked applicants are stored (Flask-Caching:
per-process memory by default, Redis when CACHE_REDIS_URL or REDIS_URL is set) under their area's stamp, and every
committed change of what an area counts rewrites that area's stamp.

Correctness does not depend on the cache being shared: the stamps live in the database (table cache_stamp) and are
rewritten in the same transaction as the change, by the session hooks below, so every path that writes through the
ORM (pages, API, CLI, jobs) rewrites them; bulk writers that bypass it call `bump_stamps()`. Every use reads the
stamp (one primary-key lookup), so a copy made before a change is never served again by any worker or server.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.extensions import cache, db
from marketplace.models import (
    Application,
    CacheStamp,
    Company,
    Major,
    Opening,
    OpeningSearch,
    OpeningSkill,
    Placement,
    ProjectGroup,
    StudentProfile,
    StudentSkill,
)

PUBLIC = "public"
DASHBOARD = "dashboard"
MATCHING = "matching"
APPLICANTS = "applicants"
# What each area shows: a change to any row of these rewrites the area's stamp.
WATCHED = {
    PUBLIC: (Opening, OpeningSkill, OpeningSearch, Company, Placement, ProjectGroup),
    DASHBOARD: (Opening, OpeningSkill, Placement, Application, StudentProfile, StudentSkill, ProjectGroup),
    # Which openings a student may apply to and how they rank (the profile itself is in each key).
    MATCHING: (Opening, OpeningSkill, Company, Placement, ProjectGroup, Major),
    # How an opening's applicants rank: their applications, verified profiles and skills, its requirements.
    APPLICANTS: (Application, StudentProfile, StudentSkill, Opening, OpeningSkill),
}
_FLAG = "cache_areas_changed"
T = TypeVar("T")


def _areas_touched(objects) -> set[str]:
    objects = list(objects)
    return {area for area, classes in WATCHED.items() if any(isinstance(obj, classes) for obj in objects)}


def _pending_areas(session) -> set[str]:
    """The areas this transaction has changed and not committed yet (flushed, or only in the session)."""
    return set(session.info.get(_FLAG, ())) | _areas_touched([*session.new, *session.dirty, *session.deleted])


def _note(session, areas: set[str]) -> None:
    if areas:
        session.info.setdefault(_FLAG, set()).update(areas)


@event.listens_for(Session, "before_flush")
def _note_changes(session, _context, _instances) -> None:
    _note(session, _pending_areas(session))


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    """Conditional moves (`UPDATE opening ... WHERE status = ...`) change rows without the unit of work."""
    if state.is_update or state.is_delete:
        classes = {m.class_ for m in state.all_mappers}
        _note(state.session, {area for area, watched in WATCHED.items() if classes & set(watched)})


@event.listens_for(Session, "before_commit")
def _rewrite_stamp(session) -> None:
    # Last thing before COMMIT, so the stamps' row locks are the last locks taken and are held only for a moment.
    areas = _pending_areas(session)
    session.info.pop(_FLAG, None)
    for area in sorted(areas):  # one order everywhere: two committers never wait for each other's stamp
        _write_stamp(session, area)


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


def bump_stamps() -> None:
    """Make every cached copy stale (bulk writers that bypass the ORM call this)."""
    for area in sorted(WATCHED):
        _write_stamp(db.session, area)


_STAMP = sa.select(CacheStamp.__table__.c.token).where(CacheStamp.__table__.c.name == sa.bindparam("area"))


def stamp(area: str) -> str:
    # Core on the request's connection: no ORM entity work for the one value read on every cached use.
    return db.session.connection().execute(_STAMP, {"area": area}).scalar() or "-"


def cached_value(area: str, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or the copy stored under the area's current stamp. A transaction that has changed what the
    area shows (not yet committed) computes afresh: its own changes are not in the stamp yet."""
    if area in _pending_areas(db.session):
        return compute()
    full_key = f"{area}:{stamp(area)}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value)
    return value
