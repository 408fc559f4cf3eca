"""E-mail preferences per notification kind, honoured where every notification's mail is queued, and the daily
digest: one mail per user and Seoul day, exactly once even with two workers, nothing when nothing waits."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.mail_worker import MailWorker
from marketplace.models import DailyDigest, EmailPreference
from marketplace.models.notifications import Notification, OutboxEmail
from marketplace.services import digests, email_preferences, notifications
from marketplace.services.errors import DomainError
from marketplace.services.notifications import MESSAGES
from tests.concurrency import run_together
from tests.conftest import relative_mail_links
from tests.factories import make_company_manager, make_student

BASE = "https://exchange.example.ac.kr"


@pytest.fixture(autouse=True)
def public_base(app):
    app.config["PUBLIC_BASE_URL"] = BASE + "/"


def _outbox() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


def test_every_notification_kind_is_either_choosable_or_always_sent():
    choosable, always = set(email_preferences.CHOOSABLE_KINDS), email_preferences.ALWAYS_SENT
    assert not choosable & always
    assert set(MESSAGES) == choosable | always, "classify a new kind in services/email_preferences.py"


def test_each_kind_mails_an_absolute_link_whatever_link_it_was_given(app):
    reader = make_company_manager()
    for kind in MESSAGES:
        for link in ("/companies/openings/7", "", "https://elsewhere.example/x"):
            notifications.notify(reader, kind, link, opening="O", company="C", note="n", reason="r", name="N",
                                 round="R")
    db.session.commit()
    mails = _outbox()
    assert len(mails) == 3 * len(MESSAGES)
    for mail in mails:
        assert not relative_mail_links(mail.body), mail.body
        assert mail.body.rstrip().splitlines()[-1].startswith(("https://", "http://")), mail.body
    assert sum(f"{BASE}/companies/openings/7" in mail.body for mail in mails) == len(MESSAGES)


def test_by_default_every_notification_is_mailed_immediately(app):
    student = make_student()
    notifications.notify(student, "offer_made", "/x", company="C", opening="O")
    db.session.commit()
    assert [mail.to_address for mail in _outbox()] == [student.email]
    assert email_preferences.preferences(student)["offer_made"] == "immediate"


def test_off_and_digest_stop_the_immediate_mail_but_the_in_app_notification_stays(app):
    student = make_student()
    student.locale = "en"
    email_preferences.set_preferences(student, {"offer_made": "off", "application_shortlisted": "digest"})
    notifications.notify(student, "offer_made", "/x", company="C", opening="O")
    notifications.notify(student, "application_shortlisted", "/y", company="C", opening="O")
    notifications.notify(student, "application_rejected", "/z", opening="O", note="")
    db.session.commit()
    assert len(_outbox()) == 1 and "not successful" in _outbox()[0].body  # only the kind left immediate
    assert notifications.unread_count(student) == 3
    modes = dict(db.session.execute(select(Notification.kind, Notification.email_mode)).all())
    assert modes == {"offer_made": "off", "application_shortlisted": "digest", "application_rejected": "immediate"}


def test_preferences_are_per_user(app):
    a, b = make_student(), make_student()
    email_preferences.set_preferences(a, {"offer_made": "off"})
    for user in (a, b):
        notifications.notify(user, "offer_made", "/x", company="C", opening="O")
    db.session.commit()
    assert [mail.to_address for mail in _outbox()] == [b.email]


def test_a_kind_nobody_may_choose_is_always_mailed_even_with_a_stored_choice(app, monkeypatch):
    """Security mails (confirmation, reset, invitations) are never suppressible: a kind outside CHOOSABLE_KINDS is
    mailed at once whatever is stored for it."""
    student = make_student()
    monkeypatch.setitem(MESSAGES, "password_reset_requested", MESSAGES["opening_published"])
    db.session.add(EmailPreference(user_id=student.id, kind="password_reset_requested", mode="off"))
    notifications.notify(student, "password_reset_requested", "/auth/reset", opening="x")
    db.session.commit()
    assert len(_outbox()) == 1
    with pytest.raises(DomainError) as refused:
        email_preferences.set_preferences(student, {"password_reset_requested": "off"})
    assert refused.value.field == "mode_password_reset_requested"


def test_mail_queued_outside_notifications_is_never_subject_to_preferences(app):
    student = make_student()
    email_preferences.set_preferences(student, {kind: "off" for kind in email_preferences.kinds_for(student)})
    notifications.queue_email(student.email, "Confirm your e-mail address", f"{BASE}/auth/confirm/abc")
    db.session.commit()
    assert [mail.subject for mail in _outbox()] == ["Confirm your e-mail address"]


def test_choices_a_role_cannot_receive_or_unknown_modes_are_refused_and_nothing_is_stored(app):
    student = make_student()
    with pytest.raises(DomainError) as wrong_role:
        email_preferences.set_preferences(student, {"new_applicant": "off"})  # a company manager's kind
    assert wrong_role.value.field == "mode_new_applicant"
    with pytest.raises(DomainError):
        email_preferences.set_preferences(student, {"offer_made": "weekly"})
    db.session.rollback()
    assert email_preferences.preferences(student)["offer_made"] == "immediate"


def test_each_role_chooses_the_kinds_it_receives():
    from marketplace.models import Role, User  # no database needed: kinds_for reads the role only

    def kinds(role):
        return set(email_preferences.kinds_for(User(role=role)))

    assert {"offer_made", "application_shortlisted"} <= kinds(Role.STUDENT)
    assert "new_applicant" not in kinds(Role.STUDENT)
    assert {"new_applicant", "company_approved"} <= kinds(Role.COMPANY_MANAGER)
    assert {"placement_requested", "opening_submitted"} <= kinds(Role.EXCHANGE_MANAGER)
    # The admin receives only the forum's notifications (every role reads the forum).
    assert kinds(Role.ADMIN) == {"forum_reply", "forum_answer_accepted", "forum_announcement"}


# -- the daily digest ---------------------------------------------------------------------------------------


def _digest_student(locale: str = "en"):
    student = make_student()
    student.locale = locale
    email_preferences.set_preferences(student, {"offer_made": "digest", "application_shortlisted": "digest"})
    return student


def test_the_digest_lists_the_waiting_notifications_with_absolute_links_in_one_mail(app):
    student = _digest_student()
    notifications.notify(student, "offer_made", "/student/applications/1", company="MediAI", opening="ECG")
    notifications.notify(student, "application_shortlisted", "/student/applications/2", company="Bio",
                         opening="MRI")
    db.session.commit()
    assert _outbox() == []  # nothing immediate

    assert digests.send_digests() == 1
    [mail] = _outbox()
    assert mail.to_address == student.email and "daily digest" in mail.subject and "2 notifications" in mail.subject
    assert "MediAI offers you a place in \"ECG\"" in mail.body and "shortlisted for \"MRI\"" in mail.body
    assert f"{BASE}/student/applications/1" in mail.body and f"{BASE}/student/applications/2" in mail.body
    assert f"{BASE}/notifications/email" in mail.body  # where to change the choice
    assert not relative_mail_links(mail.body)


def test_the_digest_is_sent_once_a_day_and_later_notifications_wait_for_the_next_day(app):
    student = _digest_student()
    notifications.notify(student, "offer_made", "/a", company="C", opening="first")
    db.session.commit()
    day = date(2026, 11, 30)
    assert digests.send_digests(day) == 1
    assert digests.send_digests(day) == 0  # again the same day: nothing
    notifications.notify(student, "offer_made", "/b", company="C", opening="second")
    db.session.commit()
    assert digests.send_digests(day) == 0  # the user had today's digest
    assert digests.send_digests(day + timedelta(days=1)) == 1
    first, second = _outbox()
    assert "first" in first.body and "second" not in first.body
    assert "second" in second.body and "first" not in second.body


def test_no_digest_when_nothing_waits(app):
    _digest_student()
    make_student()
    db.session.commit()
    assert digests.send_digests() == 0
    assert _outbox() == [] and db.session.scalar(select(func.count()).select_from(DailyDigest)) == 0


def test_a_deactivated_user_gets_no_digest(app):
    student = _digest_student()
    notifications.notify(student, "offer_made", "/a", company="C", opening="O")
    student.active = False
    db.session.commit()
    assert digests.send_digests() == 0 and _outbox() == []


def test_the_digest_reads_in_korean_for_a_korean_reader(app):
    student = _digest_student(locale="ko")
    notifications.notify(student, "offer_made", "/a", company="메디AI", opening="심전도")
    db.session.commit()
    digests.send_digests(date(2026, 11, 30))
    [mail] = _outbox()
    assert "일일 요약" in mail.subject and "메디AI" in mail.body and "2026" in mail.subject
    assert "daily" not in mail.subject.lower() and "Hello" not in mail.body


def test_two_workers_building_the_digest_at_once_send_it_exactly_once(app):
    students = [_digest_student() for _ in range(6)]
    for student in students:
        notifications.notify(student, "offer_made", "/a", company="C", opening="O")
        notifications.notify(student, "application_shortlisted", "/b", company="C", opening="O")
    db.session.commit()
    day = date(2026, 12, 1)
    counts: list[int] = []

    def build(ready):
        ready()
        counts.append(digests.send_digests(day))

    assert run_together(app, [build, build]) == [("ok", ""), ("ok", "")]
    assert sum(counts) == len(students)
    mails = _outbox()
    assert sorted(mail.to_address for mail in mails) == sorted(s.email for s in students)  # one each
    assert all("2 notifications" in mail.subject for mail in mails)
    assert db.session.scalar(select(func.count()).select_from(DailyDigest)) == len(students)


def test_flask_send_digest_queues_the_digests_and_says_how_many(app, runner):
    student = _digest_student()
    notifications.notify(student, "offer_made", "/a", company="C", opening="O")
    db.session.commit()
    result = runner.invoke(args=["send-digest"])
    assert result.exit_code == 0 and "Queued 1 daily digests." in result.output
    assert runner.invoke(args=["send-digest"]).output.strip() == "Queued 0 daily digests."
    assert len(_outbox()) == 1


def test_the_worker_builds_the_digest_once_its_hour_has_come(app):
    student = _digest_student()
    notifications.notify(student, "offer_made", "/a", company="C", opening="O")
    db.session.commit()
    seoul_hour = datetime.now(timezone(timedelta(hours=9))).hour
    app.config["DIGEST_HOUR"] = (seoul_hour + 1) % 24 if seoul_hour < 23 else 23
    worker = MailWorker(app, interval=0.1)
    if seoul_hour < 23:
        worker.run_once()
        assert _outbox() == []  # not yet: the hour has not come
    app.config["DIGEST_HOUR"] = seoul_hour
    worker.run_once()  # builds the digest and sends it (no MAIL_SERVER: printed to the log)
    worker.run_once()
    [mail] = _outbox()
    assert "daily digest" in mail.subject and mail.sent_at is not None
    notifications.notify(student, "offer_made", "/b", company="C", opening="again")
    db.session.commit()
    worker.run_once()  # the same day: no second digest
    assert len(_outbox()) == 1


def test_due_day_follows_the_seoul_clock(app):
    app.config["DIGEST_HOUR"] = 8
    # 22:59 UTC on 29 Nov = 07:59 on 30 Nov in Seoul: not yet; 23:00 UTC = 08:00 in Seoul: due for 30 Nov.
    assert digests.due_day(datetime(2026, 11, 29, 22, 59, tzinfo=timezone.utc)) is None
    assert digests.due_day(datetime(2026, 11, 29, 23, 0, tzinfo=timezone.utc)) == date(2026, 11, 30)


def test_korean_and_english_labels_exist_for_every_choice(app):
    for kind, (label, _roles) in email_preferences.CHOOSABLE_KINDS.items():
        with force_locale("ko"):
            korean = str(label)
        with force_locale("en"):
            english = str(label)
        assert korean != english, kind
