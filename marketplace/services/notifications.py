"""Notifications: what each role hears about, rendered in the reader's language, mirrored to an e-mail outbox;
who hears (the managers of some groups) and the links they follow."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, select, update
from werkzeug.routing import BuildError

from marketplace.extensions import db
from marketplace.models import Designation, Role, User, designation_groups
from marketplace.models.base import utcnow
from marketplace.models.notifications import Notification, OutboxEmail
from marketplace.services.errors import NotFound

# kind -> the sentence shown to the reader. Params are names the reader is allowed to see (their own
# company, their own opening, their own application); never another party's personal data.
MESSAGES = {
    "company_approved": _l("Your company %(company)s was approved. You can now post openings."),
    "company_rejected": _l("Your company %(company)s was not approved: %(reason)s"),
    "company_submitted": _l("Company %(company)s asks to become a partner of your project group."),
    "membership_requested": _l("%(name)s asks to join %(company)s as a company manager."),
    "membership_accepted": _l("You are now a manager of %(company)s."),
    "opening_submitted": _l("Opening \"%(opening)s\" of %(company)s is waiting for review."),
    "opening_published": _l("Your opening \"%(opening)s\" was published."),
    "opening_returned": _l("Your opening \"%(opening)s\" was returned: %(note)s"),
    "new_applicant": _l("A new applicant applied to \"%(opening)s\"."),
    "application_shortlisted": _l("You were shortlisted for \"%(opening)s\" at %(company)s."),
    "application_rejected": _l("Your application to \"%(opening)s\" was not successful. %(note)s"),
    "offer_made": _l("%(company)s offers you a place in \"%(opening)s\". Accept or decline it."),
    "offer_accepted": _l("An offer for \"%(opening)s\" was accepted."),
    "offer_declined": _l("An offer for \"%(opening)s\" was declined."),
    "application_withdrawn": _l("An application to \"%(opening)s\" was withdrawn."),
    "placement_requested": _l("A placement in \"%(opening)s\" is waiting for your approval."),
    "placement_approved": _l("The placement in \"%(opening)s\" was approved."),
    "placement_returned": _l("The placement in \"%(opening)s\" was returned: %(note)s"),
    "placement_cancelled": _l("The placement in \"%(opening)s\" was cancelled: %(note)s"),
    "round_published": _l("The results of the matching round \"%(round)s\" are published."),
}


def managers_of_groups(group_ids) -> list[User]:
    """Active exchange managers whose designation in force serves at least one of `group_ids`."""
    ids = {g for g in group_ids or () if g is not None}
    if not ids:
        return []
    return list(db.session.scalars(
        select(User)
        .where(
            User.role == Role.EXCHANGE_MANAGER,
            User.active.is_(True),
            exists().where(
                Designation.user_id == User.id,
                Designation.revoked_at.is_(None),
                designation_groups.c.designation_id == Designation.id,
                designation_groups.c.group_id.in_(ids),
            ),
        )
        .order_by(User.id)
    ))


def link_to(endpoint: str, **values) -> str:
    """A site-relative link for a notification; works in requests, the CLI and tests ("" if unknown)."""
    try:
        if has_request_context():
            return url_for(endpoint, **values)
        adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
        return adapter.build(endpoint, values)
    except (BuildError, RuntimeError):
        return ""


class _SafeParams(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(kind: str, params: dict | None) -> str:
    template = MESSAGES.get(kind)
    if template is None:
        return kind
    try:
        return str(template) % _SafeParams(params or {})
    except (TypeError, ValueError):
        return str(template)


def notify(user: User, kind: str, link: str = "", email: bool = True, **params) -> Notification:
    """Tell `user` about an event (in-app, and in the outbox in the user's language)."""
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    clean = {k: ("" if v is None else str(v))[:300] for k, v in params.items()}
    notification = Notification(user_id=user.id, kind=kind, params=clean, link=link[:500])
    db.session.add(notification)
    db.session.flush()
    if email and user.active:
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = render(kind, clean)
            subject = str(_l("[Medical AI Exchange] %(text)s", text=text[:120]))
            footer = str(_l("Open the marketplace to see the details."))
        db.session.add(OutboxEmail(notification_id=notification.id, to_address=user.email, subject=subject[:300],
                                   body=f"{text}\n\n{footer}\n{link}"))
    return notification


def notify_many(users, kind: str, link: str = "", **params) -> None:
    seen = set()
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            notify(user, kind, link, **params)


def notifications_query(user: User) -> Select:
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def mark_read(user: User, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:  # someone else's: as if absent
        raise NotFound(str(_l("No such notification.")))
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


def send_pending_mail(limit: int = 200) -> tuple[int, int]:
    """Deliver unsent outbox e-mails through SMTP when MAIL_SERVER is set, else print them to the log.

    Returns (sent, failed). Each message is committed on its own so one failure does not resend the rest.
    """
    config = current_app.config
    pending = list(db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < 5)
        .order_by(OutboxEmail.id).limit(limit)
    ))
    sent = failed = 0
    smtp = None
    try:
        for mail in pending:
            mail.attempts += 1
            try:
                if config.get("MAIL_SERVER"):
                    if smtp is None:
                        smtp = smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=30)
                    message = EmailMessage()
                    message["From"] = config["MAIL_FROM"]
                    message["To"] = mail.to_address
                    message["Subject"] = mail.subject
                    message.set_content(mail.body)
                    smtp.send_message(message)
                else:
                    current_app.logger.info("mail to %s: %s\n%s", mail.to_address, mail.subject, mail.body)
                mail.sent_at = utcnow()
                mail.last_error = ""
                sent += 1
            except (smtplib.SMTPException, OSError) as error:
                mail.last_error = f"{error.__class__.__name__}: {error}"[:1000]
                failed += 1
                smtp = None
            db.session.commit()
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
    return sent, failed
