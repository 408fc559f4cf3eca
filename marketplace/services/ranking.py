"""The ranking adapter: database rows in, matching-core inputs out, cached per process.

Building a matching input validates and recognises a skill name, which costs far more than ranking itself;
so inputs are interned (`_Interned`) and each profile's skills and each opening's requirements are kept
while the record's updated_at is unchanged (`_Versioned`). Pages ask which records they need and their
versions, then load skill rows only for records missing here: a fixed number of queries per page.
"""
from __future__ import annotations

from sqlalchemy import String, select, type_coerce

from marketplace import matching
from marketplace.extensions import db
from marketplace.models import Application, Company, Opening, OpeningSkill, StudentProfile, StudentSkill


class _Interned:
    """Matching inputs made once per process and reused: building a SkillLevel or Requirement validates
    and recognises its name, which costs far more than the ranking itself when a page builds 20,000.
    Values are immutable; the table is cleared when it grows past `limit`. Unusable names map to None."""

    def __init__(self, factory, limit: int = 200_000):
        self.factory = factory
        self.limit = limit
        self.table: dict[tuple, object] = {}

    def get(self, *key):
        try:
            return self.table[key]
        except KeyError:
            pass
        try:
            value = self.factory(*key)
        except ValueError:  # a name the core refuses cannot be matched: it is left out
            value = None
        if len(self.table) >= self.limit:
            self.table = {}
        self.table[key] = value
        return value


_skill_levels = _Interned(matching.SkillLevel)
_requirements = _Interned(matching.Requirement)


class _Versioned:
    """Per-process cache of one record's matching inputs (a profile's skills, an opening's requirements),
    valid while the record's updated_at is unchanged. Pages ask the database which records they need and
    their versions (one small query), then load rows only for records missing here (one more query)."""

    SCAN_ALL_ABOVE = 1000  # more missing ids than this: select by the page's condition rather than IN (...)

    def __init__(self, limit: int = 100_000):
        self.limit = limit
        self.table: dict[int, tuple[object, list]] = {}

    def missing(self, versions: list[tuple[int, object]]) -> list[int]:
        table = self.table
        return [key for key, version in versions if (table.get(key) or (None,))[0] != version]

    def fill(self, versions: dict[int, object], rows, make) -> None:
        """rows: (key, *fields) ordered by key then position; make(*fields) -> value or None."""
        if len(self.table) + len(versions) > self.limit:
            self.table = {}
        fresh: dict[int, list] = {}
        for key, *fields in rows:
            bucket = fresh.setdefault(key, [])
            if fields[0] is not None:
                value = make(*fields)
                if value is not None:
                    bucket.append(value)
        for key, version in versions.items():
            self.table[key] = (version, fresh.get(key, []))

    def get(self, key: int) -> list:
        return self.table[key][1]


_profile_skills = _Versioned()
_opening_requirements = _Versioned()


def requirements_of(opening_skills) -> list[matching.Requirement]:
    found = (_requirements.get(s.name, s.importance.value, s.min_level) for s in opening_skills)
    return [r for r in found if r is not None]


def skill_levels(student_skills) -> list[matching.SkillLevel]:
    found = (_skill_levels.get(s.name, s.level) for s in student_skills)
    return [s for s in found if s is not None]


def detail_dict(detail: matching.Detail) -> dict:
    """A JSON-safe explanation of one requirement (as stored on the application and shown on pages)."""
    return {
        "requirement": detail.requirement,
        "importance": detail.importance,
        "min_level": detail.min_level,
        "matched": detail.matched,
        "canonical": detail.canonical,
        "similarity": round(float(detail.similarity), 4),
        "level": detail.level,
        "kind": detail.kind,
    }


def match_details(match: matching.Match) -> list[dict]:
    return [detail_dict(d) for d in match.details]


def match_for(profile: StudentProfile, opening: Opening) -> matching.Match:
    return matching.score(requirements_of(opening.skills), skill_levels(profile.skills))


# -- loading through the caches -------------------------------------------------------------------------------


def applicants_skill_levels(opening: Opening, versions: dict[int, object]) -> dict[int, list[matching.SkillLevel]]:
    """Profile id -> skill levels, for these applicants' profiles of `opening` at these versions (one query
    for the skill rows of profiles not cached in this process)."""
    missing = _profile_skills.missing(list(versions.items()))
    skill_rows = select(StudentSkill.profile_id, StudentSkill.name, StudentSkill.level).order_by(
        StudentSkill.profile_id, StudentSkill.position)
    if len(missing) > _Versioned.SCAN_ALL_ABOVE:
        skill_rows = skill_rows.join(Application, Application.opening_id == opening.id).join(
            StudentProfile, (StudentProfile.user_id == Application.student_id)
            & (StudentProfile.id == StudentSkill.profile_id))
    else:
        skill_rows = skill_rows.where(StudentSkill.profile_id.in_(missing))
    _profile_skills.fill({k: versions[k] for k in missing}, db.session.execute(skill_rows), _skill_levels.get)
    return {profile_id: _profile_skills.get(profile_id) for profile_id in versions}


def openings_requirements(eligible: list[tuple[int, object]], condition) -> dict[int, list[matching.Requirement]]:
    """Opening id -> requirements, for these (id, updated_at) pairs, in their order; `condition` selects the
    same openings (joined with their company) when too many are missing to list them."""
    versions = dict(eligible)
    missing = _opening_requirements.missing(eligible)
    skill_rows = select(OpeningSkill.opening_id, OpeningSkill.name, type_coerce(OpeningSkill.importance, String),
                        OpeningSkill.min_level).order_by(OpeningSkill.opening_id, OpeningSkill.position)
    if len(missing) > _Versioned.SCAN_ALL_ABOVE:
        skill_rows = skill_rows.join(Opening, Opening.id == OpeningSkill.opening_id).join(
            Company, Company.id == Opening.company_id).where(*condition)
    else:
        skill_rows = skill_rows.where(OpeningSkill.opening_id.in_(missing))
    _opening_requirements.fill({k: versions[k] for k in missing}, db.session.execute(skill_rows),
                               _requirements.get)
    return {opening_id: _opening_requirements.get(opening_id) for opening_id, _ in eligible}


def warm() -> tuple[int, int]:
    """Fill this process's caches with every published opening's requirements and every profile's skills
    (two queries each way), so the first ranked page after a start costs what the others do.
    Returns (openings, profiles) cached."""
    from marketplace.models import CompanyStatus, OpeningStatus

    condition = (Opening.status == OpeningStatus.PUBLISHED, Company.status == CompanyStatus.APPROVED)
    eligible = [tuple(row) for row in db.session.execute(
        select(Opening.id, Opening.updated_at).join(Company, Company.id == Opening.company_id).where(*condition))]
    _opening_requirements.fill(dict(eligible), db.session.execute(
        select(OpeningSkill.opening_id, OpeningSkill.name, type_coerce(OpeningSkill.importance, String),
               OpeningSkill.min_level).join(Opening, Opening.id == OpeningSkill.opening_id)
        .join(Company, Company.id == Opening.company_id).where(*condition)
        .order_by(OpeningSkill.opening_id, OpeningSkill.position)), _requirements.get)
    versions = dict(tuple(row) for row in db.session.execute(select(StudentProfile.id, StudentProfile.updated_at)))
    _profile_skills.fill(versions, db.session.execute(
        select(StudentSkill.profile_id, StudentSkill.name, StudentSkill.level)
        .order_by(StudentSkill.profile_id, StudentSkill.position)), _skill_levels.get)
    return len(eligible), len(versions)
