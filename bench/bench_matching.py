"""Benchmark of marketplace.matching: rank 10,000 profiles, recommend from 5,000 openings, vs difflib.

Run from the repository root:  .venv/bin/python bench/bench_matching.py
"""
from __future__ import annotations

import difflib
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from marketplace.matching import Requirement, SkillLevel, rank, recommend, vocabulary  # noqa: E402
from marketplace.matching import scoring as _scoring  # noqa: E402
from marketplace.matching import similarity as _similarity  # noqa: E402

SEED = 20240601
PROFILES = 10_000
SKILLS_PER_PROFILE = 10
OPENINGS = 5_000
RUNS = 7
DIFFLIB_SUBSET = 500

REQUIREMENTS = [
    Requirement("Python", "must", 3),
    Requirement("PyTorch", "must", 2),
    Requirement("딥러닝", "should", 3),
    Requirement("DICOM", "should", 2),
    Requirement("의료 영상", "nice"),
    Requirement("HL7 FHIR", "nice"),
    Requirement("통계", "should", 2),
    Requirement("Docker", "nice"),
]


def _variant(rng: random.Random, text: str) -> str:
    """How people type a skill: case, separators, versions, now and then a typo."""
    roll = rng.random()
    if roll < 0.25:
        text = text.lower()
    elif roll < 0.35:
        text = text.upper()
    if " " in text and rng.random() < 0.3:
        text = text.replace(" ", rng.choice(["-", "_", "", "  "]))
    if rng.random() < 0.05 and text.isascii():
        text += rng.choice([" 3", "3.11", " v2", " 2.0"])
    if rng.random() < 0.04 and len(text) >= 7 and text.isascii():
        i = rng.randrange(1, len(text) - 2)
        text = text[:i] + text[i + 1] + text[i] + text[i + 2:] if rng.random() < 0.5 else text[:i] + text[i + 1:]
    return text


def _make_raw_profiles(rng: random.Random) -> dict[str, list[tuple[str, int]]]:
    skills = vocabulary().skills
    popular = [s for s in skills if s.family in {"programming", "ml", "deep_learning", "ml_frameworks",
                                                  "imaging", "clinical_data", "statistics", "cloud"}]
    profiles = {}
    for number in range(PROFILES):
        chosen = rng.sample(popular, 6) + rng.sample(skills, SKILLS_PER_PROFILE - 6)
        profiles[f"student-{number:05d}"] = [
            (_variant(rng, rng.choice(skill.names))[:100] or skill.name, rng.randint(1, 5)) for skill in chosen
        ]
    return profiles


def _build_profiles(raw: dict[str, list[tuple[str, int]]]) -> dict[str, list[SkillLevel]]:
    return {key: [SkillLevel(name, level) for name, level in skills] for key, skills in raw.items()}


def _make_openings(rng: random.Random) -> dict[str, list[Requirement]]:
    skills = vocabulary().skills
    openings = {}
    for number in range(OPENINGS):
        chosen = rng.sample(skills, rng.randint(3, 8))
        openings[f"opening-{number:05d}"] = [
            Requirement(_variant(rng, rng.choice(s.names)) or s.name, rng.choice(["must", "should", "nice"]),
                        rng.randint(1, 4))
            for s in chosen
        ]
    return openings


def _difflib_rank(requirements, profiles):
    """The naive baseline: SequenceMatcher ratio of lower-cased names, best skill per requirement."""
    results = []
    for key, skills in profiles.items():
        total = weight_sum = 0.0
        for requirement in requirements:
            best = 0.0
            for skill in skills:
                ratio = difflib.SequenceMatcher(None, requirement.name.lower(), skill.name.lower()).ratio()
                if ratio >= 0.8:
                    best = max(best, ratio * min(1.0, skill.level / requirement.min_level))
            total += requirement.weight * best
            weight_sum += requirement.weight
        results.append((key, 100.0 * total / weight_sum))
    results.sort(key=lambda item: (-item[1], item[0]))
    return results


def _clear_caches() -> None:
    _similarity.term.cache_clear()
    _similarity.checked_term.cache_clear()
    _similarity._lookup.cache_clear()
    _similarity._compare_unrecognised.cache_clear()
    _scoring._names.reset()


def _median_ms(function, runs: int = RUNS) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times


def main() -> None:
    rng = random.Random(SEED)
    vocabulary()  # load the vocabulary outside every timing
    raw_profiles = _make_raw_profiles(rng)
    openings = _make_openings(rng)
    distinct = len({name for skills in raw_profiles.values() for name, _ in skills})
    print(f"data: {PROFILES:,} profiles x {SKILLS_PER_PROFILE} skills ({distinct:,} distinct raw names: "
          f"case, separators, versions, Korean/English aliases, ~4% typos), {len(REQUIREMENTS)} requirements; "
          f"{OPENINGS:,} openings of 3-8 requirements; seed {SEED}; {RUNS} runs each; "
          f"Python {sys.version.split()[0]}")

    _clear_caches()
    started = time.perf_counter()
    profiles = _build_profiles(raw_profiles)
    built = (time.perf_counter() - started) * 1000
    print(f"save time, cold caches: building the {PROFILES * SKILLS_PER_PROFILE:,} SkillLevel objects "
          f"(validates and recognises each distinct name once): {built:8.1f} ms  (one run, not part of rank)")

    median, times = _median_ms(lambda: rank(REQUIREMENTS, profiles))
    print(f"rank 10,000 profiles, warm caches: median {median:6.1f} ms  "
          f"(runs: {', '.join(f'{t:.1f}' for t in times)})")
    print("      timed: rank() end to end = read the profiles' skills and levels, similarity matrix "
          "(requirements x distinct names, cdist for unrecognised names), level discount, weighted "
          "scores, must-have check, sort, 10,000 (key, Match) results (explanations are built lazily)")

    subset = dict(list(profiles.items())[:DIFFLIB_SUBSET])
    started = time.perf_counter()
    _difflib_rank(REQUIREMENTS, subset)
    naive_subset = (time.perf_counter() - started) * 1000
    naive = naive_subset * PROFILES / DIFFLIB_SUBSET
    print(f"naive difflib.SequenceMatcher on the same data: {naive_subset:.1f} ms for the first "
          f"{DIFFLIB_SUBSET} profiles, extrapolated linearly to {PROFILES:,}: {naive:,.0f} ms")
    print(f"ratio naive difflib / rank (warm): {naive / median:,.0f}x faster")

    student = [SkillLevel(name, level) for name, level in [
        ("파이썬", 4), ("PyTorch", 3), ("deep-learning", 3), ("DICOM", 2), ("의료 영상", 3),
        ("통계", 3), ("Docker", 2), ("SQL", 3), ("ECG", 2), ("scikit learn", 4)]]
    started = time.perf_counter()
    recommend(student, openings)
    cold = (time.perf_counter() - started) * 1000
    print(f"recommend, first call (recognises the {OPENINGS:,} openings' requirement names): "
          f"{cold:8.1f} ms  (one run)")
    median, times = _median_ms(lambda: recommend(student, openings))
    print(f"recommend 5,000 openings for one student, warm caches: median {median:6.1f} ms  "
          f"(runs: {', '.join(f'{t:.1f}' for t in times)})")


if __name__ == "__main__":
    main()
