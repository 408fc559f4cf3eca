"""Stable allocation (deferred acceptance): properties on random instances, checked by brute force and by an
independent implementation (the `matching` package from PyPI) used as an oracle."""
from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.matching import allocate


# -- a brute-force checker, written without looking at the algorithm ------------------------------------


def acceptable(student_prefs, opening_prefs, capacities, s, o) -> bool:
    return o in student_prefs.get(s, ()) and s in opening_prefs.get(o, ()) and capacities.get(o, 0) > 0


def blocking_pairs(student_prefs, opening_prefs, capacities, result):
    """Pairs (s, o), mutually acceptable, where s prefers o to its match and o has room or prefers s."""
    pairs = []
    for s, ranked in student_prefs.items():
        current = result.get(s)
        better = ranked if current is None else ranked[: list(ranked).index(current)]
        for o in better:
            if not acceptable(student_prefs, opening_prefs, capacities, s, o):
                continue
            members = [t for t, p in result.items() if p == o]
            if len(members) < capacities.get(o, 0):
                pairs.append((s, o))
                continue
            order = list(opening_prefs[o])
            if any(order.index(s) < order.index(t) for t in members):
                pairs.append((s, o))
    return pairs


def is_valid(student_prefs, opening_prefs, capacities, result) -> bool:
    counts = {}
    for s, o in result.items():
        if not acceptable(student_prefs, opening_prefs, capacities, s, o):
            return False
        counts[o] = counts.get(o, 0) + 1
    return all(n <= capacities.get(o, 0) for o, n in counts.items())


def all_stable_matchings(student_prefs, opening_prefs, capacities):
    students = list(student_prefs)
    options = [[None] + [o for o in student_prefs[s] if acceptable(student_prefs, opening_prefs, capacities, s, o)]
               for s in students]
    for combo in itertools.product(*options):
        result = {s: o for s, o in zip(students, combo) if o is not None}
        if is_valid(student_prefs, opening_prefs, capacities, result) and not blocking_pairs(
                student_prefs, opening_prefs, capacities, result):
            yield result


@st.composite
def instances(draw, max_students=7, max_openings=4, max_capacity=3):
    n_students = draw(st.integers(0, max_students))
    n_openings = draw(st.integers(0, max_openings))
    students = [f"s{i}" for i in range(n_students)]
    openings = [f"o{j}" for j in range(n_openings)]
    student_prefs = {s: draw(st.permutations(openings).flatmap(
        lambda p: st.integers(0, len(p)).map(lambda k, p=p: list(p[:k])))) for s in students}
    opening_prefs = {o: draw(st.permutations(students).flatmap(
        lambda p: st.integers(0, len(p)).map(lambda k, p=p: list(p[:k])))) for o in openings}
    capacities = {o: draw(st.integers(0, max_capacity)) for o in openings}
    return student_prefs, opening_prefs, capacities


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(instances(max_students=9, max_openings=5))
def test_result_respects_capacities_and_only_pairs_mutually_acceptable(instance):
    student_prefs, opening_prefs, capacities = instance
    result = allocate(student_prefs, opening_prefs, capacities)
    assert is_valid(student_prefs, opening_prefs, capacities, result)


@SETTINGS
@given(instances(max_students=9, max_openings=5))
def test_result_has_no_blocking_pair(instance):
    student_prefs, opening_prefs, capacities = instance
    result = allocate(student_prefs, opening_prefs, capacities)
    assert blocking_pairs(student_prefs, opening_prefs, capacities, result) == []


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_students=5, max_openings=3, max_capacity=2))
def test_student_optimal_and_rural_hospitals_on_small_instances(instance):
    student_prefs, opening_prefs, capacities = instance
    result = allocate(student_prefs, opening_prefs, capacities)
    stable = list(all_stable_matchings(student_prefs, opening_prefs, capacities))
    assert result in stable
    for other in stable:
        # Every student weakly prefers our matching to any other stable matching.
        for s, ranked in student_prefs.items():
            ours, theirs = result.get(s), other.get(s)
            if theirs is not None:
                assert ours is not None and list(ranked).index(ours) <= list(ranked).index(theirs)
        # Rural hospitals theorem: the same students are matched, and each opening fills the same seats.
        assert set(other) == set(result)
        for o in opening_prefs:
            assert sum(1 for p in other.values() if p == o) == sum(1 for p in result.values() if p == o)


def _oracle(student_prefs, opening_prefs, capacities):
    from matching.games import HospitalResident

    # The oracle wants mutually consistent lists and every hospital with a capacity ≥ 1.
    residents = {s: [o for o in ranked if acceptable(student_prefs, opening_prefs, capacities, s, o)]
                 for s, ranked in student_prefs.items()}
    residents = {s: r for s, r in residents.items() if r}
    hospitals = {o: [s for s in ranked if s in residents and o in residents[s]]
                 for o, ranked in opening_prefs.items() if capacities.get(o, 0) > 0}
    hospitals = {o: r for o, r in hospitals.items() if r}
    residents = {s: [o for o in r if o in hospitals] for s, r in residents.items()}
    residents = {s: r for s, r in residents.items() if r}
    if not residents:
        return {}
    game = HospitalResident.create_from_dictionaries(residents, hospitals, {o: capacities[o] for o in hospitals})
    solution = game.solve(optimal="resident")
    return {str(s): str(o) for o, members in solution.items() for s in members}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("seed", range(25))
def test_identical_to_the_matching_package_on_random_instances(seed):
    rng = random.Random(seed)
    students = [f"s{i}" for i in range(rng.randint(5, 60))]
    openings = [f"o{j}" for j in range(rng.randint(2, 15))]
    student_prefs = {s: rng.sample(openings, rng.randint(1, min(5, len(openings)))) for s in students}
    opening_prefs = {o: rng.sample(students, rng.randint(1, len(students))) for o in openings}
    capacities = {o: rng.randint(1, 4) for o in openings}
    assert allocate(student_prefs, opening_prefs, capacities) == _oracle(student_prefs, opening_prefs, capacities)


def test_a_textbook_case():
    student_prefs = {"ann": ["lab", "clinic"], "bo": ["lab"], "cy": ["clinic", "lab"]}
    opening_prefs = {"lab": ["cy", "ann", "bo"], "clinic": ["ann", "cy"]}
    assert allocate(student_prefs, opening_prefs, {"lab": 1, "clinic": 1}) == {"ann": "lab", "cy": "clinic"}


def test_the_result_does_not_depend_on_the_order_of_the_mappings():
    rng = random.Random(7)
    students = [f"s{i}" for i in range(40)]
    openings = [f"o{j}" for j in range(8)]
    student_prefs = {s: rng.sample(openings, 4) for s in students}
    opening_prefs = {o: rng.sample(students, 30) for o in openings}
    capacities = {o: 3 for o in openings}
    reordered = dict(reversed(list(student_prefs.items())))
    assert allocate(student_prefs, opening_prefs, capacities) == allocate(reordered, opening_prefs, capacities)


def test_unlisted_openings_zero_capacity_and_empty_inputs():
    assert allocate({}, {}, {}) == {}
    assert allocate({"s": ["o"]}, {"o": ["s"]}, {"o": 0}) == {}
    assert allocate({"s": ["o"]}, {"o": ["s"]}, {}) == {}
    assert allocate({"s": ["o", "p"]}, {"p": ["s"]}, {"o": 1, "p": 1}) == {"s": "p"}
    assert allocate({"s": ["o"]}, {"o": ["t"]}, {"o": 1}) == {}


@pytest.mark.parametrize("student_prefs, opening_prefs, capacities", [
    ({"s": ["o", "o"]}, {"o": ["s"]}, {"o": 1}),
    ({"s": ["o"]}, {"o": ["s", "s"]}, {"o": 1}),
    ({"s": ["o"]}, {"o": ["s"]}, {"o": -1}),
    ({"s": ["o"]}, {"o": ["s"]}, {"o": 1.5}),
    ({"s": "o"}, {"o": ["s"]}, {"o": 1}),
])
def test_bad_input_raises_a_clear_value_error(student_prefs, opening_prefs, capacities):
    with pytest.raises(ValueError):
        allocate(student_prefs, opening_prefs, capacities)
