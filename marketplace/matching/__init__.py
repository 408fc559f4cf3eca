"""Skill matching for the exchange: pure (standard library, rapidfuzz, numpy), data in, data out.

    recognize("파이토치")                     -> Skill(id="pytorch", name="PyTorch", ...)
    same_skill("딥러닝", "Deep Learning")      -> True
    skill_similarity("PyTorch", "TensorFlow")  -> 0.5 (related: a curated pair in seeds/related_skills.json)
    score(requirements, skills)               -> Match(score 0..100, missing_musts, details)
    rank(requirements, {key: skills, ...})    -> [(key, Match), ...] best first (score, then level surplus)
    recommend(skills, {key: requirements})    -> [(key, Match), ...] best first (fit: F2 of requirement
                                                  and profile coverage, then score, then level surplus)
    allocate(student_prefs, opening_prefs, capacities) -> {student: opening}  (stable, student-optimal)
    allocate_mentors(students, mentors, fixed) -> MentorAllocation  (load limits, field match, exact)

Match: .score (0..100), .missing_musts (list of requirement names), .has_all_musts, .details (one Detail
per requirement, built lazily), .explain() -> short English lines, .surplus (0..1, level above the
minimums: breaks ties), .profile_coverage (recommend only) and .fit, .summary() -> lines on the rank. Detail: requirement, importance,
min_level, matched (skill as typed or None), canonical, similarity, level, kind ("exact" | "fuzzy" |
"related" | "missing"), credit, above_minimum, describe(). fit_of(R, P) is the recommendation rank. Helpers: normalize, recognize, suggest, vocabulary.
"""
from .allocation import allocate
from .mentors import FieldMatch, Mentor, MentorAllocation, MentorStudent, PairReason, allocate_mentors, field_score
from .normalize import MAX_NAME_LENGTH, normalize
from .scoring import (
    IMPORTANCE_WEIGHTS,
    Detail,
    Match,
    Requirement,
    SkillLevel,
    fit_of,
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
    "FieldMatch",
    "Match",
    "Mentor",
    "MentorAllocation",
    "MentorStudent",
    "PairReason",
    "Requirement",
    "Skill",
    "SkillLevel",
    "Vocabulary",
    "allocate",
    "allocate_mentors",
    "field_score",
    "fit_of",
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
