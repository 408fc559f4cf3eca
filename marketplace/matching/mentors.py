"""Allocating mentor professors to placed students: load limits, field match, company grouping (exact solver).

    allocate_mentors(students, mentors, fixed={student: mentor}, min_load=1, max_load=3) -> MentorAllocation

The model. Every mentor m has a load range [min_m, max_m] (the plan's defaults, or the mentor's override).
The manager's fixed pairs are kept as they are and count toward their mentor's load (a fixed set that already
exceeds a maximum is refused with ValueError). Each remaining free place of mentor m becomes one *slot*
(m repeated max_m − fixed_m times); the first max(0, min_m − fixed_m) of them are *minimum slots*. Assigning
students to slots one-to-one is a rectangular assignment problem, solved exactly with
`scipy.optimize.linear_sum_assignment` (Jonker–Volgenant) on the matrix students × slots. A mentor with k
students uses its k cheapest slots, so the slot costs model a per-mentor cost that is concave in the load.

The objective is lexicographic, each level weighted above the whole range of the levels below it, with
integer costs (exact in float64 far beyond the sizes we meet; a too-large instance is refused):

1. **Coverage** — as many students as possible get a mentor: a rectangular assignment always matches
   min(students, free places) rows, whatever the costs, so every student is allocated when the total capacity
   allows, and otherwise exactly all free places are filled. Nothing below can cost an allocated student.
2. **Minimum loads** — as many minimum slots filled as possible (weight W_min per slot), so a mentor is left
   below their minimum only when there are not enough students to go round.
3. **Field match** — the total field-match score (below, 0–100 per pair, in steps of 0.1) is maximal among
   the allocations that meet 1 and 2.
4. **Company grouping** — students of one company stay with the same mentor where this costs nothing above:
   the number of same-company pairs sharing a mentor, Σ C(k, 2), is quadratic, so it is improved by
   re-solving once with a linear bonus b(s, m) = the students of s's company that m holds in the first
   allocation (its gradient), keeping the second solution only when the grouping grows. The first solve
   already has the bonus of the fixed pairs, so peers are drawn to a fixed student's mentor. The bonuses of a whole
   allocation are below one unit of score, so grouping is a tie-break among score-optimal allocations: it
   never costs an allocated student, a mentor's minimum or a point of field match. It is a heuristic for the
   grouping level only; levels 1–3 are exact.

Ties are broken by ids: students and mentors are sorted by id before solving, so the same input gives the same
allocation whatever the order of the lists.

**Field-match score** of student s (the majors and skills of the project they are placed on) and mentor m:
the majors part is the best similarity between one of the project's majors and one of the mentor's; the skills
part is the mean over the project's skills of the best similarity to one of the mentor's skills. Similarity is
the exchange's skill similarity (alias table in English and Korean, guarded typo matching, curated related
pairs with partial credit: `skill_similarity`). The score is 100 × the mean of the parts the project has
(a project with neither scores 0 with every mentor: no preference), rounded to 0.1.
"""
from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .normalize import check_name
from .scoring import _names, _similarity
from .similarity import checked_term, compare_terms

DEFAULT_MIN_LOAD, DEFAULT_MAX_LOAD = 1, 3
SCORE_STEPS = 1000  # a pair's score in integer units of 0.1 point (0..100 -> 0..1000)
GROUPING_ROUNDS = 1  # a second round gained 1 pair in 686 on the bench, for another whole solve
_EXACT_LIMIT = 2**52  # integer costs stay exact in float64 below this


def _names_tuple(values: object, what: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValueError(f"{what} must be a list of names, not {type(values).__name__}")
    out: list[str] = []
    for value in values:
        check_name(value, what.rstrip("s"))
        if value not in out:
            out.append(value)
    return tuple(out)


def _load(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{what} must be a whole number ≥ 0, not {value!r}")
    return int(value)


@dataclass(frozen=True, slots=True)
class MentorStudent:
    """A placed student: `majors` and `skills` are those of the project they are placed on."""

    id: Hashable
    company: Hashable
    majors: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "majors", _names_tuple(self.majors, "majors"))
        object.__setattr__(self, "skills", _names_tuple(self.skills, "skills"))


@dataclass(frozen=True, slots=True)
class Mentor:
    """A mentor professor; min_load/max_load override the plan's defaults when given (a maximum below the
    plan's minimum lowers that minimum too)."""

    id: Hashable
    majors: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    min_load: int | None = None
    max_load: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "majors", _names_tuple(self.majors, "majors"))
        object.__setattr__(self, "skills", _names_tuple(self.skills, "skills"))
        object.__setattr__(self, "min_load", _load(self.min_load, f"min_load of mentor {self.id!r}"))
        object.__setattr__(self, "max_load", _load(self.max_load, f"max_load of mentor {self.id!r}"))


@dataclass(frozen=True, slots=True)
class FieldMatch:
    """One project field the mentor covers: the project's name, the mentor's name, their similarity."""

    wanted: str
    mentor_has: str
    similarity: float

    def describe(self) -> str:
        if self.similarity >= 1.0:
            return self.wanted if self.wanted == self.mentor_has else f"{self.wanted} = {self.mentor_has}"
        return f"{self.wanted} ~ {self.mentor_has} (related, {round(self.similarity * 100)}% credit)"


@dataclass(frozen=True, slots=True)
class PairReason:
    """Why a student has their mentor: matched majors and skills, company peers kept together, fixed."""

    score: float
    majors: tuple[FieldMatch, ...]
    skills: tuple[FieldMatch, ...]
    company_peers: int   # other students of the same company with this mentor
    fixed: bool          # set by the manager and kept as is

    def explain(self) -> list[str]:
        """Short English lines (the pages translate from the fields, not from these)."""
        lines = []
        if self.fixed:
            lines.append("set by the manager")
        if self.majors:
            lines.append("majors: " + ", ".join(m.describe() for m in self.majors))
        if self.skills:
            lines.append("skills: " + ", ".join(m.describe() for m in self.skills))
        if not self.majors and not self.skills:
            lines.append("no field in common")
        if self.company_peers:
            noun = "student" if self.company_peers == 1 else "students"
            lines.append(f"kept with {self.company_peers} {noun} of the same company")
        return lines


@dataclass(frozen=True)
class MentorAllocation:
    """The proposal: pairs (student id -> mentor id) with reasons; who is left out and why; loads."""

    pairs: dict[Hashable, Hashable]
    reasons: dict[Hashable, PairReason]
    unallocated: dict[Hashable, str]             # student id -> reason (only when places run short)
    loads: dict[Hashable, int]                   # every mentor, fixed pairs included
    below_minimum: dict[Hashable, tuple[int, int]]  # mentor id -> (load, minimum)
    total_score: float                           # Σ field-match score over every pair (fixed ones too)
    grouped_pairs: int = field(default=0)        # Σ C(k, 2) over (company, mentor): pairs kept together


def _id_key(value: Hashable) -> tuple:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


# --------------------------------------------------------------------------- field-match scores


def _best_per_group(sim: np.ndarray, groups: list[list[int]], axis: int) -> np.ndarray:
    """Max of sim over each group of indices along `axis` (0 where a group is empty)."""
    shape = list(sim.shape)
    shape[axis] = len(groups)
    out = np.zeros(shape)
    flat = [i for g in groups for i in g]
    if not flat:
        return out
    counts = np.array([len(g) for g in groups])
    nonempty = np.flatnonzero(counts)
    starts = (np.cumsum(counts) - counts)[nonempty]
    taken = np.take(sim, np.array(flat, dtype=np.intp), axis=axis)
    reduced = np.maximum.reduceat(taken, starts, axis=axis)
    if axis == 0:
        out[nonempty] = reduced
    else:
        out[:, nonempty] = reduced
    return out


def _score_units(profiles: list[tuple[tuple[str, ...], tuple[str, ...]]], mentors: list[Mentor]) -> np.ndarray:
    """units[p, m]: the field-match score of project profile p (majors, skills) with mentor m, in 0.1 points."""
    n_p, n_m = len(profiles), len(mentors)
    parts = np.zeros((n_p, n_m))
    n_parts = np.zeros(n_p)
    for index in (0, 1):  # majors, then skills
        wanted = sorted({name for profile in profiles for name in profile[index]})
        offered = sorted({name for mentor in mentors for name in (mentor.majors, mentor.skills)[index]})
        has = np.array([bool(profile[index]) for profile in profiles])
        n_parts += has
        if not wanted or not offered:
            continue
        row_of = {name: i for i, name in enumerate(wanted)}
        col_of = {name: j for j, name in enumerate(offered)}
        sim = _similarity(_names.ids(wanted), _names.ids(offered))
        per_mentor = _best_per_group(sim, [[col_of[n] for n in (m.majors, m.skills)[index]] for m in mentors], 1)
        rows = [[row_of[n] for n in profile[index]] for profile in profiles]
        if index == 0:
            parts += _best_per_group(per_mentor, rows, 0)
        else:
            counts = np.array([len(r) for r in rows])
            for p in np.flatnonzero(counts).tolist():
                parts[p] += per_mentor[rows[p]].sum(axis=0) / counts[p]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n_parts[:, None] > 0, parts / np.maximum(n_parts, 1)[:, None], 0.0)
    return np.rint(np.clip(mean, 0.0, 1.0) * SCORE_STEPS).astype(np.int64)


def field_score(student: MentorStudent, mentor: Mentor) -> float:
    """The field-match score (0–100, steps of 0.1) of one student's project with one mentor."""
    return float(_score_units([(student.majors, student.skills)], [mentor])[0, 0]) / 10.0


def _matches(wanted: Sequence[str], offered: Sequence[str], best_only: bool) -> tuple[FieldMatch, ...]:
    """Per wanted name, the mentor's most similar name (similarity > 0); best_only keeps the single best."""
    found = []
    offered_terms = [(name, checked_term(name)) for name in offered]
    for name in wanted:
        have = checked_term(name)
        best = None
        for other, other_term in offered_terms:
            similarity = compare_terms(have, other_term)[0]
            if similarity > 0 and (best is None or similarity > best.similarity):
                best = FieldMatch(name, other, similarity)
        if best is not None:
            found.append(best)
    if best_only and found:
        return (max(found, key=lambda m: m.similarity),)  # max keeps the first of equals
    return tuple(found)


# --------------------------------------------------------------------------- the solver


def _grouped_pairs(companies: list[Hashable], assigned: list[int | None], fixed_counts: Counter) -> int:
    counts = Counter(fixed_counts)
    for company, mentor in zip(companies, assigned):
        if mentor is not None:
            counts[company, mentor] += 1
    return sum(k * (k - 1) // 2 for k in counts.values())


def _solve(units: np.ndarray, companies: list[Hashable], free: list[int], minimum_free: list[int],
           fixed_counts: Counter) -> list[int | None]:
    """Mentor index per free student (None = no place). units[s, m]: score units; free[m]: free places;
    minimum_free[m]: places still needed for m's minimum; fixed_counts[(company, m)]: fixed pairs."""
    n, n_m = units.shape
    slot_mentor = np.repeat(np.arange(n_m), free)
    if n == 0 or slot_mentor.size == 0:
        return [None] * n
    slot_rank = np.arange(slot_mentor.size) - np.repeat(np.cumsum(free) - np.asarray(free), free)
    is_minimum = slot_rank < np.asarray(minimum_free)[slot_mentor]

    largest_load = max(free) + max((k for k in fixed_counts.values()), default=0)
    bonus_room = n * largest_load                       # Σ grouping bonuses of any allocation ≤ this
    weight_score = bonus_room + 1                       # one score unit outweighs every bonus
    weight_minimum = n * SCORE_STEPS * weight_score + bonus_room + 1
    if weight_minimum * (int(is_minimum.sum()) + 1) >= _EXACT_LIMIT:
        raise ValueError("too many students and places to allocate in one step")

    base = -(weight_score * units[:, slot_mentor]).astype(np.float64)
    base -= weight_minimum * is_minimum[None, :]

    # Imported here, not at the top: scipy.optimize takes ~0.4 s to import, and every process that loads the app
    # (each server worker, the CLI, the mail worker) would pay it whether or not it ever allocates mentors.
    from scipy.optimize import linear_sum_assignment

    def run(bonus: np.ndarray | None) -> list[int | None]:
        cost = base if bonus is None else base - bonus[:, slot_mentor]
        rows, cols = linear_sum_assignment(cost)
        out: list[int | None] = [None] * n
        for r, c in zip(rows.tolist(), cols.tolist()):
            out[r] = int(slot_mentor[c])
        return out

    company_index: dict[Hashable, int] = {}
    company_of = np.array([company_index.setdefault(c, len(company_index)) for c in companies], dtype=np.intp)
    fixed_held = np.zeros((len(company_index), n_m))
    for (company, mentor), k in fixed_counts.items():
        if company in company_index:
            fixed_held[company_index[company], mentor] += k
    # The first solve already draws students towards the mentor of their company's fixed students.
    assigned = run(fixed_held[company_of] if fixed_held.any() else None)
    if len(company_index) == n and not fixed_held.any():
        return assigned  # one student per company and nothing fixed: nothing to group
    grouped = _grouped_pairs(companies, assigned, fixed_counts)
    for _ in range(GROUPING_ROUNDS):
        held = fixed_held.copy()
        placed = [(i, m) for i, m in enumerate(assigned) if m is not None]
        if placed:
            who, where = zip(*placed)
            np.add.at(held, (company_of[list(who)], list(where)), 1)
        bonus = held[company_of]
        for i, m in placed:
            bonus[i, m] -= 1  # the student themself is no peer
        candidate = run(bonus)
        candidate_grouped = _grouped_pairs(companies, candidate, fixed_counts)
        if candidate_grouped <= grouped:
            break
        assigned, grouped = candidate, candidate_grouped
    return assigned


def allocate_mentors(
    students: Sequence[MentorStudent],
    mentors: Sequence[Mentor],
    fixed: Mapping[Hashable, Hashable] | None = None,
    *,
    min_load: int = DEFAULT_MIN_LOAD,
    max_load: int = DEFAULT_MAX_LOAD,
) -> MentorAllocation:
    """Propose mentors for placed students (see the module docstring for the model and its guarantees).

    `fixed` maps student ids to the mentor ids the manager has already chosen; they are kept as they are.
    `min_load`/`max_load` are the plan's defaults; a mentor's own min_load/max_load override them.
    Raises ValueError on duplicate ids, unknown ids in `fixed`, a minimum above its maximum, or fixed pairs
    beyond a mentor's maximum.
    """
    default_min, default_max = _load(min_load, "min_load"), _load(max_load, "max_load")
    students = sorted(students, key=lambda s: _id_key(s.id))
    mentors = sorted(mentors, key=lambda m: _id_key(m.id))
    for kind, items, cls in (("student", students, MentorStudent), ("mentor", mentors, Mentor)):
        seen = set()
        for item in items:
            if not isinstance(item, cls):
                raise ValueError(f"expected {cls.__name__} objects, got {type(item).__name__}")
            if item.id in seen:
                raise ValueError(f"{kind} {item.id!r} appears twice")
            seen.add(item.id)
    mentor_index = {m.id: j for j, m in enumerate(mentors)}
    student_by_id = {s.id: s for s in students}
    if default_min > default_max:
        raise ValueError(f"minimum load {default_min} is above the maximum {default_max}")
    lows, highs = [], []
    for mentor in mentors:
        high = default_max if mentor.max_load is None else mentor.max_load
        # A lowered maximum (a mentor on leave: 0) lowers the plan's minimum with it; an own minimum must fit.
        low = min(default_min, high) if mentor.min_load is None else mentor.min_load
        if low > high:
            raise ValueError(f"mentor {mentor.id!r}: minimum load {low} is above the maximum {high}")
        lows.append(low)
        highs.append(high)

    fixed = dict(fixed or {})
    fixed_load = Counter()
    fixed_counts: Counter = Counter()
    for student_id, mentor_id in fixed.items():
        if student_id not in student_by_id:
            raise ValueError(f"fixed pair for unknown student {student_id!r}")
        if mentor_id not in mentor_index:
            raise ValueError(f"fixed pair with unknown mentor {mentor_id!r}")
        j = mentor_index[mentor_id]
        fixed_load[j] += 1
        fixed_counts[student_by_id[student_id].company, j] += 1
    for j, load in fixed_load.items():
        if load > highs[j]:
            raise ValueError(f"mentor {mentors[j].id!r} already has {load} students set by the manager, "
                             f"above the maximum of {highs[j]}")

    profile_index: dict[tuple, int] = {}
    profile_of = [profile_index.setdefault((s.majors, s.skills), len(profile_index)) for s in students]
    units = _score_units(list(profile_index), mentors) if mentors else np.zeros((len(profile_index), 0), np.int64)
    unit_rows = units[np.array(profile_of, dtype=np.intp)] if students else np.zeros((0, len(mentors)), np.int64)

    open_rows = [i for i, s in enumerate(students) if s.id not in fixed]
    free = [highs[j] - fixed_load[j] for j in range(len(mentors))]
    minimum_free = [max(0, lows[j] - fixed_load[j]) for j in range(len(mentors))]
    chosen = _solve(unit_rows[open_rows], [students[i].company for i in open_rows], free, minimum_free,
                    fixed_counts)

    assignment: dict[int, int] = {i: mentor_index[fixed[s.id]] for i, s in enumerate(students) if s.id in fixed}
    for i, j in zip(open_rows, chosen):
        if j is not None:
            assignment[i] = j
    together = Counter((students[i].company, j) for i, j in assignment.items())
    loads = Counter(assignment.values())

    pairs, reasons = {}, {}
    matched: dict[tuple[int, int], tuple] = {}  # students of one project share the reasons' field part
    for i in sorted(assignment):
        student, j = students[i], assignment[i]
        mentor = mentors[j]
        pairs[student.id] = mentor.id
        key = (profile_of[i], j)
        if key not in matched:
            matched[key] = (_matches(student.majors, mentor.majors, best_only=True),
                            _matches(student.skills, mentor.skills, best_only=False))
        reasons[student.id] = PairReason(
            score=float(unit_rows[i, j]) / 10.0,
            majors=matched[key][0],
            skills=matched[key][1],
            company_peers=together[student.company, j] - 1,
            fixed=student.id in fixed,
        )
    unallocated = {}
    left = [students[i].id for i in open_rows if i not in assignment]
    if left:
        places = sum(highs)
        reason = (f"not enough places: {len(students)} students, {places} places in total "
                  f"({len(mentors)} mentors)")
        unallocated = dict.fromkeys(left, reason)
    return MentorAllocation(
        pairs=pairs,
        reasons=reasons,
        unallocated=unallocated,
        loads={m.id: loads[j] for j, m in enumerate(mentors)},
        below_minimum={m.id: (loads[j], lows[j]) for j, m in enumerate(mentors) if loads[j] < lows[j]},
        total_score=round(sum(int(unit_rows[i, j]) for i, j in assignment.items()) / 10.0, 1),
        grouped_pairs=sum(k * (k - 1) // 2 for k in together.values()),
    )


__all__ = ["DEFAULT_MAX_LOAD", "DEFAULT_MIN_LOAD", "FieldMatch", "Mentor", "MentorAllocation", "MentorStudent",
           "PairReason", "allocate_mentors", "field_score"]
