"""Project groups, their majors and tracks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import Major, ProjectGroup, Track, User, company_groups, opening_groups
from marketplace.services import audit
from marketplace.services.errors import NotFound, Reasons

CODE_RE = re.compile(r"^[A-Z][A-Z0-9_-]{1,19}$")
DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,}$")


@dataclass
class GroupData:
    code: str
    name_en: str
    name_ko: str
    university_en: str = ""
    university_ko: str = ""
    email_domains: list[str] = field(default_factory=list)
    # (college_en, college_ko, major_en, major_ko)
    majors: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (track_en, track_ko)
    tracks: list[tuple[str, str]] = field(default_factory=list)
    active: bool = True


def groups_query(active_only: bool = True) -> Select:
    query = select(ProjectGroup).options(selectinload(ProjectGroup.majors), selectinload(ProjectGroup.tracks))
    if active_only:
        query = query.where(ProjectGroup.active.is_(True))
    return query.order_by(ProjectGroup.id)


def list_groups(active_only: bool = True) -> list[ProjectGroup]:
    return list(db.session.scalars(groups_query(active_only)))


_FILTER_GROUPS = select(ProjectGroup).where(ProjectGroup.active.is_(True)).order_by(ProjectGroup.id)


def filter_groups() -> list[ProjectGroup]:
    """The active groups for a list's group filter (codes and names): one statement, without the majors and tracks
    list_groups loads (two more statements and every major's row, on every view of the openings list)."""
    return list(db.session.scalars(_FILTER_GROUPS))


def get_group(group_id: int) -> ProjectGroup:
    group = db.session.get(ProjectGroup, group_id)
    if group is None:
        raise NotFound(str(_l("No such project group.")))
    return group


def find_group_by_code(code: str) -> ProjectGroup | None:
    return db.session.scalar(select(ProjectGroup).where(func.upper(ProjectGroup.code) == code.strip().upper()))


def _validate(data: GroupData, existing: ProjectGroup | None) -> None:
    """Every problem of the group form at once (ValidationFailed), or nothing."""
    problems = Reasons()
    code = data.code.strip().upper()
    if not CODE_RE.match(code):
        problems.add("code", _l("Use 2–20 capital letters, digits, '-' or '_', starting with a letter."))
    else:
        other = find_group_by_code(code)
        if other is not None and other is not existing:
            problems.add("code", _l("A project group with this code already exists."))
    if not data.name_en.strip():
        problems.add("name_en", _l("Enter the English name."))
    if not data.name_ko.strip():
        problems.add("name_ko", _l("Enter the Korean name."))
    for domain in data.email_domains:
        if not DOMAIN_RE.match(domain):
            problems.add("email_domains", _l("'%(domain)s' is not a valid domain.", domain=domain))
    problems.raise_if_any()


def _apply(group: ProjectGroup, data: GroupData) -> None:
    group.code = data.code.strip().upper()
    group.name_en = data.name_en.strip()
    group.name_ko = data.name_ko.strip()
    group.university_en = data.university_en.strip()
    group.university_ko = data.university_ko.strip()
    group.email_domains = ",".join(d.strip().lower() for d in data.email_domains)
    group.active = data.active
    # Keep rows that still exist (students may reference tracks); replace the rest.
    wanted_majors = {(m[0], m[1], m[2], m[3]) for m in data.majors}
    group.majors = [m for m in group.majors if (m.college_en, m.college_ko, m.name_en, m.name_ko) in wanted_majors]
    have = {(m.college_en, m.college_ko, m.name_en, m.name_ko) for m in group.majors}
    for major in data.majors:
        if major not in have:
            group.majors.append(Major(college_en=major[0], college_ko=major[1], name_en=major[2], name_ko=major[3]))
            have.add(major)
    wanted_tracks = set(data.tracks)
    group.tracks = [t for t in group.tracks if (t.name_en, t.name_ko) in wanted_tracks]
    have_tracks = {(t.name_en, t.name_ko) for t in group.tracks}
    for track in data.tracks:
        if track not in have_tracks:
            group.tracks.append(Track(name_en=track[0], name_ko=track[1]))
            have_tracks.add(track)


def create_group(actor: User | None, data: GroupData) -> ProjectGroup:
    _validate(data, None)
    group = ProjectGroup()
    _apply(group, data)
    db.session.add(group)
    db.session.flush()
    audit.record(actor, "project_group", group.id, "created", None, "active" if group.active else "inactive")
    return group


def update_group(actor: User, group: ProjectGroup, data: GroupData) -> ProjectGroup:
    _validate(data, group)
    before = "active" if group.active else "inactive"
    _apply(group, data)
    db.session.flush()
    audit.record(actor, "project_group", group.id, "updated", before, "active" if group.active else "inactive")
    return group


# -- groups of many rows at once ------------------------------------------------------------------------------
# Lists of many companies or openings read their groups here, in one query of plain values: loading the groups
# as objects (a selectin load) costs about three times as much for a page of 25 rows.


# Built once, the ids a parameter.
_PARTNER_CODES = (select(company_groups.c.company_id, ProjectGroup.code)
                  .join(ProjectGroup, ProjectGroup.id == company_groups.c.group_id)
                  .where(company_groups.c.company_id.in_(bindparam("ids", expanding=True))).order_by(ProjectGroup.code))
_ELIGIBLE = (select(opening_groups.c.opening_id, opening_groups.c.group_id)
             .where(opening_groups.c.opening_id.in_(bindparam("ids", expanding=True))))


def partner_group_codes(company_ids) -> dict[int, list[str]]:
    """The codes of each company's partner groups, in code order (an empty list for a company without any)."""
    ids = set(company_ids)
    out: dict[int, list[str]] = {company_id: [] for company_id in ids}
    if ids:
        for company_id, code in db.session.execute(_PARTNER_CODES, {"ids": list(ids)}):
            out[company_id].append(code)
    return out


def eligible_group_ids(opening_ids) -> dict[int, frozenset[int]]:
    """The ids of the groups each opening is open to (an empty set for an opening open to none)."""
    ids = set(opening_ids)
    found: dict[int, set[int]] = {opening_id: set() for opening_id in ids}
    if ids:
        for opening_id, group_id in db.session.execute(_ELIGIBLE, {"ids": list(ids)}):
            found[opening_id].add(group_id)
    return {opening_id: frozenset(group_ids) for opening_id, group_ids in found.items()}
