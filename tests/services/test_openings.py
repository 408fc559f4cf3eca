"""Openings: validation, the review workflow, edits of published openings, scoping and the public search."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace import ownership
from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import AuditEvent, OpeningStatus
from marketplace.services import companies, openings
from marketplace.services.errors import Conflict, DomainError, NotFound
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of, opening_data, past

Req = openings.SkillRequirement


def _events(opening_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "opening", AuditEvent.entity_id == opening_id)
        .order_by(AuditEvent.id)
    ))


def _refused(company, field: str, **overrides) -> DomainError:
    with pytest.raises(DomainError) as error:
        openings.create_opening(manager_of(company), opening_data(company, **overrides))
    assert error.value.field == field, error.value.message
    db.session.rollback()
    return error.value


# -- creating and validating -------------------------------------------------------------------------------


def test_company_manager_creates_a_draft_with_canonical_skills(app):
    company = make_company()
    opening = openings.create_opening(manager_of(company), opening_data(company, skills=[
        Req("  Python ", "must", 3), Req("", "must", 3), Req("Korean clinical NLP", "nice", 1)]))
    db.session.commit()
    assert opening.status == OpeningStatus.DRAFT
    assert [s.name for s in opening.skills] == ["Python", "Korean clinical NLP"]
    assert [s.position for s in opening.skills] == [0, 1]
    assert opening.skills[0].display_name
    assert _events(opening.id)[0].to_state == "draft"


def test_draft_can_be_prepared_while_the_company_is_pending(app):
    company = make_company(approved=False)
    opening = openings.create_opening(manager_of(company), opening_data(company))
    assert opening.status == OpeningStatus.DRAFT


def test_user_without_a_company_cannot_create_an_opening(app):
    company = make_company()
    with pytest.raises(NotFound):
        openings.create_opening(make_company_manager(), opening_data(company))


def test_end_date_must_be_after_the_start_date(app):
    company = make_company()
    today = today_in_seoul()
    _refused(company, "end_date", start_date=today + timedelta(days=40), end_date=today + timedelta(days=40))


def test_deadline_must_not_be_after_the_start_date(app):
    company = make_company()
    today = today_in_seoul()
    _refused(company, "deadline", start_date=today + timedelta(days=10), deadline=today + timedelta(days=11))


def test_zero_seats_are_refused(app):
    assert "seat" in _refused(make_company(), "seats", seats=0).message


def test_negative_stipend_is_refused(app):
    _refused(make_company(), "stipend_krw", stipend_krw=-1)


@pytest.mark.parametrize("hours", [0, 41, None])
def test_hours_per_week_must_be_1_to_40(app, hours):
    _refused(make_company(), "hours_per_week", hours_per_week=hours)


def test_skill_name_of_200_characters_is_refused_beside_its_row(app):
    error = _refused(make_company(), "skills-1-name", skills=[Req("Python", "must", 3, row=0),
                                                              Req("x" * 200, "must", 3, row=1)])
    assert "100" in error.message


def test_duplicate_skill_in_one_opening_is_refused(app):
    _refused(make_company(), "skills-1-name", skills=[Req("PyTorch", "must", 3, row=0),
                                                      Req("pytorch", "nice", 1, row=1)])


def test_more_than_30_skills_are_refused(app):
    _refused(make_company(), "skills", skills=[Req(f"Skill {n}", "nice", 1) for n in range(31)])


@pytest.mark.parametrize("importance, level, part", [("critical", 3, "importance"), ("must", 0, "min_level"),
                                                    ("must", 6, "min_level"), ("must", None, "min_level")])
def test_skill_importance_and_level_are_checked(app, importance, level, part):
    _refused(make_company(), f"skills-0-{part}", skills=[Req("Python", importance, level, row=0)])


def test_tampered_group_the_company_does_not_partner_with_is_refused(app):
    snu = make_group("SNU")
    company = make_company(groups=[make_group("PNU")])
    error = _refused(company, "group_ids", group_ids=[snu.id])
    assert "partners" in error.message


def test_unknown_degree_level_is_refused(app):
    _refused(make_company(), "degree_levels", degree_levels=["postdoc"])


def test_remote_opening_needs_no_location(app):
    company = make_company()
    opening = openings.create_opening(manager_of(company), opening_data(company, work_mode="remote", location=""))
    assert opening.location == ""
    _refused(company, "location", work_mode="onsite", location=" ")


# -- the workflow ---------------------------------------------------------------------------------------------


def test_opening_goes_from_draft_to_review_to_published_with_audit_events(app):
    pnu = make_group("PNU")
    reviewer = make_exchange_manager(pnu)
    company = make_company(groups=[pnu], reviewer=reviewer)
    opening = make_opening(company, OpeningStatus.DRAFT)
    openings.submit_opening(manager_of(company), opening)
    openings.publish_opening(reviewer, opening, "Looks good.")
    db.session.commit()
    assert opening.status == OpeningStatus.PUBLISHED
    assert opening.published_at is not None
    events = _events(opening.id)
    assert [(e.from_state, e.to_state) for e in events] == [
        (None, "draft"), ("draft", "in_review"), ("in_review", "published")]
    assert events[-1].actor_id == reviewer.id and events[-1].note == "Looks good."


def test_returned_opening_carries_the_note_and_can_be_resubmitted(app):
    opening = make_opening(status=OpeningStatus.RETURNED)
    assert opening.review_note
    openings.submit_opening(manager_of(opening.company), opening)
    assert opening.status == OpeningStatus.IN_REVIEW


def test_returning_needs_a_note(app):
    opening = make_opening(status=OpeningStatus.IN_REVIEW)
    with pytest.raises(DomainError) as error:
        openings.return_opening(make_exchange_manager(*opening.eligible_groups), opening, "")
    assert error.value.field == "note"


def test_pending_company_cannot_submit_an_opening(app):
    company = make_company(approved=False)
    opening = openings.create_opening(manager_of(company), opening_data(company))
    with pytest.raises(Conflict) as error:
        openings.submit_opening(manager_of(company), opening)
    assert "approved" in error.value.message


def test_publishing_refuses_a_deadline_in_the_past(app):
    opening = make_opening(status=OpeningStatus.IN_REVIEW)
    opening.deadline = past(1)
    db.session.commit()
    with pytest.raises(Conflict) as error:
        openings.publish_opening(make_exchange_manager(*opening.eligible_groups), opening)
    assert "deadline" in error.value.message.lower()
    assert opening.status == OpeningStatus.IN_REVIEW


def test_deadline_today_in_seoul_can_still_be_published(app):
    opening = make_opening(status=OpeningStatus.IN_REVIEW)
    opening.deadline = today_in_seoul()
    openings.publish_opening(make_exchange_manager(*opening.eligible_groups), opening)
    assert opening.status == OpeningStatus.PUBLISHED


def test_closing_a_published_opening_stops_applications_and_is_final(app):
    opening = make_opening()
    assert openings.accepts_applications(opening)
    manager = manager_of(opening.company)
    openings.close_opening(manager, opening)
    assert opening.status == OpeningStatus.CLOSED
    assert not openings.accepts_applications(opening)
    with pytest.raises(Conflict):
        openings.update_opening(manager, opening, opening_data(opening.company))
    with pytest.raises(Conflict):
        openings.submit_opening(manager, opening)


@pytest.mark.parametrize("status, action", [
    (OpeningStatus.DRAFT, "publish"), (OpeningStatus.DRAFT, "close"), (OpeningStatus.DRAFT, "return"),
    (OpeningStatus.IN_REVIEW, "submit"), (OpeningStatus.IN_REVIEW, "close"),
    (OpeningStatus.PUBLISHED, "submit"), (OpeningStatus.PUBLISHED, "publish"), (OpeningStatus.PUBLISHED, "return"),
    (OpeningStatus.RETURNED, "publish"), (OpeningStatus.RETURNED, "close"),
    (OpeningStatus.CLOSED, "publish"), (OpeningStatus.CLOSED, "close"), (OpeningStatus.CLOSED, "return"),
])
def test_opening_transitions_outside_the_table_are_refused(app, status, action):
    opening = make_opening(status=status)
    manager = manager_of(opening.company)
    reviewer = make_exchange_manager(*opening.eligible_groups)
    with pytest.raises(Conflict):
        if action == "submit":
            openings.submit_opening(manager, opening)
        elif action == "publish":
            openings.publish_opening(reviewer, opening)
        elif action == "return":
            openings.return_opening(reviewer, opening, "note")
        else:
            openings.close_opening(manager, opening)
    assert opening.status == status


def test_opening_in_review_cannot_be_edited(app):
    opening = make_opening(status=OpeningStatus.IN_REVIEW)
    with pytest.raises(Conflict):
        openings.update_opening(manager_of(opening.company), opening, opening_data(opening.company))


def test_editing_a_published_openings_description_keeps_it_published(app):
    opening = make_opening()
    data = opening_data(opening.company, title=opening.title, description="New text",
                        skills=[Req(s.name, s.importance.value, s.min_level) for s in opening.skills])
    sent_back = openings.update_opening(manager_of(opening.company), opening, data)
    db.session.commit()
    assert not sent_back
    assert opening.status == OpeningStatus.PUBLISHED and opening.description == "New text"


@pytest.mark.parametrize("change", ["seats", "skills", "level", "degree"])
def test_editing_a_published_openings_requirements_or_seats_sends_it_back_to_review(app, change):
    opening = make_opening()
    skills = [Req(s.name, s.importance.value, s.min_level) for s in opening.skills]
    overrides = {"title": opening.title, "skills": skills}
    if change == "seats":
        overrides["seats"] = opening.seats + 1
    elif change == "skills":
        overrides["skills"] = skills + [Req("DICOM", "nice", 1)]
    elif change == "level":
        overrides["skills"] = [Req(skills[0].name, skills[0].importance, 5)] + skills[1:]
    else:
        overrides["degree_levels"] = ["bachelor"]
    assert openings.update_opening(manager_of(opening.company), opening, opening_data(opening.company, **overrides))
    db.session.commit()
    assert opening.status == OpeningStatus.IN_REVIEW
    assert _events(opening.id)[-1].action == "sent_back_to_review"
    assert not ownership.is_public_opening(opening)


# -- who may see and act -------------------------------------------------------------------------------------------


def test_company_manager_cannot_see_other_companys_draft_opening(app):
    opening = make_opening(status=OpeningStatus.DRAFT)
    other_manager = manager_of(make_company())
    with pytest.raises(NotFound):
        openings.get_company_opening(other_manager, opening.id)
    with pytest.raises(NotFound):
        openings.get_visible_opening(other_manager, opening.id)
    with pytest.raises(NotFound):
        openings.update_opening(other_manager, opening, opening_data(opening.company))
    with pytest.raises(NotFound):
        openings.submit_opening(other_manager, opening)


def test_company_manager_cannot_close_another_companys_opening(app):
    opening = make_opening()
    with pytest.raises(NotFound):
        openings.close_opening(manager_of(make_company()), opening)
    assert opening.status == OpeningStatus.PUBLISHED


def test_exchange_manager_of_another_group_cannot_publish(app):
    opening = make_opening(company=make_company(groups=[make_group("PNU")]), status=OpeningStatus.IN_REVIEW)
    with pytest.raises(NotFound):
        openings.publish_opening(make_exchange_manager(make_group("SNU")), opening)
    with pytest.raises(NotFound):
        openings.get_opening_for_reviewer(make_exchange_manager(make_group("AJOU")), opening.id)


def test_exchange_manager_acts_on_an_opening_if_one_eligible_group_is_theirs(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu, snu])
    opening = make_opening(company, OpeningStatus.IN_REVIEW, group_ids=[snu.id])
    with pytest.raises(NotFound):
        openings.publish_opening(make_exchange_manager(pnu), opening)
    openings.publish_opening(make_exchange_manager(snu), opening)
    assert opening.status == OpeningStatus.PUBLISHED


def test_admin_can_publish_any_opening(app):
    opening = make_opening(status=OpeningStatus.IN_REVIEW)
    openings.publish_opening(make_admin(), opening)
    assert opening.status == OpeningStatus.PUBLISHED


def test_students_cannot_act_on_openings(app):
    opening = make_opening(status=OpeningStatus.IN_REVIEW)
    with pytest.raises(NotFound):
        openings.publish_opening(make_student(), opening)


def test_review_queue_holds_openings_of_the_reviewers_groups_only(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    mine = make_opening(make_company(groups=[pnu]), OpeningStatus.IN_REVIEW)
    make_opening(make_company(groups=[snu]), OpeningStatus.IN_REVIEW)
    make_opening(make_company(groups=[pnu]), OpeningStatus.DRAFT)
    queue = list(db.session.scalars(openings.openings_in_review_query(make_exchange_manager(pnu))))
    assert [o.id for o in queue] == [mine.id]
    assert len(list(db.session.scalars(openings.openings_in_review_query(make_admin())))) == 2


def test_published_opening_of_a_suspended_company_is_hidden(app):
    pnu = make_group("PNU")
    reviewer = make_exchange_manager(pnu)
    company = make_company(groups=[pnu], reviewer=reviewer)
    opening = make_opening(company)
    companies.suspend_company(reviewer, company, "Investigation")
    db.session.commit()
    with pytest.raises(NotFound):
        openings.get_visible_opening(None, opening.id)
    assert openings.get_visible_opening(reviewer, opening.id) == opening
    result = list(db.session.scalars(openings.public_openings_query(openings.parse_filters({}))))
    assert result == []


def test_status_counts_cover_every_status(app):
    company = make_company()
    make_opening(company, OpeningStatus.DRAFT)
    make_opening(company, OpeningStatus.PUBLISHED)
    counts = openings.status_counts(company)
    assert counts[OpeningStatus.DRAFT] == 1 and counts[OpeningStatus.PUBLISHED] == 1
    assert counts[OpeningStatus.CLOSED] == 0


# -- public search -----------------------------------------------------------------------------------------------------


def _search(**args) -> list[str]:
    query = openings.public_openings_query(openings.parse_filters(args))
    return [o.title for o in db.session.scalars(query)]


def test_public_search_finds_words_in_title_description_skill_and_company(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu, snu], name="Vuno Medical")
    make_opening(company, title="CT segmentation", description="Lung nodules", stipend_krw=0,
                 skills=[Req("PyTorch", "must", 3)], work_mode="remote", location="", group_ids=[snu.id])
    make_opening(company, title="EMR pipeline", description="Build ETL for 100% of wards",
                 skills=[Req("Apache Spark", "must", 3)], location="Seoul Gangnam", kind="research_project", group_ids=[pnu.id],
                 stipend_krw=2_000_000)
    make_opening(company, title="Hidden draft", status=OpeningStatus.DRAFT)
    assert set(_search()) == {"CT segmentation", "EMR pipeline"}
    assert _search(q="lung") == ["CT segmentation"]
    assert _search(q="pytorch") == ["CT segmentation"]
    assert set(_search(q="vuno")) == {"CT segmentation", "EMR pipeline"}
    assert _search(q="pipeline spark") == ["EMR pipeline"]
    assert _search(q="100%") == ["EMR pipeline"]
    # Words match whole tokens: a query of symbols alone has nothing to search and filters nothing
    # (it is never a wildcard).
    assert set(_search(q="%")) == {"CT segmentation", "EMR pipeline"}
    assert _search(q="draft") == []
    assert _search(kind="research_project") == ["EMR pipeline"]
    assert _search(mode="remote") == ["CT segmentation"]
    assert _search(location="gangnam") == ["EMR pipeline"]
    assert _search(skill="spark") == ["EMR pipeline"]
    assert _search(paid="1") == ["EMR pipeline"]
    assert _search(paid="0") == ["CT segmentation"]
    assert _search(group="snu") == ["CT segmentation"]
    assert _search(group=str(snu.id)) == ["CT segmentation"]
    assert _search(sort="stipend") == ["EMR pipeline", "CT segmentation"]


def test_open_filter_hides_openings_whose_deadline_passed(app):
    company = make_company()
    make_opening(company, title="Still open")
    closed = make_opening(company, title="Expired")
    closed.deadline = past(2)
    db.session.commit()
    assert set(_search()) == {"Still open", "Expired"}
    assert _search(open="1") == ["Still open"]
    assert _search(sort="deadline") == ["Expired", "Still open"]


@pytest.mark.parametrize("args", [
    {"kind": "spaceship"}, {"mode": "<script>"}, {"group": "NOPE"}, {"group": "99999999999999"},
    {"paid": "maybe"}, {"sort": "random"}, {"open": "yes"}, {"q": "x" * 5000},
])
def test_invalid_filters_are_ignored(app, args):
    make_opening(title="Visible")
    result = _search(**args)
    assert result in (["Visible"], [])
    if "q" not in args:
        assert result == ["Visible"]
