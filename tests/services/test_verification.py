"""Students as verified members of their group: domain rule, e-mail confirmation, the queue and its races,
and companies never seeing an unverified student (services/verification.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    Notification,
    RosterEntry,
    VerificationStatus,
    VerifiedVia,
)
from marketplace.services import applications, rounds, students, verification
from marketplace.services.applications import ApplicantFilters, NotEligible
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.signals import email_confirmed
from tests.concurrency import run_together
from tests.factories import make_admin, make_exchange_manager, make_group, make_student
from tests.factories_applications import give_skills, make_application, make_skilled_student
from tests.factories_companies import make_opening, manager_of

V = VerificationStatus


def pnu_with_domain(domains: str = "pusan.ac.kr"):
    group = make_group("PNU")
    group.email_domains = domains
    db.session.commit()
    return group


def profile_of(user):
    db.session.expire_all()
    return students.get_profile(user)


def _events(profile_id: int) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "student_profile", AuditEvent.entity_id == profile_id).order_by(AuditEvent.id)))


# -- the domain rule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("email, expected", [
    ("kim@pusan.ac.kr", True),
    ("KIM@PUSAN.AC.KR", True),  # case never matters
    ("ｋｉｍ＠ｐｕｓａｎ．ａｃ．ｋｒ", True),  # fullwidth, as a Korean keyboard may type it (NFKC)
    ("kim@med.pusan.ac.kr", True),  # a sub-domain of the university's domain
    ("kim@xpusan.ac.kr", False),  # only at a dot boundary
    ("kim@pusan.ac.kr.example.com", False),  # a look-alike ending elsewhere
    ("kim@gmail.com", False),
    ("pusan.ac.kr@gmail.com", False),  # the domain is after the last @
    ("no-at-sign", False),
    ("", False),
])
def test_domain_rule_ignores_case_and_width_and_accepts_sub_domains(email, expected):
    assert verification.domain_matches(email, ["pusan.ac.kr"]) is expected


def test_listed_domains_are_compared_canonically_and_an_empty_list_matches_nothing():
    assert verification.domain_matches("kim@snu.ac.kr", [" @SNU.ac.kr "])
    assert not verification.domain_matches("kim@snu.ac.kr", [])
    assert not verification.domain_matches("kim@snu.ac.kr", [""])


# -- registration and the e-mail confirmation -----------------------------------------------------------------------


def test_a_new_student_is_unverified_and_cannot_apply_with_a_clear_reason(app):
    pnu = pnu_with_domain()
    student = make_skilled_student(group=pnu, verified=False)
    opening = make_opening()
    assert profile_of(student).verification_status == V.UNVERIFIED
    with pytest.raises(NotEligible) as refused:
        applications.apply(student, opening, "I segment CT scans.", True)
    assert any("not verified yet" in reason for reason in refused.value.reasons)


def test_confirming_an_address_of_the_groups_domain_verifies_the_student(app):
    pnu = pnu_with_domain()
    student = make_student(group=pnu, email="Kim.Minji@Med.Pusan.ac.kr", verified=False)
    email_confirmed.send(student)
    db.session.commit()
    profile = profile_of(student)
    assert profile.verification_status == V.VERIFIED
    assert profile.verified_via == VerifiedVia.EMAIL_DOMAIN and profile.verified_by_id is None
    assert profile.verified_at is not None
    assert _events(profile.id)[-1] == "verified"
    assert db.session.scalar(select(Notification).where(Notification.user_id == student.id,
                                                        Notification.kind == "student_verified"))


def test_confirming_another_address_leaves_the_student_in_the_queue(app):
    pnu = pnu_with_domain()
    student = make_student(group=pnu, email="minji@gmail.com", verified=False)
    email_confirmed.send(student)
    db.session.commit()
    assert profile_of(student).verification_status == V.UNVERIFIED
    manager = make_exchange_manager(pnu)
    queued = list(db.session.scalars(verification.queue_query(manager)))
    assert [p.user_id for p in queued] == [student.id]


def test_a_group_without_domains_verifies_nobody_by_address(app):
    group = make_group("HALLYM")
    student = make_student(group=group, email="kim@hallym.ac.kr", verified=False)
    email_confirmed.send(student)
    db.session.commit()
    assert profile_of(student).verification_status == V.UNVERIFIED


def test_a_roster_listed_address_verifies_on_confirmation_only_at_the_listed_degree_level(app):
    pnu = pnu_with_domain()
    listed = make_student(group=pnu, email="listed@gmail.com", degree_level="phd", verified=False)
    wrong_level = make_student(group=pnu, email="other@gmail.com", degree_level="bachelor", verified=False)
    for email, level in (("listed@gmail.com", "phd"), ("other@gmail.com", "master")):
        db.session.add(RosterEntry(group_id=pnu.id, email=email, name="X", major="", degree_level=level))
    db.session.commit()
    email_confirmed.send(listed)
    email_confirmed.send(wrong_level)
    db.session.commit()
    assert profile_of(listed).verified_via == VerifiedVia.ROSTER
    assert profile_of(wrong_level).verification_status == V.UNVERIFIED


def test_confirmation_of_a_company_manager_or_verified_student_changes_nothing(app):
    from tests.factories import make_company_manager

    pnu = pnu_with_domain()
    student = make_student(group=pnu)  # verified already
    email_confirmed.send(student)
    email_confirmed.send(make_company_manager())
    db.session.commit()
    assert _events(profile_of(student).id).count("verified") == 1


# -- changing group or degree level -------------------------------------------------------------------------------


def _save(student, **changes):
    profile = students.get_profile(student)
    data = dict(major=profile.major, degree_level=profile.degree_level.value, track_id=profile.track_id,
                skills=[students.SkillEntry(s.name, s.level) for s in profile.skills])
    data.update(changes)
    students.update_profile(student, profile, students.ProfileData(**data))
    db.session.commit()
    return profile_of(student)


def test_changing_degree_level_or_group_withdraws_the_verification_but_other_edits_do_not(app):
    pnu, snu = pnu_with_domain(), make_group("SNU")
    student = make_skilled_student(group=pnu)
    assert _save(student, bio="Hello", major="Nursing").verification_status == V.VERIFIED
    assert _save(student, degree_level="phd").verification_status == V.UNVERIFIED
    assert _events(profile_of(student).id)[-2:] == ["verification_withdrawn", "updated"]

    other = make_skilled_student(group=pnu)
    profile = _save(other, group_id=snu.id)
    assert (profile.group_id, profile.verification_status) == (snu.id, V.UNVERIFIED)


def test_an_unknown_group_is_refused_beside_the_field(app):
    student = make_skilled_student(group=pnu_with_domain())
    with pytest.raises(DomainError) as refused:
        _save(student, group_id=999999)
    assert refused.value.field == "group_id"


def test_a_student_who_changes_degree_after_applying_disappears_from_every_company_view(app):
    pnu = pnu_with_domain()
    opening = make_opening(degree_levels=[], majors=[])
    stays, changes = make_skilled_student(group=pnu), make_skilled_student(group=pnu)
    kept, hidden = make_application(stays, opening), make_application(changes, opening)
    company_manager = manager_of(opening.company)
    _save(changes, degree_level="phd")

    page = applications.ranked_applicants(company_manager, opening, ApplicantFilters())
    assert [r.application.id for r in page.items] == [kept.id]
    assert sum(applications.status_counts_by_opening(opening.company)[opening.id].values()) == 1
    with pytest.raises(NotFound):
        applications.company_view(company_manager, hidden.id)
    assert hidden.id not in {a.id for a in applications_of_round(pnu, opening)}

    manager = make_exchange_manager(pnu)
    verification.verify(manager, profile_of(changes).id, profile_of(changes).version)
    db.session.commit()
    page = applications.ranked_applicants(company_manager, opening, ApplicantFilters())
    assert {r.application.id for r in page.items} == {kept.id, hidden.id}


def applications_of_round(group, opening):
    from datetime import timedelta

    from marketplace.clock import today_in_seoul

    manager = make_exchange_manager(group)
    today = today_in_seoul()
    matching_round = rounds.create_round(manager, rounds.RoundData(
        name="Round", group_id=group.id, application_deadline=today + timedelta(days=1),
        ranking_deadline=today + timedelta(days=2), opening_ids=[opening.id]), today=today)
    db.session.commit()
    return rounds.participants(matching_round)


# -- the queue --------------------------------------------------------------------------------------------------


def test_a_manager_verifies_and_declines_students_of_their_groups_only(app):
    pnu, snu = pnu_with_domain(), make_group("SNU")
    manager = make_exchange_manager(pnu)
    mine, other = make_student(group=pnu, verified=False), make_student(group=snu, verified=False)
    assert [p.user_id for p in db.session.scalars(verification.queue_query(manager))] == [mine.id]
    with pytest.raises(NotFound):
        verification.verify(manager, profile_of(other).id, None)

    profile = verification.verify(manager, profile_of(mine).id, profile_of(mine).version)
    db.session.commit()
    assert (profile.verified_via, profile.verified_by_id) == (VerifiedVia.MANAGER, manager.id)
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == profile.id,
                                                        AuditEvent.entity_type == "student_profile")
                               .order_by(AuditEvent.id.desc())).first()
    assert (event.actor_id, event.from_state, event.to_state) == (manager.id, "unverified", "verified")

    declined = make_student(group=pnu, verified=False)
    with pytest.raises(DomainError) as no_reason:
        verification.decline(manager, profile_of(declined).id, None, "  ")
    assert no_reason.value.field == "reason"
    verification.decline(manager, profile_of(declined).id, None, "Not on our student list.")
    db.session.commit()
    profile = profile_of(declined)
    assert (profile.verification_status, profile.verification_note) == (V.DECLINED, "Not on our student list.")
    note = db.session.scalar(select(Notification).where(Notification.user_id == declined.id,
                                                        Notification.kind == "student_declined"))
    assert note.params["reason"] == "Not on our student list."
    # Correcting what they declared sends them back to the queue.
    assert _save(declined, major="Nursing").verification_status == V.UNVERIFIED


def test_admins_see_every_groups_queue(app):
    make_student(group=pnu_with_domain(), verified=False)
    make_student(group=make_group("SNU"), verified=False)
    assert len(list(db.session.scalars(verification.queue_query(make_admin())))) == 2


def test_a_decision_on_a_profile_changed_since_the_queue_was_read_is_refused(app):
    pnu = pnu_with_domain()
    manager = make_exchange_manager(pnu)
    student = make_skilled_student(group=pnu, verified=False)
    seen = profile_of(student).version
    _save(student, degree_level="phd")
    with pytest.raises(Conflict, match="changed their profile"):
        verification.verify(manager, profile_of(student).id, seen)
    db.session.rollback()
    assert profile_of(student).verification_status == V.UNVERIFIED


def test_two_managers_deciding_at_once_one_wins_the_other_gets_a_conflict(app):
    pnu = pnu_with_domain()
    first, second = make_exchange_manager(pnu), make_exchange_manager(pnu)
    student = make_student(group=pnu, verified=False)
    profile_id, version = profile_of(student).id, profile_of(student).version
    first_id, second_id = first.id, second.id

    def verify_job(ready):
        from marketplace.models import User

        actor = db.session.get(User, first_id)
        verification.get_for_review(actor, profile_id)
        ready()
        verification.verify(actor, profile_id, version)

    def decline_job(ready):
        from marketplace.models import User

        actor = db.session.get(User, second_id)
        verification.get_for_review(actor, profile_id)
        ready()
        verification.decline(actor, profile_id, version, "Unknown to us.")

    results = run_together(app, [verify_job, decline_job])
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    loser = next(message for outcome, message in results if outcome == "conflict")
    assert "meanwhile" in loser
    profile = profile_of(student)
    decisions = [e for e in _events(profile.id) if e in ("verified", "verification_declined")]
    assert len(decisions) == 1
    assert profile.verification_status in (V.VERIFIED, V.DECLINED)


def test_a_student_changing_degree_while_a_manager_verifies_never_ends_verified_at_the_new_level(app):
    pnu = pnu_with_domain()
    manager = make_exchange_manager(pnu)
    student = give_skills(make_student(group=pnu, verified=False), [("Python", 3)])
    profile_id, version = profile_of(student).id, profile_of(student).version
    manager_id, student_id = manager.id, student.id

    def verify_job(ready):
        from marketplace.models import User

        actor = db.session.get(User, manager_id)
        verification.get_for_review(actor, profile_id)
        ready()
        verification.verify(actor, profile_id, version)

    def edit_job(ready):
        from marketplace.models import User

        actor = db.session.get(User, student_id)
        profile = students.get_profile(actor)
        ready()
        students.update_profile(actor, profile, students.ProfileData(
            major=profile.major, degree_level="phd", version=version,
            skills=[students.SkillEntry("Python", 3)]))

    results = run_together(app, [verify_job, edit_job])
    assert results[1] == ("ok", ""), results  # the student's save always goes through
    assert results[0][0] in ("ok", "conflict"), results  # the manager's decision came first, or is refused
    profile = profile_of(student)
    assert (profile.degree_level.value, profile.verification_status) == ("phd", V.UNVERIFIED)
