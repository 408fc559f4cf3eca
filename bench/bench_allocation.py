"""Benchmark of the stable allocation: 5,000 students x 1,000 openings, 5 preferences each, capacities 1-5.

    .venv/bin/python bench/bench_allocation.py

Openings rank every student who listed them (as a matching round does: companies' order or the match score).
Prints the median of 7 runs and the figures of the result. Target: median <= 2 s on the 2-core machine.
"""
from __future__ import annotations

import random
import statistics
import time

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from marketplace.matching import allocate  # noqa: E402


def instance(seed: int = 2026, n_students: int = 5000, n_openings: int = 1000, prefs: int = 5):
    rng = random.Random(seed)
    openings = [f"o{j}" for j in range(n_openings)]
    popularity = [rng.paretovariate(1.2) for _ in openings]  # some openings are far more popular
    students = [f"s{i}" for i in range(n_students)]
    student_prefs = {}
    for s in students:
        chosen: list[str] = []
        while len(chosen) < prefs:
            o = rng.choices(openings, weights=popularity)[0]
            if o not in chosen:
                chosen.append(o)
        student_prefs[s] = chosen
    applicants: dict[str, list[str]] = {o: [] for o in openings}
    for s, chosen in student_prefs.items():
        for o in chosen:
            applicants[o].append(s)
    score = {s: rng.random() for s in students}
    opening_prefs = {o: sorted(a, key=lambda s: -score[s]) for o, a in applicants.items()}
    capacities = {o: rng.randint(1, 5) for o in openings}
    return student_prefs, opening_prefs, capacities


def main() -> None:
    student_prefs, opening_prefs, capacities = instance()
    times = []
    for _ in range(7):
        started = time.perf_counter()
        result = allocate(student_prefs, opening_prefs, capacities)
        times.append(time.perf_counter() - started)
    first = sum(1 for s, o in result.items() if student_prefs[s][0] == o)
    print(f"allocate: {len(student_prefs)} students x {len(opening_prefs)} openings, 5 preferences each, "
          f"{sum(capacities.values())} seats")
    print(f"median {statistics.median(times) * 1000:.1f} ms  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}; 7 runs)")
    print(f"matched {len(result)} students, first choice {first}, unfilled seats {sum(capacities.values()) - len(result)}")


if __name__ == "__main__":
    main()
