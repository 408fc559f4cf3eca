"""The three-party practice agreement: insurance, acknowledgements voided by changed terms, replays refused,
the activation gate, signed scans, standard clauses and the PDF read back with its Korean intact."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import (
    AgreementAcknowledgement,
    AgreementParty,
    AuditEvent,
    InsuranceKind,
    Placement,
    PlacementInsurance,
    PlacementStatus,
)
from marketplace.seeding import seed_agreement_clauses
from marketplace.services import agreement_pdf, agreements, openings, placements
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_agreements import (
    acknowledge_all,
    current_hash,
    insurance_data,
    insure,
    make_ready,
    parties,
)
from tests.factories_applications import PDF
from tests.factories_companies import make_company, make_opening, opening_data
from tests.factories_placements import make_application, make_placement


def _state(placement):
    db.session.expire_all()
    return agreements.agreement_state(db.session.get(Placement, placement.id))


def _edit_opening(opening, **changes):
    manager = parties_of_opening(opening)
    data = opening_data(opening.company, **{
        "kind": opening.kind.value, "title": opening.title, "start_date": opening.start_date,
        "end_date": opening.end_date, "deadline": opening.deadline, "seats": opening.seats,
        "degree_levels": [], "majors": [], "group_ids": [g.id for g in opening.eligible_groups],
        "version": opening.version, **changes})
    openings.update_opening(manager, opening, data)
    db.session.commit()


def parties_of_opening(opening):
    from tests.factories_companies import manager_of

    return manager_of(opening.company)


# -- insurance --------------------------------------------------------------------------------------------------


def test_the_host_records_industrial_accident_insurance_and_the_group_university_insurance(app):
    placement = make_placement(status=PlacementStatus.APPROVED)
    student, cm, xm = parties(placement)
    insure(placement)
    records = {r.kind: r for r in db.session.scalars(select(PlacementInsurance))}
    assert records[InsuranceKind.INDUSTRIAL_ACCIDENT].recorded_by_id == cm.id
    assert records[InsuranceKind.UNIVERSITY_ACCIDENT].recorded_by_id == xm.id
    assert records[InsuranceKind.INDUSTRIAL_ACCIDENT].document_original_name == "보험증권.pdf"
    # Each party records only its own policy.
    with pytest.raises(Forbidden):
        agreements.record_insurance(cm, placement.id, InsuranceKind.UNIVERSITY_ACCIDENT, insurance_data(placement))
    db.session.rollback()
    with pytest.raises(Forbidden):
        agreements.record_insurance(xm, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT, insurance_data(placement))
    db.session.rollback()
    with pytest.raises(NotFound):
        agreements.record_insurance(make_company_manager(), placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT,
                                    insurance_data(placement))


def test_an_insurance_period_must_cover_the_practice_and_every_mistake_is_reported_at_once(app):
    placement = make_placement(status=PlacementStatus.APPROVED)
    _, cm, _ = parties(placement)
    late = insurance_data(placement, starts_on=placement.start_date + timedelta(days=1),
                          ends_on=placement.end_date - timedelta(days=1), insurer="", document=b"not a pdf")
    with pytest.raises(ValidationFailed) as caught:
        agreements.record_insurance(cm, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT, late)
    fields = {field for field, _ in caught.value.field_messages()}
    assert fields == {"insurer", "starts_on", "ends_on", "document"}
    db.session.rollback()
    backwards = insurance_data(placement, starts_on=placement.end_date, ends_on=placement.start_date)
    with pytest.raises(DomainError, match="ends before it starts") as caught:
        agreements.record_insurance(cm, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT, backwards)
    assert caught.value.field == "ends_on"
    db.session.rollback()
    # Exactly the practice's own days are covered: accepted.
    exact = insurance_data(placement, starts_on=placement.start_date, ends_on=placement.end_date)
    agreements.record_insurance(cm, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT, exact)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PlacementInsurance)) == 1


def test_a_first_insurance_record_needs_its_policy_document_and_a_correction_keeps_it(app):
    placement = make_placement(status=PlacementStatus.APPROVED)
    _, cm, _ = parties(placement)
    with pytest.raises(DomainError, match="policy document") as caught:
        agreements.record_insurance(cm, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT,
                                    insurance_data(placement, document=None))
    assert caught.value.field == "document"
    db.session.rollback()
    agreements.record_insurance(cm, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT, insurance_data(placement))
    db.session.commit()
    agreements.record_insurance(cm, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT,
                                insurance_data(placement, policy_number="KW-2026-0002", document=None))
    db.session.commit()
    record = db.session.scalar(select(PlacementInsurance))
    assert (record.policy_number, record.document_original_name) == ("KW-2026-0002", "보험증권.pdf")
    data, name = agreements.insurance_file(cm, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT)
    assert data == PDF and name == "보험증권.pdf"


# -- acknowledgements ---------------------------------------------------------------------------------------------


def test_three_parties_acknowledge_with_name_time_address_and_hash(app):
    placement = make_placement(status=PlacementStatus.APPROVED)
    insure(placement)
    acknowledge_all(placement)
    state = _state(placement)
    assert set(state.current) == set(AgreementParty)
    student, cm, xm = parties(placement)
    acks = state.current
    assert (acks[AgreementParty.STUDENT].user_id, acks[AgreementParty.COMPANY].user_id,
            acks[AgreementParty.UNIVERSITY].user_id) == (student.id, cm.id, xm.id)
    assert all(a.ip_address == "203.0.113.7" and a.document_hash == state.hash and a.signer_name
               for a in acks.values())
    assert state.ready and state.blockers == []
    assert db.session.get(Placement, placement.id).agreement_ready


def test_a_second_acknowledgement_of_the_same_version_changes_nothing(app):
    placement = make_placement(status=PlacementStatus.PENDING)
    student, _, _ = parties(placement)
    agreements.acknowledge(student, placement.id, current_hash(placement), "198.51.100.1")
    db.session.commit()
    with pytest.raises(Conflict, match="already acknowledged"):
        agreements.acknowledge(student, placement.id, current_hash(placement), "198.51.100.1")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AgreementAcknowledgement)) == 1


def test_the_programme_office_reads_but_does_not_acknowledge_and_strangers_get_not_found(app):
    placement = make_placement(status=PlacementStatus.PENDING)
    with pytest.raises(Forbidden):
        agreements.acknowledge(make_admin(), placement.id, current_hash(placement), "")
    db.session.rollback()
    other_group_manager = make_exchange_manager(make_group("SNU"))
    for stranger in (make_student(), make_company_manager(), other_group_manager):
        with pytest.raises(NotFound):
            agreements.acknowledge(stranger, placement.id, current_hash(placement), "")
        db.session.rollback()


def test_a_change_of_terms_voids_every_acknowledgement_and_says_what_changed(app):
    opening = make_opening(stipend_krw=1_000_000)
    placement = make_placement(opening=opening, status=PlacementStatus.APPROVED)
    insure(placement)
    acknowledge_all(placement)
    _edit_opening(opening, stipend_krw=1_200_000)
    state = _state(placement)
    assert state.current == {} and not state.ready
    assert [(c.key, c.old, c.new) for c in state.changes] == [("stipend_krw", "₩1,000,000", "₩1,200,000")]
    voided = list(db.session.scalars(select(AgreementAcknowledgement)))
    assert len(voided) == 3 and all(a.voided_at is not None and "₩1,000,000 → ₩1,200,000" in a.void_reason
                                    for a in voided)
    assert not db.session.get(Placement, placement.id).agreement_ready
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "agreement_voided")) == 1


def test_recording_insurance_after_acknowledgements_voids_them_too(app):
    placement = make_placement(status=PlacementStatus.APPROVED)
    acknowledge_all(placement)
    assert len(_state(placement).current) == 3
    insure(placement)
    state = _state(placement)
    assert state.current == {}
    assert {c.key for c in state.changes} == {"insurance_industrial_accident", "insurance_university_accident"}


def test_an_acknowledgement_replayed_after_a_change_is_refused(app):
    opening = make_opening(stipend_krw=1_000_000)
    placement = make_placement(opening=opening, status=PlacementStatus.APPROVED)
    student, cm, _ = parties(placement)
    seen = current_hash(placement)
    agreements.acknowledge(cm, placement.id, seen, "198.51.100.2")
    db.session.commit()
    _edit_opening(opening, stipend_krw=2_000_000)
    with pytest.raises(Conflict, match="changed after you opened it") as caught:
        agreements.acknowledge(student, placement.id, seen, "198.51.100.3")
    assert "₩1,000,000 → ₩2,000,000" in caught.value.message
    db.session.rollback()
    assert _state(placement).current == {}
    # The current version is acknowledged normally.
    agreements.acknowledge(student, placement.id, current_hash(placement), "198.51.100.3")
    db.session.commit()
    assert set(_state(placement).current) == {AgreementParty.STUDENT}


def test_a_returned_placement_cannot_be_acknowledged(app):
    placement = make_placement(status=PlacementStatus.RETURNED)
    student, _, _ = parties(placement)
    with pytest.raises(Conflict, match="can no longer"):
        agreements.acknowledge(student, placement.id, current_hash(placement), "")


# -- the activation gate -----------------------------------------------------------------------------------------


def test_a_due_placement_stays_approved_until_all_three_acknowledged_and_both_insurances_are_recorded(app):
    today = today_in_seoul()
    placement = make_placement(status=PlacementStatus.APPROVED, start=today, end=today + timedelta(days=30))
    student, cm, xm = parties(placement)
    held: list = []
    assert placements.activate_due_placements(today, held=held) == 0
    assert held[0][0] == placement.id and len(held[0][1]) == 5
    assert placement.status_on(today) == PlacementStatus.APPROVED  # the pages do not pretend it started
    insure(placement)
    acknowledge_all(placement, (student, cm))
    held = []
    assert placements.activate_due_placements(today, held=held) == 0
    assert held[0][1] == ["The university (an exchange manager of the student's group) has not acknowledged "
                          "the current agreement."]
    acknowledge_all(placement, (xm,))
    assert placements.activate_due_placements(today) == 1
    db.session.commit()
    assert db.session.get(Placement, placement.id).status == PlacementStatus.ACTIVE


def test_insurance_that_no_longer_covers_changed_dates_blocks_the_start(app):
    today = today_in_seoul()
    placement = make_ready(make_placement(status=PlacementStatus.APPROVED, start=today,
                                          end=today + timedelta(days=30)))
    placement.end_date = today + timedelta(days=90)
    db.session.commit()
    state = _state(placement)
    assert any("does not cover the practice" in b for b in state.blockers)
    assert placements.activate_due_placements(today) == 0


def test_completing_a_due_placement_without_acknowledgements_is_refused_with_the_reasons(app):
    today = today_in_seoul()
    placement = make_placement(status=PlacementStatus.APPROVED, start=today - timedelta(days=3), end=today)
    _, _, xm = parties(placement)
    with pytest.raises(Conflict, match="cannot start yet.*has not acknowledged"):
        placements.complete_placement(xm, placement.id)


# -- scans, clauses, the PDF --------------------------------------------------------------------------------------------


def test_parties_upload_signed_scans_checked_like_cvs(app):
    placement = make_placement(status=PlacementStatus.APPROVED)
    student, _, _ = parties(placement)
    with pytest.raises(DomainError, match="not a PDF"):
        agreements.upload_scan(student, placement.id, "scan.jpg", b"\xff\xd8\xff\xe0 JFIF")
    db.session.rollback()
    change = agreements.upload_scan(student, placement.id, "서명본.pdf", PDF)
    db.session.commit()
    change.committed()
    state = _state(placement)
    assert [s.original_name for s in state.scans] == ["서명본.pdf"]
    data, name = agreements.scan_file(student, placement.id, state.scans[0].id)
    assert data == PDF
    with pytest.raises(Forbidden):
        agreements.upload_scan(make_admin(), placement.id, "x.pdf", PDF)


def test_editing_a_standard_clause_needs_both_languages_and_voids_acknowledgements(app):
    seed_agreement_clauses()
    placement = make_placement(status=PlacementStatus.PENDING)
    acknowledge_all(placement)
    admin = make_admin()
    clause = agreements.clauses()[0]
    with pytest.raises(DomainError) as caught:
        agreements.update_clause(admin, clause.id, agreements.ClauseData(title_ko="목적", title_en="", body_ko="x",
                                                                        body_en="y"))
    assert caught.value.field == "title_en"
    db.session.rollback()
    agreements.update_clause(admin, clause.id, agreements.ClauseData(
        title_ko="목적", title_en="Purpose", body_ko="새 조항", body_en="A new clause"))
    db.session.commit()
    assert _state(placement).current == {}
    with pytest.raises(Forbidden):
        agreements.update_clause(make_exchange_manager(), clause.id, agreements.ClauseData())


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_agreement_pdf_reads_back_in_korean_with_every_term(app):
    seed_agreement_clauses()
    company = make_company(name="메디AI 주식회사")
    opening = make_opening(company, title="흉부 CT 판독 보조 연구", stipend_krw=1_500_000)
    student = make_student(group=company.partner_groups[0])
    student.display_name = "김하늘"
    db.session.commit()
    placement = make_placement(student=student, opening=opening, status=PlacementStatus.APPROVED)
    insure(placement)
    acknowledge_all(placement, parties(placement)[:1])
    state = _state(placement)
    with app.test_request_context():
        data = agreement_pdf.render(state, "ko")
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    for expected in ("현장실습 협약서", "김하늘", "메디AI 주식회사", "흉부 CT 판독 보조 연구", "₩1,500,000", "근로복지공단",
                     "KW-2026-0001", "Dr. Kim", "배정되지 않음", "실습기관의 의무", state.hash):
        assert expected in text.replace("\n", ""), expected
    assert "확인하지 않음" in text  # the company and the university have not acknowledged yet
    with app.test_request_context():
        english = _pdf_text(agreement_pdf.render(state, "en"))
    for expected in ("Field Practice Agreement", "김하늘", "Duties of the host", "Not assigned yet",
                     "Industrial-accident insurance"):
        assert expected in english.replace("\n", " "), expected


def test_the_agreement_is_made_from_the_placements_own_terms_and_adjusting_them_voids_acknowledgements(app):
    seed_agreement_clauses()
    opening = make_opening(stipend_krw=1_000_000)
    application = make_application(opening=opening)
    placement = placements.request_placement(None, application)
    db.session.commit()
    insure(placement)
    acknowledge_all(placement)
    assert len(_state(placement).current) == 3
    manager = parties_of_opening(opening)
    schedule = [{"day": d, "start": "10:00", "end": "17:00", "break_minutes": 60} for d in range(4)]
    new = dict(placement.terms, stipend_krw=1_800_000, schedule=schedule, education_share_pct=25)
    placements.update_placement_terms(manager, placement.id, placements.terms_input(new), placement.version)
    db.session.commit()
    state = _state(placement)
    # The document shows what was agreed for this placement, not the opening's terms (which did not change).
    assert state.terms["stipend_krw"] == 1_800_000 and opening.stipend_krw == 1_000_000
    assert state.terms["hours_per_week"] == "24" and state.terms["education_share_pct"] == 25
    assert state.current == {}
    changed = {c.key: (c.old, c.new) for c in state.changes}
    assert changed["stipend_krw"] == ("₩1,000,000", "₩1,800,000")
    assert "Thursday 10:00–17:00" in changed["schedule"][1] and "Friday" in changed["schedule"][0]
    voided = list(db.session.scalars(select(AgreementAcknowledgement)))
    assert len(voided) == 3 and all(a.voided_at is not None and "₩1,800,000" in a.void_reason for a in voided)
    with app.test_request_context():
        text = _pdf_text(agreement_pdf.render(state, "ko")).replace("\n", "")
    assert "₩1,800,000" in text and "24시간" in text.replace(" ", "") and "25%" in text


def test_adjusting_a_placements_terms_to_the_same_values_voids_nothing(app):
    opening = make_opening()
    placement = placements.request_placement(None, make_application(opening=opening))
    db.session.commit()
    acknowledge_all(placement)
    placements.update_placement_terms(parties_of_opening(opening), placement.id,
                                      placements.terms_input(dict(placement.terms)), placement.version)
    db.session.commit()
    assert len(_state(placement).current) == 3
