"""Benchmark of the mentor allocation: 1,000 placed students x 400 mentors (loads 1-3, some overrides).

    .venv/bin/python bench/bench_mentors.py

Generates, with `random.Random(2026)`, 250 projects at 150 companies (1-2 majors, 3-6 vocabulary skills each,
names in English or Korean at random), 1,000 students placed on them, and 400 mentors (1-2 majors, 2-6 skills;
one in ten with its own maximum of 2 or 4) plus 20 pairs the manager fixed. Times `allocate_mentors` end to end
(field-match scores, the exact assignment, the grouping rounds and the reasons): the first (cold) run, then
the best and median of 7, in wall time and in this process's CPU time (which a busy machine inflates less).
Target: under one second on the 2-core machine.
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from marketplace.matching import Mentor, MentorStudent, allocate_mentors, vocabulary  # noqa: E402

MAJORS = [("Computer Science", "컴퓨터공학"), ("Biomedical Engineering", "의공학"), ("Electronics", "전자공학"),
          ("Statistics", "통계학"), ("Nursing", "간호학"), ("Industrial Engineering", "산업공학"),
          ("Mechanical Engineering", "기계공학"), ("Business", "경영학")]


def instance(seed: int = 2026, n_students: int = 1000, n_mentors: int = 400, n_projects: int = 250,
             n_companies: int = 150):
    rng = random.Random(seed)
    skills = vocabulary().skills

    def name(skill) -> str:
        return skill.name_ko if skill.name_ko and rng.random() < 0.5 else skill.name

    def majors() -> tuple[str, ...]:
        return tuple(rng.choice(pair) for pair in rng.sample(MAJORS, rng.randint(1, 2)))

    projects = [(rng.randrange(n_companies), majors(), tuple(name(s) for s in rng.sample(skills, rng.randint(3, 6))))
                for _ in range(n_projects)]
    students = []
    for i in range(n_students):
        company, project_majors, project_skills = rng.choice(projects)
        students.append(MentorStudent(i, company, project_majors, project_skills))
    mentors = []
    for j in range(n_mentors):
        override = rng.choice((2, 4)) if rng.random() < 0.1 else None
        mentors.append(Mentor(f"m{j:03d}", majors(), tuple(name(s) for s in rng.sample(skills, rng.randint(2, 6))),
                              max_load=override))
    fixed = {students[i].id: mentors[i].id for i in range(20)}
    return students, mentors, fixed


def main() -> None:
    students, mentors, fixed = instance()
    started = time.perf_counter()
    result = allocate_mentors(students, mentors, fixed)
    cold = time.perf_counter() - started
    times, cpu = [], []
    for _ in range(7):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = allocate_mentors(students, mentors, fixed)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    places = sum(result.loads.values()) + sum(1 for _ in result.unallocated)
    print(f"allocate_mentors: {len(students)} students x {len(mentors)} mentors, {len(fixed)} fixed pairs")
    print(f"cold {cold * 1000:.0f} ms; warm best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms (7 runs)")
    print(f"CPU time of this process: best {min(cpu) * 1000:.0f} ms, median {statistics.median(cpu) * 1000:.0f} ms "
          f"(wall time above includes waiting for a core when the machine is busy)")
    print(f"allocated {len(result.pairs)}, unallocated {len(result.unallocated)}, below minimum "
          f"{len(result.below_minimum)}, mean score {result.total_score / max(1, len(result.pairs)):.1f}, "
          f"same-company pairs kept together {result.grouped_pairs} ({places} students counted)")


if __name__ == "__main__":
    main()
