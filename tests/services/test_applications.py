"""Applications: eligibility reasons, applying with consent, one per student, the workflow, ranking."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Notification,
    OpeningStatus,
    Placement,
    PlacementStatus,
)
from marketplace.services import applications, ranking
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.services.openings import SkillRequirement as Req
from tests.factories import make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_applications import give_skills, make_application, make_skilled_student, move
from tests.factories_companies import make_company, make_opening, manager_of, past

S = ApplicationStatus


def _kinds(user) -> list[str]:
    return list(db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)))


def test_student_applies_with_consent_and_the_match_is_kept(app):
    opening = make_opening(skills=[Req("Python", "must", 3), Req("DICOM", "must", 2), Req("딥러닝", "nice", 1)])
    student = make_skilled_student([("Python", 4), ("Deep learning", 3)])
    application = applications.apply(student, opening, "  I love imaging.  ", True)
    db.session.commit()
    assert application.status == S.SUBMITTED and application.statement == "I love imaging."
    assert application.consent_at is not None and opening.company.name in application.consent_text
    assert 0 < application.match_score < 100 and application.match_has_all_musts is False
    kinds = {d["requirement"]: d["kind"] for d in application.match_details}
    assert kinds == {"Python": "exact", "DICOM": "missing", "딥러닝": "exact"}
    assert set(application.match_details[0]) == {"requirement", "importance", "min_level", "matched", "canonical",
                                                 "similarity", "level", "kind"}
    assert "new_applicant" in _kinds(manager_of(opening.company))
    events = [e.action for e in applications.timeline(application.id)]
    assert events == ["submitted"]


def test_consent_and_statement_are_required(app):
    opening, student = make_opening(), make_skilled_student()
    with pytest.raises(DomainError) as error:
        applications.apply(student, opening, "Hello", False)
    assert error.value.field == "consent"
    with pytest.raises(DomainError) as error:
        applications.apply(student, opening, "   ", True)
    assert error.value.field == "statement"
    with pytest.raises(DomainError) as error:
        applications.apply(student, opening, "x" * 3001, True)
    assert error.value.field == "statement"
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_second_application_to_the_same_opening_points_to_the_first(app):
    application = make_application()
    with pytest.raises(applications.AlreadyApplied) as error:
        applications.apply(application.student, application.opening, "again", True)
    assert error.value.application_id == application.id


def test_a_race_past_the_check_is_stopped_by_the_unique_constraint(app, monkeypatch):
    application = make_application()
    student_id, opening_id = application.student_id, application.opening_id
    real = applications.existing_application
    calls = []

    def blind_first(student, oid):  # the first look (the eligibility check) misses the other request's row
        calls.append(1)
        return None if len(calls) == 1 else real(student, oid)

    monkeypatch.setattr(applications, "existing_application", blind_first)
    with pytest.raises(applications.AlreadyApplied) as error:
        applications.apply(application.student, application.opening, "race", True)
    assert error.value.application_id == application.id
    count = db.session.scalar(select(func.count()).select_from(Application)
                              .where(Application.student_id == student_id, Application.opening_id == opening_id))
    assert count == 1


def test_ineligible_students_get_every_reason(app):
    snu = make_group("SNU")
    company = make_company(groups=[make_group("PNU"), snu])
    opening = make_opening(company, group_ids=[make_group("PNU").id], degree_levels=["phd"])
    student = make_skilled_student(group=snu, degree_level="bachelor")
    reasons = applications.eligibility(student, opening).reasons
    assert any("project group" in r for r in reasons) and any("degree level" in r for r in reasons)
    with pytest.raises(applications.NotEligible) as error:
        applications.apply(student, opening, "Please", True)
    assert len(error.value.reasons) == 2


def test_closed_opening_and_passed_deadline_are_reasons(app):
    closed = make_opening(status=OpeningStatus.CLOSED)
    student = make_skilled_student()
    assert any("closed" in r for r in applications.eligibility(student, closed).reasons)
    opening = make_opening()
    reasons = applications.eligibility(student, opening, today=opening.deadline + timedelta(days=1)).reasons
    assert any("deadline" in r for r in reasons)


def test_full_opening_is_a_reason(app):
    opening = make_opening(seats=1)
    first = make_application(opening=opening)
    db.session.add(Placement(application_id=first.id, opening_id=opening.id, student_id=first.student_id,
                             status=PlacementStatus.APPROVED, start_date=opening.start_date,
                             end_date=opening.end_date))
    db.session.commit()
    reasons = applications.eligibility(make_skilled_student(), opening).reasons
    assert any("seats" in r for r in reasons)


def test_non_students_cannot_apply(app):
    opening = make_opening()
    reasons = applications.eligibility(make_company_manager(), opening).reasons
    assert any("Only students" in r for r in reasons)


# -- workflow --------------------------------------------------------------------------------------------------


def test_full_pipeline_to_a_placement_request(app):
    application = make_application()
    opening, student = application.opening, application.student
    manager = manager_of(opening.company)
    reviewer = make_exchange_manager(make_group("PNU"))
    move(manager, application, "shortlist", "offer")
    placement = applications.accept_offer(student, application)
    db.session.commit()
    assert application.status == S.ACCEPTED
    assert placement.status == PlacementStatus.PENDING
    assert (placement.start_date, placement.end_date) == (opening.start_date, opening.end_date)
    timeline = applications.timeline(application.id)
    assert [(e.from_state, e.to_state) for e in timeline] == [
        (None, "submitted"), ("submitted", "shortlisted"), ("shortlisted", "offered"), ("offered", "accepted")]
    assert timeline[1].actor_id == manager.id and timeline[3].actor_id == student.id
    assert {"application_shortlisted", "offer_made"} <= set(_kinds(student))
    assert "placement_requested" in _kinds(reviewer)
    assert "offer_accepted" in _kinds(manager)


@pytest.mark.parametrize("steps, illegal", [
    ((), "offer"), ((), "accept"), ((), "decline"), (("shortlist",), "shortlist"), (("shortlist",), "accept"),
    (("reject",), "shortlist"), (("reject",), "withdraw"), (("shortlist", "offer"), "reject"),
])
def test_illegal_moves_are_refused_with_a_conflict(app, steps, illegal):
    application = make_application()
    manager, student = manager_of(application.opening.company), application.student
    for step in steps:
        move(manager, application, step)
    actor = student if illegal in ("accept", "decline", "withdraw") else manager
    before = application.status
    with pytest.raises(Conflict):
        applications.TRANSITIONS[illegal](actor, application)
    db.session.rollback()
    assert db.session.get(Application, application.id).status == before


def test_withdraw_is_possible_until_an_offer_is_accepted(app):
    for steps in [(), ("shortlist",), ("shortlist", "offer")]:
        application = make_application()
        move(manager_of(application.opening.company), application, *steps)
        applications.withdraw(application.student, application)
        db.session.commit()
        assert application.status == S.WITHDRAWN
        assert "application_withdrawn" in _kinds(manager_of(application.opening.company))
    application = make_application()
    move(manager_of(application.opening.company), application, "shortlist", "offer")
    move(application.student, application, "accept")
    with pytest.raises(Conflict):
        applications.withdraw(application.student, application)


def test_reject_keeps_the_optional_message_and_tells_the_student(app):
    application = make_application()
    applications.reject(manager_of(application.opening.company), application, "We chose a PhD student.")
    db.session.commit()
    assert application.company_message == "We chose a PhD student."
    note = db.session.scalar(select(Notification).where(Notification.user_id == application.student_id,
                                                        Notification.kind == "application_rejected"))
    assert note.params["note"] == "We chose a PhD student."


def test_only_the_right_side_moves_an_application(app):
    application = make_application()
    other_manager = manager_of(make_company())
    other_student = make_skilled_student()
    with pytest.raises(NotFound):
        applications.shortlist(other_manager, application)
    with pytest.raises(NotFound):
        applications.shortlist(application.student, application)
    with pytest.raises(NotFound):
        applications.withdraw(other_student, application)
    with pytest.raises(NotFound):
        applications.withdraw(manager_of(application.opening.company), application)


def test_declining_an_offer_tells_the_company(app):
    application = make_application()
    manager = manager_of(application.opening.company)
    move(manager, application, "shortlist", "offer")
    move(application.student, application, "decline")
    assert application.status == S.DECLINED and "offer_declined" in _kinds(manager)


# -- scoping ----------------------------------------------------------------------------------------------------


def test_company_manager_sees_only_their_companys_applications(app):
    application = make_application()
    other = manager_of(make_company())
    with pytest.raises(NotFound):
        applications.get_company_application(other, application.id)
    with pytest.raises(NotFound):
        applications.get_company_application(application.student, application.id)
    assert applications.get_company_application(manager_of(application.opening.company), application.id) is not None


def test_student_sees_only_their_own_applications(app):
    application = make_application()
    with pytest.raises(NotFound):
        applications.get_student_application(make_skilled_student(), application.id)
    with pytest.raises(NotFound):
        applications.get_student_application(make_student(), 999999)


def test_status_counts_per_opening(app):
    opening = make_opening()
    first, second = make_application(opening=opening), make_application(opening=opening)
    move(manager_of(opening.company), second, "shortlist")
    counts = applications.status_counts_by_opening(opening.company)
    assert counts == {opening.id: {S.SUBMITTED: 1, S.SHORTLISTED: 1}}
    assert first.id != second.id


# -- ranking and recommendations -----------------------------------------------------------------------------


def test_applicants_are_ranked_by_current_skills_with_filters(app):
    snu = make_group("SNU")
    pnu = make_group("PNU")
    company = make_company(groups=[pnu, snu])
    opening = make_opening(company, skills=[Req("Python", "must", 3), Req("PyTorch", "should", 3)],
                           group_ids=[pnu.id, snu.id])
    strong = make_application(make_skilled_student([("Python", 5), ("PyTorch", 5)]), opening)
    weak = make_application(make_skilled_student([("Excel", 2)], group=snu, degree_level="phd"), opening)
    middle = make_application(make_skilled_student([("python", 3)]), opening)
    manager = manager_of(company)
    page = applications.ranked_applicants(manager, opening, applications.ApplicantFilters())
    assert [r.application.id for r in page.items] == [strong.id, middle.id, weak.id]
    assert page.items[0].rank == 1 and page.total == 3
    musts = applications.ranked_applicants(manager, opening, applications.ApplicantFilters(musts=True))
    assert [r.application.id for r in musts.items] == [strong.id, middle.id]
    by_group = applications.ranked_applicants(manager, opening, applications.parse_applicant_filters(
        {"group": "snu", "degree": "phd"}))
    assert [r.application.id for r in by_group.items] == [weak.id]
    move(manager, middle, "shortlist")
    shortlisted = applications.ranked_applicants(manager, opening, applications.parse_applicant_filters(
        {"status": "shortlisted", "degree": "nonsense"}))
    assert [r.application.id for r in shortlisted.items] == [middle.id]
    with pytest.raises(NotFound):
        applications.ranked_applicants(manager_of(make_company()), opening, applications.ApplicantFilters())


ORDER_QUERY = "student_profile.updated_at, application.status"


def test_ranked_applicants_follow_every_change_at_once_and_each_page_matches_the_whole_ranking(app, count_queries):
    from marketplace.models import VerificationStatus

    company = make_company(groups=[make_group("PNU")])
    opening = make_opening(company, skills=[Req("Python", "must", 3), Req("PyTorch", "should", 3)])
    a = make_application(make_skilled_student([("Python", 5), ("PyTorch", 5)]), opening)
    b = make_application(make_skilled_student([("Python", 3)]), opening)
    c = make_application(make_skilled_student([("Excel", 2)]), opening)
    manager, everyone = manager_of(company), applications.ApplicantFilters()

    def ranked(**kwargs):
        return applications.ranked_applicants(manager, opening, everyone, **kwargs)

    with count_queries() as statements:
        assert [r.application.id for r in ranked().items] == [a.id, b.id, c.id]
    assert any(ORDER_QUERY in s for s in statements)  # computed: every applicant of the opening read
    whole = ranked().items
    for number, expected in enumerate(whole, start=1):  # one per page: read from the cached order
        with count_queries() as statements:
            page = ranked(page=number, per_page=1)
        (item,) = page.items
        assert (item.rank, item.application.id, item.match.score, item.details) == (
            expected.rank, expected.application.id, expected.match.score, expected.details)
        assert page.total == 3 and not any(ORDER_QUERY in s for s in statements)

    give_skills(c.student, [("Python", 4), ("PyTorch", 4)])  # a profile change re-ranks at once
    assert [r.application.id for r in ranked().items] == [a.id, c.id, b.id]
    d = make_application(make_skilled_student([("PyTorch", 3)]), opening)  # a new applicant at once
    assert [r.application.id for r in ranked().items] == [a.id, c.id, b.id, d.id]
    b.status = ApplicationStatus.WITHDRAWN  # listed last, unranked, without the profile
    db.session.commit()
    items = ranked().items
    assert [(r.application.id, r.match is None) for r in items] == [(a.id, False), (c.id, False), (d.id, False),
                                                                    (b.id, True)]
    a.student.student_profile.verification_status = VerificationStatus.UNVERIFIED  # no longer shown
    db.session.commit()
    assert [r.application.id for r in ranked().items] == [c.id, d.id, b.id]
    opening.skills[0].name = "DICOM"  # the opening's must-have changes: nobody has it now
    db.session.commit()
    assert [r.application.id for r in ranked().items if r.match is not None and r.match.has_all_musts] == []


def test_recommendations_list_only_eligible_openings_best_first(app):
    snu = make_group("SNU")
    pnu = make_group("PNU")
    company = make_company(groups=[pnu, snu])
    good = make_opening(company, title="Good", skills=[Req("Python", "must", 3)], degree_levels=[])
    fair = make_opening(company, title="Fair", skills=[Req("Python", "must", 3), Req("DICOM", "must", 3)])
    make_opening(company, title="Other group", group_ids=[snu.id])
    make_opening(company, title="PhD only", degree_levels=["phd"])
    make_opening(company, title="Draft", status=OpeningStatus.DRAFT)
    make_opening(company, title="Closed", status=OpeningStatus.CLOSED)
    late = make_opening(company, title="Late")
    late.deadline = past(1)
    db.session.commit()
    student = make_skilled_student([("Python", 4)])
    page, _ = applications.recommendations(student)
    assert [r.opening.title for r in page.items] == ["Good", "Fair"]
    assert page.items[0].match.score == 100
    assert any(d["kind"] == "missing" for d in page.items[1].details)
    make_application(student, good)
    page, _ = applications.recommendations(student)
    assert page.items[0].applied is True
    with pytest.raises(NotFound):
        applications.recommendations(make_company_manager())
    assert fair.id


def test_recommendations_follow_every_change_at_once_and_each_page_matches_the_whole_ranking(app, count_queries):
    from marketplace.models import Major

    company = make_company(groups=[make_group("PNU")])
    make_opening(company, title="Python", skills=[Req("Python", "must", 3)])
    r_opening = make_opening(company, title="R", skills=[Req("R", "must", 3), Req("Python", "nice", 1)])
    imaging = make_opening(company, title="Imaging", skills=[Req("DICOM", "must", 2)])
    student = make_skilled_student([("Python", 4)])

    def titles(**kwargs):
        return [r.opening.title for r in applications.recommendations(student, **kwargs)[0].items]

    with count_queries() as statements:
        assert titles() == ["Python", "R", "Imaging"]
    assert any("opening.updated_at, opening.majors" in s for s in statements)  # computed: the eligible openings
    whole = applications.recommendations(student)[0].items
    for number, expected in enumerate(whole, start=1):  # one per page: read from the cached ranking
        with count_queries() as statements:
            page, _ = applications.recommendations(student, page=number, per_page=1)
        (item,) = page.items
        assert (item.opening.id, item.match.score, item.details) == (expected.opening.id, expected.match.score,
                                                                     expected.details)
        assert page.total == 3 and not any("opening.updated_at, opening.majors" in s for s in statements)

    give_skills(student, [("Python", 4), ("R", 5)])  # the profile is in the key
    assert titles()[0] == "R"
    imaging.deadline = past(1)  # an opening changes: the matching stamp is rewritten on commit
    db.session.commit()
    assert "Imaging" not in titles()
    r_opening.majors = "Statistics"
    db.session.commit()
    assert "R" not in titles()
    # The student studies 통계학: once their group's catalogue says that is Statistics, the opening is theirs.
    profile = student.student_profile
    profile.major = "통계학"
    db.session.commit()
    assert "R" not in titles()
    db.session.add(Major(group_id=profile.group_id, name_en="Statistics", name_ko="통계학"))
    db.session.commit()
    assert "R" in titles()


def test_accepting_when_no_seat_is_left_is_refused(app):
    opening = make_opening(seats=1)
    application = make_application(opening=opening)
    manager = manager_of(opening.company)
    move(manager, application, "shortlist", "offer")
    other = make_application(opening=opening)
    db.session.add(Placement(application_id=other.id, opening_id=opening.id, student_id=other.student_id,
                             status=PlacementStatus.APPROVED, start_date=opening.start_date, end_date=opening.end_date))
    db.session.commit()
    with pytest.raises(Conflict):
        applications.accept_offer(application.student, application)


def test_every_move_is_audited(app):
    application = make_application()
    move(manager_of(application.opening.company), application, "shortlist")
    count = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "application", AuditEvent.entity_id == application.id))
    assert count == 2
    assert today_in_seoul()


def test_demo_seed_gives_the_demo_student_skills_and_applications_once(app):
    from marketplace.seeding import seed_demo, seed_groups
    from marketplace.services import accounts, students

    seed_groups()
    seed_demo()
    db.session.commit()
    student = accounts.find_user_by_email("student@demo.medai-exchange.kr")
    assert len(students.get_profile(student).skills) >= 5
    first = db.session.scalar(select(func.count()).select_from(Application).where(Application.student_id == student.id))
    assert first == 2
    seed_groups()
    seed_demo()
    db.session.commit()
    again = db.session.scalar(select(func.count()).select_from(Application).where(Application.student_id == student.id))
    assert again == 2


def test_ranking_follows_profile_edits_and_both_loading_paths_agree(app, monkeypatch):
    from tests.factories_applications import give_skills

    opening = make_opening(skills=[Req("Python", "must", 3), Req("DICOM", "should", 3)])
    first = make_application(make_skilled_student([("Python", 5), ("DICOM", 5)]), opening)
    second = make_application(make_skilled_student([("Excel", 3)]), opening)
    manager = manager_of(opening.company)

    def order() -> list[int]:
        return [r.application.id for r in applications.ranked_applicants(
            manager, opening, applications.ApplicantFilters()).items]

    assert order() == [first.id, second.id]
    give_skills(second.student, [("Python", 5), ("DICOM", 5), ("Docker", 1)])
    give_skills(first.student, [("Excel", 1)])
    assert order() == [second.id, first.id]  # cached skills of an edited profile are not reused
    monkeypatch.setattr(ranking._Versioned, "SCAN_ALL_ABOVE", 0)
    ranking._profile_skills.table.clear()
    ranking._opening_requirements.table.clear()
    assert order() == [second.id, first.id]
    page, _ = applications.recommendations(second.student)
    assert [r.opening.id for r in page.items] == [opening.id] and page.items[0].match.score == 100
