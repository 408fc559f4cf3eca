"""Forgot password, invitations (exchange managers and colleagues) and temporary passwords, as services."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, CompanyMembership, MembershipStatus, Role, User
from marketplace.models.notifications import OutboxEmail
from marketplace.services import (
    accounts,
    companies,
    designations,
    email_confirmation,
    invitations,
    password_reset,
    throttle,
    tokens,
)
from marketplace.services.errors import DomainError, Forbidden
from tests.factories import PASSWORD, make_admin, make_company_manager, make_group, make_student
from tests.factories_companies import make_company

NEW = "Brand-New-Secret-31"


def mails_to(email: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == email).order_by(OutboxEmail.id)))


def token_in(mail: OutboxEmail, path: str) -> str:
    line = next(line for line in mail.body.splitlines() if path in line)
    return line.strip().rsplit("/", 1)[1]


def actions(user: User) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "user",
                                                                  AuditEvent.entity_id == user.id)
                                   .order_by(AuditEvent.id)))


# -- forgot password -------------------------------------------------------------------------------------------


def test_forgot_password_mails_a_reset_link_that_sets_a_new_password_and_ends_sessions(app):
    student = make_student()
    old_session = student.session_token
    password_reset.request_reset(student.email, "10.0.0.1")
    db.session.commit()
    (mail,) = mails_to(student.email)
    assert "/auth/reset/" in mail.body and "1시간" in mail.body  # the reader's language (Korean by default)
    user = password_reset.reset_password(token_in(mail, "/auth/reset/"), NEW)
    db.session.commit()
    assert user.id == student.id and user.session_token != old_session
    assert accounts.authenticate(student.email, NEW) is not None
    assert accounts.authenticate(student.email, PASSWORD) is None
    assert {"password_reset_requested", "password_reset"} <= set(actions(student))


@pytest.mark.parametrize("typed", ["KIM.RESET@PUSAN.AC.KR", "ｋｉｍ.ｒｅｓｅｔ@ｐｕｓａｎ.ａｃ.ｋｒ", "  Kim.Reset@pusan.ac.kr "])
def test_forgot_password_finds_the_account_however_the_address_is_typed(app, typed):
    make_student(email="kim.reset@pusan.ac.kr")
    password_reset.request_reset(typed, "10.0.0.1")
    db.session.commit()
    assert len(mails_to("kim.reset@pusan.ac.kr")) == 1


def test_forgot_password_for_an_unknown_address_does_nothing_and_says_nothing(app):
    assert password_reset.request_reset("nobody@pusan.ac.kr", "10.0.0.1") is None
    db.session.commit()
    assert db.session.scalars(select(OutboxEmail)).all() == []


def test_forgot_password_is_throttled_per_address_known_or_not(app):
    make_student(email="known@pusan.ac.kr")
    limit = throttle.configured("PASSWORD_RESET_RATE_LIMIT").amount
    for email in ("known@pusan.ac.kr", "unknown@pusan.ac.kr"):
        for i in range(limit):
            password_reset.request_reset(email.upper(), f"10.0.1.{i}")
            db.session.commit()
        with pytest.raises(throttle.TooManyAttempts):
            password_reset.request_reset(email, "10.0.2.1")
        db.session.rollback()
    assert len(mails_to("known@pusan.ac.kr")) == limit


def test_forgot_password_is_throttled_per_client(app):
    limit = throttle.configured("PASSWORD_RESET_CLIENT_RATE_LIMIT").amount
    for i in range(limit):
        password_reset.request_reset(f"probe{i}@pusan.ac.kr", "10.9.9.9")
        db.session.commit()
    with pytest.raises(throttle.TooManyAttempts):
        password_reset.request_reset("one-more@pusan.ac.kr", "10.9.9.9")


def test_a_refused_new_password_keeps_the_reset_link(app):
    student = make_student()
    password_reset.request_reset(student.email, "10.0.0.1")
    db.session.commit()
    token = token_in(mails_to(student.email)[0], "/auth/reset/")
    with pytest.raises(DomainError) as refused:
        password_reset.reset_password(token, "short")
    assert refused.value.field == "new_password"
    db.session.rollback()
    password_reset.reset_password(token, NEW)
    db.session.commit()
    with pytest.raises(tokens.LinkUsed):
        password_reset.reset_password(token, "Yet-Another-Secret-8")


def test_only_the_newest_reset_link_works(app):
    student = make_student()
    for _ in range(2):
        password_reset.request_reset(student.email, "10.0.0.1")
        db.session.commit()
    first, second = mails_to(student.email)
    with pytest.raises(tokens.LinkUsed):
        password_reset.reset_password(token_in(first, "/auth/reset/"), NEW)
    db.session.rollback()
    password_reset.reset_password(token_in(second, "/auth/reset/"), NEW)


def test_resetting_confirms_an_unconfirmed_address(app):
    student = make_student(confirmed=False)
    password_reset.request_reset(student.email, "10.0.0.1")
    db.session.commit()
    password_reset.reset_password(token_in(mails_to(student.email)[-1], "/auth/reset/"), NEW)
    db.session.commit()
    assert student.email_confirmed_at is not None
    assert len(mails_to(student.email)) == 2  # registration's link and the reset link; no new confirmation


def test_a_deactivated_account_gets_no_reset_link(app):
    student = make_student()
    student.active = False
    db.session.commit()
    password_reset.request_reset(student.email, "10.0.0.1")
    assert mails_to(student.email) == []


# -- invitations: exchange managers -----------------------------------------------------------------------------


def test_designating_a_new_address_invites_the_manager_to_choose_a_password(app):
    admin, group = make_admin(), make_group("SNU")
    designation = designations.designate(admin, "New.Manager@SNU.ac.kr", 15, [group.id], display_name="Lee Manager")
    db.session.commit()
    manager = designation.user
    assert manager.email == "new.manager@snu.ac.kr" and manager.role == Role.EXCHANGE_MANAGER
    assert invitations.awaiting_first_password(manager)
    assert accounts.authenticate(manager.email, "") is None and accounts.authenticate(manager.email, "!invited") is None
    (mail,) = mails_to(manager.email)
    assert "/auth/invitation/" in mail.body and "SNU" in mail.body and "7일" in mail.body
    invitations.accept_invitation(token_in(mail, "/auth/invitation/"), NEW)
    db.session.commit()
    assert accounts.authenticate(manager.email, NEW).id == manager.id
    assert manager.email_confirmed_at is not None and not manager.must_change_password
    assert "invitation_accepted" in actions(manager)


def test_an_invitation_dies_once_used_and_when_a_password_was_set_another_way(app):
    admin, group = make_admin(), make_group("SNU")
    manager = designations.designate(admin, "m@snu.ac.kr", 15, [group.id], display_name="M").user
    db.session.commit()
    token = token_in(mails_to(manager.email)[0], "/auth/invitation/")
    password_reset.request_reset(manager.email, "10.0.0.1")  # the invitee used "forgot password" instead
    db.session.commit()
    password_reset.reset_password(token_in(mails_to(manager.email)[-1], "/auth/reset/"), NEW)
    db.session.commit()
    with pytest.raises(tokens.LinkRefused, match="password or e-mail address changed"):
        invitations.accept_invitation(token, "Other-Secret-77")


def test_a_temporary_password_must_be_changed(app):
    admin, group = make_admin(), make_group("SNU")
    manager = designations.designate(admin, "kwon@snu.ac.kr", 15, [group.id], display_name="Temp",
                                     initial_password="Temporary-Pass-5").user
    db.session.commit()
    assert manager.must_change_password and mails_to(manager.email) == []
    accounts.change_password(manager, "Temporary-Pass-5", NEW)
    db.session.commit()
    assert not manager.must_change_password


def test_an_invitation_link_is_not_a_reset_link(app):
    admin, group = make_admin(), make_group("SNU")
    manager = designations.designate(admin, "m2@snu.ac.kr", 15, [group.id], display_name="M").user
    db.session.commit()
    token = token_in(mails_to(manager.email)[0], "/auth/invitation/")
    with pytest.raises(tokens.LinkRefused, match="another purpose"):
        password_reset.reset_password(token, NEW)


# -- invitations: colleagues ------------------------------------------------------------------------------------


def test_a_company_manager_invites_a_new_colleague_who_then_manages_the_company(app):
    company = make_company()
    inviter = companies.active_managers(company)[0]
    address = companies.invite_colleague(inviter, "ＣＯＬＬＥＡＧＵＥ@Company.co.kr", "Choi Colleague")
    db.session.commit()
    assert address == "colleague@company.co.kr"
    colleague = accounts.find_user_by_email(address)
    assert colleague.role == Role.COMPANY_MANAGER and companies.company_of(colleague) is None
    assert [m.id for m in companies.active_managers(company)] == [inviter.id]  # not told anything yet
    (mail,) = mails_to(address)
    assert company.name in mail.body
    invitations.accept_invitation(token_in(mail, "/auth/invitation/"), NEW)
    db.session.commit()
    assert accounts.authenticate(address, NEW).id == colleague.id and colleague.email_confirmed_at
    assert companies.company_of(colleague).id == company.id


def test_inviting_an_address_with_an_account_tells_its_owner_and_answers_the_same(app):
    company = make_company()
    inviter = companies.active_managers(company)[0]
    loner = make_company_manager("loner@other.co.kr")
    student = make_student(email="student.x@pusan.ac.kr")
    assert companies.invite_colleague(inviter, "Loner@Other.co.kr", "Loner") == "loner@other.co.kr"
    db.session.commit()
    assert companies.invite_colleague(inviter, student.email, "Student") == student.email
    db.session.commit()
    (note,) = mails_to(loner.email)
    assert company.business_number_display in note.body and "/auth/invitation/" not in note.body
    assert mails_to(student.email) == []
    assert companies.company_of(loner) is None
    assert db.session.scalars(select(CompanyMembership).where(CompanyMembership.user_id == student.id)).all() == []


def test_inviting_again_sends_a_fresh_link(app):
    company = make_company()
    inviter = companies.active_managers(company)[0]
    companies.invite_colleague(inviter, "again@company.co.kr", "Again")
    db.session.commit()
    companies.invite_colleague(inviter, "again@company.co.kr", "Again")
    db.session.commit()
    first, second = mails_to("again@company.co.kr")
    with pytest.raises(tokens.LinkUsed):
        invitations.accept_invitation(token_in(first, "/auth/invitation/"), NEW)
    db.session.rollback()
    invitations.accept_invitation(token_in(second, "/auth/invitation/"), NEW)


def test_only_confirmed_managers_of_a_company_invite(app):
    with pytest.raises(Forbidden):
        companies.invite_colleague(make_company_manager(), "x@company.co.kr", "X")
    with pytest.raises(Forbidden):
        companies.invite_colleague(make_student(), "x@company.co.kr", "X")
    company = make_company()
    inviter = companies.active_managers(company)[0]
    inviter.email_confirmed_at = None
    with pytest.raises(DomainError, match="Confirm your e-mail address"):
        companies.invite_colleague(inviter, "x@company.co.kr", "X")


def test_a_bad_invitation_form_names_every_field(app):
    inviter = companies.active_managers(make_company())[0]
    with pytest.raises(DomainError) as refused:
        companies.invite_colleague(inviter, "not-an-address", "   ")
    assert {field for field, _ in refused.value.field_messages()} == {"email", "display_name"}


def test_invitations_are_throttled_per_inviter(app):
    inviter = companies.active_managers(make_company())[0]
    limit = throttle.configured("INVITATION_RATE_LIMIT").amount
    for i in range(limit):
        companies.invite_colleague(inviter, f"c{i}@company.co.kr", f"C {i}")
        db.session.commit()
    with pytest.raises(throttle.TooManyAttempts):
        companies.invite_colleague(inviter, "one.more@company.co.kr", "One More")


def test_an_invited_colleague_manages_the_company_only_once_in(app):
    company = make_company()
    inviter = companies.active_managers(company)[0]
    companies.invite_colleague(inviter, "member@company.co.kr", "Member")
    db.session.commit()
    colleague = accounts.find_user_by_email("member@company.co.kr")
    membership = db.session.scalars(select(CompanyMembership).where(CompanyMembership.user_id == colleague.id)).one()
    assert membership.status == MembershipStatus.INVITED and membership.decided_by_id == inviter.id
    assert email_confirmation.has_confirmed_email(colleague) is False
    invitations.accept_invitation(token_in(mails_to(colleague.email)[0], "/auth/invitation/"), NEW)
    db.session.commit()
    assert membership.status == MembershipStatus.ACTIVE
    assert "invitation_accepted" in db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "company_membership", AuditEvent.entity_id == membership.id)).all()
