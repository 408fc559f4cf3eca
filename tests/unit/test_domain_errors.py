"""Services report every field error of a call at once; one problem keeps its own kind (and status)."""
from __future__ import annotations

import pytest

from marketplace.services.errors import Conflict, DomainError, NotFound, Reasons, ValidationFailed


def _taken(name: str) -> str:
    raise Conflict("This name is taken.", field="name")


def test_several_problems_are_raised_together_in_the_order_found():
    problems = Reasons()
    problems.add("title", "Enter a title.")
    assert problems.collect(_taken, "x") is None
    problems.add("skills-2-level", "Choose a level from 1 to 5.")
    with pytest.raises(ValidationFailed) as raised:
        problems.raise_if_any()
    assert raised.value.field_messages() == [
        ("title", "Enter a title."), ("name", "This name is taken."), ("skills-2-level", "Choose a level from 1 to 5."),
    ]
    assert raised.value.status == 400 and isinstance(raised.value, DomainError)


def test_a_single_problem_keeps_its_kind_so_a_conflict_stays_a_409():
    problems = Reasons()
    problems.collect(_taken, "x")
    with pytest.raises(Conflict) as raised:
        problems.raise_if_any()
    assert raised.value.status == 409


def test_no_problem_raises_nothing_and_collect_returns_the_value():
    problems = Reasons()
    assert problems.collect(str.upper, "ok") == "OK"
    assert not problems
    problems.raise_if_any()


def test_not_found_is_not_a_field_problem_and_passes_through():
    def missing():
        raise NotFound("No such company.")

    with pytest.raises(NotFound):
        Reasons().collect(missing)


def test_choice_notes_a_bad_enum_value_beside_its_field():
    import enum

    class Colour(enum.Enum):
        RED = "red"

    problems = Reasons()
    assert problems.choice(Colour, "red", "colour", "Choose a colour.") is Colour.RED
    assert problems.choice(Colour, "blue", "colour", "Choose a colour.") is None
    assert [e.field_messages() for e in problems.errors] == [[("colour", "Choose a colour.")]]
