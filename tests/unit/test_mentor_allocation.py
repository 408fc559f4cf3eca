"""Mentor allocation: load limits at their boundaries, coverage, shortage, fixed pairs, company grouping,
determinism, bilingual field match; property tests against a brute-force lexicographic optimum."""
from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.matching import Mentor, MentorStudent, allocate_mentors, field_score

ML = ("Deep Learning", "PyTorch")


def students(count: int, company="c1", skills=ML, majors=(), start=1):
    return [MentorStudent(start + i, company, majors, skills) for i in range(count)]


def check_invariants(result, all_students, mentors, fixed=None, min_load=1, max_load=3):
    fixed = fixed or {}
    highs = {m.id: (max_load if m.max_load is None else m.max_load) for m in mentors}
    lows = {m.id: (min(min_load, highs[m.id]) if m.min_load is None else m.min_load) for m in mentors}
    loads = {m.id: 0 for m in mentors}
    for mentor_id in result.pairs.values():
        loads[mentor_id] += 1
    assert loads == result.loads
    assert all(loads[m] <= highs[m] for m in loads), "a mentor above their maximum"
    for student_id, mentor_id in fixed.items():
        assert result.pairs[student_id] == mentor_id
    ids = {s.id for s in all_students}
    assert set(result.pairs) | set(result.unallocated) == ids
    assert not set(result.pairs) & set(result.unallocated)
    if sum(highs.values()) >= len(all_students):
        assert not result.unallocated
    else:
        assert len(result.pairs) == sum(highs.values())  # every place filled
    assert result.below_minimum == {m: (loads[m], lows[m]) for m in loads if loads[m] < lows[m]}
    by_id = {s.id: s for s in all_students}
    mentor_by_id = {m.id: m for m in mentors}
    scores = [field_score(by_id[s], mentor_by_id[m]) for s, m in result.pairs.items()]
    assert [result.reasons[s].score for s in result.pairs] == scores
    assert result.total_score == pytest.approx(sum(scores), abs=1e-6)


# --------------------------------------------------------------------------- load limits and coverage


def test_two_mentors_of_three_places_take_six_students_three_each():
    group = students(6)
    mentors = [Mentor("a", skills=ML), Mentor("b", skills=ML)]
    result = allocate_mentors(group, mentors)
    assert result.loads == {"a": 3, "b": 3}
    assert not result.unallocated and not result.below_minimum
    check_invariants(result, group, mentors)


def test_a_seventh_student_is_left_out_with_the_reason_when_places_run_short():
    group = students(7)
    mentors = [Mentor("a", skills=ML), Mentor("b", skills=ML)]
    result = allocate_mentors(group, mentors)
    assert result.loads == {"a": 3, "b": 3}
    assert len(result.unallocated) == 1
    (reason,) = result.unallocated.values()
    assert "not enough places" in reason and "7 students, 6 places" in reason
    check_invariants(result, group, mentors)


def test_per_mentor_maximum_overrides_the_plan_default_including_zero():
    group = students(4)
    mentors = [Mentor("a", skills=ML, max_load=1), Mentor("b", skills=ML, max_load=0), Mentor("c")]
    result = allocate_mentors(group, mentors, max_load=3)
    assert result.loads == {"a": 1, "b": 0, "c": 3}
    assert result.below_minimum == {}  # a maximum of 0 lowers the plan's minimum of 1 with it
    check_invariants(result, group, mentors)


def test_every_student_gets_a_mentor_even_a_poorly_matching_one_when_places_allow():
    group = students(4) + [MentorStudent(9, "c2", (), ("DICOM",))]
    mentors = [Mentor("ml", skills=ML, max_load=4), Mentor("imaging", skills=("DICOM",), max_load=1)]
    result = allocate_mentors(group, mentors, min_load=0)
    assert len(result.pairs) == 5 and not result.unallocated
    assert result.pairs[9] == "imaging"


def test_minimum_load_comes_before_field_match():
    group = students(2)
    good, poor = Mentor("good", skills=ML), Mentor("poor", skills=("Accounting",))
    result = allocate_mentors(group, [good, poor], min_load=1)
    assert result.loads == {"good": 1, "poor": 1}
    assert not result.below_minimum
    # Without minimums both go to the better field.
    result = allocate_mentors(group, [good, poor], min_load=0)
    assert result.loads == {"good": 2, "poor": 0}


def test_mentors_below_their_minimum_are_reported_when_students_are_too_few():
    group = students(1)
    mentors = [Mentor("a", skills=ML), Mentor("b", skills=ML, min_load=2, max_load=3)]
    result = allocate_mentors(group, mentors)
    assert len(result.below_minimum) == 1
    check_invariants(result, group, mentors)


def test_minimum_above_maximum_or_bad_loads_are_refused():
    with pytest.raises(ValueError, match="minimum load 4 is above the maximum 3"):
        allocate_mentors(students(1), [Mentor("a", min_load=4)])
    with pytest.raises(ValueError, match="max_load of mentor 'a'"):
        Mentor("a", max_load=-1)
    with pytest.raises(ValueError, match="whole number"):
        allocate_mentors(students(1), [Mentor("a")], max_load=True)
    with pytest.raises(ValueError, match="appears twice"):
        allocate_mentors(students(1) + students(1), [Mentor("a")])
    with pytest.raises(ValueError):
        MentorStudent(1, "c", (), ("   ",))


# --------------------------------------------------------------------------- fixed pairs


def test_fixed_pairs_are_kept_and_count_toward_the_load():
    group = students(3)
    good, poor = Mentor("good", skills=ML, max_load=2), Mentor("poor", skills=("Accounting",), max_load=2)
    result = allocate_mentors(group, [good, poor], fixed={1: "poor"}, min_load=0)
    assert result.pairs == {1: "poor", 2: "good", 3: "good"}
    assert result.reasons[1].fixed and not result.reasons[2].fixed
    assert "set by the manager" in result.reasons[1].explain()
    # A mentor full with fixed students takes no one else.
    result = allocate_mentors(group, [good, poor], fixed={1: "good", 2: "good"}, min_load=0)
    assert result.pairs[3] == "poor"


def test_fixed_pairs_beyond_a_maximum_or_with_unknown_ids_are_refused():
    group = students(3)
    with pytest.raises(ValueError, match="above the maximum of 1"):
        allocate_mentors(group, [Mentor("a", max_load=1)], fixed={1: "a", 2: "a"})
    with pytest.raises(ValueError, match="unknown student 99"):
        allocate_mentors(group, [Mentor("a")], fixed={99: "a"})
    with pytest.raises(ValueError, match="unknown mentor 'z'"):
        allocate_mentors(group, [Mentor("a")], fixed={1: "z"})


# --------------------------------------------------------------------------- company grouping


def test_students_of_one_company_stay_with_one_mentor_when_it_costs_no_field_match():
    group = (students(2, company="x", start=1) + students(2, company="y", start=3))
    # Interleave the ids so a grouping-blind tie-break would be free to split the companies.
    group = [MentorStudent(s.id, c, s.majors, s.skills) for s, c in zip(group, ["x", "y", "x", "y"])]
    mentors = [Mentor("a", skills=ML, max_load=2), Mentor("b", skills=ML, max_load=2)]
    result = allocate_mentors(group, mentors)
    assert result.pairs[1] == result.pairs[3] and result.pairs[2] == result.pairs[4]
    assert result.pairs[1] != result.pairs[2]
    assert result.grouped_pairs == 2
    assert "kept with 1 student of the same company" in result.reasons[1].explain()


def test_a_fixed_student_draws_company_peers_to_their_mentor():
    group = students(3, company="x")
    mentors = [Mentor("a", skills=ML), Mentor("b", skills=ML), Mentor("c", skills=ML)]
    result = allocate_mentors(group, mentors, fixed={2: "c"}, min_load=0)
    assert set(result.pairs.values()) == {"c"}
    assert result.reasons[1].company_peers == 2


def test_grouping_never_costs_field_match():
    x1 = MentorStudent(1, "x", (), ("Deep Learning",))
    x2 = MentorStudent(2, "x", (), ("DICOM",))
    mentors = [Mentor("ml", skills=("Deep Learning",)), Mentor("img", skills=("DICOM",))]
    result = allocate_mentors([x1, x2], mentors, min_load=0)
    assert result.pairs == {1: "ml", 2: "img"}
    assert result.total_score == 200.0


# --------------------------------------------------------------------------- field match and determinism


def test_korean_and_english_names_match_through_the_normaliser():
    student = MentorStudent(1, "x", ("Computer Science",), ("Deep Learning", "pytorch 2.1"))
    korean = Mentor("kim", majors=("컴퓨터공학",), skills=("딥러닝", "파이토치"))
    other = Mentor("lee", majors=("경영학",), skills=("Accounting",))
    assert field_score(student, korean) == 100.0
    assert field_score(student, other) == 0.0
    result = allocate_mentors([student], [other, korean], min_load=0)
    assert result.pairs == {1: "kim"}
    lines = result.reasons[1].explain()
    assert lines == ["majors: Computer Science = 컴퓨터공학", "skills: Deep Learning = 딥러닝, pytorch 2.1 = 파이토치"]


def test_related_skills_earn_partial_credit_and_say_so():
    student = MentorStudent(1, "x", (), ("PyTorch",))
    assert field_score(student, Mentor("m", skills=("TensorFlow",))) == 50.0
    result = allocate_mentors([student], [Mentor("m", skills=("TensorFlow",))])
    assert result.reasons[1].explain() == ["skills: PyTorch ~ TensorFlow (related, 50% credit)"]


def test_the_same_input_in_any_order_gives_the_same_allocation():
    rng = random.Random(7)
    pool = ["Python", "딥러닝", "DICOM", "의료영상", "SQL", "React", "통계", "MRI"]
    group = [MentorStudent(i, f"c{rng.randrange(5)}", (), tuple(rng.sample(pool, 2))) for i in range(25)]
    mentors = [Mentor(f"m{j}", skills=tuple(rng.sample(pool, 3))) for j in range(9)]
    first = allocate_mentors(group, mentors)
    for _ in range(5):
        rng.shuffle(group)
        rng.shuffle(mentors)
        again = allocate_mentors(group, mentors)
        assert again.pairs == first.pairs and again.reasons == first.reasons
    check_invariants(first, group, mentors)


def test_no_students_or_no_mentors():
    assert allocate_mentors([], [Mentor("a")]).below_minimum == {"a": (0, 1)}
    result = allocate_mentors(students(2), [])
    assert result.pairs == {} and set(result.unallocated) == {1, 2}


# --------------------------------------------------------------------------- properties against brute force

POOL = ["Python", "파이썬", "Deep Learning", "딥러닝", "PyTorch", "TensorFlow", "DICOM", "MRI", "CT", "SQL"]
MAJOR_POOL = ["Computer Science", "컴퓨터공학", "Nursing", "Statistics"]


@st.composite
def instances(draw):
    n_mentors = draw(st.integers(1, 3))
    mentors = []
    for j in range(n_mentors):
        high = draw(st.integers(0, 3))
        low = draw(st.integers(0, min(high, 2)))
        mentors.append(Mentor(f"m{j}", tuple(draw(st.lists(st.sampled_from(MAJOR_POOL), max_size=2))),
                              tuple(draw(st.lists(st.sampled_from(POOL), max_size=3))), low, high))
    n = draw(st.integers(0, 6))
    group = [MentorStudent(i, draw(st.sampled_from("xyz")), tuple(draw(st.lists(st.sampled_from(MAJOR_POOL), max_size=1))),
                           tuple(draw(st.lists(st.sampled_from(POOL), max_size=3)))) for i in range(n)]
    fixed, load = {}, {m.id: 0 for m in mentors}
    for s in group:
        if draw(st.booleans()) and draw(st.booleans()):
            m = draw(st.sampled_from(mentors))
            if load[m.id] < m.max_load:
                fixed[s.id] = m.id
                load[m.id] += 1
    return group, mentors, fixed


def brute_force_best(group, mentors, fixed):
    """The lexicographic optimum (students allocated, minimum places filled, total score units) by enumeration."""
    units = {(s.id, m.id): round(field_score(s, m) * 10) for s in group for m in mentors}
    free = [s for s in group if s.id not in fixed]
    best = None
    for combo in itertools.product([None, *mentors], repeat=len(free)):
        load = {m.id: 0 for m in mentors}
        for m_id in fixed.values():
            load[m_id] += 1
        for m in combo:
            if m is not None:
                load[m.id] += 1
        if any(load[m.id] > m.max_load for m in mentors):
            continue
        allocated = sum(m is not None for m in combo) + len(fixed)
        minimum = sum(min(load[m.id], m.min_load) for m in mentors)
        total = sum(units[s.id, m.id] for s, m in zip(free, combo) if m is not None)
        total += sum(units[s, m] for s, m in fixed.items())
        key = (allocated, minimum, total)
        best = key if best is None or key > best else best
    return best


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_allocation_is_the_lexicographic_optimum_of_coverage_minimums_and_field_match(instance):
    group, mentors, fixed = instance
    result = allocate_mentors(group, mentors, fixed)
    check_invariants(result, group, mentors, fixed)
    mentor_by_id = {m.id: m for m in mentors}
    achieved = (
        len(result.pairs),
        sum(min(result.loads[m.id], m.min_load) for m in mentors),
        round(result.total_score * 10),
    )
    assert achieved == brute_force_best(group, mentors, fixed)
    for s_id, m_id in result.pairs.items():
        assert result.reasons[s_id].company_peers == sum(
            1 for other, o_m in result.pairs.items()
            if other != s_id and o_m == m_id and next(s for s in group if s.id == other).company
            == next(s for s in group if s.id == s_id).company)
    assert all(isinstance(mentor_by_id[m], Mentor) for m in result.pairs.values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.randoms(use_true_random=False))
def test_allocation_does_not_depend_on_the_order_of_the_input(instance, rng):
    group, mentors, fixed = instance
    first = allocate_mentors(group, mentors, fixed)
    group, mentors = list(group), list(mentors)
    rng.shuffle(group)
    rng.shuffle(mentors)
    assert allocate_mentors(group, mentors, dict(reversed(list(fixed.items())))) == first


# --------------------------------------------------------------------------- against an independent exact solver


def flow_lp_best(group, mentors, fixed):
    """(allocated, minimum places filled, score units) of the optimum of the same goals written as a min-cost
    flow linear programme solved by HiGHS (linprog): student -> mentor arcs, and per mentor a "minimum" arc and
    an "extra" arc to the sink. The constraint matrix is a network matrix, so the LP optimum is integral."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import lil_matrix

    load = {m.id: 0 for m in mentors}
    for m_id in fixed.values():
        load[m_id] += 1
    free = [s for s in group if s.id not in fixed]
    n, k = len(free), len(mentors)
    units = np.array([[round(field_score(s, m) * 10) for m in mentors] for s in free], dtype=float).reshape(n, k)
    low = [max(0, m.min_load - load[m.id]) for m in mentors]
    high = [m.max_load - load[m.id] for m in mentors]
    # Variables: x[s, m] (n*k), then minimum arcs a[m] (k), then extra arcs e[m] (k).
    n_var = n * k + 2 * k
    weight_score = 1.0
    weight_minimum = (n * 1000 + 1) * weight_score
    weight_allocated = (k * n + 1) * weight_minimum
    cost = np.zeros(n_var)
    cost[: n * k] = -(weight_allocated + weight_score * units).ravel()
    cost[n * k: n * k + k] = -weight_minimum
    a_ub = lil_matrix((n, n_var))
    for i in range(n):
        a_ub[i, i * k: (i + 1) * k] = 1  # each student at most once
    a_eq = lil_matrix((k, n_var))
    for j in range(k):  # flow into mentor j == flow out of it
        for i in range(n):
            a_eq[j, i * k + j] = 1
        a_eq[j, n * k + j] = -1
        a_eq[j, n * k + k + j] = -1
    bounds = [(0, 1)] * (n * k) + [(0, b) for b in low] + [(0, h - b) for h, b in zip(high, low)]
    solved = linprog(cost, A_ub=a_ub.tocsr(), b_ub=np.ones(n), A_eq=a_eq.tocsr(), b_eq=np.zeros(k),
                     bounds=bounds, method="highs")
    assert solved.status == 0
    x = np.rint(solved.x[: n * k]).reshape(n, k)
    assert np.allclose(solved.x[: n * k].reshape(n, k), x)  # integral, as a network LP must be
    loads = x.sum(axis=0) + np.array([load[m.id] for m in mentors])
    allocated = int(x.sum()) + len(fixed)
    minimum = int(sum(min(loads[j], m.min_load) for j, m in enumerate(mentors)))
    fixed_units = sum(round(field_score(s, next(m for m in mentors if m.id == fixed[s.id])) * 10)
                      for s in group if s.id in fixed)
    return allocated, minimum, int(round((units * x).sum())) + fixed_units


@st.composite
def larger_instances(draw):
    rng = draw(st.randoms(use_true_random=False))
    mentors = []
    for j in range(rng.randint(2, 8)):
        high = rng.randint(0, 4)
        mentors.append(Mentor(f"m{j}", tuple(rng.sample(MAJOR_POOL, rng.randint(0, 2))),
                              tuple(rng.sample(POOL, rng.randint(0, 4))), rng.randint(0, min(high, 2)), high))
    group = [MentorStudent(i, rng.choice("vwxyz"), tuple(rng.sample(MAJOR_POOL, rng.randint(0, 1))),
                           tuple(rng.sample(POOL, rng.randint(0, 4)))) for i in range(rng.randint(0, 30))]
    fixed, load = {}, {m.id: 0 for m in mentors}
    for s in group:
        m = rng.choice(mentors)
        if rng.random() < 0.15 and load[m.id] < m.max_load:
            fixed[s.id] = m.id
            load[m.id] += 1
    return group, mentors, fixed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(larger_instances())
def test_allocation_matches_an_independent_flow_programme_on_larger_instances(instance):
    group, mentors, fixed = instance
    result = allocate_mentors(group, mentors, fixed)
    check_invariants(result, group, mentors, fixed)
    achieved = (
        len(result.pairs),
        sum(min(result.loads[m.id], m.min_load) for m in mentors),
        round(result.total_score * 10),
    )
    assert achieved == flow_lp_best(group, mentors, fixed)


# --------------------------------------------------------------------------- against the textbook slot expansion


def slot_assignment_best(group, mentors):
    """With no minimum loads: (students allocated, best total score units) by the textbook reduction — every mentor
    expanded into max_load identical slots, students x slots solved by linear_sum_assignment on the negated
    scores. A rectangular assignment always covers min(students, slots) rows, so coverage is maximal too."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    slots = [m for m in mentors for _ in range(m.max_load)]
    if not group or not slots:
        return 0, 0
    units = np.array([[round(field_score(s, m) * 10) for m in slots] for s in group], dtype=float)
    rows, cols = linear_sum_assignment(-units)
    return len(rows), int(units[rows, cols].sum())


@st.composite
def instances_without_minimums(draw):
    mentors = [Mentor(f"m{j}", tuple(draw(st.lists(st.sampled_from(MAJOR_POOL), max_size=2))),
                      tuple(draw(st.lists(st.sampled_from(POOL), max_size=4))), 0, draw(st.integers(0, 3)))
               for j in range(draw(st.integers(1, 8)))]
    group = [MentorStudent(i, draw(st.sampled_from("abcd")),
                           tuple(draw(st.lists(st.sampled_from(MAJOR_POOL), max_size=1))),
                           tuple(draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=4))))
             for i in range(draw(st.integers(0, 20)))]
    return group, mentors


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances_without_minimums())
def test_field_match_is_optimal_against_the_slot_expansion_solved_exactly(instance):
    group, mentors = instance
    result = allocate_mentors(group, mentors)
    check_invariants(result, group, mentors)
    places = sum(m.max_load for m in mentors)
    assert len(result.pairs) == min(len(group), places)  # everyone when capacity allows, else every place
    assert (len(result.pairs), round(result.total_score * 10)) == slot_assignment_best(group, mentors)
