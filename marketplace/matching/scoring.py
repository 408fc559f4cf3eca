"""Scoring profiles against requirements, ranking applicants and recommending openings (vectorised)."""
from __future__ import annotations

import gc
import numbers
import threading
from functools import lru_cache
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter, itemgetter
from typing import TypeVar

import numpy as np
from rapidfuzz import fuzz, process

from .normalize import check_name
from .similarity import PREFILTER_RATIO, Term, checked_term, compare_terms, term
from .vocab import vocabulary

K = TypeVar("K")

IMPORTANCE_WEIGHTS: dict[str, float] = {"must": 3.0, "should": 2.0, "nice": 1.0}
MIN_LEVEL, MAX_LEVEL = 1, 5


def _check_level(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be a whole number from {MIN_LEVEL} to {MAX_LEVEL}, got {value!r}")
    if not MIN_LEVEL <= value <= MAX_LEVEL:
        raise ValueError(f"{what} must be from {MIN_LEVEL} to {MAX_LEVEL}, got {value}")
    return int(value)


class _NameTable:
    """Every distinct raw name seen so far -> a number, with its recognised skill, family and key
    in arrays, so a ranking turns 100,000 names into array indices with one C-level lookup each."""

    LIMIT = 1_000_000
    GENERATION_SHIFT, NUMBER_SHIFT = 40, 3  # code = generation | name number | level (1..5 < 8)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 1
        self.index: dict[str, int] = {}
        self.terms: list[Term] = []
        self._key_ids: dict[str, int] = {}
        self.skill = np.empty(0, dtype=np.int64)
        self.family = np.empty(0, dtype=np.int64)
        self.key = np.empty(0, dtype=np.int64)

    def _add(self, name: str) -> None:
        found = checked_term(name)  # ValueError for unusable names
        with self._lock:
            if name in self.index:
                return
            number = len(self.terms)
            if number == len(self.skill):
                size = max(1024, 2 * number)
                self.skill = np.resize(self.skill, size)
                self.family = np.resize(self.family, size)
                self.key = np.resize(self.key, size)
            self.skill[number] = found.skill
            self.family[number] = found.family
            self.key[number] = self._key_ids.setdefault(found.key, len(self._key_ids))
            self.terms.append(found)
            self.index[name] = number

    def ids(self, names: list[str]) -> np.ndarray:
        # Never resets (numbers handed out earlier in the same ranking must stay valid); code() does.
        try:
            if len(names) > 1:
                try:
                    return np.array(itemgetter(*names)(self.index), dtype=np.intp)
                except KeyError:
                    pass
            index = self.index
            for name in set(names) - index.keys():
                self._add(name)
            return np.fromiter(map(index.__getitem__, names), dtype=np.intp, count=len(names))
        except TypeError:  # an unhashable name
            raise ValueError("skill names must be strings") from None

    def code(self, name: str, level: int) -> int:
        """The packed (generation, name number, level) a SkillLevel keeps for fast ranking."""
        if len(self.index) > self.LIMIT:
            self.reset()
        if name not in self.index:
            self._add(name)
        number = self.index[name]
        return (self.generation << self.GENERATION_SHIFT) | (number << self.NUMBER_SHIFT) | level

    def decode(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(name numbers, levels) from packed codes, or None when any code is from an older table."""
        if codes.size and not np.all((codes >> self.GENERATION_SHIFT) == self.generation):
            return None
        mask = (1 << (self.GENERATION_SHIFT - self.NUMBER_SHIFT)) - 1
        return (codes >> self.NUMBER_SHIFT) & mask, codes & ((1 << self.NUMBER_SHIFT) - 1)

    def reset(self) -> None:
        with self._lock:
            self.generation += 1
            self.index = {}
            self.terms = []
            self._key_ids = {}


_names = _NameTable()


@dataclass(frozen=True, slots=True)
class Requirement:
    """What an opening asks for. importance: "must" | "should" | "nice"; min_level 1..5."""

    name: str
    importance: str = "should"
    min_level: int = 1

    def __post_init__(self) -> None:
        check_name(self.name, "requirement name")
        importance = self.importance.strip().casefold() if isinstance(self.importance, str) else None
        if importance not in IMPORTANCE_WEIGHTS:
            allowed = ", ".join(IMPORTANCE_WEIGHTS)
            raise ValueError(f"importance must be one of {allowed}; got {self.importance!r}")
        object.__setattr__(self, "importance", importance)
        object.__setattr__(self, "min_level", _check_level(self.min_level, "min_level"))

    @property
    def weight(self) -> float:
        return IMPORTANCE_WEIGHTS[self.importance]


@dataclass(frozen=True, slots=True)
class SkillLevel:
    """A skill someone has, as they typed it, with a self-assessed level 1..5.

    The name is recognised when the object is made (profiles are saved once, ranked many times);
    the hidden `_code` packs the name's number in this process's name table with the level.
    """

    name: str
    level: int
    _code: int = field(init=False, repr=False, compare=False, hash=False, default=0)

    def __post_init__(self) -> None:
        check_name(self.name, "skill name")
        level = _check_level(self.level, "level")
        object.__setattr__(self, "level", level)
        object.__setattr__(self, "_code", _names.code(self.name, level))

    def __reduce__(self):
        # Never carry a name-table number into another process or copy: rebuild from the fields.
        return (SkillLevel, (self.name, self.level))


@dataclass(frozen=True, slots=True)
class Detail:
    """How one requirement was met.

    kind: "exact" (same skill, by name or alias), "fuzzy" (same skill, through a typo or variant),
    "related" (a curated related pair or a look-alike name: partial credit, never a full match) or
    "missing". credit is the requirement's share before weighting: similarity × min(1, level / min_level).
    above_minimum: levels above the minimum of a full match (0 otherwise): it breaks ties in ranking.
    """

    requirement: str
    importance: str
    min_level: int
    matched: str | None         # the profile's skill as typed
    canonical: str | None       # canonical name of the matched skill, when it is in the vocabulary
    similarity: float
    level: int | None
    kind: str
    credit: float

    @property
    def is_match(self) -> bool:
        return self.kind in ("exact", "fuzzy")

    @property
    def below_minimum(self) -> bool:
        return self.level is not None and self.level < self.min_level

    @property
    def above_minimum(self) -> int:
        return self.level - self.min_level if self.is_match and self.level > self.min_level else 0

    def describe(self) -> str:
        """A short English explanation, e.g. "PyTorch ✓ level 4 ≥ 3" or "DICOM — missing must-have"."""
        must = self.importance == "must"
        if self.kind == "missing":
            return f"{self.requirement} — missing must-have" if must else f"{self.requirement} — missing"
        if self.is_match:
            same_text = check_name(self.matched) == check_name(self.requirement)
            head = f"{self.requirement} ✓" if same_text else f"{self.requirement} ≈ {self.matched}"
            if self.below_minimum:
                return f"{head}, level {self.level} < {self.min_level} (below minimum)"
            text = f"{head} level {self.level} ≥ {self.min_level}" if same_text \
                else f"{head}, level {self.level} ≥ {self.min_level}"
            return text + (f" (+{self.above_minimum} above minimum)" if self.above_minimum else "")
        text = (f"{self.requirement} ~ {self.matched}: related, "
                f"{round(self.similarity * 100)}% credit, level {self.level}")
        return text + (" — missing must-have" if must else "")


def fit_of(requirement_coverage: float, profile_coverage: float) -> float:
    """The recommendation rank, 0..100: F2 = 5·R·P / (4·P + R) of R = requirement coverage (score/100)
    and P = profile coverage. R counts four times as much as P, but a trivial opening (one requirement
    met, little of the profile used) no longer outranks a broad good fit."""
    r, p = requirement_coverage, profile_coverage
    return round(100.0 * 5.0 * r * p / (4.0 * p + r), 6) if r > 0 and p > 0 else 0.0


class Match:
    """A profile's fit to a set of requirements: score 0..100, missing must-haves, per-requirement
    details. Details are worked out on first access (ranking thousands of profiles does not need them).

    surplus (0..1): the weighted mean, over requirements, of the level above the minimum of a full match
    as a share of the room above it ((level − min) / (5 − min)); equal scores rank by it.
    profile_coverage (0..1, recommend() only, else None): the level-weighted share of the student's
    skills the opening asks for (each skill counts its best similarity to a requirement).
    fit (0..100): fit_of(score / 100, profile_coverage) when profile_coverage is known, else the score.
    """

    __slots__ = ("score", "missing_musts", "_details", "_source", "surplus", "profile_coverage")

    def __init__(self, score: float, missing_musts: list[str], details=None, source=None, *,
                 surplus: float = 0.0, profile_coverage: float | None = None):
        self.score = score
        self.missing_musts = missing_musts
        self._details = details
        self._source = source
        self.surplus = surplus
        self.profile_coverage = profile_coverage

    @property
    def fit(self) -> float:
        if self.profile_coverage is None:
            return self.score
        return fit_of(self.score / 100.0, self.profile_coverage)

    @property
    def levels_above_minimum(self) -> int:
        """Levels above the minimum summed over fully met requirements (for the explanation)."""
        return sum(detail.above_minimum for detail in self.details)

    @property
    def has_all_musts(self) -> bool:
        return not self.missing_musts

    @property
    def details(self) -> tuple[Detail, ...]:
        if self._details is None:
            requirements, skills = self._source
            self._details = _details(requirements, skills)
            self._source = None
        return self._details

    def explain(self) -> list[str]:
        """One short English line per requirement (the web layer translates)."""
        return [detail.describe() for detail in self.details]

    def summary(self) -> list[str]:
        """Short English lines on how the match ranks beyond its score (the web layer translates)."""
        lines = []
        if self.profile_coverage is not None:
            lines.append(f"rank {self.fit:.0f} = F2 of requirements covered {self.score:.0f}% "
                         f"and profile covered {100 * self.profile_coverage:.0f}%")
        above = self.levels_above_minimum
        if above:
            lines.append(f"+{above} level{'s' if above != 1 else ''} above the minimum: "
                         "ranks above an equal score at the minimum")
        return lines

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Match):
            return NotImplemented
        return (self.score, self.missing_musts, self.details) == (other.score, other.missing_musts, other.details)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Match(score={self.score!r}, missing_musts={self.missing_musts!r}, surplus={self.surplus!r})"


# --------------------------------------------------------------------------- input checks


def _requirements(requirements: Sequence[Requirement]) -> tuple[Requirement, ...]:
    if isinstance(requirements, (str, bytes)) or not isinstance(requirements, (Sequence, set, frozenset)):
        raise ValueError("requirements must be a sequence of Requirement")
    result = tuple(requirements)
    for item in result:
        if not isinstance(item, Requirement):
            raise ValueError(f"requirements must be Requirement objects, got {type(item).__name__}")
    return result


def _skills(skills: Sequence[SkillLevel]) -> tuple[SkillLevel, ...]:
    if isinstance(skills, (str, bytes)) or not isinstance(skills, (Sequence, set, frozenset)):
        raise ValueError("skills must be a sequence of SkillLevel")
    result = tuple(skills)
    for item in result:
        if not isinstance(item, SkillLevel):
            raise ValueError(f"skills must be SkillLevel objects, got {type(item).__name__}")
    return result




# --------------------------------------------------------------------------- similarity matrices


def _similarity(row_ids: np.ndarray, col_ids: np.ndarray) -> np.ndarray:
    """similarity[i, j] == compare_terms(term of row_ids[i], term of col_ids[j])[0], in bulk."""
    rs, cs = _names.skill[row_ids], _names.skill[col_ids]
    rk, ck = _names.key[row_ids], _names.key[col_ids]
    known = (rs >= 0)[:, None] & (cs >= 0)[None, :]
    same_skill = known & (rs[:, None] == cs[None, :])
    # Curated pair credits; an unrecognised side (-1) reads the matrix's all-zero last row/column.
    sim = _related_matrix()[rs[:, None], cs[None, :]]
    sim[same_skill | (rk[:, None] == ck[None, :])] = 1.0

    # Pairs with an unrecognised side: prefilter with cdist, decide with the scalar rules.
    unknown_rows = np.flatnonzero(rs < 0)
    unknown_cols = np.flatnonzero(cs < 0)
    blocks = []
    if unknown_cols.size:
        blocks.append((np.arange(len(row_ids)), unknown_cols))
    if unknown_rows.size:
        blocks.append((unknown_rows, np.flatnonzero(cs >= 0)))
    terms = _names.terms
    for block_rows, block_cols in blocks:
        if not block_rows.size or not block_cols.size:
            continue
        row_terms = [terms[i] for i in row_ids[block_rows].tolist()]
        col_terms = [terms[j] for j in col_ids[block_cols].tolist()]
        ratios = process.cdist(
            [t.key for t in row_terms], [t.key for t in col_terms],
            scorer=fuzz.ratio, score_cutoff=PREFILTER_RATIO, workers=1,
        )
        for a, b in zip(*np.nonzero(ratios)):
            if row_terms[a].key != col_terms[b].key:
                sim[block_rows[a], block_cols[b]] = compare_terms(row_terms[a], col_terms[b])[0]
    return sim


@lru_cache(maxsize=1)
def _related_matrix() -> np.ndarray:
    """related[i, j] = curated credit of vocabulary skills i and j, with a zero row and column last."""
    vocab = vocabulary()
    matrix = np.zeros((len(vocab) + 1, len(vocab) + 1))
    for (i, j), credit in vocab.related.items():
        matrix[i, j] = credit
    matrix.setflags(write=False)
    return matrix


def _unique(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct ids, position of each id among them) in O(n) using the name table's size."""
    seen = np.zeros(len(_names.terms), dtype=bool)
    seen[ids] = True
    distinct = np.flatnonzero(seen)
    position = np.empty(len(seen), dtype=np.intp)
    position[distinct] = np.arange(distinct.size)
    return distinct, position[ids]


# Credit factor for a level below the minimum: min(1, level / min_level), indexed [min_level, level].
_LEVEL_FACTOR = np.array(
    [[min(1.0, level / minimum) if minimum else 0.0 for level in range(MAX_LEVEL + 1)]
     for minimum in range(MAX_LEVEL + 1)]
)
# Share of the room above the minimum a level uses: (level - min) / (5 - min), indexed [min_level, level].
_LEVEL_SURPLUS = np.array(
    [[max(0, level - minimum) / (MAX_LEVEL - minimum) if 0 < minimum < MAX_LEVEL else 0.0
      for level in range(MAX_LEVEL + 1)] for minimum in range(MAX_LEVEL + 1)]
)


def _weighted_score(weights: np.ndarray, best: np.ndarray) -> np.ndarray:
    """100 × Σ w·credit / Σ w down axis 0 (weights per cell), summed row by row in a fixed order so
    score(), rank() and recommend() agree to the last bit. Padding cells (weight 0) add nothing."""
    total = np.zeros(best.shape[1:])
    weight_sum = np.zeros(best.shape[1:])
    for row in range(best.shape[0]):
        total += weights[row] * best[row]
        weight_sum += weights[row]
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(weight_sum > 0, 100.0 * total / np.where(weight_sum > 0, weight_sum, 1.0), 0.0)
    return np.round(np.clip(score, 0.0, 100.0), 6)


# --------------------------------------------------------------------------- public operations


_CODE = attrgetter("_code")


def _levels(items: list, count: int) -> np.ndarray:
    try:
        levels = np.fromiter(map(attrgetter("level"), items), dtype=np.intp, count=count)
    except (AttributeError, TypeError, ValueError) as error:
        raise ValueError(f"expected SkillLevel objects with whole-number levels ({error})") from None
    if count and (levels.min() < MIN_LEVEL or levels.max() > MAX_LEVEL):
        raise ValueError(f"skill levels must be from {MIN_LEVEL} to {MAX_LEVEL}")
    return levels


def _evaluate(requirements: tuple[Requirement, ...], profiles: list[Sequence[SkillLevel]], with_surplus: bool = True):
    """Scores, level surpluses (zeros unless with_surplus) and the missing must-haves of many profiles
    against one set of requirements."""
    n, r = len(profiles), len(requirements)
    counts = np.fromiter(map(len, profiles), dtype=np.int64, count=n)
    total = int(counts.sum())
    flat = list(chain.from_iterable(profiles))
    try:
        decoded = _names.decode(np.fromiter(map(_CODE, flat), dtype=np.int64, count=total))
    except AttributeError:
        decoded = None
    if decoded is not None:
        name_ids, levels = decoded
    else:  # objects from an older name table, or SkillLevel look-alikes: take the slow road
        try:
            names = list(map(attrgetter("name"), flat))
        except AttributeError:
            raise ValueError("profiles must hold SkillLevel objects") from None
        name_ids = _names.ids(names)
        levels = _levels(flat, total)
    weights = np.array([q.weight for q in requirements], dtype=np.float64)
    best = np.zeros((r, n))
    surplus = np.zeros((r, n))
    found = np.zeros((r, n), dtype=bool)
    if r and total:
        distinct, columns = _unique(name_ids)
        sim = _similarity(_names.ids([q.name for q in requirements]), distinct)
        # credit[i, (column, level)] = similarity × level factor: one gather per requirement row.
        min_levels = np.array([q.min_level for q in requirements], dtype=np.intp)
        table = sim[:, :, None] * _LEVEL_FACTOR[min_levels][:, None, :]
        credit = table.reshape(r, -1)[:, columns * (MAX_LEVEL + 1) + levels]
        nonempty = np.flatnonzero(counts)
        starts = (np.cumsum(counts) - counts)[nonempty]
        best[:, nonempty] = np.maximum.reduceat(credit, starts, axis=1)
        if with_surplus:
            # Only full matches above the minimum have a surplus: few cells, so work on those alone.
            rows, positions = np.nonzero((sim >= 1.0)[:, columns])
            values = _LEVEL_SURPLUS[min_levels[rows], levels[positions]]
            keep = values > 0
            if keep.any():
                owner = np.repeat(np.arange(n), counts)
                np.maximum.at(surplus, (rows[keep], owner[positions[keep]]), values[keep])
        must_rows = [i for i, q in enumerate(requirements) if q.importance == "must"]
        if must_rows:
            same = sim[must_rows][:, columns] >= 1.0
            found[np.ix_(must_rows, nonempty)] = np.logical_or.reduceat(same, starts, axis=1)
    return (_weighted_score(weights, best), _weighted_score(weights, surplus) / 100.0,
            _missing_lists(requirements, ~found))


def _missing_lists(requirements, lacking: np.ndarray) -> list[list[str]]:
    """Per profile (column), the names of the must-haves it lacks, in requirement order."""
    must_rows = [i for i, q in enumerate(requirements) if q.importance == "must"]
    n = lacking.shape[1]
    if not must_rows:
        return [[] for _ in range(n)]
    if len(must_rows) > 62:  # too many for a bit code: the plain way
        return [[requirements[row].name for row in must_rows if lacking[row, column]] for column in range(n)]
    # Each pattern of missing must-haves becomes a bit code; one list per profile from its code.
    codes = np.zeros(n, dtype=np.int64)
    for bit, row in enumerate(must_rows):
        codes |= lacking[row].astype(np.int64) << bit
    patterns = {
        code: [requirements[row].name for bit, row in enumerate(must_rows) if code >> bit & 1]
        for code in np.unique(codes).tolist()
    }
    return [patterns[code].copy() for code in codes.tolist()]


def _order(keys: list, scores: np.ndarray, missing: list[list[str]], surplus: np.ndarray,
           fit: np.ndarray | None = None) -> np.ndarray:
    """Every must-have first, then by fit (recommend only), score, level surplus, str(key): deterministic."""
    lacking = np.fromiter(map(bool, missing), dtype=bool, count=len(missing))
    labels = np.array([str(key) for key in keys]) if keys else np.array([], dtype=str)
    sort_keys = [labels, -surplus, -scores] + ([-fit] if fit is not None else []) + [lacking]
    return np.lexsort(sort_keys)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building tens of thousands of small result objects:
    otherwise the burst of allocations triggers full collections over the caller's whole heap
    (every stored profile), which costs more than the ranking itself. Nothing here makes cycles."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def score(requirements: Sequence[Requirement], skills: Sequence[SkillLevel]) -> Match:
    """How well one profile meets the requirements (see Match)."""
    requirements = _requirements(requirements)
    skills = _skills(skills)
    scores, surplus, missing = _evaluate(requirements, [skills])
    return Match(float(scores[0]), missing[0], source=(requirements, skills), surplus=float(surplus[0]))


def rank(requirements: Sequence[Requirement], profiles: Mapping[K, Sequence[SkillLevel]]) -> list[tuple[K, Match]]:
    """Every profile with its Match, best first: those with all must-haves before any without,
    then by score, then by level surplus above the minimums (the stronger of equal scores first),
    then by str(key)."""
    requirements = _requirements(requirements)
    if not isinstance(profiles, Mapping):
        raise ValueError("profiles must be a mapping of key -> sequence of SkillLevel")
    with _collector_paused():
        keys = list(profiles.keys())
        values = list(profiles.values())
        scores, surplus, missing = _evaluate(requirements, values)
        score_list, surplus_list = scores.tolist(), surplus.tolist()
        return [
            (keys[i], Match(score_list[i], missing[i], None, (requirements, values[i]), surplus=surplus_list[i]))
            for i in _order(keys, scores, missing, surplus).tolist()
        ]


def recommend(skills: Sequence[SkillLevel], openings: Mapping[K, Sequence[Requirement]]) -> list[tuple[K, Match]]:
    """Every opening with the student's Match against it, best first: those with all must-haves first,
    then by fit (see fit_of: requirement coverage and profile coverage together, so an opening asking
    for one skill does not outrank one that uses six), then score, level surplus, str(key)."""
    skills = _skills(skills)
    if not isinstance(openings, Mapping):
        raise ValueError("openings must be a mapping of key -> sequence of Requirement")
    with _collector_paused():
        return _recommend(skills, openings)


def _recommend(skills: tuple[SkillLevel, ...], openings: Mapping[K, Sequence[Requirement]]) -> list[tuple[K, Match]]:
    keys = list(openings.keys())
    opening_reqs = [_requirements(value) for value in openings.values()]
    n = len(keys)
    counts = np.fromiter(map(len, opening_reqs), dtype=np.int64, count=n)
    flat = list(chain.from_iterable(opening_reqs))
    width = int(counts.max()) if n else 0

    skill_ids = _names.ids([s.name for s in skills])
    levels = _levels(list(skills), len(skills))
    req_ids = _names.ids([q.name for q in flat])
    weights = np.fromiter((q.weight for q in flat), dtype=np.float64, count=len(flat))
    min_levels = np.fromiter((q.min_level for q in flat), dtype=np.intp, count=len(flat))
    is_must = np.fromiter((q.importance == "must" for q in flat), dtype=bool, count=len(flat))

    owner = np.repeat(np.arange(n), counts)
    coverage = np.zeros(n)
    if flat and skills:
        distinct, rows = _unique(req_ids)
        sim = _similarity(distinct, skill_ids)[rows]
        best_flat = (sim * _LEVEL_FACTOR[min_levels[:, None], levels[None, :]]).max(axis=1)
        surplus_flat = ((sim >= 1.0) * _LEVEL_SURPLUS[min_levels[:, None], levels[None, :]]).max(axis=1)
        found_flat = (sim >= 1.0).any(axis=1)
        # Profile coverage: per opening, each skill's best similarity to one of its requirements,
        # weighted by the skill's level, over the profile's total level.
        nonempty = np.flatnonzero(counts)
        starts = (np.cumsum(counts) - counts)[nonempty]
        per_skill = np.maximum.reduceat(sim, starts, axis=0)
        coverage[nonempty] = per_skill @ levels.astype(np.float64) / float(levels.sum())
    else:
        best_flat = np.zeros(len(flat))
        surplus_flat = np.zeros(len(flat))
        found_flat = np.zeros(len(flat), dtype=bool)

    # Lay requirements out as (position within opening, opening) so the weighted sum runs in the
    # same order as in score()/rank(): identical floating-point results.
    position = np.arange(len(flat)) - np.repeat(np.cumsum(counts) - counts, counts)
    best = np.zeros((width, n))
    above = np.zeros((width, n))
    padded_weights = np.zeros((width, n))
    best[position, owner] = best_flat
    above[position, owner] = surplus_flat
    padded_weights[position, owner] = weights
    scores = _weighted_score(padded_weights, best)
    surplus = _weighted_score(padded_weights, above) / 100.0
    coverage = np.round(coverage, 6)
    r_cov, p_cov = scores / 100.0, coverage
    with np.errstate(invalid="ignore", divide="ignore"):
        fit = np.where((r_cov > 0) & (p_cov > 0), 500.0 * r_cov * p_cov / (4.0 * p_cov + r_cov), 0.0)
    fit = np.round(fit, 6)

    missing: list[list[str]] = [[] for _ in range(n)]
    for flat_index in np.flatnonzero(is_must & ~found_flat).tolist():
        missing[owner[flat_index]].append(flat[flat_index].name)
    score_list, surplus_list, coverage_list = scores.tolist(), surplus.tolist(), coverage.tolist()
    return [
        (keys[i], Match(score_list[i], missing[i], None, (opening_reqs[i], skills),
                        surplus=surplus_list[i], profile_coverage=coverage_list[i]))
        for i in _order(keys, scores, missing, surplus, fit).tolist()
    ]


def _details(requirements: tuple[Requirement, ...], skills: Sequence[SkillLevel]) -> tuple[Detail, ...]:
    """Per requirement, the skill that earned the most credit (first one on ties)."""
    vocab = vocabulary()
    skill_terms = [(skill, term(skill.name)) for skill in skills]
    details = []
    for requirement in requirements:
        wanted = term(requirement.name)
        best = None
        for skill, have in skill_terms:
            similarity, kind = compare_terms(wanted, have)
            if similarity <= 0.0:
                continue
            credit = similarity * min(1.0, skill.level / requirement.min_level)
            rank_key = (credit, similarity, skill.level)
            if best is None or rank_key > best[0]:
                best = (rank_key, skill, have, similarity, kind, credit)
        if best is None:
            canonical = vocab.skills[wanted.skill].name if wanted.skill >= 0 else None
            details.append(Detail(requirement.name, requirement.importance, requirement.min_level,
                                  None, canonical, 0.0, None, "missing", 0.0))
            continue
        _, skill, have, similarity, kind, credit = best
        canonical = vocab.skills[have.skill].name if have.skill >= 0 else None
        details.append(Detail(requirement.name, requirement.importance, requirement.min_level,
                              skill.name, canonical, similarity, skill.level, kind, credit))
    return tuple(details)
