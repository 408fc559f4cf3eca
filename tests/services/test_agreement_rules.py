"""The agreement's and the clinical data's rules in the compliance registry: insurance before the start (a warning
more than 14 days ahead, blocking closer), the three-party acknowledgement no later than 5 days after the start,
and clinical-data readiness (missing items warn; a pending IRB blocks approval and cannot be overridden)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import ComplianceStatus, InsuranceKind, Placement, PlacementStatus
from marketplace.services import agreements, clinical, compliance, placements
from marketplace.services.errors import Conflict
from tests.factories_applications import PDF
from tests.factories_agreements import acknowledge_all, insurance_data, insure, parties
from tests.factories_companies import make_opening, manager_of
from tests.factories_placements import make_placement


def _findings(placement, rule: str, today=None):
    db.session.expire_all()
    result = compliance.check(db.session.get(Placement, placement.id), today=today)
    return [f for f in result.findings if f.rule == rule], result


def _placement_starting_in(days: int, status=PlacementStatus.PENDING):
    today = today_in_seoul()
    return make_placement(status=status, start=today + timedelta(days=days), end=today + timedelta(days=days + 60))


@pytest.mark.parametrize("days, severity", [(15, "warning"), (14, "fail"), (0, "fail")])
def test_missing_insurance_warns_more_than_14_days_ahead_and_blocks_closer(app, days, severity):
    placement = _placement_starting_in(days)
    found, result = _findings(placement, "insurance")
    assert [f.severity for f in found] == [severity, severity]  # both insurances are missing
    assert "Industrial-accident insurance" in found[0].message
    if severity == "fail":
        assert result.status == ComplianceStatus.BLOCKED
        with pytest.raises(Conflict, match="insurances must be recorded before the start"):
            placements.approve_placement(parties(placement)[2], placement.id)
        db.session.rollback()


def test_recorded_insurance_satisfies_the_rule_until_the_dates_outgrow_it(app):
    placement = _placement_starting_in(7)
    _, cm, _ = parties(placement)
    change = agreements.record_insurance(cm, placement.id, InsuranceKind.INDUSTRIAL_ACCIDENT, insurance_data(placement))
    db.session.commit()
    change.committed()
    found, _ = _findings(placement, "insurance")
    assert len(found) == 1 and "University accident insurance" in found[0].message
    insure(placement)
    assert _findings(placement, "insurance")[0] == []
    placement = db.session.get(Placement, placement.id)
    placement.end_date += timedelta(days=30)
    db.session.commit()
    found, _ = _findings(placement, "insurance")
    assert len(found) == 2 and all("does not cover the practice" in f.message for f in found)


def test_an_override_lets_a_placement_without_insurance_be_approved_but_it_still_cannot_start(app):
    today = today_in_seoul()
    placement = _placement_starting_in(3)
    xm = parties(placement)[2]
    compliance.record_override(xm, db.session.get(Placement, placement.id), "Insurance is bought this week.")
    db.session.commit()
    placements.approve_placement(xm, placement.id)
    db.session.commit()
    assert placements.activate_due_placements(today + timedelta(days=3)) == 0  # the start gate still holds
    assert db.session.get(Placement, placement.id).status == PlacementStatus.APPROVED


def test_the_consoles_conflicts_show_a_failing_rule_until_it_is_overridden(app):
    placement = _placement_starting_in(3)

    def compliance_conflicts() -> list[str]:
        db.session.expire_all()
        shown = placements.conflicts_for([db.session.get(Placement, placement.id)])[placement.id]
        return [c.message for c in shown if c.code == "compliance"]

    before = compliance_conflicts()
    assert before and all("Insurance" in message or "insurance" in message for message in before)
    compliance.record_override(parties(placement)[2], db.session.get(Placement, placement.id), "Bought this week.")
    db.session.commit()
    assert compliance_conflicts() == []


def test_the_agreement_is_due_no_later_than_five_days_after_the_start(app):
    today = today_in_seoul()
    placement = make_placement(status=PlacementStatus.APPROVED, start=today - timedelta(days=5),
                               end=today + timedelta(days=60))
    insure(placement)
    student, cm, _ = parties(placement)
    acknowledge_all(placement, (student, cm))
    found, _ = _findings(placement, "agreement_acknowledged")
    assert [f.severity for f in found] == ["warning"]  # the fifth day after the start: still in time
    assert "The university" in found[0].message
    found, _ = _findings(placement, "agreement_acknowledged", today=today + timedelta(days=1))
    assert [f.severity for f in found] == ["fail"] and "had to be acknowledged" in found[0].message
    acknowledge_all(placement, (parties(placement)[2],))
    found, result = _findings(placement, "agreement_acknowledged", today=today + timedelta(days=1))
    assert found == [] and not [f for f in result.findings if f.rule == "insurance"]


def test_no_acknowledgement_warning_far_from_the_start(app):
    placement = _placement_starting_in(30)
    found, _ = _findings(placement, "agreement_acknowledged")
    assert found == []


def _declare(opening, **values):
    data = clinical.ClinicalData(**{"data_source": "hospital", "irb_status": "pending", "dua_status": "signed",
                                    "deidentification": "pseudonymised", "access": "hospital_enclave", **values})
    change = clinical.save_clinical(manager_of(opening.company), opening.id, data)
    db.session.commit()
    change.committed()


def test_a_pending_irb_blocks_approval_and_no_override_lets_it_pass(app):
    opening = make_opening(kind="research_project")
    placement = make_placement(opening=opening, start=opening.start_date, end=opening.end_date)
    _declare(opening)
    found, result = _findings(placement, "clinical_data")
    assert [(f.severity, f.overridable) for f in found] == [("fail", False)]
    assert result.status == ComplianceStatus.BLOCKED and not result.overridable_blocking
    xm = parties(placement)[2]
    with pytest.raises(Conflict, match="cannot be overridden"):
        compliance.record_override(xm, db.session.get(Placement, placement.id), "Please let it through.")
    db.session.rollback()
    with pytest.raises(Conflict, match="IRB approval is pending"):
        placements.approve_placement(xm, placement.id)
    db.session.rollback()
    assert db.session.get(Placement, placement.id).status == PlacementStatus.PENDING


def test_missing_clinical_items_are_compliance_warnings(app):
    opening = make_opening(kind="research_project")
    placement = make_placement(opening=opening, start=opening.start_date, end=opening.end_date)
    found, result = _findings(placement, "clinical_data")
    assert [f.message for f in found] == ["Clinical-data readiness is not declared for this research project."]
    assert result.status == ComplianceStatus.WARNINGS or result.warnings
    _declare(opening, irb_status="approved", irb_institution="부산대학교병원 IRB", irb_number="2026-01",
             irb_date=today_in_seoul(), irb_filename="irb.pdf", irb_document=PDF, dua_status="")
    found, _ = _findings(placement, "clinical_data")
    assert "The data-use agreement is not signed." in [f.message for f in found]
    assert all(f.severity == "warning" for f in found)


def test_checking_many_placements_with_the_agreement_rules_is_a_constant_number_of_queries(app, count_queries):
    from sqlalchemy import select

    from marketplace.services.placements import _page_options

    def run() -> int:
        db.session.expire_all()
        loaded = list(db.session.scalars(select(Placement).options(*_page_options())))
        with count_queries() as statements:
            compliance.check_many(loaded)
        return len(statements)

    for _ in range(2):
        _placement_starting_in(10)
    few = run()
    for _ in range(5):
        _placement_starting_in(10)
    assert run() == few
