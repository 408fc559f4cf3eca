"""The agreement pages as the three parties use them: acknowledging through the form, a replayed form refused with
what changed, insurance input kept beside its messages, the PDF download, clinical-data readiness on the opening
and blocking an approval while the IRB is pending; query counts of the agreement page."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Placement, PlacementStatus
from marketplace.seeding import seed_agreement_clauses
from marketplace.services import agreements
from tests.conftest import CSRF_RE
from tests.factories import make_admin, make_exchange_manager
from tests.factories_agreements import insure, parties
from tests.factories_applications import PDF
from tests.factories_companies import make_opening, manager_of
from tests.factories_placements import make_placement

HASH_RE = re.compile(r'name="document_hash" type="hidden" value="([0-9a-f]{64})"')


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _page(client, placement) -> str:
    response = client.get(f"/placements/{placement.id}/agreement")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _acknowledge(client, placement, html: str):
    token = CSRF_RE.search(html).group(1)
    return client.post(f"/placements/{placement.id}/agreement/acknowledge",
                       data={"csrf_token": token, "document_hash": HASH_RE.search(html).group(1), "confirm": "y"})


def test_the_three_parties_acknowledge_in_the_browser_and_the_address_and_time_are_recorded(app, client, auth):
    placement = make_placement(status=PlacementStatus.APPROVED)
    insure(placement)
    client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for user in parties(placement):
        auth.login(user.email)
        html = _page(client, placement)
        assert "Acknowledge the agreement" in html
        response = _acknowledge(client, placement, html)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        assert "You acknowledged this version" in _page(client, placement)
        auth.logout()
    state = agreements.agreement_state(db.session.get(Placement, placement.id))
    assert state.ready and {a.ip_address for a in state.current.values()} == {"203.0.113.9"}
    auth.login(parties(placement)[2].email)
    html = _page(client, placement)
    assert "All three parties acknowledged this version" in html and "203.0.113.9" in html
    assert "the practice cannot start until they are in place" not in \
        client.get(f"/manager/placements/{placement.id}").get_data(as_text=True)


def test_an_acknowledgement_form_opened_before_a_change_is_refused_with_the_changes(app, client, auth):
    opening = make_opening(stipend_krw=1_000_000)
    placement = make_placement(opening=opening, status=PlacementStatus.APPROVED)
    student, cm, _ = parties(placement)
    agreements.acknowledge(cm, placement.id, agreements.agreement_state(placement).hash, "")
    db.session.commit()
    auth.login(student.email)
    stale = _page(client, placement)
    opening.stipend_krw = 1_100_000
    db.session.commit()
    agreements.terms_changed_for_opening(cm, opening.id)
    db.session.commit()
    response = _acknowledge(client, placement, stale)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The agreement changed after you opened it" in html
    assert "₩1,000,000" in html and "₩1,100,000" in html  # old → new beside each other
    assert agreements.agreement_state(db.session.get(Placement, placement.id)).current == {}


def test_an_insurance_period_that_misses_the_practice_is_refused_beside_the_field_with_the_input_kept(app, client,
                                                                                                      auth):
    placement = make_placement(status=PlacementStatus.APPROVED)
    _, cm, _ = parties(placement)
    auth.login(cm.email)
    html = _page(client, placement)
    token = CSRF_RE.search(html).group(1)
    late = (placement.start_date + timedelta(days=3)).isoformat()
    response = client.post(f"/placements/{placement.id}/insurance/industrial-accident", data={
        "csrf_token": token, "industrial-accident-insurer": "근로복지공단",
        "industrial-accident-policy_number": "KW-77", "industrial-accident-starts_on": late,
        "industrial-accident-ends_on": placement.start_date.isoformat(),
        "industrial-accident-document": (io.BytesIO(PDF), "policy.pdf")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The cover ends before it starts." in html
    assert 'value="근로복지공단"' in html and 'value="KW-77"' in html and f'value="{late}"' in html
    response = client.post(f"/placements/{placement.id}/insurance/industrial-accident", data={
        "csrf_token": token, "industrial-accident-insurer": "근로복지공단",
        "industrial-accident-policy_number": "KW-77",
        "industrial-accident-starts_on": placement.start_date.isoformat(),
        "industrial-accident-ends_on": placement.end_date.isoformat(),
        "industrial-accident-document": (io.BytesIO(PDF), "policy.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    html = _page(client, placement)
    assert "KW-77" in html and "University accident insurance (상해보험) is not recorded yet." in html
    document = client.get(f"/placements/{placement.id}/insurance/industrial-accident/document")
    assert document.status_code == 200 and document.data == PDF
    assert "no-store" in document.headers["Cache-Control"]


def test_the_pdf_comes_in_both_languages_for_each_party(app, client, auth):
    seed_agreement_clauses()
    placement = make_placement(status=PlacementStatus.PENDING)
    auth.login(placement.student.email)
    for lang, title in (("ko", "현장실습 협약서"), ("en", "Field Practice Agreement")):
        response = client.get(f"/placements/{placement.id}/agreement.pdf?lang={lang}")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
        assert title in text and placement.student.display_name in text.replace("\n", " ")


def test_a_company_declares_clinical_data_students_read_it_and_a_pending_irb_blocks_approval(app, client, auth):
    opening = make_opening(kind="research_project")
    placement = make_placement(opening=opening, status=PlacementStatus.PENDING)
    cm = manager_of(opening.company)
    auth.login(cm.email)
    page = client.get(f"/company/openings/{opening.id}/clinical-data").get_data(as_text=True)
    assert "Clinical-data readiness is not declared for this research project." in page
    token = CSRF_RE.search(page).group(1)
    future = (today_in_seoul() + timedelta(days=5)).isoformat()
    response = client.post(f"/company/openings/{opening.id}/clinical-data", data={
        "csrf_token": token, "data_source": "hospital", "irb_status": "approved", "irb_institution": "",
        "irb_number": "", "irb_date": future, "dua_reference": "DUA-7"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("Name the institution whose IRB approved the study.", "Enter the IRB approval number.",
                    "The approval date cannot be in the future."):
        assert message in html
    assert 'value="DUA-7"' in html
    response = client.post(f"/company/openings/{opening.id}/clinical-data", data={
        "csrf_token": token, "data_source": "hospital", "irb_status": "pending", "dua_status": "signed",
        "deidentification": "pseudonymised", "access": "hospital_enclave"})
    assert response.status_code == 302
    auth.logout()
    auth.login(placement.student.email)
    detail = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert "IRB pending" in detail and "Hospital secure enclave" in detail and "Pseudonymised" in detail
    auth.logout()
    reviewer = make_exchange_manager(placement.student.student_profile.group)
    auth.login(reviewer.email)
    html = client.get(f"/manager/placements/{placement.id}").get_data(as_text=True)
    assert "its IRB approval is pending" in html
    response = auth.post(f"/manager/placements/{placement.id}", {"decision": "approve"},
                         form_page=f"/manager/placements/{placement.id}")
    assert response.status_code == 409
    assert db.session.get(Placement, placement.id).status == PlacementStatus.PENDING


def test_the_agreement_page_is_a_constant_number_of_queries(app, client, auth, count_queries):
    seed_agreement_clauses()
    placement = make_placement(status=PlacementStatus.APPROVED)
    placement_id, student = placement.id, placement.student
    insure(placement)

    def add_round(scans: int) -> None:
        """Every party acknowledges the current version, then signed copies are uploaded."""
        target = db.session.get(Placement, placement_id)
        for user in parties(target):
            agreements.acknowledge(user, placement_id, agreements.agreement_state(target).hash, "")
            db.session.commit()
        for _ in range(scans):
            agreements.upload_scan(student, placement_id, "s.pdf", PDF)
            db.session.commit()

    add_round(1)
    auth.login(student.email)
    before = count_queries.page(client, f"/placements/{placement_id}/agreement")
    student = db.session.get(Placement, placement_id).student
    agreements.update_clause(make_admin(), agreements.clauses()[0].id, agreements.ClauseData(
        title_ko="목적", title_en="Purpose", body_ko="바뀐 조항", body_en="A changed clause"))
    db.session.commit()
    add_round(3)  # three more acknowledgements (the first three void) and three more scans
    assert count_queries.page(client, f"/placements/{placement_id}/agreement") == before
