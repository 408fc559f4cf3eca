"""Completion asks for what is missing; a completed practice gets a certificate whose code anyone can check (valid,
forged, revoked, typed oddly) and whose PDF reads back in Korean and English; a practice closes as not completed."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import AuditEvent, Certificate, EvaluationKind, Notification, Placement, PlacementStatus
from marketplace.services import certificate_pdf, certificates, completion, placements
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.services.throttle import TooManyAttempts
from tests.factories import make_admin, make_student
from tests.factories_companies import manager_of
from tests.factories_evaluations import complete_requirements, give_evaluations
from tests.factories_placements import make_placement, reviewer_for


def _active() -> Placement:
    today = today_in_seoul()
    return make_placement(status=PlacementStatus.ACTIVE, start=today - timedelta(days=60), end=today - timedelta(days=1))


def _completed() -> tuple[Placement, Certificate]:
    placement = _active()
    complete_requirements(placement)
    placements.complete_placement(reviewer_for(placement.student), placement.id)
    db.session.commit()
    return placement, certificates.certificate_for(placement.id)


def test_completion_is_refused_with_every_missing_item_listed(app):
    placement = _active()
    assert completion.missing_for(placement) == [
        "The host supervisor's final evaluation of the student is missing.",
        "The student's evaluation of the host is missing.",
    ]
    with pytest.raises(Conflict, match="cannot be completed yet: The host supervisor's final evaluation.*"
                                       "The student's evaluation of the host is missing"):
        placements.complete_placement(reviewer_for(placement.student), placement.id)
    db.session.rollback()
    give_evaluations(placement, kinds=(EvaluationKind.SUPERVISOR_FINAL,))
    assert completion.missing_for(placement) == ["The student's evaluation of the host is missing."]
    assert db.session.get(Placement, placement.id).status == PlacementStatus.ACTIVE
    assert certificates.certificate_for(placement.id) is None


def test_completing_issues_a_certificate_with_a_frozen_snapshot_and_tells_the_student(app):
    placement, certificate = _completed()
    assert placement.status == PlacementStatus.COMPLETED
    assert len(certificate.code) == certificates.CODE_LENGTH
    assert set(certificate.code) <= set(certificates.ALPHABET)
    snap = certificate.snapshot
    assert snap["student_name"] == placement.student.display_name
    assert snap["host"] == placement.opening.company.name
    assert (snap["start_date"], snap["end_date"]) == (placement.start_date.isoformat(), placement.end_date.isoformat())
    placement.student.display_name = "Renamed Later"
    db.session.commit()
    assert certificates.certificate_for(placement.id).snapshot["student_name"] != "Renamed Later"
    kinds = [n.kind for n in db.session.query(Notification).filter_by(user_id=placement.student_id)]
    assert "certificate_issued" in kinds and "placement_completed" in kinds
    actions = [e.action for e in db.session.query(AuditEvent).filter_by(entity_type="certificate")]
    assert actions == ["certificate_issued"]


def test_codes_are_random_and_readable():
    codes = {certificates.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert not any(set(code) & set("ILOU") for code in codes)
    assert certificates.display_code("7K2M9XQD4HRT") == "7K2M-9XQD-4HRT"


@pytest.mark.parametrize("typed", ["7K2M-9XQD-4HRT", "7k2m 9xqd 4hrt", " 7K2M9XQD4HRT ", "7K2M—9XQD–4HRT",
                                   "７Ｋ２Ｍ－９ＸＱＤ－４ＨＲＴ", "7k2m_9xqd.4hrt"])
def test_what_people_type_is_normalised(typed):
    assert certificates.normalise(typed) == "7K2M9XQD4HRT"


def test_letters_read_as_digits_follow_crockford():
    assert certificates.normalise("OOII-LLoo-1234") == "001111001234"


@pytest.mark.parametrize("typed, message", [
    ("", "Enter the verification code"),
    ("7K2M-9XQD-4HR", "has 12 characters"),
    ("7K2M-9XQD-4HRT-0", "has 12 characters"),
    ("7K2M-9XQD-4HR!", "cannot be part of one: !"),
    ("UUUU-9XQD-4HRT", "cannot be part of one: U"),
    ("<script>alert(1)</script>", "cannot be part of one"),
    ("7K2M\x00XQD4HRT", "cannot be part of one"),
    ("인증-코드", "cannot be part of one"),
])
def test_odd_codes_are_refused_clearly(typed, message):
    with pytest.raises(certificates.MalformedCode, match=message) as refused:
        certificates.normalise(typed)
    assert refused.value.field == "code"


def test_verifying_valid_forged_and_revoked_codes(app):
    placement, certificate = _completed()
    found = certificates.lookup(certificates.display_code(certificate.code).lower(), "203.0.113.9")
    assert found.state == "valid"
    assert set(found.shown) == {"student_name", "programme_ko", "programme_en", "group_ko", "group_en",
                                "university_ko", "university_en", "host", "start_date", "end_date", "hours"}
    forged = "0" * 12 if certificate.code != "0" * 12 else "1" * 12
    assert certificates.lookup(forged, "203.0.113.9").state == "unknown"
    with pytest.raises(DomainError, match="Say why"):
        certificates.revoke(reviewer_for(placement.student), placement.id, "  ")
    with pytest.raises(NotFound):
        certificates.revoke(manager_of(placement.opening.company), placement.id, "Forged hours.")
    with pytest.raises(NotFound):
        certificates.revoke(placement.student, placement.id, "Forged hours.")
    certificates.revoke(make_admin(), placement.id, "The hours log was forged.")
    db.session.commit()
    revoked = certificates.lookup(certificate.code, "203.0.113.9")
    assert revoked.state == "revoked" and revoked.shown == {}
    with pytest.raises(Conflict, match="already revoked"):
        certificates.revoke(reviewer_for(placement.student), placement.id, "Again.")
    db.session.rollback()
    with pytest.raises(Conflict, match="revoked"):
        certificates.get_for_download(placement.student, placement.id)
    assert "certificate_revoked" in [n.kind for n in db.session.query(Notification).filter_by(user_id=placement.student_id)]


def test_failed_look_ups_are_throttled_per_address_and_found_codes_do_not_count(app):
    app.config["CERTIFICATE_LOOKUP_RATE_LIMIT"] = "3 per hour"
    placement, certificate = _completed()
    for _ in range(5):
        assert certificates.lookup(certificate.code, "198.51.100.1").state == "valid"
    for _ in range(3):
        assert certificates.lookup("Z" * 12, "198.51.100.1").state == "unknown"
    with pytest.raises(TooManyAttempts):
        certificates.lookup("Y" * 12, "198.51.100.1")
    assert certificates.lookup("Y" * 12, "198.51.100.2").state == "unknown"


def test_the_certificate_pdf_reads_back_in_korean_and_english(app):
    placement, certificate = _completed()
    url = "https://exchange.example.kr/certificates/" + certificate.code
    korean = PdfReader(io.BytesIO(certificate_pdf.render(certificate, url, "ko")))
    text = "".join(page.extract_text() for page in korean.pages)
    assert "현장실습 이수증" in text and placement.student.display_name in text
    assert certificates.display_code(certificate.code) in text and placement.opening.company.name in text
    english = PdfReader(io.BytesIO(certificate_pdf.render(certificate, url, "en")))
    text = "".join(page.extract_text() for page in english.pages)
    assert "Certificate of Completion" in text and "Host company" in text and url in text


def test_only_the_student_and_the_groups_reviewers_download_the_certificate(app):
    placement, certificate = _completed()
    assert certificates.get_for_download(placement.student, placement.id)[1].id == certificate.id
    assert certificates.get_for_download(reviewer_for(placement.student), placement.id)[1].id == certificate.id
    for outsider in (make_student(), manager_of(placement.opening.company)):
        with pytest.raises(NotFound):
            certificates.get_for_download(outsider, placement.id)


def test_closing_as_not_completed_needs_a_reason_and_tells_the_parties(app):
    placement = _active()
    reviewer = reviewer_for(placement.student)
    with pytest.raises(DomainError, match="Say why"):
        placements.close_not_completed(reviewer, placement.id, "")
    placements.close_not_completed(reviewer, placement.id, "Left after week 3 for health reasons.")
    db.session.commit()
    assert placement.status == PlacementStatus.NOT_COMPLETED
    event = db.session.query(AuditEvent).filter_by(entity_type="placement", entity_id=placement.id).one()
    assert (event.action, event.to_state, event.note) == ("not_completed", "not_completed",
                                                          "Left after week 3 for health reasons.")
    told = db.session.query(Notification).filter_by(kind="placement_not_completed").all()
    assert {n.user_id for n in told} >= {placement.student_id, manager_of(placement.opening.company).id}
    assert certificates.certificate_for(placement.id) is None
    with pytest.raises(Conflict, match="already closed as not completed"):
        placements.close_not_completed(reviewer, placement.id, "Again.")
    db.session.rollback()
    with pytest.raises(Conflict):
        placements.complete_placement(reviewer, placement.id)


def test_completion_asks_for_the_plans_hours_and_confirmed_weeks(app):
    from datetime import date

    from marketplace.models import PracticeWeek, WeekStatus
    from tests.factories_practice import make_plan, make_week

    placement = make_placement(status=PlacementStatus.ACTIVE, start=date(2026, 3, 2), end=date(2026, 3, 13))
    make_plan(placement.student.student_profile.group, name="AJOU 현장실습", weeks=2, required_hours=16)
    give_evaluations(placement)
    make_week(placement, 1, WeekStatus.CONFIRMED, days=[(date(2026, 3, 2), "09:00", "18:00", 60)])
    make_week(placement, 2, WeekStatus.SUBMITTED, days=[(date(2026, 3, 9), "09:00", "18:00", 60)])
    assert completion.missing_for(placement) == [
        "Confirmed hours: 8 of the 16 the course plan requires.",
        "1 submitted week awaits the host supervisor's confirmation.",
    ]
    with pytest.raises(Conflict, match="Confirmed hours: 8 of the 16"):
        placements.complete_placement(reviewer_for(placement.student), placement.id)
    db.session.rollback()
    week = db.session.query(PracticeWeek).filter_by(placement_id=placement.id, week_no=2).one()
    week.status = WeekStatus.CONFIRMED
    db.session.commit()
    assert completion.missing_for(placement) == []
    placements.complete_placement(reviewer_for(placement.student), placement.id)
    db.session.commit()
    snapshot = certificates.certificate_for(placement.id).snapshot
    assert (snapshot["hours"], snapshot["programme_ko"]) == (16.0, "AJOU 현장실습")


def test_completion_asks_for_the_mentors_grade_when_a_mentor_is_assigned(app):
    from marketplace.models import MentorAssignment
    from marketplace.services import evaluations
    from tests.factories import make_mentor

    placement = _active()
    give_evaluations(placement)
    assert completion.missing_for(placement) == []  # no mentor: no grade to wait for
    mentor = make_mentor(placement.student.student_profile.group)
    assignment = MentorAssignment(placement_id=placement.id, mentor_id=mentor.id)
    db.session.add(assignment)
    db.session.commit()
    assert completion.missing_for(placement) == ["The mentor professor's grade is missing."]
    assert evaluations.role_on(mentor, placement) == "mentor"
    assert evaluations.role_on(make_mentor(placement.student.student_profile.group), placement) is None
    assignment.grade = "A0"
    db.session.commit()
    assert completion.missing_for(placement) == []
