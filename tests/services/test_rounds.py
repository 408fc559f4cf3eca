"""Matching rounds: set-up rules, preference orders, the stable run and its explanations, re-runs, approval."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    ApplicationStatus,
    AuditEvent,
    Notification,
    OpeningStatus,
    Placement,
    PlacementStatus,
    ProposalStatus,
    RoundStatus,
)
from marketplace.services import rounds
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.clock import today_in_seoul
from marketplace.services.seats import seats_taken
from tests.factories import make_admin, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_rounds import RoundSetup, after_ranking, make_application, make_round, take_seat


def outcomes(proposal) -> list[tuple[str, str]]:
    return [(entry["opening_title"], entry["outcome"]) for entry in proposal.explanation]


def by_student(matching_round):
    return {p.student_id: p for p in rounds.proposals_of(matching_round)}


def run(setup: RoundSetup):
    rounds.run_round(setup.manager, setup.round, today=after_ranking(setup.round))
    db.session.commit()
    return by_student(setup.round)


# -- creating a round ----------------------------------------------------------------------------------------


def test_round_with_no_openings_is_refused_beside_the_openings_field(app):
    group = make_group("PNU")
    manager = make_exchange_manager(group)
    today = today_in_seoul()
    with pytest.raises(DomainError) as error:
        rounds.create_round(manager, rounds.RoundData("Summer", group.id, today, today + timedelta(days=3), []))
    assert error.value.field == "opening_ids"
    assert "at least one" in error.value.message


def test_round_refuses_unpublished_foreign_group_and_busy_openings(app):
    group, other = make_group("PNU"), make_group("SNU")
    manager = make_exchange_manager(group)
    company = make_company(groups=[group], reviewer=manager)
    today = today_in_seoul()
    data = lambda ids: rounds.RoundData("Summer", group.id, today, today + timedelta(days=3), ids)  # noqa: E731

    draft = make_opening(company, status=OpeningStatus.DRAFT)
    with pytest.raises(DomainError, match="not published") as error:
        rounds.create_round(manager, data([draft.id]))
    assert error.value.field == "opening_ids"

    snu_company = make_company(groups=[other])
    snu_opening = make_opening(snu_company)
    with pytest.raises(DomainError, match="not open to students of PNU"):
        rounds.create_round(manager, data([snu_opening.id]))

    opening = make_opening(company, reviewer=manager)
    make_round(manager, [opening], group)
    with pytest.raises(DomainError, match="already in another round"):
        rounds.create_round(manager, data([opening.id]))


def test_round_dates_and_group_are_checked(app):
    group, other = make_group("PNU"), make_group("SNU")
    manager = make_exchange_manager(group)
    opening = make_opening(make_company(groups=[group], reviewer=manager), reviewer=manager)
    today = today_in_seoul()
    with pytest.raises(DomainError) as error:
        rounds.create_round(manager, rounds.RoundData("R", group.id, today + timedelta(days=5), today, [opening.id]))
    assert error.value.field == "ranking_deadline"
    with pytest.raises(DomainError) as error:
        rounds.create_round(manager, rounds.RoundData("R", other.id, today, today, [opening.id]))
    assert error.value.field == "group_id"
    with pytest.raises(DomainError) as error:
        rounds.create_round(manager, rounds.RoundData("  ", group.id, today, today, [opening.id]))
    assert error.value.field == "name"


def test_students_and_company_managers_cannot_open_rounds(app):
    group = make_group("PNU")
    with pytest.raises(DomainError):
        rounds.create_round(make_student(group), rounds.RoundData("R", group.id, None, None, []))


def test_participants_are_the_groups_students_who_applied_in_time(app):
    setup = RoundSetup()
    late = make_student(setup.group)
    make_application(late, setup.a, days_ago=0)
    setup.round.application_deadline = today_in_seoul() - timedelta(days=1)
    setup.round.ranking_deadline = today_in_seoul()
    outsider = make_student(make_group("SNU"))
    make_application(outsider, setup.a, days_ago=20)
    withdrawn = make_student(setup.group)
    make_application(withdrawn, setup.a, days_ago=20, status=ApplicationStatus.WITHDRAWN)
    db.session.commit()
    ids = {a.id for a in rounds.participants(setup.round)}
    assert ids == {setup.s1_a.id, setup.s1_b.id, setup.s2_a.id, setup.s2_b.id, setup.s3_b.id}


# -- preference orders -------------------------------------------------------------------------------------------


def test_student_order_defaults_to_application_time_and_can_be_changed(app):
    setup = RoundSetup()
    assert [a.id for a in rounds.student_choices(setup.round, setup.s1)] == [setup.s1_a.id, setup.s1_b.id]
    rounds.set_student_order(setup.s1, setup.round, [setup.s1_b.id])
    db.session.commit()
    assert [a.id for a in rounds.student_choices(setup.round, setup.s1)] == [setup.s1_b.id, setup.s1_a.id]
    rounds.move_student_choice(setup.s1, setup.round, setup.s1_a.id, "up")
    db.session.commit()
    assert [a.id for a in rounds.student_choices(setup.round, setup.s1)] == [setup.s1_a.id, setup.s1_b.id]


def test_student_cannot_rank_an_opening_they_did_not_apply_to(app):
    setup = RoundSetup()
    with pytest.raises(DomainError, match="You did not apply to “Opening A”"):
        rounds.set_student_order(setup.s3, setup.round, [setup.s3_b.id, setup.s1_a.id])
    with pytest.raises(DomainError, match="You did not apply"):
        rounds.move_student_choice(setup.s3, setup.round, setup.s2_a.id, "up")
    with pytest.raises(DomainError, match="You did not apply"):
        rounds.set_student_order(setup.s3, setup.round, [999_999])


def test_duplicates_in_a_preference_list_are_refused_and_nothing_is_lost(app):
    setup = RoundSetup()
    rounds.set_student_order(setup.s1, setup.round, [setup.s1_b.id, setup.s1_a.id])
    db.session.commit()
    with pytest.raises(DomainError, match="only once"):
        rounds.set_student_order(setup.s1, setup.round, [setup.s1_a.id, setup.s1_a.id])
    db.session.rollback()
    assert [a.id for a in rounds.student_choices(setup.round, setup.s1)] == [setup.s1_b.id, setup.s1_a.id]


def test_company_order_is_by_match_score_until_moved_and_not_acceptable_is_kept(app):
    setup = RoundSetup()
    cm = manager_of(setup.other_company)
    order = lambda: [r.application.id for r in rounds.company_applicants(setup.round, setup.b)]  # noqa: E731
    assert order() == [setup.s1_b.id, setup.s3_b.id, setup.s2_b.id]
    rounds.move_applicant(cm, setup.round, setup.b, setup.s2_b.id, "up")
    rounds.set_acceptable(cm, setup.round, setup.b, setup.s3_b.id, False)
    db.session.commit()
    items = rounds.company_applicants(setup.round, setup.b)
    assert [r.application.id for r in items] == [setup.s1_b.id, setup.s2_b.id, setup.s3_b.id]
    assert [r.acceptable for r in items] == [True, True, False]


def test_unranked_ties_are_broken_by_application_time(app):
    setup = RoundSetup()
    early, late = make_student(setup.group), make_student(setup.group)
    late_app = make_application(late, setup.b, 70, days_ago=3)
    early_app = make_application(early, setup.b, 70, days_ago=30)
    ids = [r.application.id for r in rounds.company_applicants(setup.round, setup.b)]
    assert ids.index(early_app.id) < ids.index(setup.s3_b.id) < ids.index(late_app.id)


def test_company_manager_cannot_rank_another_companys_opening(app):
    setup = RoundSetup()
    with pytest.raises(NotFound):
        rounds.move_applicant(manager_of(setup.company), setup.round, setup.b, setup.s1_b.id, "up")
    with pytest.raises(NotFound):
        rounds.set_acceptable(manager_of(setup.company), setup.round, setup.a, setup.s1_b.id, False)


def test_nothing_is_editable_after_the_ranking_deadline(app):
    setup = RoundSetup()
    later = after_ranking(setup.round)
    with pytest.raises(Conflict, match="ranking deadline"):
        rounds.move_student_choice(setup.s1, setup.round, setup.s1_b.id, "up", today=later)
    with pytest.raises(Conflict, match="ranking deadline"):
        rounds.set_acceptable(manager_of(setup.company), setup.round, setup.a, setup.s1_a.id, False, today=later)


# -- running -------------------------------------------------------------------------------------------------------


def test_run_gives_the_student_optimal_stable_matching_with_explanations(app):
    setup = RoundSetup()
    proposals = run(setup)
    assert setup.round.status == RoundStatus.MATCHED
    s1, s2, s3 = proposals[setup.s1.id], proposals[setup.s2.id], proposals[setup.s3.id]
    assert (s1.opening_id, s1.choice_position) == (setup.b.id, 2)
    assert (s2.opening_id, s2.choice_position) == (setup.a.id, 1)
    assert s3.application_id is None and s3.opening_id is None
    assert outcomes(s1) == [("Opening A", "filled_by_higher_ranked"), ("Opening B", "matched")]
    assert outcomes(s2) == [("Opening A", "matched"), ("Opening B", "higher_choice_matched")]
    assert outcomes(s3) == [("Opening B", "filled_by_higher_ranked")]
    assert rounds.figures(setup.round) | {"capacities": None} == {
        "capacities": None, "students": 3, "matched": 2, "unmatched": 1, "filled_seats": 2, "total_seats": 2,
        "first_choice": 1, "unfilled_seats": 0,
    }
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "matching_round", AuditEvent.action == "run")) == 1


def test_student_and_company_orders_change_the_outcome(app):
    setup = RoundSetup()
    rounds.set_student_order(setup.s1, setup.round, [setup.s1_b.id, setup.s1_a.id])
    rounds.set_acceptable(manager_of(setup.other_company), setup.round, setup.b, setup.s1_b.id, False)
    db.session.commit()
    proposals = run(setup)
    assert proposals[setup.s1.id].opening_id is None  # A prefers s2; B does not accept s1
    assert outcomes(proposals[setup.s1.id]) == [("Opening B", "not_acceptable"), ("Opening A", "filled_by_higher_ranked")]
    assert proposals[setup.s3.id].opening_id == setup.b.id


def test_run_refused_before_the_ranking_deadline_passes_and_twice(app):
    setup = RoundSetup()
    with pytest.raises(Conflict, match="after that day"):
        rounds.run_round(setup.manager, setup.round, today=setup.round.ranking_deadline)
    db.session.rollback()
    run(setup)
    with pytest.raises(Conflict, match="already run; exclude a pair to re-run"):
        rounds.run_round(setup.manager, setup.round, today=after_ranking(setup.round))
    db.session.rollback()
    assert len(rounds.proposals_of(setup.round)) == 3


def test_an_opening_with_no_seats_left_matches_nobody_and_says_so(app):
    setup = RoundSetup()
    take_seat(setup.a, setup.group)
    proposals = run(setup)
    assert outcomes(proposals[setup.s2.id])[0] == ("Opening A", "no_seats")
    assert proposals[setup.s1.id].opening_id == setup.b.id
    assert rounds.figures(setup.round)["total_seats"] == 1


def test_only_managers_of_the_rounds_group_run_it(app):
    setup = RoundSetup()
    stranger = make_exchange_manager(make_group("SNU"))
    with pytest.raises(NotFound):
        rounds.run_round(stranger, setup.round, today=after_ranking(setup.round))
    with pytest.raises(NotFound):
        rounds.run_round(setup.s1, setup.round, today=after_ranking(setup.round))
    rounds.run_round(make_admin(), setup.round, today=after_ranking(setup.round))


def test_exclude_a_pair_and_rerun(app):
    setup = RoundSetup()
    run(setup)
    with pytest.raises(DomainError) as error:
        rounds.exclude_pair_and_rerun(setup.manager, setup.round, setup.s2_a.id, "  ")
    assert error.value.field == "reason"
    db.session.rollback()
    rounds.exclude_pair_and_rerun(setup.manager, setup.round, setup.s2_a.id, "Conflict of interest with the PI")
    db.session.commit()
    proposals = by_student(setup.round)
    assert proposals[setup.s1.id].opening_id == setup.a.id
    assert proposals[setup.s3.id].opening_id == setup.b.id
    assert proposals[setup.s2.id].opening_id is None
    assert outcomes(proposals[setup.s2.id]) == [("Opening A", "excluded"), ("Opening B", "filled_by_higher_ranked")]
    assert setup.round.run_count == 2 and setup.round.status == RoundStatus.MATCHED
    with pytest.raises(Conflict, match="already excluded"):
        rounds.exclude_pair_and_rerun(setup.manager, setup.round, setup.s2_a.id, "again")


# -- publishing and approving ------------------------------------------------------------------------------------------


def test_publication_notifies_students_and_companies_once(app):
    setup = RoundSetup()
    run(setup)
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == "round_published")) == 0
    rounds.publish_round(setup.manager, setup.round)
    db.session.commit()
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "round_published")))
    assert told == {setup.s1.id, setup.s2.id, setup.s3.id, manager_of(setup.company).id,
                    manager_of(setup.other_company).id}
    with pytest.raises(Conflict, match="already published"):
        rounds.publish_round(setup.manager, setup.round)


def test_approval_waits_for_publication(app):
    setup = RoundSetup()
    run(setup)
    with pytest.raises(Conflict, match="Publish the round first"):
        rounds.approve_all(setup.manager, setup.round)


def test_approve_one_moves_the_application_and_approves_the_placement(app):
    setup = RoundSetup()
    proposals = run(setup)
    rounds.publish_round(setup.manager, setup.round)
    db.session.commit()
    assert rounds.approve_proposal(setup.manager, proposals[setup.s2.id]) is True
    db.session.commit()
    db.session.refresh(setup.s2_a)
    assert setup.s2_a.status == ApplicationStatus.ACCEPTED
    assert setup.s2_a.placement.status == PlacementStatus.APPROVED
    assert proposals[setup.s2.id].status == ProposalStatus.APPROVED
    with pytest.raises(Conflict, match="already approved"):
        rounds.approve_proposal(setup.manager, proposals[setup.s2.id])
    db.session.rollback()
    with pytest.raises(Conflict, match="not matched"):
        rounds.approve_proposal(setup.manager, proposals[setup.s3.id])


def test_approve_all_with_a_seat_taken_elsewhere_fails_that_one_only(app):
    setup = RoundSetup()
    proposals = run(setup)
    rounds.publish_round(setup.manager, setup.round)
    db.session.commit()
    take_seat(setup.b, setup.group)  # the last seat of B went to someone else after the run

    approved, failed = rounds.approve_all(setup.manager, setup.round)
    db.session.commit()
    assert (approved, failed) == (1, 1)
    proposals = by_student(setup.round)
    assert proposals[setup.s2.id].status == ProposalStatus.APPROVED
    assert proposals[setup.s1.id].status == ProposalStatus.FAILED
    assert "full" in proposals[setup.s1.id].message
    assert seats_taken([setup.a.id, setup.b.id]) == {setup.a.id: 1, setup.b.id: 1}  # nothing over-filled
    db.session.refresh(setup.s1_b)
    assert setup.s1_b.status == ApplicationStatus.SUBMITTED  # the failed approval left nothing half-done
    assert db.session.scalar(select(func.count()).select_from(Placement)
                             .where(Placement.application_id == setup.s1_b.id)) == 0
    assert rounds.approve_all(setup.manager, setup.round) == (0, 0)  # running it again changes nothing


def test_a_withdrawn_application_fails_its_proposal_with_a_clear_message(app):
    setup = RoundSetup()
    proposals = run(setup)
    rounds.publish_round(setup.manager, setup.round)
    setup.s2_a.status = ApplicationStatus.WITHDRAWN
    db.session.commit()
    assert rounds.approve_proposal(setup.manager, proposals[setup.s2.id]) is False
    db.session.commit()
    assert "withdrawn" in by_student(setup.round)[setup.s2.id].message


def test_my_rounds_lists_rounds_for_students_and_company_managers(app):
    setup = RoundSetup()
    outsider = make_student(setup.group)
    assert [r.id for r, _ in rounds.my_rounds(setup.s3)] == [setup.round.id]
    assert [o.id for _, items in rounds.my_rounds(setup.s3) for o in items] == [setup.b.id]
    assert rounds.my_rounds(outsider) == []
    assert [o.id for _, items in rounds.my_rounds(manager_of(setup.company)) for o in items] == [setup.a.id]
    with pytest.raises(NotFound):
        rounds.get_round_for_student(outsider, setup.round.id)
