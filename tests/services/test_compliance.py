"""Practice terms and the compliance rules: every rule at its boundary, schedules, overrides and the gates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    ComplianceRuleSet,
    ComplianceStatus,
    OpeningStatus,
    PlacementStatus,
)
from marketplace.services import compliance, openings, placements, practice_terms
from marketplace.services.errors import Conflict, DomainError, Reasons, ValidationFailed
from tests.factories import make_exchange_manager, make_student
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_placements import make_application, make_placement

RULES_2026 = compliance.RuleSet(year=2026, min_hourly_wage_krw=10_320)
MON_FRI_9_TO_6 = [{"day": d, "start": "09:00", "end": "18:00", "break_minutes": 60} for d in range(5)]


def terms(**changes) -> dict:
    values = {
        "practice_type": "standard", "start_date": "2026-03-02", "end_date": "2026-06-30",
        "schedule": MON_FRI_9_TO_6, "stipend_krw": 2_000_000, "education_share_pct": 20, "remote_share_pct": 0,
        "holiday_exception": False, "work_mode": "onsite", "location": "Busan", "supervisor_name": "Dr. Kim",
        "supervisor_contact": "",
    }
    values.update(changes)
    return values


def findings(rule_sets=(RULES_2026,), facts=None, **changes) -> list[compliance.Finding]:
    parsed = practice_terms.parse_terms(terms(**changes))
    return compliance.evaluate(parsed, facts or {"company_size": "10-49", "holidays": []}, list(rule_sets))[1]


def codes(items) -> list[str]:
    return [f.rule for f in items if f.is_failure]


# -- the stipend -------------------------------------------------------------------------------------------------


def test_the_issue_example_gives_the_figures_of_the_reason(app):
    found = findings(stipend_krw=500_000)
    assert codes(found) == ["stipend"]
    assert found[0].message == (
        "Stipend ₩500,000/month for 40 h/week = ₩2,885/h, below 75% of the 2026 hourly minimum wage (₩7,740): "
        "표준 practice needs at least ₩1,341,600/month.")
    assert found[0].field == "stipend_krw"


def test_exactly_75_percent_passes_and_one_won_less_fails(app):
    assert codes(findings(stipend_krw=1_341_600)) == []
    assert codes(findings(stipend_krw=1_341_599)) == ["stipend"]


def test_autonomous_practice_needs_30_percent(app):
    # 30% of ₩10,320 = ₩3,096/h; 40 h/week is 173⅓ h/month: ₩536,640/month.
    assert codes(findings(practice_type="autonomous", stipend_krw=536_640)) == []
    assert codes(findings(practice_type="autonomous", stipend_krw=536_639)) == ["stipend"]
    assert codes(findings(stipend_krw=536_640)) == ["stipend"]  # the same for 표준 is far too little


def test_unpaid_autonomous_practice_only_when_the_rules_allow_it(app):
    refused = findings(practice_type="autonomous", stipend_krw=0)
    assert codes(refused) == ["stipend"] and "₩0" in refused[0].message
    allowing = compliance.RuleSet(year=2026, min_hourly_wage_krw=10_320, allow_unpaid_autonomous=True)
    assert codes(findings((allowing,), practice_type="autonomous", stipend_krw=0)) == []
    assert codes(findings((allowing,), stipend_krw=0)) == ["stipend"]  # 표준 is never unpaid


def test_the_start_years_minimum_wage_applies(app):
    rule_sets = [compliance.RuleSet(year=2024, min_hourly_wage_krw=9_860),
                 compliance.RuleSet(year=2026, min_hourly_wage_krw=10_320)]
    # 2024: 75% of ₩9,860 = ₩7,395/h → ₩1,281,800/month for 40 h/week.
    assert codes(findings(rule_sets, start_date="2024-03-04", end_date="2024-06-28", stipend_krw=1_281_800)) == []
    assert codes(findings(rule_sets, start_date="2024-03-04", end_date="2024-06-28", stipend_krw=1_281_799)) \
        == ["stipend"]
    assert codes(findings(rule_sets, stipend_krw=1_281_800)) == ["stipend"]  # not enough in 2026


def test_a_year_without_rules_uses_the_latest_earlier_year_and_warns(app):
    found = findings(start_date="2027-03-02", end_date="2027-06-30")
    assert [(f.rule, f.severity) for f in found] == [("rules", "warning")]
    assert "2027" in found[0].message and "2026" in found[0].message


def test_no_rule_data_at_all_blocks(app):
    assert codes(findings(())) == ["rules"]


# -- hours, nights, Sundays, holidays --------------------------------------------------------------------------


def test_an_8_hour_day_with_a_1_hour_break_passes_and_a_minute_more_fails(app):
    assert codes(findings()) == []
    longer = [dict(row, end="18:01") if row["day"] == 2 else row for row in MON_FRI_9_TO_6]
    found = findings(schedule=longer, stipend_krw=3_000_000)
    assert "hours_per_day" in codes(found)
    day = next(f for f in found if f.rule == "hours_per_day")
    assert day.field == "schedule-2-end" and "Wednesday" in day.message


def test_40_hours_a_week_pass_and_more_fail(app):
    six_days = [{"day": d, "start": "09:00", "end": "16:00", "break_minutes": 0} for d in range(6)]  # 42 h
    found = findings(schedule=six_days, stipend_krw=3_000_000)
    assert codes(found) == ["hours_per_week"]
    assert "42 h a week" in found[0].message
    five_days = [{"day": d, "start": "09:00", "end": "17:00", "break_minutes": 0} for d in range(5)]  # 40 h
    assert codes(findings(schedule=five_days)) == []


def test_ending_at_22_00_passes_and_22_30_fails(app):
    evening = [{"day": 0, "start": "14:00", "end": "22:00", "break_minutes": 0}]
    assert codes(findings(schedule=evening, stipend_krw=500_000)) == []
    late = [{"day": 0, "start": "14:30", "end": "22:30", "break_minutes": 0}]
    found = findings(schedule=late, stipend_krw=500_000)
    assert codes(found) == ["night"] and "22:00" in found[0].message


def test_starting_at_06_00_passes_and_05_30_fails(app):
    early = [{"day": 0, "start": "06:00", "end": "12:00", "break_minutes": 0}]
    assert codes(findings(schedule=early, stipend_krw=500_000)) == []
    earlier = [{"day": 0, "start": "05:30", "end": "12:00", "break_minutes": 0}]
    assert codes(findings(schedule=earlier, stipend_krw=500_000)) == ["night"]


def test_sundays_only_as_an_agreed_exception(app):
    with_sunday = [{"day": 6, "start": "10:00", "end": "14:00", "break_minutes": 0}]
    assert codes(findings(schedule=with_sunday, stipend_krw=300_000)) == ["sunday"]
    assert codes(findings(schedule=with_sunday, stipend_krw=300_000, holiday_exception=True)) == []


def test_holidays_on_practice_days_are_a_warning_unless_agreed(app):
    facts = {"company_size": "10-49", "holidays": [(date(2026, 3, 1), "삼일절"), (date(2026, 5, 5), "어린이날")]}
    found = findings(facts=facts)
    # 2026-03-01 is a Sunday (no practice day); 2026-05-05 is a Tuesday.
    assert [(f.rule, f.severity) for f in found] == [("holidays", "warning")]
    assert "2026-05-05 어린이날" in found[0].message and "03-01" not in found[0].message
    assert findings(facts=facts, holiday_exception=True) == []


# -- remote share and the host ----------------------------------------------------------------------------------


def test_remote_share_up_to_25_percent(app):
    assert codes(findings(remote_share_pct=25)) == []
    assert codes(findings(remote_share_pct=26)) == ["remote_share"]


def test_a_host_needs_10_employees(app):
    assert codes(findings(facts={"company_size": "1-9", "holidays": []})) == ["host_size"]
    assert codes(findings(facts={"company_size": "10-49", "holidays": []})) == []
    stricter = compliance.RuleSet(year=2026, min_hourly_wage_krw=10_320, min_host_employees=20)
    found = findings((stricter,), facts={"company_size": "10-49", "holidays": []})
    assert [(f.rule, f.severity) for f in found] == [("host_size", "warning")]


# -- schedules as typed ----------------------------------------------------------------------------------------


def clean(rows):
    problems = Reasons()
    schedule = practice_terms.clean_schedule(rows, problems)
    return schedule, {e.field: e.message for e in problems.errors}


def test_a_schedule_computes_hours_per_day_and_week(app):
    schedule, errors = clean([{"day": 0, "start": "09:00", "end": "18:00", "break_minutes": 60},
                              {"day": 2, "start": "13:00", "end": "17:30", "break_minutes": ""}])
    assert errors == {}
    assert [d.minutes for d in schedule.days] == [480, 270]
    assert practice_terms.hours_text(schedule.weekly_minutes) == "12.5"
    assert practice_terms.rounded_hours(schedule) == 13


def test_a_day_crossing_midnight_or_ending_before_it_starts_is_a_field_error(app):
    _, errors = clean([{"day": 4, "start": "22:00", "end": "02:00", "break_minutes": 0}])
    assert "cannot cross midnight" in errors["schedule-4-end"]
    _, errors = clean([{"day": 1, "start": "18:00", "end": "09:00", "break_minutes": 0}])
    assert "before it starts" in errors["schedule-1-end"]


def test_zero_minute_days_and_breaks_longer_than_the_day_are_field_errors(app):
    _, errors = clean([{"day": 0, "start": "09:00", "end": "09:00", "break_minutes": 0},
                       {"day": 1, "start": "09:00", "end": "10:00", "break_minutes": 60},
                       {"day": 2, "start": "9am", "end": "25:00", "break_minutes": -5}])
    assert "no practice time" in errors["schedule-0-end"]
    assert "no practice time" in errors["schedule-1-end"]
    assert set(errors) >= {"schedule-2-start", "schedule-2-end", "schedule-2-break_minutes"}


def test_a_schedule_needs_one_day(app):
    _, errors = clean([{"day": d, "start": "", "end": "", "break_minutes": None} for d in range(7)])
    assert "at least one weekday" in errors["schedule"]


def test_typed_weekly_hours_stand_for_a_mon_to_fri_schedule(app):
    schedule = practice_terms.default_schedule(40)
    assert [d.as_dict() for d in schedule.days][0] == {"day": 0, "start": "09:00", "end": "18:00",
                                                        "break_minutes": 60}
    assert schedule.weekly_minutes == 40 * 60
    assert practice_terms.default_schedule(20).days[0].as_dict()["end"] == "13:00"


# -- services: openings ----------------------------------------------------------------------------------------


def test_an_opening_keeps_its_schedule_and_computes_its_hours(app):
    company = make_company()
    opening = make_opening(company, status=OpeningStatus.DRAFT, schedule=MON_FRI_9_TO_6[:3],
                           hours_per_week=None, practice_type="autonomous", education_share_pct=30,
                           remote_share_pct=0, supervisor_contact="kim@example.co.kr")
    assert opening.hours_per_week == 24
    got = practice_terms.terms_of(opening)
    assert got["schedule"] == MON_FRI_9_TO_6[:3] and got["practice_type"] == "autonomous"
    assert got["supervisor_contact"] == "kim@example.co.kr"


def test_schedule_errors_come_back_beside_their_fields_with_the_others(app):
    company = make_company()
    bad = [{"day": 0, "start": "18:00", "end": "09:00", "break_minutes": 0}]
    from tests.factories_companies import opening_data
    with pytest.raises(ValidationFailed) as caught:
        openings.create_opening(manager_of(company), opening_data(company, schedule=bad, title="",
                                                                  remote_share_pct=101))
    fields = {f for f, _ in caught.value.field_messages()}
    assert {"schedule-0-end", "title", "remote_share_pct"} <= fields


def test_a_failing_opening_cannot_be_published_until_a_manager_overrides(app):
    company = make_company()
    opening = make_opening(company, status=OpeningStatus.IN_REVIEW, stipend_krw=100_000,
                           compliance_override=False)
    reviewer = make_exchange_manager(*company.partner_groups)
    with pytest.raises(Conflict) as caught:
        openings.publish_opening(reviewer, opening)
    assert "₩100,000/month" in caught.value.message and "override" in caught.value.message
    db.session.rollback()
    assert opening.status == OpeningStatus.IN_REVIEW
    assert compliance.check(opening).status == ComplianceStatus.BLOCKED

    with pytest.raises(DomainError) as no_reason:
        compliance.record_override(reviewer, opening, "  ")
    assert no_reason.value.field == "reason"
    compliance.record_override(reviewer, opening, "Part-time research credit agreed with the dean.")
    db.session.commit()
    result = compliance.check(opening)
    assert result.status == ComplianceStatus.OVERRIDDEN and result.overrides[0].reason.startswith("Part-time")
    openings.publish_opening(reviewer, opening)
    db.session.commit()
    assert opening.status == OpeningStatus.PUBLISHED
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "compliance_overridden"))
    assert audit.actor_id == reviewer.id and "stipend" in audit.note


def test_an_override_covers_only_the_terms_it_was_given_on(app):
    company = make_company()
    opening = make_opening(company, status=OpeningStatus.DRAFT, stipend_krw=100_000)
    manager = manager_of(company)
    openings.submit_opening(manager, opening)
    reviewer = make_exchange_manager(*company.partner_groups)
    compliance.record_override(reviewer, opening, "Agreed.")
    openings.publish_opening(reviewer, opening)
    db.session.commit()
    from tests.factories_companies import opening_data
    openings.update_opening(manager, opening, opening_data(company, stipend_krw=90_000, title=opening.title,
                                                           version=opening.version))
    db.session.commit()
    # New failing terms: the old override does not cover them, and the opening went back to review.
    assert compliance.check(opening).status == ComplianceStatus.BLOCKED
    assert opening.status == OpeningStatus.IN_REVIEW


def test_only_reviewers_of_the_opening_may_override(app):
    company = make_company()
    opening = make_opening(company, status=OpeningStatus.IN_REVIEW, stipend_krw=100_000)
    from marketplace.services.errors import NotFound
    other = make_exchange_manager(make_company(groups=[__import__("tests.factories", fromlist=["make_group"])
                                                       .make_group("SNU")]).partner_groups[0])
    with pytest.raises(NotFound):
        compliance.record_override(other, opening, "Mine now.")
    with pytest.raises(NotFound):
        compliance.record_override(manager_of(company), opening, "Our own.")


# -- services: placements --------------------------------------------------------------------------------------


def test_a_placement_takes_the_openings_terms_when_requested(app):
    opening = make_opening(schedule=MON_FRI_9_TO_6[:4], hours_per_week=None)
    application = make_application(opening=opening)
    placement = placements.request_placement(None, application)
    db.session.commit()
    assert placement.terms == practice_terms.terms_of(opening)
    assert practice_terms.terms_of(placement)["schedule"] == MON_FRI_9_TO_6[:4]


def test_approval_is_blocked_by_failing_terms_until_overridden(app):
    opening = make_opening()
    application = make_application(opening=opening)
    placement = placements.request_placement(None, application)
    placement.terms = dict(placement.terms, stipend_krw=500_000, remote_share_pct=50)
    db.session.commit()
    reviewer = make_exchange_manager(application.student.student_profile.group)
    with pytest.raises(Conflict) as caught:
        placements.approve_placement(reviewer, placement.id)
    assert "₩500,000/month" in caught.value.message and "50%" in caught.value.message
    db.session.rollback()
    compliance.record_override(reviewer, placement, "Remote days agreed with the supervisor; stipend topped up "
                                                    "by the university.")
    db.session.commit()
    placements.approve_placement(reviewer, placement.id)
    db.session.commit()
    assert placement.status == PlacementStatus.APPROVED
    assert compliance.check(placement).status == ComplianceStatus.OVERRIDDEN


def test_an_openings_override_carries_to_placements_with_the_same_terms(app):
    opening = make_opening(stipend_krw=100_000)  # the factory's reviewer overrides to publish
    placement = make_placement(opening=opening)
    assert compliance.check(placement).status == ComplianceStatus.OVERRIDDEN
    placement.terms = dict(practice_terms.terms_of(opening), stipend_krw=90_000)
    db.session.commit()
    assert compliance.check(placement).status == ComplianceStatus.BLOCKED


def test_terms_can_be_adjusted_before_approval_and_stale_forms_are_refused(app):
    opening = make_opening()
    application = make_application(opening=opening)
    placement = placements.request_placement(None, application)
    db.session.commit()
    manager = manager_of(opening.company)
    version = placement.version
    new = dict(placement.terms, stipend_krw=2_500_000, start_date=(opening.start_date + timedelta(days=7)).isoformat())
    placements.update_placement_terms(manager, placement.id, placements.terms_input(new), version)
    db.session.commit()
    assert placement.terms["stipend_krw"] == 2_500_000
    assert placement.start_date == opening.start_date + timedelta(days=7)
    from marketplace.services.workflow import StaleEdit
    with pytest.raises(StaleEdit):
        placements.update_placement_terms(manager, placement.id, placements.terms_input(new), version)
    db.session.rollback()
    reviewer = make_exchange_manager(application.student.student_profile.group)
    placements.approve_placement(reviewer, placement.id)
    db.session.commit()
    with pytest.raises(Conflict):
        placements.update_placement_terms(manager, placement.id, placements.terms_input(new), placement.version)


def test_strangers_cannot_adjust_a_placements_terms(app):
    placement = make_placement()
    from marketplace.services.errors import NotFound
    for stranger in (make_student(), manager_of(make_company())):
        with pytest.raises(NotFound):
            placements.update_placement_terms(stranger, placement.id,
                                              placements.terms_input(practice_terms.terms_of(placement)), None)


# -- rule data --------------------------------------------------------------------------------------------------


def test_seed_rules_are_there_and_seeding_again_adds_nothing(app):
    years = {r.year: r.min_hourly_wage_krw for r in db.session.scalars(select(ComplianceRuleSet))}
    assert years == {2024: 9_860, 2025: 10_030, 2026: 10_320}
    assert compliance.seed_default_rules() == 0


def test_checking_many_placements_takes_a_constant_number_of_queries(app, count_queries):
    from marketplace.models import Placement
    from marketplace.services.placements import _page_options

    opening = make_opening(seats=40)

    def statements_for(n: int) -> int:
        while len(db.session.scalars(select(Placement.id)).all()) < n:
            make_placement(opening=opening)
        db.session.expire_all()
        loaded = list(db.session.scalars(select(Placement).options(*_page_options())))
        with count_queries() as statements:
            checks = compliance.check_many(loaded)
        assert len(checks) == len(loaded)
        return len(statements)

    assert statements_for(3) == statements_for(12)


def test_an_approval_racing_a_terms_change_never_approves_failing_terms(app):
    from tests.concurrency import run_together
    from marketplace.models import Placement, User

    for _round in range(3):
        opening = make_opening()
        application = make_application(opening=opening)
        placement = placements.request_placement(None, application)
        db.session.commit()
        reviewer_id = make_exchange_manager(application.student.student_profile.group).id
        manager_id = manager_of(opening.company).id
        placement_id = placement.id
        failing = placements.terms_input(dict(placement.terms, stipend_krw=100_000))

        def approve(ready):
            actor = db.session.get(User, reviewer_id)
            _ = actor.designations
            ready()
            placements.approve_placement(actor, placement_id)

        def change(ready):
            actor = db.session.get(User, manager_id)
            ready()
            placements.update_placement_terms(actor, placement_id, failing, None)

        results = run_together(app, [approve, change])
        assert [r[0] for r in results].count("ok") == 1, results
        assert "error" not in [r[0] for r in results], results
        saved = db.session.get(Placement, placement_id)
        if saved.status == PlacementStatus.APPROVED:
            assert saved.terms["stipend_krw"] != 100_000
        else:
            assert saved.terms["stipend_krw"] == 100_000
            assert compliance.check(saved).status == ComplianceStatus.BLOCKED
