"""The one bridge to marketplace.matching: canonical skill ids at save time and suggestions as you type."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from marketplace import matching
from marketplace.i18n import lazy_gettext as _l
from marketplace.services.errors import DomainError

MAX_NAME = 100
MAX_QUERY = 100

# Offered in the server-rendered <datalist> so the form helps even without JavaScript.
COMMON_SKILLS = (
    "Python", "PyTorch", "TensorFlow", "Deep learning", "Machine learning", "Medical imaging", "DICOM",
    "Computer vision", "Natural language processing", "Clinical NLP", "Korean NLP", "SQL", "R",
    "Statistics", "Biostatistics", "EMR", "HL7 FHIR", "OMOP CDM", "Signal processing", "ECG",
    "EEG", "Biosignal processing", "Data engineering", "Apache Spark", "Docker", "Kubernetes", "Git",
    "MLOps", "Regulatory affairs", "Software as a medical device", "IEC 62304", "ISO 13485",
    "Clinical trials", "Bioinformatics", "Genomics", "Pathology", "Radiology", "Nursing informatics",
    "Privacy and data protection", "Scikit-learn", "Pandas", "Large language models",
)


def clean_name(name: str) -> str:
    """NFKC, trimmed, inner whitespace collapsed: the form a company typed, tidied."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


def normalize(name: str) -> str:
    """The comparison key of a skill name (duplicates within one opening are found with it)."""
    try:
        key = matching.normalize(name)
    except ValueError:
        key = ""
    return key or clean_name(name).casefold()


def _display(skill, locale: str | None) -> str:
    if locale == "ko" and getattr(skill, "name_ko", None):
        return skill.name_ko
    return skill.name


def canonicalize(name: str, locale: str | None = None) -> tuple[str | None, str]:
    """(canonical skill id or None, display name) for a skill name as typed."""
    cleaned = clean_name(name)
    if not cleaned:
        return None, cleaned
    try:
        skill = matching.recognize(cleaned)
    except ValueError:  # e.g. longer than the vocabulary accepts: kept as typed
        skill = None
    if skill is None:
        return None, cleaned
    return str(skill.id), _display(skill, locale)[:MAX_NAME]


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e" for ch in text)


def suggestions(q: str, locale: str | None = None, limit: int = 8) -> list[dict]:
    """Skills that complete or resemble `q`, for the as-you-type suggestion list.

    The value is in the script being typed (so the browser's list keeps matching); the label gives the
    name in the interface language when that differs.
    """
    q = clean_name(q)[:MAX_QUERY]
    if not q:
        return []
    try:
        found = matching.suggest(q, limit=limit)
    except ValueError:
        found = []
    korean_typed = _has_hangul(q)
    out = []
    for skill in found:
        name_ko = getattr(skill, "name_ko", None) or skill.name
        value = name_ko if korean_typed else skill.name
        label = name_ko if locale == "ko" else skill.name
        out.append({"id": str(skill.id), "name": value, "label": label, "family": getattr(skill, "family", None)})
    return out


def common_skill_names(locale: str | None = None) -> list[str]:
    """Canonical names of common skills (English: what most companies type), for the datalist."""
    names = []
    seen = set()
    for name in COMMON_SKILLS:
        _, display = canonicalize(name)
        if display.casefold() not in seen:
            seen.add(display.casefold())
            names.append(display)
    return names


# -- skill rows of a form (an opening's requirements, a student's skill profile) ---------------------------


class SkillRow(Protocol):
    name: str
    row: int | None  # the form row it came from, so an error lands beside it


RowT = TypeVar("RowT", bound=SkillRow)


def row_field(row: int | None, part: str) -> str:
    """The form field of one part of a skill row (or the whole list when the row is unknown)."""
    return f"skills-{row}-{part}" if row is not None else "skills"


@dataclass(frozen=True)
class CleanSkill:
    position: int
    name: str  # as typed, tidied
    skill_id: str | None  # canonical skill, if recognised
    display_name: str


def clean_rows(rows: Iterable[RowT], max_rows: int) -> Iterator[tuple[RowT, CleanSkill]]:
    """Non-blank rows with their tidied, canonicalised names, in order; refuses too many rows, over-long
    names and the same skill twice (also under two names, e.g. 딥러닝 and Deep learning)."""
    kept = [r for r in rows if clean_name(r.name)]
    if len(kept) > max_rows:
        raise DomainError(str(_l("List at most %(n)d skills.", n=max_rows)), field="skills")
    seen: dict[str, str] = {}
    for position, row in enumerate(kept):
        name = clean_name(row.name)
        if len(name) > MAX_NAME:
            raise DomainError(str(_l("Skill names have at most %(n)d characters.", n=MAX_NAME)),
                              field=row_field(row.row, "name"))
        skill_id, display = canonicalize(name)
        key = f"id:{skill_id}" if skill_id else f"name:{normalize(name)}"
        if key in seen:
            raise DomainError(
                str(_l("“%(name)s” is listed twice (as “%(other)s”); keep one row per skill.",
                       name=name, other=seen[key])),
                field=row_field(row.row, "name"),
            )
        seen[key] = name
        yield row, CleanSkill(position, name, skill_id, display or name)
