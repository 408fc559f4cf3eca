"""Recognising skill names and comparing them: alias lookup first, guarded typo matching second."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from .normalize import (
    MAX_NAME_LENGTH,
    check_name,
    compact,
    digits,
    hangul_syllables,
    has_hangul,
    normalize,
    to_jamo,
)
from .vocab import Skill, vocabulary

# The usual credit of a curated related pair (seeds/related_skills.json sets each pair's own credit):
# partial credit, never a full match. Kept for callers of the public API.
RELATED = 0.5
LOOKALIKE_CEILING = 0.5  # unrecognised names that look alike (but are not the same) earn at most this
LOOKALIKE_MIN_RATIO = 90.0
# Below this fuzz.ratio two names can be neither the same skill nor look-alikes; used to prefilter.
PREFILTER_RATIO = 60.0
KOREAN_EXACT_SYLLABLES = 6  # Hangul names this short match exactly (modulo spacing) or not at all
SHORT_WORD = 7  # Latin words up to this length may differ only by a dropped, doubled or swapped letter

# Word beginnings that turn a skill into another one: supervised / unsupervised / semi-supervised,
# hyperglycaemia / hypoglycaemia, SQL / NoSQL. Two names that start differently here never match.
_MEANINGFUL_PREFIXES = (
    "non", "un", "no", "semi", "self", "multi", "uni", "bi", "tri", "anti", "pre", "post", "sub",
    "super", "inter", "intra", "micro", "macro", "hyper", "hypo", "mono", "poly", "meta", "de", "dis",
)
# Words around a skill that do not change it ("Python programming", "고급 통계", "PyTorch 활용").
_LEADING_FILLERS = (
    "basic", "basics of", "advanced", "intermediate", "expert", "applied", "practical", "hands on",
    "experience with", "experience in", "knowledge of", "proficiency in", "skills in",
    "기초", "고급", "심화", "중급", "초급", "실무",
)
_TRAILING_FILLERS = (
    "programming", "programming language", "language", "skills", "skill", "experience", "basics",
    "development", "knowledge", "proficiency", "framework", "library", "tools", "analysis",
    "프로그래밍", "언어", "능력", "경험", "활용", "역량", "실무", "개발", "기술", "분야", "전공", "분석",
    "지식", "활용 능력", "활용능력", "사용", "이해",
    "engineer", "developer", "specialist", "researcher", "expert", "scientist", "engineering",
    "개발자", "엔지니어", "전문가", "연구원", "연구자",
)
_PARENTHESES = re.compile(r"[(\[{（［]([^)\]}）］]*)[)\]}）］]")


@dataclass(frozen=True, slots=True)
class Term:
    """A name prepared for comparison: normalised, keyed and (if possible) recognised."""

    normalized: str
    key: str
    skill: int          # index in the vocabulary, -1 when unrecognised
    family: int         # family number, -1 when unrecognised
    exact: bool         # recognised through the alias table (not a typo match)


# --------------------------------------------------------------------------- guarded typo matching


def _edit_budget(length: int) -> int:
    if length <= 3:
        return 0
    if length <= 8:
        return 1
    if length <= 15:
        return 2
    return 3


def _prefix(word: str) -> str:
    for prefix in _MEANINGFUL_PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix) + 2:
            return prefix
    return ""


def _close_word(a: str, b: str, in_context: bool = False) -> bool:
    """Latin word (or spaceless name) typo test: symmetric, short words exact, traps rejected."""
    if a == b:
        return True
    shorter, longer = (a, b) if (len(a), a) <= (len(b), b) else (b, a)
    if len(shorter) <= 3 or a[0] != b[0]:
        return False
    if shorter in longer:
        added = longer[len(shorter):] if longer.startswith(shorter) else None
        # A plural, or a long word cut short ("javascrip"), is the same skill; any other added part
        # makes another one: Java / JavaScript, Scala / Scalar, learning / unlearning.
        if not (added in ("s", "es", shorter[-1])
                or (added is not None and len(shorter) >= 7 and len(added) <= 2)):
            return False
    if _prefix(a) != _prefix(b):
        return False
    if len(shorter) <= SHORT_WORD:
        # Short words: one letter dropped, doubled or swapped is a typo, but one letter replaced is
        # too often another word (Unity / Unify, Blender / Blinder, Docker / Dicker).
        if len(a) == len(b):
            return sorted(a) == sorted(b) and OSA.distance(a, b, score_cutoff=1) <= 1
        if len(shorter) <= 4 and not in_context:
            # Perl / Pearl: on its own, only a doubled letter (Rubby, Rustt) is a typo here; inside
            # a longer name the other words vouch for it (scikit-lern).
            return any(longer == shorter[:i] + shorter[i] + shorter[i:] for i in range(len(shorter)))
        return Indel.distance(a, b, score_cutoff=1) <= 1
    budget = _edit_budget(len(shorter))
    return OSA.distance(a, b, score_cutoff=budget) <= budget


def _close_hangul(a: str, b: str) -> bool:
    """Korean: short names exact only (학습 vs 공학), long ones may differ by one letter (jamo)."""
    if a == b:
        return True
    if min(hangul_syllables(a), hangul_syllables(b)) <= KOREAN_EXACT_SYLLABLES:
        return False
    if a[0] != b[0]:
        return False
    shorter, longer = sorted((a, b), key=lambda s: (len(s), s))
    if shorter in longer:
        return False
    budget = 1 if min(len(a), len(b)) <= 10 else 2
    return OSA.distance(to_jamo(a), to_jamo(b), score_cutoff=budget) <= budget


def close_names(a: str, b: str) -> bool:
    """Are two normalised names the same skill written with a typo or variant? Symmetric."""
    ka, kb = compact(a), compact(b)
    if ka == kb:
        return True
    if min(len(ka), len(kb)) <= 3 or digits(ka) != digits(kb):
        return False
    if has_hangul(ka) or has_hangul(kb):
        return _close_hangul(ka, kb)
    words_a, words_b = a.split(), b.split()
    if len(words_a) == len(words_b) > 1:
        return all(_close_word(x, y, in_context=True) for x, y in zip(words_a, words_b, strict=True))
    return _close_word(ka, kb)


def _lookalike(a: str, b: str) -> float:
    """Partial credit for two unrecognised names that look alike without being the same skill."""
    ka, kb = compact(a), compact(b)
    if min(len(ka), len(kb)) <= 3 or digits(ka) != digits(kb) or ka[0] != kb[0]:
        return 0.0
    if has_hangul(ka) or has_hangul(kb):
        return 0.0
    shorter, longer = sorted((ka, kb), key=lambda s: (len(s), s))
    if shorter in longer or _prefix(ka) != _prefix(kb):
        return 0.0
    ratio = fuzz.ratio(ka, kb)
    if ratio < LOOKALIKE_MIN_RATIO:
        return 0.0
    return round(LOOKALIKE_CEILING * ratio / 100.0, 4)


# --------------------------------------------------------------------------- recognition


def _exact(key: str) -> int | None:
    return vocabulary().alias_index.get(key)


def _strip_fillers(normalized: str) -> list[str]:
    variants = []
    for filler in _LEADING_FILLERS:
        if normalized.startswith(filler + " "):
            variants.append(normalized[len(filler) + 1:])
        elif has_hangul(filler) and normalized.startswith(filler) and len(normalized) > len(filler) + 1:
            variants.append(normalized[len(filler):])
    for filler in _TRAILING_FILLERS:
        if normalized.endswith(" " + filler):
            variants.append(normalized[: -len(filler) - 1])
        elif has_hangul(filler) and normalized.endswith(filler) and len(normalized) > len(filler) + 1:
            variants.append(normalized[: -len(filler)])
    return [v.strip() for v in variants if v.strip()]


def _fuzzy(normalized: str) -> int | None:
    """Typo matching against every alias; None when nothing is close or the best is ambiguous."""
    vocab = vocabulary()
    key = compact(normalized)
    if len(key) <= 3:
        return None
    if has_hangul(key):
        if hangul_syllables(key) <= KOREAN_EXACT_SYLLABLES:
            return None
        query, choices, entries = to_jamo(key), vocab.fuzzy_hangul_jamo, vocab.fuzzy_hangul
    else:
        query, choices, entries = key, vocab.fuzzy_latin_keys, vocab.fuzzy_latin
    budget = _edit_budget(len(key)) if not has_hangul(key) else 2
    hits = process.extract(query, choices, scorer=OSA.distance, score_cutoff=budget, limit=None)
    best_distance, owners = None, set()
    for _, distance, position in hits:
        entry = entries[position]
        if not close_names(normalized, entry.spaced):
            continue
        if best_distance is None or distance < best_distance:
            best_distance, owners = distance, {entry.skill}
        elif distance == best_distance:
            owners.add(entry.skill)
    if len(owners) == 1:
        return owners.pop()
    return None


@lru_cache(maxsize=1 << 16)
def _lookup(normalized: str) -> tuple[int, bool]:
    """(skill index or -1, found through the alias table) for a normalised name."""
    if not normalized:
        return -1, False
    found = _exact(compact(normalized))
    if found is not None:
        return found, True
    for variant in _strip_fillers(normalized):
        found = _exact(compact(variant))
        if found is not None:
            return found, True
    found = _fuzzy(normalized)
    if found is not None:
        return found, False
    return -1, False


@lru_cache(maxsize=1 << 17)
def term(name: str) -> Term:
    """Prepare a raw name for comparison (cached: profiles repeat the same names)."""
    normalized = normalize(name)
    skill, exact = _lookup(normalized)
    if skill < 0 and _PARENTHESES.search(name):
        # "Electronic Health Records (EHR)", "CT(전산화단층촬영)": try outside, then inside.
        outside = normalize(_PARENTHESES.sub(" ", name))
        insides = [normalize(part) for part in _PARENTHESES.findall(name)]
        for candidate in (outside, *insides):
            skill, exact = _lookup(candidate)
            if skill >= 0:
                break
    vocab = vocabulary()
    family = vocab.family_of[skill] if skill >= 0 else -1
    return Term(normalized, compact(normalized), skill, family, exact)


@lru_cache(maxsize=1 << 17)
def checked_term(name: str) -> Term:
    """term() for a name that must be usable: raises ValueError on empty, blank or over-long names."""
    check_name(name)
    return term(name)


def recognize(name: str) -> Skill | None:
    """The canonical skill a name denotes, or None (also for blank or over-long input)."""
    if not isinstance(name, str) or len(name) > MAX_NAME_LENGTH:
        return None
    found = term(name)
    return vocabulary().skills[found.skill] if found.skill >= 0 else None


# --------------------------------------------------------------------------- comparison


def compare_terms(a: Term, b: Term) -> tuple[float, str]:
    """(similarity, kind) for two prepared names; kind is exact / fuzzy / related / none. Symmetric."""
    if a.key == b.key:
        return 1.0, "exact"
    if a.skill >= 0 and b.skill >= 0:
        if a.skill == b.skill:
            return 1.0, ("exact" if a.exact and b.exact else "fuzzy")
        credit = vocabulary().related_credit(a.skill, b.skill)
        return (credit, "related") if credit > 0 else (0.0, "none")
    return _compare_unrecognised(a.normalized, b.normalized) if a.normalized <= b.normalized \
        else _compare_unrecognised(b.normalized, a.normalized)


@lru_cache(maxsize=1 << 16)
def _compare_unrecognised(a: str, b: str) -> tuple[float, str]:
    if close_names(a, b):
        return 1.0, "fuzzy"
    similarity = _lookalike(a, b)
    return (similarity, "related") if similarity > 0 else (0.0, "none")


def same_skill(a: str, b: str) -> bool:
    """Do the two names denote the same skill? Symmetric; raises ValueError on unusable names."""
    return compare_terms(checked_term(a), checked_term(b))[0] >= 1.0


def skill_similarity(a: str, b: str) -> float:
    """0.0..1.0: 1.0 for the same skill, the curated credit of a related pair (PyTorch ~ TensorFlow 0.5,
    from seeds/related_skills.json; a shared family alone is not enough), less for
    unrecognised look-alikes, 0.0 otherwise. Symmetric; raises ValueError on unusable names."""
    return compare_terms(checked_term(a), checked_term(b))[0]


# --------------------------------------------------------------------------- suggestions


def suggest(text: str, limit: int = 8) -> list[Skill]:
    """Skills for autocomplete and "did you mean": alias prefixes (English or Korean, also a
    half-typed Hangul syllable) first, then typo matches. Empty or unusable input gives []."""
    if not isinstance(text, str) or len(text) > MAX_NAME_LENGTH or limit <= 0:
        return []
    normalized = normalize(text)
    key = compact(normalized)
    if not key:
        return []
    vocab = vocabulary()
    ranked: list[int] = []

    def add(index: int) -> None:
        if index not in ranked:
            ranked.append(index)

    recognised = term(text).skill
    if recognised >= 0:
        add(recognised)
    # Prefix matches, canonical names first, then shorter aliases first.
    prefix = to_jamo(key)
    start = bisect.bisect_left(vocab.sorted_jamo, prefix)
    matches = []
    for position in range(start, len(vocab.sorted_jamo)):
        if not vocab.sorted_jamo[position].startswith(prefix):
            break
        entry = vocab.sorted_entries[position]
        skill = vocab.skills[entry.skill]
        is_name = entry.text in (skill.name, skill.name_ko)
        matches.append((not is_name, len(entry.key), skill.name.casefold(), entry.skill))
    for *_, index in sorted(matches):
        add(index)
    if len(ranked) < limit and len(key) >= 4:
        for _, _score, position in process.extract(
            key, vocab.entry_keys, scorer=fuzz.ratio, score_cutoff=75, limit=limit * 4
        ):
            add(vocab.entries[position].skill)
    return [vocab.skills[index] for index in ranked[:limit]]
