"""Notifications: rendered in the reader's language, mirrored to the outbox, private to their reader."""
import pytest

from marketplace.extensions import db
from marketplace.models.notifications import Notification, OutboxEmail
from marketplace.services import notifications
from marketplace.services.errors import NotFound
from tests.factories import make_company_manager, make_student


def test_notify_writes_an_in_app_message_and_an_email_in_the_readers_language(app):
    reader = make_company_manager()
    reader.locale = "en"
    notifications.notify(reader, "opening_published", "/openings/1", opening="MRI segmentation intern")
    korean_reader = make_student()
    korean_reader.locale = "ko"
    notifications.notify(korean_reader, "offer_made", "/x", company="메디AI", opening="심전도 분석")
    db.session.commit()
    mails = {m.to_address: m for m in db.session.query(OutboxEmail)}
    assert "MRI segmentation intern" in mails[reader.email].body and "published" in mails[reader.email].body
    assert "메디AI" in mails[korean_reader.email].subject
    assert notifications.unread_count(reader) == 1


def test_unknown_kind_is_refused(app):
    with pytest.raises(ValueError):
        notifications.notify(make_student(), "free_text", "")


def test_mark_read_refuses_someone_elses_notification(app):
    owner, other = make_student(), make_student()
    note = notifications.notify(owner, "opening_published", "", opening="X")
    db.session.commit()
    with pytest.raises(NotFound):
        notifications.mark_read(other, note.id)
    notifications.mark_read(owner, note.id)
    assert notifications.unread_count(owner) == 0


def test_mark_all_read_touches_only_the_readers_notifications(app):
    a, b = make_student(), make_student()
    for user in (a, a, b):
        notifications.notify(user, "opening_published", "", opening="X")
    db.session.commit()
    assert notifications.mark_all_read(a) == 2
    assert notifications.unread_count(a) == 0 and notifications.unread_count(b) == 1


def test_send_mail_without_smtp_logs_and_marks_sent_once(app):
    user = make_student()
    notifications.notify(user, "opening_published", "", opening="X")
    db.session.commit()
    assert notifications.send_pending_mail() == (1, 0)
    assert notifications.send_pending_mail() == (0, 0)
    assert db.session.query(OutboxEmail).one().sent_at is not None


def test_an_unreachable_mail_server_keeps_the_message_waiting_without_using_up_its_attempts(app):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    app.config["MAIL_PORT"] = 9  # discard port: nothing listens, the connection is refused
    user = make_student()
    notifications.notify(user, "opening_published", "", opening="X")
    db.session.commit()
    delivery = notifications.send_pending_mail()
    assert delivery == (0, 0) and "ConnectionRefusedError" in delivery.server_error
    mail = db.session.query(OutboxEmail).one()
    # An outage is not the mail's fault: still due, no attempt counted, the reason kept for the admin.
    assert mail.sent_at is None and mail.failed_at is None and mail.attempts == 0
    assert mail.next_attempt_at is None and "ConnectionRefusedError" in mail.last_error


def test_render_tolerates_missing_params(app):
    assert "X" in notifications.render("opening_returned", {"opening": "X"})
    assert db.session.query(Notification).count() == 0
