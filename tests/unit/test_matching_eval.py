"""Matching quality on the labelled evaluation set: precision/recall of same_skill, ranking cases."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from marketplace.matching import Requirement, SkillLevel, rank, same_skill, score

_spec = importlib.util.spec_from_file_location(
    "matching_eval_pairs", Path(__file__).with_name("matching_eval_pairs.py")
)
EVAL = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(EVAL)


def test_evaluation_set_is_large_varied_and_honest():
    pairs = EVAL.PAIRS
    negatives = [p for p in pairs if not p[2]]
    assert len(pairs) >= 200
    assert 0.35 <= len(negatives) / len(pairs) <= 0.5
    assert len({(a, b) for a, b, _ in pairs}) == len(pairs), "duplicate pairs"
    assert len(EVAL.RANKING_CASES) >= 20


def test_same_skill_precision_and_recall_on_the_evaluation_set(capsys):
    true_pos = false_pos = false_neg = 0
    errors = []
    for a, b, expected in EVAL.PAIRS:
        got = same_skill(a, b)
        if got and expected:
            true_pos += 1
        elif got and not expected:
            false_pos += 1
            errors.append(f"false match: {a!r} = {b!r}")
        elif expected:
            false_neg += 1
            errors.append(f"missed: {a!r} = {b!r}")
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    with capsys.disabled():
        print(f"\nmatching eval: {len(EVAL.PAIRS)} pairs, precision {precision:.3f}, recall {recall:.3f}")
        for line in errors:
            print("  " + line)
    assert precision >= 0.97, errors
    assert recall >= 0.90, errors


@pytest.mark.parametrize(
    "description, requirements, profile_a, profile_b",
    EVAL.RANKING_CASES,
    ids=[case[0] for case in EVAL.RANKING_CASES],
)
def test_ranking_case(description, requirements, profile_a, profile_b):
    wanted = [Requirement(*r) for r in requirements]
    a = [SkillLevel(*s) for s in profile_a]
    b = [SkillLevel(*s) for s in profile_b]
    # Keys chosen so the tie-break (str(key)) would favour B: A must win on the merits.
    ranked = rank(wanted, {"0-B": b, "1-A": a})
    assert [key for key, _ in ranked] == ["1-A", "0-B"], (description, score(wanted, a), score(wanted, b))
