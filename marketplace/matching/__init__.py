"""Skill matching for the exchange: pure (standard library, rapidfuzz, numpy), data in, data out.

    recognize("파이토치")                     -> Skill(id="pytorch", name="PyTorch", ...)
    same_skill("딥러닝", "Deep Learning")      -> True
    skill_similarity("PyTorch", "TensorFlow")  -> 0.5 (related: same family)
    score(requirements, skills)               -> Match(score 0..100, missing_musts, details)
    rank(requirements, {key: skills, ...})    -> [(key, Match), ...] best first
    recommend(skills, {key: requirements})    -> [(key, Match), ...] best first
    allocate(student_prefs, opening_prefs, capacities) -> {student: opening}  (stable, student-optimal)

Match: .score (0..100), .missing_musts (list of requirement names), .has_all_musts, .details (one Detail
per requirement, built lazily), .explain() -> short English lines. Detail: requirement, importance,
min_level, matched (skill as typed or None), canonical, similarity, level, kind ("exact" | "fuzzy" |
"related" | "missing"), credit, describe(). Helpers: normalize, recognize, suggest, vocabulary.
"""
from .allocation import allocate
from .normalize import MAX_NAME_LENGTH, normalize
from .scoring import (
    IMPORTANCE_WEIGHTS,
    Detail,
    Match,
    Requirement,
    SkillLevel,
    rank,
    recommend,
    score,
)
from .similarity import RELATED, recognize, same_skill, skill_similarity, suggest
from .vocab import Family, Skill, Vocabulary, vocabulary

__all__ = [
    "IMPORTANCE_WEIGHTS",
    "MAX_NAME_LENGTH",
    "RELATED",
    "Detail",
    "Family",
    "Match",
    "Requirement",
    "Skill",
    "SkillLevel",
    "Vocabulary",
    "allocate",
    "normalize",
    "rank",
    "recognize",
    "recommend",
    "same_skill",
    "score",
    "skill_similarity",
    "suggest",
    "vocabulary",
]
