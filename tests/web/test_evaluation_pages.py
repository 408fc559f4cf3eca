"""The evaluation pages end to end through the test client: both evaluation forms (errors beside their fields,
nothing typed lost, once only), the practice's evaluations page for each party, completion from the manager's page,
the certificate PDF, the public certificate check (valid, forged, revoked, odd input, throttled), the company's
anonymous feedback and the rubric the programme office edits."""
from __future__ import annotations

import io
from html import unescape
from datetime import timedelta

import pytest
from pypdf import PdfReader

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Certificate, Evaluation, EvaluationKind, Placement, PlacementStatus, RubricItem
from marketplace.services import certificates, evaluations
from tests.factories import make_admin, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_evaluations import complete_requirements, give_evaluations
from tests.factories_placements import make_placement


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def practice(app):
    """An active practice whose final evaluation window is open today, with its parties."""
    today = today_in_seoul()
    pnu = make_group("PNU")
    company = make_company(groups=[pnu])
    placement = make_placement(make_student(pnu), make_opening(company), status=PlacementStatus.ACTIVE,
                               start=today - timedelta(days=60), end=today - timedelta(days=1))
    return dict(placement=placement, student=placement.student, supervisor=manager_of(company),
                xm=make_exchange_manager(pnu), admin=make_admin(), company=company)


def _scores_form(**overrides) -> dict:
    data = {f"score_{item.id}": "4" for item in evaluations.active_items()}
    data.update(strengths="Careful with patient data.", improvements="Write tests first.", recommended_grade="A0")
    data.update(overrides)
    return data


def test_the_supervisor_evaluates_once_with_errors_beside_the_fields(client, auth, practice):
    placement = practice["placement"]
    path = f"/placements/{placement.id}/evaluations/final"
    auth.login(practice["supervisor"].email)
    page = client.get(path).get_data(as_text=True)
    assert "Domain knowledge" in page and "Recommended grade" in page
    first = evaluations.active_items()[0]
    response = auth.post(path, _scores_form(**{f"score_{first.id}": "", "strengths": "",
                                               "improvements": "Typed and kept."}), form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a score from 1 to 5." in html and "Name at least one strength." in html
    assert "Typed and kept." in html
    assert auth.post(path, _scores_form(), form_page=path).status_code == 302
    again = auth.post(path, _scores_form(recommended_grade="F"), form_page=f"/placements/{placement.id}/evaluations")
    assert again.status_code == 409 and "already submitted" in again.get_data(as_text=True)
    given = db.session.query(Evaluation).filter_by(placement_id=placement.id).one()
    assert given.recommended_grade == "A0" and given.author_id == practice["supervisor"].id


def test_the_student_evaluates_the_host_and_only_the_student(client, auth, practice):
    placement = practice["placement"]
    path = f"/placements/{placement.id}/evaluations/host"
    auth.login(practice["supervisor"].email)
    assert client.get(path).status_code == 403
    auth.logout()
    auth.login(practice["student"].email)
    response = auth.post(path, {"learning": "5", "supervision": "", "environment": "9", "would_recommend": "",
                                "comment": "Mentoring was great."}, form_page=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Mentoring was great." in html
    assert html.count("Choose a score from 1 to 5.") == 2 and "Say whether you would recommend" in html
    assert auth.post(path, {"learning": "5", "supervision": "4", "environment": "3", "would_recommend": "yes",
                            "comment": "Mentoring was great."}, form_page=path).status_code == 302
    page = client.get(f"/placements/{placement.id}/evaluations").get_data(as_text=True)
    assert "Mentoring was great." in page and "anonymous to the company" in page


def test_who_sees_the_evaluations_page_and_what(client, auth, practice):
    placement = practice["placement"]
    give_evaluations(placement, comment="Only managers read this.")
    path = f"/placements/{placement.id}/evaluations"
    assert client.get(path).status_code == 302  # sign in first
    other_group_xm = make_exchange_manager(make_group("SNU"))
    seen = {}
    for name, user in [("student", practice["student"]), ("supervisor", practice["supervisor"]),
                       ("xm", practice["xm"]), ("admin", practice["admin"]), ("other_xm", other_group_xm),
                       ("other_student", make_student()), ("other_cm", manager_of(make_company()))]:
        auth.login(user.email)
        response = client.get(path)
        seen[name] = (response.status_code, response.get_data(as_text=True))
        auth.logout()
    for name in ("other_xm", "other_student", "other_cm"):
        assert seen[name][0] == 404, name
    for name in ("student", "supervisor", "xm", "admin"):
        assert seen[name][0] == 200, name
    # the company never reads the student's answers; managers do; the student does not read the supervisor's
    assert "Only managers read this." not in seen["supervisor"][1]
    assert "Only managers read this." in seen["xm"][1] and "Only managers read this." in seen["admin"][1]
    assert "Careful with data." in seen["supervisor"][1] and "Careful with data." not in seen["student"][1]
    assert "Everything completion needs is in place." in seen["xm"][1]


def test_completion_from_the_manager_page_lists_what_is_missing_then_issues_the_certificate(client, auth, practice):
    placement = practice["placement"]
    auth.login(practice["xm"].email)
    path = f"/manager/placements/{placement.id}"
    page = unescape(client.get(path).get_data(as_text=True))
    assert "The student's evaluation of the host is missing." in page
    refused = auth.post(path, {"decision": "complete"}, form_page=path)
    assert refused.status_code == 409 and "cannot be completed yet" in refused.get_data(as_text=True)
    complete_requirements(placement)
    assert auth.post(path, {"decision": "complete"}, form_page=path).status_code == 302
    certificate = db.session.query(Certificate).filter_by(placement_id=placement.id).one()
    auth.logout()
    auth.login(practice["student"].email)
    page = client.get(f"/placements/{placement.id}/evaluations").get_data(as_text=True)
    assert certificates.display_code(certificate.code) in page
    response = client.get(f"/placements/{placement.id}/certificate.pdf?lang=ko")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "현장실습 이수증" in text and practice["student"].display_name in text
    english = client.get(f"/placements/{placement.id}/certificate.pdf?lang=en")
    assert "Certificate of Completion" in PdfReader(io.BytesIO(english.data)).pages[0].extract_text()
    auth.logout()
    auth.login(practice["supervisor"].email)
    assert client.get(f"/placements/{placement.id}/certificate.pdf").status_code == 404


def test_closing_as_not_completed_from_the_manager_page_needs_the_note(client, auth, practice):
    placement = practice["placement"]
    auth.login(practice["xm"].email)
    path = f"/manager/placements/{placement.id}"
    refused = auth.post(path, {"decision": "not_complete", "note": ""}, form_page=path)
    assert refused.status_code == 400 and "Say why the practice is not completed" in refused.get_data(as_text=True)
    assert auth.post(path, {"decision": "not_complete", "note": "Stopped in week 4."}, form_page=path).status_code == 302
    assert db.session.get(Placement, placement.id).status == PlacementStatus.NOT_COMPLETED


def _completed(practice) -> Certificate:
    placement = practice["placement"]
    complete_requirements(placement)
    from marketplace.services import placements

    placements.complete_placement(practice["xm"], placement.id)
    db.session.commit()
    return certificates.certificate_for(placement.id)


def test_the_public_check_page_valid_forged_revoked_and_odd_codes(client, auth, practice):
    certificate = _completed(practice)
    shown = certificates.display_code(certificate.code)
    page = client.get("/certificates/")
    assert page.status_code == 200 and 'name="code"' in page.get_data(as_text=True)
    valid = client.get(f"/certificates/{shown}")
    html = valid.get_data(as_text=True)
    assert valid.status_code == 200 and "Valid certificate" in html
    assert practice["student"].display_name in html and practice["company"].name in html
    assert practice["student"].email not in html  # nothing more than name, programme, host, period, hours
    typed = client.get(f"/certificates/ {shown.lower().replace('-', ' ')} ")
    assert typed.status_code == 200 and "Valid certificate" in typed.get_data(as_text=True)
    redirect = client.get("/certificates/?code=" + shown.lower())
    assert redirect.status_code == 302 and redirect.headers["Location"].endswith(f"/certificates/{shown}")
    forged = "0000-0000-0000" if certificate.code != "0" * 12 else "1111-1111-1111"
    response = client.get(f"/certificates/{forged}")
    assert response.status_code == 404 and "No such certificate." in response.get_data(as_text=True)
    for odd in ("%3Cscript%3E", "abc", "7K2M-9XQD-4HRT-ZZZZ", "%E2%80%8B", "UUUU-UUUU-UUUU"):
        response = client.get(f"/certificates/{odd}")
        assert response.status_code == 400, odd
        assert "verification code" in response.get_data(as_text=True).lower(), odd
    assert client.get("/certificates/?code=%21%21").status_code == 400
    auth.login(practice["xm"].email)
    response = auth.post(f"/placements/{practice['placement'].id}/certificate/revoke", {"reason": ""},
                         form_page=f"/placements/{practice['placement'].id}/evaluations")
    assert response.status_code == 400 and "Say why the certificate is revoked." in response.get_data(as_text=True)
    assert auth.post(f"/placements/{practice['placement'].id}/certificate/revoke", {"reason": "Hours were forged."},
                     form_page=f"/placements/{practice['placement'].id}/evaluations").status_code == 302
    auth.logout()
    revoked = client.get(f"/certificates/{shown}").get_data(as_text=True)
    assert "Revoked." in revoked and practice["student"].display_name not in revoked
    assert "Hours were forged." not in revoked


def test_failed_look_ups_are_throttled(client, app):
    app.config["CERTIFICATE_LOOKUP_RATE_LIMIT"] = "2 per hour"
    assert client.get("/certificates/ZZZZ-ZZZZ-ZZZZ").status_code == 404
    assert client.get("/certificates/YYYY-YYYY-YYYY").status_code == 404
    response = client.get("/certificates/XXXX-XXXX-XXXX")
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_the_company_sees_feedback_only_from_three_answers(client, auth, practice):
    company = practice["company"]
    give_evaluations(practice["placement"], kinds=(EvaluationKind.STUDENT_HOST,), comment="Secret remark.")
    auth.login(practice["supervisor"].email)
    html = client.get("/company/host-feedback").get_data(as_text=True)
    assert "Not enough answers yet" in html and "Secret remark." not in html
    for _ in range(2):
        placement = make_placement(make_student(make_group("PNU")), make_opening(company), status=PlacementStatus.ACTIVE)
        give_evaluations(placement, kinds=(EvaluationKind.STUDENT_HOST,))
    html = client.get("/company/host-feedback").get_data(as_text=True)
    assert "Not enough answers yet" not in html and "4.0 / 5" in html and "Secret remark." not in html


def test_the_programme_office_edits_the_rubric(client, auth, practice):
    auth.login(practice["student"].email)
    assert client.get("/admin/evaluation-rubric/").status_code == 403
    auth.logout()
    auth.login(practice["admin"].email)
    page = client.get("/admin/evaluation-rubric/")
    assert page.status_code == 200 and "Data handling and ethics" in page.get_data(as_text=True)
    response = auth.post("/admin/evaluation-rubric/", {"name_ko": "", "name_en": "Reporting", "position": "x"},
                         form_page="/admin/evaluation-rubric/")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter the name in both languages." in html and "Reporting" in html
    assert auth.post("/admin/evaluation-rubric/", {"name_ko": "보고", "name_en": "Reporting", "active": "y"},
                     form_page="/admin/evaluation-rubric/").status_code == 302
    item = db.session.query(RubricItem).filter_by(name_en="Reporting").one()
    assert auth.post(f"/admin/evaluation-rubric/{item.id}", {"name_ko": "보고서", "name_en": "Reports",
                                                             "position": "0"},
                     form_page=f"/admin/evaluation-rubric/{item.id}").status_code == 302
    db.session.expire_all()
    item = db.session.get(RubricItem, item.id)
    assert (item.name_en, item.position, item.active) == ("Reports", 0, False)
    assert client.get("/admin/evaluation-rubric/999999").status_code == 404


QUERIES = 18  # session, user (designations joined), placement (opening, company, student, group), plan, evaluations, certificate, completion checks


def test_the_evaluations_page_takes_a_fixed_number_of_queries(client, auth, practice, count_queries):
    placement = practice["placement"]
    give_evaluations(placement)
    auth.login(practice["xm"].email)
    path = f"/placements/{placement.id}/evaluations"
    assert count_queries.page(client, path) == QUERIES
