"""Stable allocation of students to openings: student-proposing deferred acceptance with capacities."""
from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

StudentT = TypeVar("StudentT", bound=Hashable)
OpeningT = TypeVar("OpeningT", bound=Hashable)


def _check_preferences(kind: str, prefs: Mapping) -> None:
    for owner, ranked in prefs.items():
        if isinstance(ranked, (str, bytes)):
            raise ValueError(f"the preference list of {kind} {owner!r} must be a sequence, not a string")
        seen = set()
        for item in ranked:
            if item in seen:
                raise ValueError(f"{item!r} appears twice in the preference list of {kind} {owner!r}")
            seen.add(item)


def allocate(
    student_prefs: Mapping[StudentT, Sequence[OpeningT]],
    opening_prefs: Mapping[OpeningT, Sequence[StudentT]],
    capacities: Mapping[OpeningT, int],
) -> dict[StudentT, OpeningT]:
    """The student-optimal stable matching (hospitals/residents with capacities).

    `student_prefs[s]` lists the openings student s would accept, best first; `opening_prefs[o]` lists the
    students opening o would accept, best first; `capacities[o]` is its number of seats (missing = 0).
    Students are matched only to openings that also list them. Pure and deterministic: the same input gives
    the same result whatever the order of the mappings. Raises ValueError on duplicates in a preference
    list or a negative/non-integer capacity.
    """
    _check_preferences("student", student_prefs)
    _check_preferences("opening", opening_prefs)
    for opening, seats in capacities.items():
        if isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
            raise ValueError(f"capacity of opening {opening!r} must be a whole number ≥ 0, not {seats!r}")

    # rank[o][s]: position of s in o's list (lower is better); only mutually acceptable pairs survive.
    rank: dict[OpeningT, dict[StudentT, int]] = {o: {s: i for i, s in enumerate(ranked)} for o, ranked in opening_prefs.items()}
    proposals: dict[StudentT, list[OpeningT]] = {}
    for student, ranked in student_prefs.items():
        proposals[student] = [
            o for o in ranked if student in rank.get(o, ()) and capacities.get(o, 0) > 0
        ]

    # Each opening holds its tentative students in a max-heap on rank (worst on top, to be bumped).
    held: dict[OpeningT, list[tuple[int, int, StudentT]]] = {}
    next_choice: dict[StudentT, int] = dict.fromkeys(proposals, 0)
    order = {s: i for i, s in enumerate(proposals)}
    free = list(reversed(list(proposals)))  # a stack; the result does not depend on the order
    while free:
        student = free.pop()
        choices = proposals[student]
        i = next_choice[student]
        if i >= len(choices):
            continue  # exhausted their list: stays unmatched
        opening = choices[i]
        next_choice[student] = i + 1
        heap = held.setdefault(opening, [])
        heapq.heappush(heap, (-rank[opening][student], order[student], student))
        if len(heap) > capacities[opening]:
            _, _, bumped = heapq.heappop(heap)
            free.append(bumped)

    return {student: opening for opening, heap in held.items() for _, _, student in heap}
