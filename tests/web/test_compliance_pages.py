"""Pages of practice terms and compliance: the opening form's schedule and check, the manager's review, overrides,
the placement terms page, the compliance view and its export, the admin's rule pages; permissions of each."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import ComplianceRuleSet, OpeningStatus, PlacementStatus, PublicHoliday
from marketplace.services import compliance, placements
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_placements import make_application, make_placement
from tests.pageforms import form_fields


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _pending_placement(**opening_overrides):
    opening = make_opening(**opening_overrides)
    application = make_application(opening=opening)
    placement = placements.request_placement(None, application)
    db.session.commit()
    return placement


def _reviewer_of(placement):
    return make_exchange_manager(placement.student.student_profile.group)


# -- the opening form ------------------------------------------------------------------------------------------


def test_the_new_opening_form_offers_a_mon_to_fri_schedule_and_saves_computed_hours(client, auth):
    company = make_company()
    auth.login(manager_of(company).email)
    html = client.get("/company/openings/new").get_data(as_text=True)
    assert "Weekly schedule" in html and "Standard practice (표준)" in html
    data = form_fields(html, having="title")
    assert data["schedule-0-start"] == "09:00" and data["schedule-4-end"] == "18:00"
    assert data["schedule-5-start"] == ""
    data.update({"kind": "internship", "title": "Pathology AI intern", "location": "Busan", "stipend_krw": "2,000,000",
                 "start_date": "2027-03-02", "end_date": "2027-06-30", "deadline": "2027-02-01",
                 "supervisor_name": "Dr. Park", "skills-0-name": "Python",
                 "schedule-2-start": "", "schedule-2-end": "", "schedule-2-break_minutes": ""})
    response = client.post("/company/openings/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    from marketplace.models import Opening
    opening = db.session.scalar(select(Opening).where(Opening.title == "Pathology AI intern"))
    assert opening.hours_per_week == 32 and [d["day"] for d in opening.schedule] == [0, 1, 3, 4]


def test_a_bad_schedule_keeps_what_was_typed_and_says_why_beside_the_day(client, auth):
    company = make_company()
    auth.login(manager_of(company).email)
    data = form_fields(client.get("/company/openings/new").get_data(as_text=True), having="title")
    data.update({"kind": "internship", "title": "Night shift ICU data", "location": "Seoul",
                 "stipend_krw": "1,500,000", "start_date": "2027-03-02", "end_date": "2027-06-30",
                 "deadline": "2027-02-01", "supervisor_name": "Dr. Park", "skills-0-name": "Python",
                 "schedule-1-start": "22:00", "schedule-1-end": "02:00", "schedule-3-break_minutes": "lots",
                 "remote_share_pct": "abc"})
    response = client.post("/company/openings/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot cross midnight" in html and 'id="schedule-1-end-error"' in html
    assert 'value="22:00"' in html and 'value="lots"' in html and 'value="abc"' in html
    assert "Night shift ICU data" in html
    assert 'id="schedule-3-break_minutes-error"' in html and 'id="remote_share_pct-error"' in html


def test_check_the_terms_shows_the_reasons_without_saving(client, auth):
    company = make_company()
    auth.login(manager_of(company).email)
    data = form_fields(client.get("/company/openings/new").get_data(as_text=True), having="title")
    data.update({"kind": "internship", "title": "Cheap intern", "location": "Seoul", "stipend_krw": "500000",
                 "start_date": "2026-12-21", "end_date": "2027-02-26", "deadline": "2026-12-10",
                 "supervisor_name": "Dr. Park", "skills-0-name": "Python", "check_terms": "Check the terms"})
    response = client.post("/company/openings/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "₩500,000/month for 40 h/week = ₩2,885/h" in html and "₩1,341,600/month" in html
    from marketplace.models import Opening
    assert db.session.scalar(select(Opening).where(Opening.title == "Cheap intern")) is None


# -- review, overrides --------------------------------------------------------------------------------------------


def test_the_reviewer_sees_the_reasons_publishing_is_refused_and_an_override_lets_it_through(client, auth):
    company = make_company()
    opening = make_opening(company, status=OpeningStatus.IN_REVIEW, stipend_krw=100_000, kind="research_project")
    reviewer = make_exchange_manager(*company.partner_groups)
    auth.login(reviewer.email)
    page = f"/manager/openings/{opening.id}"
    html = client.get(page).get_data(as_text=True)
    assert "₩100,000/month" in html and "Record an override" in html
    refused = auth.post(page, {"decision": "publish", "note": ""}, form_page=page)
    assert refused.status_code == 409 and "blocked by the practice rules" in refused.get_data(as_text=True)

    empty = auth.post(f"{page}/override", {"reason": " "}, form_page=page)
    assert empty.status_code == 400 and 'id="reason-error"' in empty.get_data(as_text=True)
    # The refused override shows the same review page as a GET does, clinical-data section included.
    for shown in ("Clinical-data readiness", "Compliance warnings:"):  # an undeclared research project warns
        assert shown in html and shown in empty.get_data(as_text=True)
    assert auth.post(f"{page}/override", {"reason": "Research credit agreed."}, form_page=page).status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Overridden" in html and "Research credit agreed." in html
    assert auth.post(page, {"decision": "publish", "note": ""}, form_page=page).status_code == 302
    db.session.refresh(opening)
    assert opening.status == OpeningStatus.PUBLISHED


def test_approving_a_failing_placement_is_refused_with_the_reasons_on_the_page(client, auth):
    placement = _pending_placement()
    placement.terms = dict(placement.terms, stipend_krw=500_000)
    db.session.commit()
    auth.login(_reviewer_of(placement).email)
    page = f"/manager/placements/{placement.id}"
    html = client.get(page).get_data(as_text=True)
    assert "₩500,000/month for 20 h/week" in html
    response = auth.post(page, {"decision": "approve", "note": ""}, form_page=page)
    assert response.status_code == 409
    db.session.refresh(placement)
    assert placement.status == PlacementStatus.PENDING


def test_company_and_reviewer_adjust_a_pending_placements_terms(client, auth):
    placement = _pending_placement()
    company_manager = manager_of(placement.opening.company)
    auth.login(company_manager.email)
    path = f"/company/placements/{placement.id}/terms"
    data = form_fields(client.get(path).get_data(as_text=True), having="stipend_krw")
    data["stipend_krw"] = "1,800,000"
    data["schedule-0-end"] = "18:00"  # the opening's 09:00–13:00 made 9 h without a break: more than 8 a day
    response = client.post(path, data=data)
    assert response.status_code == 302
    db.session.refresh(placement)
    assert placement.terms["stipend_krw"] == 1_800_000
    html = client.get(path).get_data(as_text=True)
    assert "Blocked" in html and "more than the 8 h" in html

    bad = form_fields(html, having="stipend_krw")
    bad["schedule-0-start"] = "9 in the morning"
    response = client.post(path, data=bad)
    assert response.status_code == 400 and 'value="9 in the morning"' in response.get_data(as_text=True)

    auth.logout()
    auth.login(_reviewer_of(placement).email)
    manager_path = f"/manager/placements/{placement.id}/terms"
    data = form_fields(client.get(manager_path).get_data(as_text=True), having="stipend_krw")
    data["schedule-0-break_minutes"] = "60"
    assert client.post(manager_path, data=data).status_code == 302
    db.session.refresh(placement)
    assert compliance.check(placement).blocking == []


def test_a_stale_placement_terms_form_is_refused_with_409(client, auth):
    placement = _pending_placement()
    auth.login(manager_of(placement.opening.company).email)
    path = f"/company/placements/{placement.id}/terms"
    one = form_fields(client.get(path).get_data(as_text=True), having="stipend_krw")
    two = dict(one)
    one["stipend_krw"] = "1,700,000"
    assert client.post(path, data=one).status_code == 302
    two["stipend_krw"] = "1,600,000"
    response = client.post(path, data=two)
    assert response.status_code == 409 and 'value="1,600,000"' in response.get_data(as_text=True)
    db.session.refresh(placement)
    assert placement.terms["stipend_krw"] == 1_700_000


# -- the compliance view ---------------------------------------------------------------------------------------


def test_the_compliance_view_lists_statuses_filters_and_exports(client, auth):
    group = make_group("PNU")
    ok = _pending_placement()
    bad = _pending_placement()
    bad.terms = dict(bad.terms, remote_share_pct=60)
    db.session.commit()
    reviewer = make_exchange_manager(ok.student.student_profile.group, bad.student.student_profile.group)
    auth.login(reviewer.email)
    html = client.get("/manager/compliance").get_data(as_text=True)
    assert ok.student.display_name in html and bad.student.display_name in html
    blocked = client.get("/manager/compliance?status=blocked").get_data(as_text=True)
    assert bad.student.display_name in blocked and ok.student.display_name not in blocked
    assert "60% of the period is remote" in blocked

    csv = client.get("/manager/compliance?status=blocked&export=csv&lang=en")
    assert csv.status_code == 200 and csv.headers["X-Export-Rows"] == "1"
    text = csv.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Placement ID,Compliance,Status")
    assert "Blocked" in text and "60% of the period is remote" in text

    xlsx = client.get("/manager/compliance?export=xlsx&lang=ko")
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet.max_row == 3 and sheet.cell(1, 1).value == "실습 ID" or sheet.max_row == 3
    assert group is not None


def test_the_compliance_view_shows_only_the_managers_groups(client, auth):
    mine = _pending_placement()
    theirs = _pending_placement()
    other_group = make_group("SNU")
    theirs.student.student_profile.group_id = other_group.id
    db.session.commit()
    auth.login(make_exchange_manager(mine.student.student_profile.group).email)
    html = client.get("/manager/compliance?placement_status=pending").get_data(as_text=True)
    assert mine.student.display_name in html and theirs.student.display_name not in html


def test_the_compliance_view_takes_the_same_queries_for_few_and_many_placements(client, auth, count_queries):
    opening = make_opening(seats=50)
    first = make_placement(opening=opening)
    group = first.student.student_profile.group
    reviewer = make_exchange_manager(group)
    auth.login(reviewer.email)
    few = count_queries.page(client, "/manager/compliance")
    group = db.session.merge(group)
    opening = db.session.merge(opening)
    for _ in range(12):
        make_placement(opening=opening, student=make_student(group))
    many = count_queries.page(client, "/manager/compliance")
    assert few == many


# -- the admin's rule pages ---------------------------------------------------------------------------------------


def test_an_admin_adds_a_years_rules_and_its_holidays(client, auth):
    auth.login(make_admin().email)
    html = client.get("/admin/compliance-rules").get_data(as_text=True)
    assert "2026" in html and "₩10,320" in html
    data = form_fields(client.get("/admin/compliance-rules/new").get_data(as_text=True), having="year")
    assert data["year"] == "2027"
    data["min_hourly_wage_krw"] = "abc"
    data["night_start"] = "25:00"
    response = client.post("/admin/compliance-rules/new", data=data)
    assert response.status_code == 400 and 'value="25:00"' in response.get_data(as_text=True)
    data = form_fields(response.get_data(as_text=True), having="year")
    data.update({"min_hourly_wage_krw": "10,600", "night_start": "22:00"})
    assert client.post("/admin/compliance-rules/new", data=data).status_code == 302
    assert db.session.scalar(select(ComplianceRuleSet.min_hourly_wage_krw).where(ComplianceRuleSet.year == 2027)) \
        == 10_600

    path = "/admin/compliance-rules/holidays/2027"
    bad = client.post(path, data={**form_fields(client.get(path).get_data(as_text=True), having="holidays"),
                                  "holidays": "2027-02-08 설날\nnot a date"})
    assert bad.status_code == 400 and "Line 2" in bad.get_data(as_text=True) and "2027-02-08 설날" in \
        bad.get_data(as_text=True)
    good = client.post(path, data={**form_fields(bad.get_data(as_text=True), having="holidays"),
                                   "holidays": "2027-02-08 설날\n2027-02-09 설날"})
    assert good.status_code == 302
    days = {d.isoformat() for d in db.session.scalars(select(PublicHoliday.day))
            .all() if d.year == 2027}
    assert days == {"2027-02-08", "2027-02-09"}


def test_an_admin_edits_a_years_rules_and_the_checks_follow(client, auth):
    placement = make_placement(opening=make_opening())
    auth.login(make_admin().email)
    path = "/admin/compliance-rules/2026/edit"
    data = form_fields(client.get(path).get_data(as_text=True), having="year")
    data["max_remote_pct"] = "10"
    assert client.post(path, data=data).status_code == 302
    row = db.session.scalar(select(ComplianceRuleSet).where(ComplianceRuleSet.year == 2026))
    assert row.max_remote_pct == 10
    assert placement is not None


# -- permissions -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/manager/compliance", "/admin/compliance-rules", "/admin/compliance-rules/new",
                                  "/admin/compliance-rules/2026/edit", "/admin/compliance-rules/holidays/2026"])
def test_rule_and_compliance_pages_refuse_students_and_company_managers(client, auth, path):
    for user in (make_student(), make_company_manager()):
        auth.login(user.email)
        assert client.get(path).status_code in (403, 404)
        auth.logout()
    assert client.get(path).status_code in (302, 401)


def test_exchange_managers_cannot_edit_the_rules(client, auth):
    auth.login(make_exchange_manager(make_group("PNU")).email)
    assert client.get("/admin/compliance-rules").status_code in (403, 404)
    assert client.get("/manager/compliance").status_code == 200


def test_other_groups_placements_and_openings_are_not_found(client, auth):
    placement = _pending_placement()
    opening = placement.opening
    stranger = make_exchange_manager(make_group("HALLYM"))
    auth.login(stranger.email)
    for path in (f"/manager/placements/{placement.id}/terms", f"/manager/placements/{placement.id}/override",
                 f"/manager/openings/{opening.id}/override"):
        response = auth.post(path, {"reason": "mine"}, form_page="/manager/")
        assert response.status_code == 404, path
    assert client.get(f"/manager/placements/{placement.id}/terms").status_code == 404
    auth.logout()
    other_company = manager_of(make_company())
    auth.login(other_company.email)
    assert client.get(f"/company/placements/{placement.id}/terms").status_code == 404
    assert client.get("/company/placements/999999/terms").status_code == 404
    auth.logout()
    auth.login(placement.student.email)
    assert client.get(f"/company/placements/{placement.id}/terms").status_code in (403, 404)
