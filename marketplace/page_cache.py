"""Caches kept correct by stamps: the public pages for anonymous visitors, and results that are costly to compute
and read far more often than they change (the exchange managers' dashboard, each student's ranked openings, each
opening's ranked applicants). Flask-Caching holds the copies (per-process memory by default, Redis when
CACHE_REDIS_URL or REDIS_URL is set), each stored under its area's stamp; every committed change of what an area
shows rewrites that area's stamp.

Correctness does not depend on the cache being shared: the stamps live in the database (table cache_stamp) and are
rewritten in the same transaction as the change (for the public pages: an opening, its requirements, groups or
search document, a company, a placement, a project group). Every use reads the stamp (one primary-key lookup), so
a copy made before a change is never served again by any worker or server, whatever the cache backend.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
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


def _note(session, areas: set[str]) -> None:
    if areas:
        session.info.setdefault(_FLAG, set()).update(areas)


@event.listens_for(Session, "before_flush")
def _note_changes(session, _context, _instances) -> None:
    _note(session, _areas_touched([*session.new, *session.dirty, *session.deleted]))


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(state) -> None:
    """Conditional moves (`UPDATE opening ... WHERE status = ...`) change rows without the unit of work."""
    if state.is_update or state.is_delete:
        classes = {m.class_ for m in state.all_mappers}
        _note(state.session, {area for area, watched in WATCHED.items() if classes & set(watched)})


@event.listens_for(Session, "before_commit")
def _rewrite_stamp(session) -> None:
    # Last thing before COMMIT, so the stamps' row locks are the last locks taken and are held only for a moment.
    areas = session.info.pop(_FLAG, set()) | _areas_touched([*session.new, *session.dirty, *session.deleted])
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


def public_stamp() -> str:
    return stamp(PUBLIC)


def cached_value(area: str, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or the copy stored under the area's current stamp. A transaction that has changed what the
    area shows (not yet committed) computes afresh: its own changes are not in the stamp yet."""
    if area in db.session.info.get(_FLAG, ()) or _areas_touched([*db.session.new, *db.session.dirty,
                                                                  *db.session.deleted]) & {area}:
        return compute()
    full_key = f"{area}:{stamp(area)}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value)
    return value


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
