"""Relatedness from curated pairs, recommendations that weigh both coverages, level surplus as a tie-break."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from marketplace.matching import Requirement, SkillLevel, fit_of, rank, recommend, score, skill_similarity, vocabulary
from marketplace.matching.vocab import Vocabulary, load_vocabulary

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# Same broad family, yet one is no substitute for the other: no credit at all.
MUST_NOT_RELATE = [
    ("C", "Python"), ("Docker", "Git"), ("Java", "JavaScript"), ("SQL", "NoSQL"), ("C++", "C#"),
    ("R", "Ruby"), ("Go", "Rust"), ("Linux", "Figma"), ("Kubernetes", "Git"), ("Excel", "pandas"),
    ("CT", "DICOM"), ("MRI", "dermoscopy"), ("ECG", "EEG"), ("nursing", "nursing informatics"),
    ("내과", "외과"), ("치과교정", "임플란트 수술 보조"), ("영어", "리더십"), ("PyTorch", "XGBoost"),
    ("BERT", "speech recognition"), ("SPSS", "Excel"), ("AWS", "MLflow"), ("FDA approval", "GMP"),
]

MUST_RELATE = [
    ("PyTorch", "TensorFlow"), ("CT", "MRI"), ("MySQL", "PostgreSQL"), ("Keras", "TensorFlow"),
    ("JavaScript", "TypeScript"), ("딥러닝", "머신러닝"), ("SPSS", "SAS"), ("RNA-seq", "NGS"),
]


@pytest.mark.parametrize("a, b", MUST_NOT_RELATE)
def test_skills_that_only_share_a_family_earn_no_credit(a, b):
    assert skill_similarity(a, b) == 0.0
    assert skill_similarity(b, a) == 0.0
    assert score([Requirement(a)], [SkillLevel(b, 5)]).score == 0.0


@pytest.mark.parametrize("a, b", MUST_RELATE)
def test_curated_pairs_earn_their_partial_credit_both_ways(a, b):
    assert 0.0 < skill_similarity(a, b) < 1.0
    assert skill_similarity(a, b) == skill_similarity(b, a)
    detail = score([Requirement(a)], [SkillLevel(b, 3)]).details[0]
    assert detail.kind == "related"


def test_the_pair_sets_its_own_credit():
    assert skill_similarity("JavaScript", "TypeScript") == pytest.approx(0.7)
    assert skill_similarity("C", "C++") == pytest.approx(0.3)
    assert score([Requirement("TypeScript")], [SkillLevel("JavaScript", 3)]).explain() == [
        "TypeScript ~ JavaScript: related, 70% credit, level 3"]


def test_related_pairs_are_data_in_seeds_and_name_known_skills():
    data = json.loads((SEEDS / "related_skills.json").read_text(encoding="utf-8"))
    vocab = vocabulary()
    assert len(data["pairs"]) >= 100
    for a, b, credit in data["pairs"]:
        assert a in vocab.by_id and b in vocab.by_id and 0 < credit < 1


def test_a_bad_related_pair_is_refused(tmp_path):
    skills = json.loads((SEEDS / "skills.json").read_text(encoding="utf-8"))
    (tmp_path / "skills.json").write_text(json.dumps(skills), encoding="utf-8")
    for pairs in ([["python", "no-such-skill", 0.5]], [["python", "r", 1.0]], [["python", "python", 0.5]],
                  [["python", "r", 0.5], ["r", "python", 0.3]]):
        (tmp_path / "related_skills.json").write_text(json.dumps({"pairs": pairs}), encoding="utf-8")
        with pytest.raises(ValueError):
            load_vocabulary(tmp_path / "skills.json")
    (tmp_path / "related_skills.json").write_text(json.dumps({"pairs": [["python", "r", 0.4]]}), encoding="utf-8")
    loaded = load_vocabulary(tmp_path / "skills.json")
    assert isinstance(loaded, Vocabulary)
    assert loaded.related_credit(loaded.by_id["python"].index, loaded.by_id["r"].index) == 0.4


# --------------------------------------------------------------------------- recommendations


BROAD_PROFILE = [SkillLevel(name, 3) for name in
                 ("Python", "PyTorch", "딥러닝", "DICOM", "의료영상", "Docker", "통계", "Git")]


def test_a_broad_good_fit_ranks_above_ten_trivial_openings():
    openings = {f"python-only-{i}": [Requirement("Python", "must")] for i in range(10)}
    openings["imaging"] = [
        Requirement("Python", "must", 3), Requirement("PyTorch", "must", 3), Requirement("Deep Learning", "should", 3),
        Requirement("DICOM", "should", 2), Requirement("Medical Imaging", "should"), Requirement("Docker", "nice"),
        Requirement("Kubernetes", "should", 2),  # the one thing the student lacks: score below 100
    ]
    ranked = recommend(BROAD_PROFILE, openings)
    top_key, top = ranked[0]
    assert top_key == "imaging"
    trivial = dict(ranked)["python-only-0"]
    assert trivial.score == 100.0 > top.score
    assert top.fit > trivial.fit
    assert top.profile_coverage == pytest.approx(6 / 8)
    assert trivial.profile_coverage == pytest.approx(1 / 8)
    assert top.fit == pytest.approx(fit_of(top.score / 100, 6 / 8), abs=1e-5)
    assert top.summary()[0].startswith(f"rank {top.fit:.0f} = F2 of requirements covered {top.score:.0f}%")


def test_coverage_of_the_requirements_still_counts_four_times_the_profile():
    # An opening asking for twenty things of which the student has six loses to the exact one-skill fit
    # only when the profile is small; requirement coverage weighs more.
    assert fit_of(1.0, 1.0) == 100.0
    assert fit_of(1.0, 0.125) > fit_of(0.3, 0.75)
    assert fit_of(0.89, 0.75) > fit_of(1.0, 0.125)
    assert fit_of(0.0, 0.5) == fit_of(0.5, 0.0) == 0.0


def test_missing_must_haves_still_rank_last_in_recommendations():
    ranked = recommend(BROAD_PROFILE, {
        "needs-rust": [Requirement("Rust", "must"), *[Requirement(s.name) for s in BROAD_PROFILE]],
        "python-only": [Requirement("Python", "must")],
    })
    assert [key for key, _ in ranked] == ["python-only", "needs-rust"]


def test_rank_and_score_leave_profile_coverage_unset():
    wanted = [Requirement("Python")]
    assert score(wanted, BROAD_PROFILE).profile_coverage is None
    assert score(wanted, BROAD_PROFILE).fit == 100.0
    assert rank(wanted, {"a": BROAD_PROFILE})[0][1].profile_coverage is None


# --------------------------------------------------------------------------- level surplus


def test_the_stronger_of_two_equal_scores_ranks_first_and_the_explanation_says_why():
    wanted = [Requirement("Python", "must", 2), Requirement("SQL", "should", 2)]
    weak = [SkillLevel("Python", 2), SkillLevel("SQL", 2)]
    strong = [SkillLevel("Python", 5), SkillLevel("SQL", 3)]
    # Keys chosen so the str(key) tie-break would favour the weaker applicant.
    ranked = rank(wanted, {"a-weak": weak, "b-strong": strong})
    assert [key for key, _ in ranked] == ["b-strong", "a-weak"]
    (_, first), (_, second) = ranked
    assert first.score == second.score == 100.0
    assert first.surplus == pytest.approx((3 * 3 / 3 + 2 * 1 / 3) / 5) and second.surplus == 0.0
    assert first.explain() == ["Python ✓ level 5 ≥ 2 (+3 above minimum)", "SQL ✓ level 3 ≥ 2 (+1 above minimum)"]
    assert first.summary() == ["+4 levels above the minimum: ranks above an equal score at the minimum"]
    assert second.summary() == []


def test_surplus_never_outweighs_the_score():
    wanted = [Requirement("Python", "must", 3), Requirement("SQL", "should", 3)]
    complete = [SkillLevel("Python", 3), SkillLevel("SQL", 3)]
    strong_but_short = [SkillLevel("Python", 5), SkillLevel("SQL", 2)]
    assert [key for key, _ in rank(wanted, {"b": complete, "a": strong_but_short})] == ["b", "a"]


def test_recommendations_break_equal_fits_on_level_surplus():
    skills = [SkillLevel("Python", 5), SkillLevel("SQL", 1)]
    ranked = recommend(skills, {"a-sql": [Requirement("SQL", "must", 1)],
                                "b-python": [Requirement("Python", "must", 1)]})
    # Python carries more of the profile (level 5 of 6): it ranks first on fit already.
    assert ranked[0][0] == "b-python"
    same_profile = [SkillLevel("Python", 4)]
    ranked = recommend(same_profile, {"a-min4": [Requirement("Python", "must", 4)],
                                      "b-min2": [Requirement("Python", "must", 2)]})
    assert [key for key, _ in ranked] == ["b-min2", "a-min4"]
    assert ranked[0][1].fit == ranked[1][1].fit
