"""Majors as eligibility: an opening's list of majors against a student's major, compared sensibly."""
from __future__ import annotations

import unicodedata

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Major, StudentProfile


def normalize_major(name: str | None) -> str:
    """NFKC, case-folded, blanks collapsed: 'Biomedical  engineering ' = 'biomedical engineering'."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def opening_majors(majors_text: str | None) -> frozenset[str]:
    """The normalised majors of an opening (stored one per line); empty = every major."""
    return frozenset(n for n in (normalize_major(line) for line in (majors_text or "").splitlines()) if n)


def major_names_many(profiles) -> dict[int, frozenset[str]]:
    """{profile id: the student's major under every name it goes by} in one query: as typed, plus the
    English and Korean names of their group's major it is (a student of 의학 fits an opening for Medicine)."""
    profiles = [p for p in profiles if p is not None]
    typed = {p.id: normalize_major(p.major) for p in profiles}
    group_ids = {p.group_id for p in profiles if typed[p.id]}
    aliases: dict[tuple[int, str], set[str]] = {}
    if group_ids:
        for group_id, name_en, name_ko in db.session.execute(
            select(Major.group_id, Major.name_en, Major.name_ko).where(Major.group_id.in_(group_ids))
        ):
            both = {normalize_major(name_en), normalize_major(name_ko)} - {""}
            for name in both:
                aliases.setdefault((group_id, name), set()).update(both)
    out = {}
    for p in profiles:
        name = typed[p.id]
        out[p.id] = frozenset(({name} | aliases.get((p.group_id, name), set())) if name else ())
    return out


def major_names(profile: StudentProfile) -> frozenset[str]:
    return major_names_many([profile])[profile.id]


def major_allowed(majors_text: str | None, names: frozenset[str]) -> bool:
    wanted = opening_majors(majors_text)
    return not wanted or bool(wanted & names)
