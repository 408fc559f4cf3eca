"""Contracts of marketplace.matching: API shapes, bad input, vocabulary, normalisation, purity."""
from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import marketplace.matching as matching
from marketplace.matching import (
    Detail,
    Match,
    Requirement,
    SkillLevel,
    normalize,
    rank,
    recognize,
    recommend,
    same_skill,
    score,
    skill_similarity,
    suggest,
    vocabulary,
)
from marketplace.matching.normalize import compact

ROOT = Path(__file__).resolve().parents[2]
HANGUL = range(0xAC00, 0xD7A4)


def has_hangul(text: str) -> bool:
    return any(ord(ch) in HANGUL for ch in text)


# --------------------------------------------------------------------------- purity and loading


def test_importing_matching_loads_neither_flask_nor_sqlalchemy():
    code = ("import marketplace.matching, sys; "
            "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules, "
            "sorted(m for m in sys.modules if m.startswith(('flask', 'sqlalchemy')))")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_vocabulary_loads_lazily_on_first_use():
    code = ("import marketplace.matching.vocab as v, marketplace.matching as m; "
            "assert v._loaded is None; m.same_skill('a b', 'c d'); assert v._loaded is not None")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_vocabulary_is_cached():
    assert vocabulary() is vocabulary()


# --------------------------------------------------------------------------- vocabulary


def test_vocabulary_has_at_least_300_skills_each_with_korean_name_and_family():
    vocab = vocabulary()
    assert len(vocab.skills) >= 300
    for skill in vocab.skills:
        assert skill.family in vocab.families, skill
        assert any(has_hangul(name) for name in (skill.name_ko, *skill.aliases)), skill
    for family in vocab.families.values():
        assert family.name and has_hangul(family.name_ko)


def test_no_alias_names_two_canonical_skills():
    data = json.loads((ROOT / "seeds" / "skills.json").read_text(encoding="utf-8"))
    owner: dict[str, str] = {}
    clashes = []
    for skill in data["skills"]:
        for name in (skill["name"], skill["ko"], *skill["aliases"]):
            key = compact(normalize(name))
            if owner.setdefault(key, skill["id"]) != skill["id"]:
                clashes.append((name, owner[key], skill["id"]))
    assert not clashes
    assert len({s["id"] for s in data["skills"]}) == len(data["skills"])


@pytest.mark.parametrize("abbreviation, canonical", [
    ("ML", "Machine Learning"), ("DL", "Deep Learning"), ("NLP", "Natural Language Processing"),
    ("EHR", "Electronic Health Records"), ("EMR", "Electronic Health Records"),
    ("CNN", "Convolutional Neural Network"), ("LLM", "Large Language Models"),
    ("XAI", "Explainable AI"), ("IRB", "IRB"), ("GCP", "GCP"), ("SaMD", "SaMD"),
])
def test_abbreviations_resolve_through_the_alias_table(abbreviation, canonical):
    assert recognize(abbreviation).name == canonical


@pytest.mark.parametrize("near_miss", ["LLN", "CNM", "XIA", "NPL", "EHT", "DLL", "Jav", "Pyt"])
def test_short_names_never_match_fuzzily(near_miss):
    assert recognize(near_miss) is None


def test_recognize_returns_the_canonical_skill():
    skill = recognize("파이토치")
    assert (skill.id, skill.name, skill.name_ko, skill.family) == ("pytorch", "PyTorch", "파이토치", "ml_frameworks")
    assert recognize("Something nobody offers") is None
    assert recognize("") is None
    assert recognize("   ") is None
    assert recognize("x" * 10_000) is None


# --------------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("raw, normalized", [
    ("scikit-learn", "scikit learn"),
    ("Python 3", "python"),
    ("Python3.11", "python"),
    ("C++", "c++"),
    ("C#", "c#"),
    ("F#", "f#"),
    ("C", "c"),
    ("ISO 13485:2016", "iso 13485"),
    ("HL7", "hl7"),
    ("Ｐｙｔｈｏｎ", "python"),
    ("🙂🙂", ""),
])
def test_normalize(raw, normalized):
    assert normalize(raw) == normalized


def test_normalize_keeps_the_characters_that_make_a_different_skill():
    assert len({normalize(n) for n in ["C", "C++", "C#", "F#"]}) == 4
    assert compact(normalize("Node.js")) == compact(normalize("nodejs"))
    assert compact(normalize("의료 영상")) == compact(normalize("의료영상"))


# --------------------------------------------------------------------------- comparison


def test_related_skills_get_partial_credit_but_are_not_the_same():
    assert not same_skill("PyTorch", "TensorFlow")
    assert 0.0 < skill_similarity("PyTorch", "TensorFlow") < 1.0
    assert skill_similarity("PyTorch", "Nursing") == 0.0
    assert skill_similarity("딥러닝", "Deep Learning") == 1.0


@pytest.mark.parametrize("a, b", [
    ("Java", "JavaScript"), ("SQL", "NoSQL"), ("NoSQL", "MySQL"), ("SQL", "MySQL"), ("C", "C++"),
    ("C++", "C#"), ("C", "C#"), ("R", "Ruby"), ("Go", "Google"),
    ("supervised learning", "unsupervised learning"), ("기계학습", "기계공학"),
])
def test_known_traps_never_match(a, b):
    assert not same_skill(a, b)
    assert skill_similarity(a, b) < 1.0


BAD_NAMES = ["", "   ", "\t\n", "🙂🙂🙂", "x" * 10_000, "y" * 101, None, 42]


@pytest.mark.parametrize("bad", BAD_NAMES)
def test_bad_names_raise_value_error(bad):
    with pytest.raises(ValueError):
        same_skill(bad, "Python")
    with pytest.raises(ValueError):
        skill_similarity("Python", bad)
    with pytest.raises(ValueError):
        Requirement(bad)
    with pytest.raises(ValueError):
        SkillLevel(bad, 3)


@pytest.mark.parametrize("level", [0, 6, -1, 3.0, "3", None, True])
def test_levels_outside_1_to_5_raise_value_error(level):
    with pytest.raises(ValueError):
        SkillLevel("Python", level)
    with pytest.raises(ValueError):
        Requirement("Python", "must", level)


@pytest.mark.parametrize("importance", ["required", "", "mandatory", None, 3])
def test_unknown_importance_raises_value_error(importance):
    with pytest.raises(ValueError):
        Requirement("Python", importance)


def test_importance_is_case_insensitive_and_defaults_to_should():
    assert Requirement("Python", " MUST ").importance == "must"
    assert Requirement("Python").importance == "should"
    assert Requirement("Python").min_level == 1


def test_the_api_rejects_wrong_containers_with_value_error():
    with pytest.raises(ValueError):
        score("Python", [SkillLevel("Python", 3)])
    with pytest.raises(ValueError):
        score([Requirement("Python")], ["Python"])
    with pytest.raises(ValueError):
        rank([Requirement("Python")], [[SkillLevel("Python", 3)]])
    with pytest.raises(ValueError):
        rank([Requirement("Python")], {"a": ["Python"]})
    with pytest.raises(ValueError):
        recommend([SkillLevel("Python", 3)], {"job": ["Python"]})


# --------------------------------------------------------------------------- scoring


def test_score_match_and_details():
    wanted = [Requirement("PyTorch", "must", 3), Requirement("DICOM", "must"),
              Requirement("딥러닝", "should", 2), Requirement("TensorFlow", "nice", 2)]
    skills = [SkillLevel("pytorch", 4), SkillLevel("Deep Learning", 1), SkillLevel("Keras", 3)]
    match = score(wanted, skills)
    assert isinstance(match, Match)
    assert match.missing_musts == ["DICOM"]
    assert not match.has_all_musts
    # must 3×1 + must 3×0 + should 2×0.5 (level 1 of 2) + nice 1×0.5 (related to TensorFlow)
    assert match.score == pytest.approx(100 * (3 + 0 + 1 + 0.5) / 9, abs=1e-6)
    pytorch, dicom, deep, tensorflow = match.details
    assert all(isinstance(d, Detail) for d in match.details)
    assert (pytorch.matched, pytorch.canonical, pytorch.kind, pytorch.similarity, pytorch.level) == \
        ("pytorch", "PyTorch", "exact", 1.0, 4)
    assert (dicom.matched, dicom.kind, dicom.level, dicom.credit) == (None, "missing", None, 0.0)
    assert (deep.matched, deep.kind, deep.credit, deep.below_minimum) == ("Deep Learning", "exact", 0.5, True)
    # PyTorch and Keras are both related to TensorFlow with full level: the higher level wins the tie.
    assert (tensorflow.matched, tensorflow.canonical, tensorflow.kind) == ("pytorch", "PyTorch", "related")
    assert 0 < tensorflow.similarity < 1
    assert match.explain() == [
        "PyTorch ✓ level 4 ≥ 3 (+1 above minimum)",
        "DICOM — missing must-have",
        "딥러닝 ≈ Deep Learning, level 1 < 2 (below minimum)",
        "TensorFlow ~ pytorch: related, 50% credit, level 4",
    ]


def test_typo_matches_are_marked_fuzzy():
    detail = score([Requirement("Kubernetes")], [SkillLevel("Kubernets", 3)]).details[0]
    assert (detail.kind, detail.similarity) == ("fuzzy", 1.0)
    assert detail.describe() == "Kubernetes ≈ Kubernets, level 3 ≥ 1 (+2 above minimum)"


def test_below_minimum_is_discounted_but_not_missing():
    low = score([Requirement("Python", "must", 4)], [SkillLevel("Python", 2)])
    assert low.missing_musts == []
    assert low.score == pytest.approx(50.0)
    assert score([Requirement("Python", "must", 4)], [SkillLevel("Python", 5)]).score == 100.0


def test_a_related_skill_does_not_satisfy_a_must_have():
    match = score([Requirement("PyTorch", "must")], [SkillLevel("TensorFlow", 5)])
    assert match.missing_musts == ["PyTorch"]
    assert match.score == pytest.approx(50.0)
    assert match.explain() == ["PyTorch ~ TensorFlow: related, 50% credit, level 5 — missing must-have"]


def test_empty_inputs():
    assert score([], [SkillLevel("Python", 3)]).score == 0.0
    empty = score([Requirement("Python", "must")], [])
    assert (empty.score, empty.missing_musts) == (0.0, ["Python"])
    assert rank([Requirement("Python")], {}) == []
    assert recommend([SkillLevel("Python", 3)], {}) == []


def test_rank_puts_every_must_have_first_then_score_then_key():
    wanted = [Requirement("DICOM", "must"), Requirement("Python", "should"), Requirement("R", "nice")]
    ranked = rank(wanted, {
        "no-must-but-rich": [SkillLevel("Python", 5), SkillLevel("R", 5)],
        "b-must-only": [SkillLevel("DICOM", 3)],
        "a-must-only": [SkillLevel("다이콤", 3)],
        "must-and-python": [SkillLevel("dicom", 1), SkillLevel("Python 3", 5)],
        "nothing": [],
    })
    assert [key for key, _ in ranked] == [
        "must-and-python", "a-must-only", "b-must-only", "no-must-but-rich", "nothing"]


def test_recommend_orders_openings_for_a_student():
    student = [SkillLevel("파이썬", 4), SkillLevel("PyTorch", 3), SkillLevel("ECG", 2)]
    ranked = recommend(student, {
        "ecg-ai": [Requirement("심전도", "must", 2), Requirement("Python", "should", 3)],
        "imaging": [Requirement("DICOM", "must"), Requirement("PyTorch", "should")],
        "ml": [Requirement("TensorFlow", "should", 2), Requirement("Python", "must")],
    })
    assert [key for key, _ in ranked] == ["ecg-ai", "ml", "imaging"]
    assert ranked[0][1].score == 100.0
    assert ranked[-1][1].missing_musts == ["DICOM"]


def test_skill_levels_survive_pickling_and_a_reset_name_table():
    from marketplace.matching import scoring

    skills = [SkillLevel("PyTorch", 4), SkillLevel("파이썬", 2)]
    copied = pickle.loads(pickle.dumps(skills))
    assert copied == skills
    wanted = [Requirement("Python", "must", 2), Requirement("pytorch")]
    before = score(wanted, skills).score
    scoring._names.reset()  # old codes are now stale: the slow path must give the same answer
    assert score(wanted, skills).score == before == score(wanted, copied).score == 100.0


# --------------------------------------------------------------------------- suggestions


def test_suggest_prefixes_typos_and_korean():
    assert suggest("pyt")[0].name == "Python"
    assert "PyTorch" in [s.name for s in suggest("pyt")]
    assert suggest("파이토")[0].name == "PyTorch"
    assert suggest("딥ㄹ")[0].name == "Deep Learning"  # half-typed Hangul syllable
    assert suggest("tensorflw")[0].name == "TensorFlow"
    assert suggest("kubernets")[0].name == "Kubernetes"
    assert len(suggest("a", limit=3)) <= 3
    assert suggest("") == [] and suggest("   ") == [] and suggest("x" * 500) == []


def test_public_api_names():
    for name in ["Requirement", "SkillLevel", "same_skill", "skill_similarity", "score", "rank",
                 "recommend", "normalize", "recognize", "suggest", "vocabulary", "Match", "Detail"]:
        assert hasattr(matching, name), name
