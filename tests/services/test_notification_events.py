"""The events each role hears about arrive (in-app and in the outbox) and name nobody else's data."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Notification, OpeningStatus, OutboxEmail, User
from marketplace.services import companies, openings, placements
from marketplace.services.notifications import managers_of_groups
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import company_data, make_company, make_opening, manager_of
from tests.factories_placements import make_placement, reviewer_for


def inbox(user: User) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def kinds(user: User) -> list[str]:
    return [n.kind for n in inbox(user)]


def outbox(user: User) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == user.email)))


def test_managers_of_groups_are_the_designated_ones_in_office(app):
    pnu, snu, hallym = make_group("PNU"), make_group("SNU"), make_group("HALLYM")
    a, b = make_exchange_manager(pnu), make_exchange_manager(snu, pnu)
    c = make_exchange_manager(hallym)
    assert {u.id for u in managers_of_groups([pnu.id])} == {a.id, b.id}
    assert {u.id for u in managers_of_groups([hallym.id])} == {c.id}
    assert managers_of_groups([]) == []
    from marketplace.services import designations
    designations.revoke(make_admin(), c.active_designation)
    db.session.commit()
    assert managers_of_groups([hallym.id]) == []


def test_a_new_company_reaches_the_managers_of_its_partner_groups_only(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    pnu_reviewer, snu_reviewer = make_exchange_manager(pnu), make_exchange_manager(snu)
    company = companies.create_company(make_company_manager(), company_data([pnu], name="Busan Medi"))
    db.session.commit()
    [note] = inbox(pnu_reviewer)
    assert note.kind == "company_submitted" and note.params == {"company": "Busan Medi"}
    assert note.link == f"/manager/companies/{company.id}"
    assert kinds(snu_reviewer) == []
    assert outbox(pnu_reviewer) and "Busan Medi" in outbox(pnu_reviewer)[0].body


def test_approval_and_rejection_reach_the_companys_own_managers(app):
    pnu = make_group("PNU")
    reviewer = make_exchange_manager(pnu)
    approved = make_company(groups=[pnu], approved=False, name="Good Co")
    rejected = make_company(groups=[pnu], approved=False, name="Bad Co")
    companies.approve_company(reviewer, approved)
    companies.reject_company(reviewer, rejected, "Certificate unreadable")
    db.session.commit()
    assert kinds(manager_of(approved)) == ["company_approved"]
    [note] = inbox(manager_of(rejected))
    assert note.kind == "company_rejected"
    assert note.params == {"company": "Bad Co", "reason": "Certificate unreadable"}
    assert "Good Co" not in str(note.params)


def test_opening_review_events_reach_reviewers_and_then_the_company(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu])
    other = make_company(groups=[pnu])
    pnu_reviewer, snu_reviewer = make_exchange_manager(pnu), make_exchange_manager(snu)
    opening = make_opening(company, OpeningStatus.IN_REVIEW, title="CT segmentation")
    assert kinds(pnu_reviewer) == ["opening_submitted"]
    assert inbox(pnu_reviewer)[0].params == {"opening": "CT segmentation", "company": company.name}
    assert kinds(snu_reviewer) == []
    openings.return_opening(pnu_reviewer, opening, "Add the department.")
    db.session.commit()
    openings.submit_opening(manager_of(company), opening)
    openings.publish_opening(pnu_reviewer, opening)
    db.session.commit()
    mine = inbox(manager_of(company))
    assert [n.kind for n in mine][-2:] == ["opening_returned", "opening_published"]
    assert mine[-2].params == {"opening": "CT segmentation", "note": "Add the department."}
    assert not any("CT segmentation" in str(n.params) for n in inbox(manager_of(other)))


def test_placement_decisions_reach_the_student_and_the_company_without_other_parties_data(app):
    pnu = make_group("PNU")
    company, rival = make_company(groups=[pnu]), make_company(groups=[pnu])
    opening = make_opening(company, title="Radiology AI internship", seats=2)
    rival_opening = make_opening(rival, title="Rival internship")
    student = make_student(pnu)
    bystander = make_student(pnu)
    placement = make_placement(student, opening)
    rival_placement = make_placement(bystander, rival_opening)
    reviewer = reviewer_for(student)
    before_rival = len(inbox(manager_of(rival)))

    placements.approve_placement(reviewer, placement.id)
    placements.return_placement(reviewer, rival_placement.id, "Dates clash.")
    db.session.commit()

    [to_student] = [n for n in inbox(student) if n.kind.startswith("placement")]
    assert to_student.kind == "placement_approved" and to_student.params == {"opening": "Radiology AI internship"}
    assert [n.kind for n in inbox(manager_of(company)) if n.kind.startswith("placement")] == ["placement_approved"]
    rival_inbox = inbox(manager_of(rival))[before_rival:]
    assert [n.kind for n in rival_inbox] == ["placement_returned"]
    assert rival_inbox[0].params == {"opening": "Rival internship", "note": "Dates clash."}
    for note in inbox(student) + inbox(manager_of(company)):
        text = str(note.params) + note.link
        assert bystander.email not in text and bystander.display_name not in text and "Rival" not in text
    for mail in outbox(manager_of(company)):
        assert student.email not in mail.body and bystander.email not in mail.body
    assert [n.kind for n in inbox(bystander) if n.kind.startswith("placement")] == ["placement_returned"]


def test_cancelling_tells_both_parties_the_reason(app):
    placement = make_placement()
    reviewer = reviewer_for(placement.student)
    placements.approve_placement(reviewer, placement.id)
    placements.cancel_placement(reviewer, placement.id, "Visa problem")
    db.session.commit()
    for user in (placement.student, manager_of(placement.opening.company)):
        last = inbox(user)[-1]
        assert last.kind == "placement_cancelled" and last.params["note"] == "Visa problem"
