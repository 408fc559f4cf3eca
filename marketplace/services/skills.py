"""The one bridge to marketplace.matching: canonical skill ids at save time and suggestions as you type."""
from __future__ import annotations

import unicodedata

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


def _matching():
    """The matching package, or None while it is not installed (names are then kept as typed)."""
    try:
        from marketplace import matching
    except ImportError:
        return None
    return matching


def clean_name(name: str) -> str:
    """NFKC, trimmed, inner whitespace collapsed: the form a company typed, tidied."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


def normalize(name: str) -> str:
    """The comparison key of a skill name (duplicates within one opening are found with it)."""
    matching = _matching()
    if matching is not None:
        try:
            key = matching.normalize(name)
        except ValueError:
            key = ""
        if key:
            return key
    return clean_name(name).casefold()


def _display(skill, locale: str | None) -> str:
    if locale == "ko" and getattr(skill, "name_ko", None):
        return skill.name_ko
    return skill.name


def canonicalize(name: str, locale: str | None = None) -> tuple[str | None, str]:
    """(canonical skill id or None, display name) for a skill name as typed."""
    cleaned = clean_name(name)
    matching = _matching()
    if matching is None or not cleaned:
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
    matching = _matching()
    if matching is None:
        folded = q.casefold()
        return [{"id": None, "name": name, "label": name, "family": None}
                for name in COMMON_SKILLS if folded in name.casefold()][:limit]
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
