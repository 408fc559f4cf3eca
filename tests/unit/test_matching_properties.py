"""Property tests of marketplace.matching: bounds, symmetry, monotonicity, rank/recommend order."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.matching import (
    Requirement,
    SkillLevel,
    normalize,
    rank,
    recommend,
    same_skill,
    score,
    skill_similarity,
    vocabulary,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_known = sorted({name for skill in vocabulary().skills[::4] for name in skill.names[:3]})
_traps = ["Java", "JavaScript", "SQL", "NoSQL", "MySQL", "C", "C++", "C#", "F#", "R", "Ruby", "Go",
          "Google", "supervised learning", "unsupervised learning", "기계학습", "기계공학", "Pyhton",
          "Unify", "의료 영상", "Deep-Learning", "Python 3", "ISO 13485:2016", "딥러닝 개발자"]
_random = st.text(
    alphabet=st.sampled_from("abcdeilnorstuy +#-.가나다학습의료영상🙂"), min_size=1, max_size=20
).filter(lambda s: normalize(s) != "")

names = st.one_of(st.sampled_from(_known), st.sampled_from(_traps), _random)
levels = st.integers(min_value=1, max_value=5)
skill_levels = st.builds(SkillLevel, names, levels)
requirements = st.builds(
    Requirement, names, st.sampled_from(["must", "should", "nice"]), levels
)
profiles = st.lists(skill_levels, max_size=6)
requirement_lists = st.lists(requirements, min_size=1, max_size=5)


@SETTINGS
@given(names, names)
def test_same_skill_and_similarity_are_symmetric_and_agree(a, b):
    assert same_skill(a, b) == same_skill(b, a)
    similarity = skill_similarity(a, b)
    assert similarity == skill_similarity(b, a)
    assert 0.0 <= similarity <= 1.0
    assert same_skill(a, b) == (similarity == 1.0)


@SETTINGS
@given(names)
def test_a_name_is_the_same_skill_as_itself(a):
    assert same_skill(a, a)
    assert same_skill(a, a.upper()) or not a.isascii() or a.upper() == a


@SETTINGS
@given(requirement_lists, profiles)
def test_scores_are_between_0_and_100(wanted, skills):
    match = score(wanted, skills)
    assert 0.0 <= match.score <= 100.0
    assert len(match.details) == len(wanted)
    assert set(match.missing_musts) <= {r.name for r in wanted if r.importance == "must"}
    # The vectorised score and the per-requirement explanation tell the same story.
    explained = 100 * sum(r.weight * d.credit for r, d in zip(wanted, match.details, strict=True))
    assert match.score == pytest.approx(explained / sum(r.weight for r in wanted), abs=1e-5)
    for requirement, detail in zip(wanted, match.details, strict=True):
        assert detail.requirement == requirement.name
        assert detail.kind in {"exact", "fuzzy", "related", "missing"}
        assert (detail.kind == "missing") == (detail.matched is None)
        if detail.matched is not None:
            assert detail.similarity == skill_similarity(requirement.name, detail.matched)
        if requirement.importance == "must":
            assert (requirement.name in match.missing_musts) == (not any(
                same_skill(requirement.name, s.name) for s in skills))
        assert detail.describe()


@SETTINGS
@given(requirement_lists, profiles, skill_levels)
def test_adding_a_skill_never_lowers_the_score(wanted, skills, extra):
    before = score(wanted, skills)
    after = score(wanted, [*skills, extra])
    assert after.score >= before.score
    assert len(after.missing_musts) <= len(before.missing_musts)


@SETTINGS
@given(requirement_lists, st.lists(skill_levels, min_size=1, max_size=6), st.data())
def test_raising_a_level_never_lowers_the_score(wanted, skills, data):
    index = data.draw(st.integers(0, len(skills) - 1))
    old = skills[index]
    raised = data.draw(st.integers(old.level, 5))
    better = [*skills[:index], SkillLevel(old.name, raised), *skills[index + 1:]]
    assert score(wanted, better).score >= score(wanted, skills).score


@SETTINGS
@given(requirement_lists, st.dictionaries(st.integers(0, 40), profiles, max_size=8))
def test_rank_is_a_sorted_permutation_consistent_with_score(wanted, candidates):
    ranked = rank(wanted, candidates)
    assert sorted(key for key, _ in ranked) == sorted(candidates)
    order = [(not m.missing_musts, m.score, m.surplus) for _, m in ranked]
    assert order == sorted(order, reverse=True)
    for key, match in ranked:
        single = score(wanted, candidates[key])
        assert match.score == single.score
        assert match.surplus == single.surplus
        assert match.missing_musts == single.missing_musts
    assert rank(wanted, candidates) == ranked  # deterministic


@SETTINGS
@given(profiles, st.dictionaries(st.text("abc", min_size=1, max_size=3), requirement_lists, max_size=6))
def test_recommend_orders_openings_and_agrees_with_score(skills, openings):
    recommended = recommend(skills, openings)
    assert sorted(key for key, _ in recommended) == sorted(openings)
    # Recommendations rank by fit (requirement and profile coverage), then score, then level surplus.
    order = [(not m.missing_musts, m.fit, m.score, m.surplus) for _, m in recommended]
    assert order == sorted(order, reverse=True)
    for key, match in recommended:
        single = score(openings[key], skills)
        assert match.score == single.score
        assert match.surplus == single.surplus
        assert match.missing_musts == single.missing_musts
