"""Mentor professors: invitations, loads never exceeded on any path, the one-step confirmation conditional on what
the page showed, consultation notes and the academic grade, and the reads other features use."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    MentorAssignment,
    MentorProfile,
    Notification,
    OutboxEmail,
    PlacementStatus,
    Role,
)
from marketplace.services import invitations, mentoring
from marketplace.services.errors import Conflict, DomainError, NotFound
from tests.factories import make_exchange_manager, make_group, make_mentor, make_student
from tests.factories_mentoring import approved_placement, mentor_world


def _confirm(actor, pairs, allocation=None):
    shown = allocation.loads if allocation else mentoring.current_loads(pairs.values())
    return mentoring.confirm_allocation(actor, pairs, shown)


def test_an_invited_mentor_waits_for_their_own_password_and_gets_the_link(app):
    group = make_group("PNU")
    manager = make_exchange_manager(group)
    user = mentoring.invite_mentor(manager, mentoring.MentorData(
        email="Prof.Kim@Pusan.ac.kr", display_name="김교수", group_id=group.id, department="Biomedical Engineering",
        majors="Computer Science", fields="딥러닝, PyTorch", max_load=2))
    db.session.commit()
    assert user.role == Role.MENTOR and user.email == "prof.kim@pusan.ac.kr"
    assert invitations.awaiting_first_password(user)
    profile = mentoring.profile_of(user)
    assert profile.group_id == group.id and profile.field_list == ["딥러닝", "PyTorch"] and profile.max_load == 2
    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == user.email)).one()
    assert "/auth/invitation/" in mail.body


def test_a_manager_cannot_invite_a_mentor_into_another_group_and_every_bad_field_is_named(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    manager = make_exchange_manager(pnu)
    make_mentor(pnu, email="taken@pusan.ac.kr")
    with pytest.raises(DomainError) as caught:
        mentoring.invite_mentor(manager, mentoring.MentorData(
            email="taken@pusan.ac.kr", display_name="", group_id=snu.id, min_load=3, max_load=2))
    fields = {field for field, _ in caught.value.field_messages()}
    assert fields == {"email", "display_name", "group_id", "min_load"}
    with pytest.raises(NotFound):
        mentoring.invite_mentor(make_student(group=pnu), mentoring.MentorData(email="x@pusan.ac.kr"))


def test_the_proposal_respects_loads_and_confirming_it_assigns_everyone_and_notifies(app):
    world = mentor_world(students=5, mentors=2)
    allocation = mentoring.propose_allocation(world.manager, *mentoring.default_term())
    assert set(allocation.proposal) == {p.id for p in world.placements}
    assert all(allocation.proposal.values())
    assert max(allocation.proposed_loads().values()) <= 3
    made = _confirm(world.manager, allocation.proposal, allocation)
    db.session.commit()
    assert len(made) == 5
    assert mentoring.mentors_for(p.id for p in world.placements).keys() == {p.id for p in world.placements}
    kinds = db.session.scalars(select(Notification.kind)).all()
    assert kinds.count("mentor_assigned") == 5 and kinds.count("mentor_assigned_student") == 5
    events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.action == "mentor_assigned"))
    assert events == 5


def test_students_of_one_company_are_kept_together_beyond_each_mentors_minimum(app):
    world = mentor_world(students=4, mentors=2)
    allocation = mentoring.propose_allocation(world.manager, *mentoring.default_term())
    loads = sorted(Counter(allocation.proposal.values()).values())
    assert loads == [1, 3]  # both mentors get their minimum of one; the rest stay together
    assert sorted(r.company_peers for r in allocation.reasons.values()) == [0, 2, 2, 2]
    assert all(r.skills for r in allocation.reasons.values())


def test_a_mentor_over_their_load_is_refused_beside_the_student_and_nothing_is_saved(app):
    world = mentor_world(students=3, mentors=2, max_load=2)
    mentor = world.mentors[0]
    pairs = {p.id: mentor.id for p in world.placements}
    with pytest.raises(DomainError) as caught:
        _confirm(world.manager, pairs)
    assert [field for field, _ in caught.value.field_messages()] == [f"mentor_{world.placements[2].id}"]
    assert "at most 2" in caught.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MentorAssignment)) == 0


def test_the_single_assignment_path_refuses_a_full_mentor_too(app):
    world = mentor_world(students=2, mentors=1, max_load=1)
    mentor = world.mentors[0]
    mentoring.assign_mentor(world.manager, world.placements[0].id, mentor.id, None)
    db.session.commit()
    with pytest.raises(DomainError, match="at most 1"):
        mentoring.assign_mentor(world.manager, world.placements[1].id, mentor.id, None)


def test_a_confirmation_from_a_stale_page_is_refused_whole(app):
    world = mentor_world(students=3, mentors=2)
    allocation = mentoring.propose_allocation(world.manager, *mentoring.default_term())
    first = world.placements[0]
    other = next(m.id for m in world.mentors if m.id != allocation.proposal[first.id])
    mentoring.assign_mentor(world.manager, first.id, other, None)  # meanwhile, in another tab
    db.session.commit()
    with pytest.raises(Conflict, match="got a mentor meanwhile"):
        _confirm(world.manager, allocation.proposal, allocation)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MentorAssignment)) == 1
    # A mentor whose load changed since the page was shown: refused too.
    rest = {pid: other for pid in allocation.proposal if pid != first.id}
    with pytest.raises(Conflict, match="changed meanwhile"):
        mentoring.confirm_allocation(world.manager, rest, allocation.loads)


def test_another_groups_placement_or_mentor_is_not_found(app):
    world = mentor_world(students=1, mentors=1)
    snu = make_group("SNU")
    foreign_mentor = make_mentor(snu)
    foreign_placement = approved_placement(snu)
    with pytest.raises(NotFound):
        _confirm(world.manager, {world.placements[0].id: foreign_mentor.id})
    with pytest.raises(NotFound):
        _confirm(world.manager, {foreign_placement.id: world.mentors[0].id})
    with pytest.raises(NotFound):
        mentoring.get_profile_for_manager(world.manager, foreign_mentor.id)


def test_reassigning_is_conditional_on_the_mentor_shown_and_audited(app):
    world = mentor_world(students=1, mentors=2)
    placement = world.placements[0]
    first, second = world.mentors
    mentoring.assign_mentor(world.manager, placement.id, first.id, None)
    db.session.commit()
    with pytest.raises(Conflict):
        mentoring.assign_mentor(world.manager, placement.id, second.id, None)
    db.session.rollback()
    mentoring.assign_mentor(world.manager, placement.id, second.id, first.id)
    db.session.commit()
    assert mentoring.mentors_for([placement.id])[placement.id].id == second.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mentor_reassigned")).one()
    assert (event.from_state, event.to_state) == (str(first.id), str(second.id))


def test_contract_reads_is_mentor_of_mentors_for_grades_for(app):
    world = mentor_world(students=2, mentors=1)
    placement, other = world.placements
    mentor = world.mentors[0]
    mentoring.assign_mentor(world.manager, placement.id, mentor.id, None)
    db.session.commit()
    assert mentoring.is_mentor_of(mentor, placement.id)
    assert not mentoring.is_mentor_of(mentor, other.id)
    assert not mentoring.is_mentor_of(world.manager, placement.id)
    assert not mentoring.is_mentor_of(None, placement.id)
    assert mentoring.grades_for([placement.id, other.id]) == {placement.id: None}
    assignment = mentoring.assignments_for([placement.id])[placement.id]
    mentoring.set_grade(mentor, placement.id, assignment.version, "a+", "Thorough work.")
    db.session.commit()
    assert mentoring.grades_for([placement.id]) == {placement.id: "A+"}


def test_grades_outside_the_list_are_refused_and_closed_practices_keep_theirs(app):
    world = mentor_world(students=1, mentors=1)
    placement, mentor = world.placements[0], world.mentors[0]
    mentoring.assign_mentor(world.manager, placement.id, mentor.id, None)
    db.session.commit()
    version = mentoring.assignments_for([placement.id])[placement.id].version
    with pytest.raises(DomainError) as caught:
        mentoring.set_grade(mentor, placement.id, version, "A", "x" * 3000)
    assert {f for f, _ in caught.value.field_messages()} == {"grade", "grade_comment"}
    mentoring.set_grade(mentor, placement.id, version, "P", "")
    db.session.commit()
    with pytest.raises(Conflict):  # a form showing the old version
        mentoring.set_grade(mentor, placement.id, version, "NP", "")
    db.session.rollback()
    placement.status = PlacementStatus.COMPLETED
    db.session.commit()
    with pytest.raises(Conflict, match="can no longer be changed"):
        mentoring.set_grade(mentor, placement.id, version + 1, "NP", "")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "mentor_graded")).one()
    assert (event.from_state, event.to_state) == (None, "P")


def test_consultation_notes_are_dated_within_the_practice_and_not_in_the_future(app):
    world = mentor_world(students=1, mentors=2)
    placement, mentor = world.placements[0], world.mentors[0]
    mentoring.assign_mentor(world.manager, placement.id, mentor.id, None)
    db.session.commit()
    today = today_in_seoul()
    with pytest.raises(DomainError) as caught:
        mentoring.add_note(mentor, placement.id, mentoring.NoteData(today + timedelta(days=1), "zoom", " "))
    assert {f for f, _ in caught.value.field_messages()} == {"held_on", "mode", "summary"}
    with pytest.raises(DomainError, match="within the practice"):
        mentoring.add_note(mentor, placement.id, mentoring.NoteData(placement.start_date - timedelta(days=1),
                                                                    "video", "Before it began"))
    note = mentoring.add_note(mentor, placement.id, mentoring.NoteData(today, "in_person", "Talked about the CT work."))
    db.session.commit()
    with pytest.raises(NotFound):  # only its author edits it
        mentoring.edit_note(world.mentors[1], note.id, note.version, mentoring.NoteData(today, "phone", "x"))
    with pytest.raises(NotFound):  # another mentor adds no note to a student who is not theirs
        mentoring.add_note(world.mentors[1], placement.id, mentoring.NoteData(today, "phone", "x"))
    mentoring.edit_note(mentor, note.id, note.version, mentoring.NoteData(today, "phone", "Called instead."))
    db.session.commit()
    assert mentoring.notes_for([placement.id])[placement.id][0].summary == "Called instead."
    file = mentoring.student_file(world.manager, placement.id)
    assert file.role == "manager" and len(file.notes) == 1


def test_a_maximum_below_the_current_students_is_refused(app):
    world = mentor_world(students=2, mentors=1)
    mentor = world.mentors[0]
    for placement in world.placements:
        mentoring.assign_mentor(world.manager, placement.id, mentor.id, None)
    db.session.commit()
    profile = mentoring.profile_of(mentor)
    version = profile.version
    data = mentoring.MentorData(group_id=world.group.id, department="BME", max_load=1)
    with pytest.raises(DomainError, match="has 2 students now") as caught:
        mentoring.update_profile(world.manager, mentor.id, version, data)
    assert caught.value.field == "max_load"
    data.max_load = 2
    saved = mentoring.update_profile(world.manager, mentor.id, version, data)
    db.session.commit()
    assert saved.max_load == 2
    assert db.session.get(MentorProfile, profile.id).version == version + 1
    with pytest.raises(Conflict):  # the same form again: stale
        mentoring.update_profile(world.manager, mentor.id, version, data)
