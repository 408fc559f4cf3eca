"""One-time links: hashed, expiring at their boundary, single-use (also under a race), bound to purpose, e-mail
and password; e-mail confirmation through them, its signal, and the rules that wait for it."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AccountToken, AuditEvent, TokenPurpose
from marketplace.models.base import utcnow
from marketplace.models.notifications import OutboxEmail
from marketplace.services import accounts, applications, companies, email_confirmation, throttle, tokens
from marketplace.services.errors import DomainError
from marketplace.signals import email_confirmed
from tests.concurrency import run_together
from tests.factories import PASSWORD, make_company_manager, make_group, make_student
from tests.factories_applications import make_skilled_student
from tests.factories_companies import company_data, make_opening

P = TokenPurpose


def _token(user, purpose=P.CONFIRM_EMAIL, now=None) -> str:
    raw = tokens.issue(user, purpose, now=now)
    db.session.commit()
    return raw


def test_only_the_digest_of_a_link_is_stored(app):
    user = make_student()
    raw = _token(user, P.RESET_PASSWORD)
    stored = db.session.scalars(select(AccountToken.token_hash)).all()
    assert hashlib.sha256(raw.encode()).hexdigest() in stored
    assert raw not in stored and len(raw) >= 43  # 256 random bits


@pytest.mark.parametrize("purpose, lifetime", [
    (P.CONFIRM_EMAIL, timedelta(hours=24)), (P.RESET_PASSWORD, timedelta(hours=1)), (P.INVITATION, timedelta(days=7)),
])
def test_a_link_works_until_its_expiry_and_not_at_it(app, purpose, lifetime):
    user = make_student()
    issued = utcnow() - timedelta(days=30)
    raw = _token(user, purpose, now=issued)
    assert tokens.check(raw, purpose, now=issued + lifetime - timedelta(seconds=1)).user_id == user.id
    with pytest.raises(tokens.LinkRefused, match="expired"):
        tokens.check(raw, purpose, now=issued + lifetime)
    with pytest.raises(tokens.LinkRefused, match="expired"):
        tokens.redeem(raw, purpose, now=issued + lifetime + timedelta(minutes=1))


def test_a_link_works_once(app):
    user = make_student(confirmed=False)
    raw = _token(user)
    assert tokens.redeem(raw, P.CONFIRM_EMAIL).id == user.id
    db.session.commit()
    with pytest.raises(tokens.LinkUsed, match="already used"):
        tokens.redeem(raw, P.CONFIRM_EMAIL)


@pytest.mark.parametrize("forged", ["", "x", "A" * 43, "A" * 5000, "../../etc", "\u3000토큰"])
def test_forged_links_are_refused_with_a_clear_message(app, forged):
    make_student()
    with pytest.raises(tokens.LinkRefused, match="not valid"):
        tokens.redeem(forged, P.CONFIRM_EMAIL)


def test_a_link_for_another_purpose_is_refused(app):
    user = make_student()
    raw = _token(user, P.CONFIRM_EMAIL)
    with pytest.raises(tokens.LinkRefused, match="another purpose"):
        tokens.redeem(raw, P.RESET_PASSWORD)
    assert tokens.check(raw, P.CONFIRM_EMAIL)  # and it was not spent by the attempt


def test_a_reset_link_dies_when_the_password_changes(app):
    user = make_student()
    raw = _token(user, P.RESET_PASSWORD)
    accounts.change_password(user, PASSWORD, "Another-Horse-77")
    db.session.commit()
    with pytest.raises(tokens.LinkRefused, match="password or e-mail address changed"):
        tokens.redeem(raw, P.RESET_PASSWORD)


def test_a_link_dies_when_the_email_changes(app):
    user = make_student()
    raw = _token(user, P.RESET_PASSWORD)
    user.email = "someone.else@pusan.ac.kr"
    db.session.commit()
    with pytest.raises(tokens.LinkRefused, match="password or e-mail address changed"):
        tokens.check(raw, P.RESET_PASSWORD)


def test_a_link_of_a_deactivated_account_is_refused(app):
    user = make_student()
    raw = _token(user, P.RESET_PASSWORD)
    user.active = False
    db.session.commit()
    with pytest.raises(tokens.LinkRefused):
        tokens.check(raw, P.RESET_PASSWORD)


def test_two_clicks_at_the_same_moment_redeem_the_link_once(app):
    user = make_student(confirmed=False)
    raw = _token(user)

    def click(ready):
        tokens.check(raw, P.CONFIRM_EMAIL)
        ready()
        email_confirmation.confirm_email(raw)

    results = run_together(app, [click, click])
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert "already used" in [r for r in results if r[0] == "conflict"][0][1]
    confirmations = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_id == user.id, AuditEvent.action == "email_confirmed")).all()
    assert len(confirmations) == 1


# -- e-mail confirmation ---------------------------------------------------------------------------------------


def _outbox_to(email: str) -> list[OutboxEmail]:
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_address == email)))


def _link_in(mail: OutboxEmail, path: str) -> str:
    line = next(line for line in mail.body.splitlines() if path in line)
    return line.strip().rsplit("/", 1)[1]


def test_registration_mails_an_absolute_confirmation_link(app):
    app.config["PUBLIC_BASE_URL"] = "https://exchange.example.ac.kr"
    student = make_student(confirmed=False)
    (mail,) = _outbox_to(student.email)
    assert "https://exchange.example.ac.kr/auth/confirm-email/" in mail.body
    assert mail.notification_id is None  # the link never shows in the in-app list
    assert student.email_confirmed_at is None
    email_confirmation.confirm_email(_link_in(mail, "/auth/confirm-email/"))
    db.session.commit()
    assert student.email_confirmed_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "email_confirmed")).one()
    assert (event.actor_id, event.entity_id, event.to_state) == (student.id, student.id, "confirmed")


def test_a_company_managers_confirmation_mail_is_in_their_language(app):
    manager = accounts.register_company_manager("CEO@Company.co.kr", PASSWORD, "김대표",
                                                locale="ko")
    db.session.commit()
    (mail,) = _outbox_to(manager.email)
    assert "이메일" in mail.subject and "/auth/confirm-email/" in mail.body


def test_confirming_sends_the_signal_inside_the_transaction(app):
    student = make_student(confirmed=False)
    raw = _token(student)
    heard = []

    def receiver(user):
        heard.append((user.id, user.email_confirmed_at is not None))

    email_confirmed.connect(receiver)
    try:
        email_confirmation.confirm_email(raw)
    finally:
        email_confirmed.disconnect(receiver)
    assert heard == [(student.id, True)]


def test_a_failing_receiver_undoes_the_confirmation(app):
    from tests.concurrency import run_together as _  # noqa: F401 - the same session rules as a request
    student = make_student(confirmed=False)
    raw = _token(student)

    def receiver(user):
        raise RuntimeError("verification broke")

    email_confirmed.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            email_confirmation.confirm_email(raw)
    finally:
        email_confirmed.disconnect(receiver)
    db.session.rollback()
    assert db.session.get(type(student), student.id).email_confirmed_at is None
    assert tokens.check(raw, P.CONFIRM_EMAIL)  # the link still works


def test_a_new_link_replaces_the_older_ones(app):
    student = make_student(confirmed=False)
    first = _outbox_to(student.email)[0]
    email_confirmation.resend_confirmation(student)
    db.session.commit()
    with pytest.raises(tokens.LinkUsed):
        email_confirmation.confirm_email(_link_in(first, "/auth/confirm-email/"))
    db.session.rollback()
    second = _outbox_to(student.email)[1]
    email_confirmation.confirm_email(_link_in(second, "/auth/confirm-email/"))


def test_resending_is_throttled_per_account(app):
    student = make_student(confirmed=False)
    limit = throttle.configured("CONFIRMATION_RATE_LIMIT").amount
    for _ in range(limit):
        email_confirmation.resend_confirmation(student)
        db.session.commit()  # one request each (the counter has its own connection)
    with pytest.raises(throttle.TooManyAttempts):
        email_confirmation.resend_confirmation(student)
    db.session.commit()
    assert len(_outbox_to(student.email)) == 1 + limit


def test_resending_to_a_confirmed_address_is_refused(app):
    with pytest.raises(DomainError, match="already confirmed"):
        email_confirmation.resend_confirmation(make_student())


def test_an_unconfirmed_student_cannot_apply(app):
    opening = make_opening()
    student = make_skilled_student(confirmed=False)
    reasons = applications.eligibility(student, opening).reasons
    assert any("Confirm your e-mail address" in r for r in reasons)
    with pytest.raises(applications.NotEligible):
        applications.apply(student, opening, "I would like to join.", True)
    email_confirmation.mark_confirmed(student, None, "test")
    assert applications.apply(student, opening, "I would like to join.", True).id


def test_an_unconfirmed_company_manager_cannot_register_or_join_a_company(app):
    manager = make_company_manager(confirmed=False)
    with pytest.raises(DomainError, match="Confirm your e-mail address"):
        companies.create_company(manager, company_data([make_group("PNU")]))
    with pytest.raises(DomainError, match="Confirm your e-mail address"):
        companies.request_to_join(manager, "123-45-67890")
    email_confirmation.mark_confirmed(manager, None, "test")
    assert companies.create_company(manager, company_data([make_group("PNU")])).id


def test_staff_created_with_a_temporary_password_get_their_link_after_choosing_their_own(app):
    from marketplace.models import Role

    staff = accounts.create_user("new.staff@office.go.kr", "Temporary-Pass-1", "New Staff", Role.ADMIN)
    db.session.commit()
    assert staff.must_change_password and not _outbox_to(staff.email)
    accounts.change_password(staff, "Temporary-Pass-1", "My-Own-Secret-9")
    db.session.commit()
    assert not staff.must_change_password
    (mail,) = _outbox_to(staff.email)
    email_confirmation.confirm_email(_link_in(mail, "/auth/confirm-email/"))
    assert staff.email_confirmed_at is not None
