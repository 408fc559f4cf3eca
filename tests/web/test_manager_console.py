"""The manager console end to end: placement queue and decisions, lists, history, dashboard, exports, admin tools.

Every page and action is checked against anonymous visitors, students, company managers and managers of
another group; bad input (replays, forged ids, inverted periods) gives a clear answer and changes nothing.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import AuditEvent, Placement, PlacementStatus
from tests.factories_evaluations import complete_requirements
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_agreements import make_ready
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_placements import make_placement


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def world(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu, snu], name="Busan Medical")
    opening = make_opening(company, title="Radiology AI internship", seats=1)
    student = make_student(pnu)
    placement = make_placement(student, opening)
    return {"pnu": pnu, "snu": snu, "company": company, "opening": opening, "student": student,
            "placement": placement, "reviewer": make_exchange_manager(pnu), "outsider": make_exchange_manager(snu)}


def pages(w) -> list[str]:
    p = w["placement"]
    return ["/manager/", f"/manager/placements/{p.id}", "/manager/placements", f"/manager/history/placement/{p.id}",
            "/manager/dashboard", "/manager/exports", "/manager/exports?kind=placements&fmt=csv&lang=en"]


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for path in pages(world):
        response = client.get(path)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], path
    response = client.post(f"/manager/placements/{world['placement'].id}", data={"decision": "approve"})
    assert response.status_code in (302, 400)
    db.session.refresh(world["placement"])
    assert world["placement"].status == PlacementStatus.PENDING


@pytest.mark.parametrize("who", ["student", "company_manager"])
def test_students_and_company_managers_are_refused_everywhere(client, auth, world, who):
    user = world["student"] if who == "student" else manager_of(world["company"])
    auth.login(user.email)
    for path in pages(world):
        assert client.get(path).status_code == 403, path
    response = auth.post(f"/manager/placements/{world['placement'].id}", {"decision": "approve"})
    assert response.status_code == 403
    db.session.refresh(world["placement"])
    assert world["placement"].status == PlacementStatus.PENDING


def test_a_manager_of_another_group_cannot_see_or_decide(client, auth, world):
    p = world["placement"]
    auth.login(world["outsider"].email)
    html = client.get("/manager/").get_data(as_text=True)
    assert "Radiology AI internship" not in html and "No placement request is waiting" in html
    assert client.get(f"/manager/placements/{p.id}").status_code == 404
    assert client.get(f"/manager/history/placement/{p.id}").status_code == 404
    for decision in ("approve", "return", "complete", "cancel"):
        response = auth.post(f"/manager/placements/{p.id}", {"decision": decision, "note": "x"})
        assert response.status_code == 404
    db.session.refresh(p)
    assert p.status == PlacementStatus.PENDING
    export = client.get("/manager/exports?kind=placements&fmt=csv&lang=en")
    assert world["student"].email not in export.get_data().decode("utf-8-sig")


def test_the_queue_shows_the_request_with_seats_and_the_decision_page_explains_it(client, auth, world):
    p = world["placement"]
    auth.login(world["reviewer"].email)
    html = client.get("/manager/").get_data(as_text=True)
    assert "Placement requests" in html and "Radiology AI internship" in html
    assert re.search(r'id="placement-request-count">1<', html)
    page = client.get(f"/manager/placements/{p.id}").get_data(as_text=True)
    assert world["student"].display_name in page and "Busan Medical" in page
    assert "Score 72 of 100." in page or "Score 73 of 100." in page
    assert "PyTorch" in page and "missing" in page  # the stored explanation
    assert "Seats left" in page and "History" in page


def test_approving_on_the_page_then_replaying_the_form(client, auth, world):
    p = world["placement"]
    auth.login(world["reviewer"].email)
    form_page = f"/manager/placements/{p.id}"
    response = auth.post(form_page, {"decision": "approve", "note": "Good fit"}, form_page=form_page)
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.status == PlacementStatus.APPROVED and p.decided_by_id == world["reviewer"].id
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "placement")).all()
    replay = auth.post(form_page, {"decision": "approve", "note": "Good fit"}, form_page=form_page)
    assert replay.status_code == 409
    assert "already approved" in replay.get_data(as_text=True)
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "placement")).all()) == len(events)


def test_the_last_seat_gives_a_clear_full_message(client, auth, world):
    second = make_placement(make_student(world["pnu"]), world["opening"])
    auth.login(world["reviewer"].email)
    auth.post(f"/manager/placements/{world['placement'].id}", {"decision": "approve"})
    response = auth.post(f"/manager/placements/{second.id}", {"decision": "approve"})
    assert response.status_code == 409 and "The opening is full" in response.get_data(as_text=True)
    db.session.refresh(second)
    assert second.status == PlacementStatus.PENDING


def test_returning_needs_a_reason_shown_beside_the_note(client, auth, world):
    p = world["placement"]
    auth.login(world["reviewer"].email)
    response = auth.post(f"/manager/placements/{p.id}", {"decision": "return", "note": ""})
    assert response.status_code == 400 and "Say why the request is returned" in response.get_data(as_text=True)
    response = auth.post(f"/manager/placements/{p.id}", {"decision": "return", "note": "Dates clash"})
    assert response.status_code == 302
    db.session.refresh(p)
    assert p.status == PlacementStatus.RETURNED and p.note == "Dates clash"


def test_unknown_decision_and_forged_ids(client, auth, world):
    auth.login(world["reviewer"].email)
    assert auth.post(f"/manager/placements/{world['placement'].id}", {"decision": "explode"}).status_code == 400
    assert auth.post("/manager/placements/999999", {"decision": "approve"}).status_code == 404
    assert client.get("/manager/placements/999999").status_code == 404
    assert client.get("/manager/history/user/1").status_code == 404
    assert client.get("/manager/history/placement/999999").status_code == 404


def test_completing_and_cancelling_from_the_list(client, auth, world):
    active = make_placement(make_student(world["pnu"]), make_opening(world["company"], seats=2),
                            status=PlacementStatus.ACTIVE)
    complete_requirements(active)
    approved = world["placement"]
    approved.status = PlacementStatus.APPROVED
    db.session.commit()
    auth.login(world["reviewer"].email)
    html = client.get("/manager/placements").get_data(as_text=True)
    assert "Mark completed" in html and "data-confirm" in html and "Cancel…" in html
    assert auth.post(f"/manager/placements/{active.id}", {"decision": "complete"},
                     form_page="/manager/placements").status_code == 302
    response = auth.post(f"/manager/placements/{approved.id}", {"decision": "cancel", "note": ""})
    assert response.status_code == 400
    assert auth.post(f"/manager/placements/{approved.id}", {"decision": "cancel", "note": "Illness"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Placement, active.id).status == PlacementStatus.COMPLETED
    assert db.session.get(Placement, approved.id).status == PlacementStatus.CANCELLED
    assert "No placements here yet" in client.get("/manager/placements").get_data(as_text=True)


def test_history_of_records_in_the_managers_groups(client, auth, world):
    auth.login(world["reviewer"].email)
    html = client.get(f"/manager/history/company/{world['company'].id}").get_data(as_text=True)
    assert "Approved" in html and "Registered" in html  # actions and states by their labels
    assert client.get(f"/manager/history/opening/{world['opening'].id}").status_code == 200
    assert client.get(f"/manager/history/application/{world['placement'].application_id}").status_code == 200
    hallym_company = make_company(groups=[make_group("HALLYM")])
    assert client.get(f"/manager/history/company/{hallym_company.id}").status_code == 404


def test_dashboard_shows_numbers_and_accessible_svg_charts(client, auth, world):
    auth.login(world["reviewer"].email)
    response = client.get("/manager/dashboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in html and 'role="img"' in html and "<title id=" in html
    assert "style=" not in html and "<script>" not in html.replace('<script src', '')
    assert re.search(r'<th scope="row">PNU</th><td>1</td><td>1</td><td>0</td>', html)
    assert "Python" in html  # top requested skills


def test_fill_rate_bars_are_drawn_against_100_percent_not_the_largest_value(app, client, auth, world):
    """12% of the seats filled is an eighth of the bar, even when it is the best group."""
    with app.test_request_context():
        charts = app.jinja_env.get_template("manager/_charts.html").module
        svg = str(charts.bar_chart("chart-fill", "Fill rate", [("PNU", 12, "12%"), ("SNU", 6, "6%")], scale_max=100))
    assert 'width="48.0"' in svg and 'width="24.0"' in svg  # 400 px is 100%
    auth.login(world["reviewer"].email)
    html = client.get("/manager/dashboard").get_data(as_text=True)
    assert 'id="chart-fill"' in html


def test_exports_download_csv_and_xlsx_and_explain_bad_periods(client, auth, world):
    auth.login(world["reviewer"].email)
    assert client.get("/manager/exports").status_code == 200
    csv_response = client.get("/manager/exports?kind=placements&fmt=csv&lang=ko&group_id=&company_id=&date_from=&date_to=")
    assert csv_response.status_code == 200 and "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"  # the charset once
    rows = list(csv.reader(io.StringIO(csv_response.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "배치 번호" and rows[1][2] == world["student"].display_name
    xlsx = client.get("/manager/exports?kind=applications&fmt=xlsx&lang=en")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet["A1"].value == "Application ID" and sheet.max_row == 2
    bad = client.get("/manager/exports?kind=placements&fmt=csv&lang=en&date_from=2031-05-01&date_to=2031-04-01")
    assert bad.status_code == 400 and "The end of the period is before its start." in bad.get_data(as_text=True)
    assert 'value="2031-05-01"' in bad.get_data(as_text=True)  # what was typed is kept
    forged = client.get(f"/manager/exports?kind=placements&fmt=csv&lang=en&group_id={world['snu'].id}")
    assert forged.status_code == 400 and "Choose one of the listed project groups." in forged.get_data(as_text=True)


def test_admin_filters_the_audit_log(client, auth, world):
    admin = make_admin()
    auth.login(world["reviewer"].email)
    auth.post(f"/manager/placements/{world['placement'].id}", {"decision": "approve"})
    auth.logout()
    auth.login(admin.email)
    html = client.get(f"/admin/audit?entity_type=placement&actor={world['reviewer'].email}&action=approved"
                      "&from=2000-01-01&to=2999-01-01").get_data(as_text=True)
    assert f"Placement #{world['placement'].id}" in html and "Company #" not in html
    none = client.get("/admin/audit?entity_type=placement&actor=nobody@example.com").get_data(as_text=True)
    assert "Nothing recorded yet." in none
    inverted = client.get("/admin/audit?from=2030-01-02&to=2030-01-01")
    assert inverted.status_code == 400 and "The end of the period is before its start." in inverted.get_data(as_text=True)
    assert client.get("/admin/audit?from=garbage").status_code == 400


def test_admin_reassigns_a_managers_groups_and_the_queue_follows(client, auth, world):
    outsider = world["outsider"]
    designation = outsider.active_designation
    admin = make_admin()
    auth.login(outsider.email)
    assert client.get(f"/admin/designations/{designation.id}/groups").status_code == 403
    auth.logout()
    auth.login(admin.email)
    path = f"/admin/designations/{designation.id}/groups"
    assert client.get(path).status_code == 200
    assert auth.post(path, {"group_ids": []}, form_page=path).status_code == 400
    assert auth.post(path, {"group_ids": [world["pnu"].id, world["snu"].id]}, form_page=path).status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "designation")
                               .order_by(AuditEvent.id.desc())).first()
    assert event.action == "groups_changed" and event.note == "SNU → PNU, SNU"
    auth.logout()
    auth.login(outsider.email)
    assert "Radiology AI internship" in client.get("/manager/").get_data(as_text=True)
    assert client.get(f"/manager/placements/{world['placement'].id}").status_code == 200


def test_admins_act_in_every_group(client, auth, world):
    auth.login(make_admin().email)
    assert auth.post(f"/manager/placements/{world['placement'].id}", {"decision": "approve"}).status_code == 302
    html = client.get("/manager/dashboard").get_data(as_text=True)
    assert 'name="group"' in html  # the group filter


def test_company_manager_hears_about_the_approval(client, auth, world):
    auth.login(world["reviewer"].email)
    auth.post(f"/manager/placements/{world['placement'].id}", {"decision": "approve"})
    auth.logout()
    other_company_manager = make_company_manager()
    auth.login(manager_of(world["company"]).email)
    assert "The placement in &#34;Radiology AI internship&#34; was approved." in \
        client.get("/notifications/").get_data(as_text=True) or \
        "Radiology AI internship" in client.get("/notifications/").get_data(as_text=True)
    auth.logout()
    auth.login(other_company_manager.email)
    assert "Radiology AI internship" not in client.get("/notifications/").get_data(as_text=True)


def test_console_pages_only_read_and_show_a_started_placement_as_active(client, auth, world):
    started = world["placement"]
    started.status = PlacementStatus.APPROVED
    started.start_date = today_in_seoul() - timedelta(days=1)
    db.session.commit()
    make_ready(started)
    auth.login(world["reviewer"].email)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for path in ("/manager/", "/manager/placements", f"/manager/placements/{started.id}", "/manager/dashboard"):
        assert client.get(path).status_code == 200, path
    db.session.expire_all()
    assert db.session.get(Placement, started.id).status == PlacementStatus.APPROVED  # nothing written on GET
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
    html = client.get(f"/manager/placements/{started.id}").get_data(as_text=True)
    assert "Mark completed" in html and ">Active<" in html


def test_the_activation_job_records_started_placements_once(runner, world):
    started = world["placement"]
    started.status = PlacementStatus.APPROVED
    started.start_date = today_in_seoul()
    db.session.commit()
    make_ready(started)
    assert "Activated 1 placements." in runner.invoke(args=["activate-placements"]).output
    assert "Activated 0 placements." in runner.invoke(args=["activate-placements"]).output
    db.session.expire_all()
    assert db.session.get(Placement, started.id).status == PlacementStatus.ACTIVE
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "placement", AuditEvent.entity_id == started.id,
        AuditEvent.action == "activated")) == 1


def test_the_activation_job_holds_back_a_placement_without_its_agreement_and_says_why(runner, client, auth, world):
    started = world["placement"]
    started.status = PlacementStatus.APPROVED
    started.start_date = today_in_seoul()
    db.session.commit()
    output = runner.invoke(args=["activate-placements"]).output
    assert "Activated 0 placements." in output
    assert f"Held back placement {started.id}:" in output
    db.session.expire_all()
    assert db.session.get(Placement, started.id).status == PlacementStatus.APPROVED
    auth.login(world["reviewer"].email)
    html = client.get(f"/manager/placements/{started.id}").get_data(as_text=True)
    assert "Mark completed" not in html and ">Active<" not in html
    assert "the practice cannot start until they are in place" in html
