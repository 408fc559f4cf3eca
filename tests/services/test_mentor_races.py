"""Real threads confirming mentor allocations at the same moment, on SQLite and PostgreSQL: one wins, the other gets
a 409 (Conflict), and no mentor ever holds more students than their maximum."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import MentorAssignment, User
from marketplace.services import mentoring
from tests.concurrency import run_together
from tests.factories import make_exchange_manager
from tests.factories_mentoring import mentor_world


def _confirm_job(app, actor_id: int, pairs: dict[int, int]):
    def job(ready):
        actor = db.session.get(User, actor_id)
        _ = actor.designations
        shown = mentoring.current_loads(pairs.values())  # what each manager's page showed
        ready()
        mentoring.confirm_allocation(actor, pairs, shown)
    return job


def _loads_within_maximum(world, maximum: int) -> None:
    counts = dict(db.session.execute(select(MentorAssignment.mentor_id, func.count())
                                     .group_by(MentorAssignment.mentor_id)).all())
    assert all(count <= maximum for count in counts.values()), counts


def test_two_managers_confirming_the_same_students_at_once_one_wins_the_other_gets_409(app):
    world = mentor_world(students=3, mentors=2)
    second_manager = make_exchange_manager(world.group, admin=world.admin)
    first, other = world.mentors
    pairs_a = {p.id: first.id for p in world.placements}
    pairs_b = {p.id: other.id for p in world.placements}
    results = run_together(app, [_confirm_job(app, world.manager.id, pairs_a),
                                 _confirm_job(app, second_manager.id, pairs_b)])
    assert sorted(outcome for outcome, _message in results) == ["conflict", "ok"], results
    saved = {a.placement_id: a.mentor_id for a in db.session.scalars(select(MentorAssignment))}
    assert saved in (pairs_a, pairs_b)  # one whole allocation, never a mix


def test_two_managers_filling_the_last_places_of_one_mentor_never_exceed_the_maximum(app):
    world = mentor_world(students=4, mentors=1, max_load=2)
    second_manager = make_exchange_manager(world.group, admin=world.admin)
    mentor = world.mentors[0]
    one, two, three, four = (p.id for p in world.placements)
    results = run_together(app, [_confirm_job(app, world.manager.id, {one: mentor.id, two: mentor.id}),
                                 _confirm_job(app, second_manager.id, {three: mentor.id, four: mentor.id})])
    assert sorted(outcome for outcome, _message in results) == ["conflict", "ok"], results
    assert db.session.scalar(select(func.count()).select_from(MentorAssignment)) == 2
    _loads_within_maximum(world, 2)


def test_reassignments_racing_on_one_placement_leave_one_mentor(app):
    world = mentor_world(students=1, mentors=3)
    placement = world.placements[0]
    first, second, third = world.mentors
    mentoring.assign_mentor(world.manager, placement.id, first.id, None)
    db.session.commit()
    second_manager = make_exchange_manager(world.group, admin=world.admin)
    placement_id, first_id = placement.id, first.id  # threads use ids, never this session's objects

    def move_to(actor_id: int, mentor_id: int):
        def job(ready):
            actor = db.session.get(User, actor_id)
            _ = actor.designations
            ready()
            mentoring.assign_mentor(actor, placement_id, mentor_id, first_id)
        return job

    results = run_together(app, [move_to(world.manager.id, second.id), move_to(second_manager.id, third.id)])
    assert sorted(outcome for outcome, _message in results) == ["conflict", "ok"], results
    assert db.session.scalar(select(func.count()).select_from(MentorAssignment)) == 1
