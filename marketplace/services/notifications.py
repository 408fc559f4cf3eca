"""Notifications: what each role hears about, rendered in the reader's language, mirrored to an e-mail outbox;
who hears (the managers of some groups) and the links they follow."""
from __future__ import annotations

import smtplib
import time
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from sqlalchemy import Select, bindparam, exists, func, insert, select, update
from werkzeug.routing import BuildError

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import Designation, Role, User, designation_groups
from marketplace.models.base import utcnow
from marketplace.models.notifications import Notification, OutboxEmail
from marketplace.services import audit, email_preferences
from marketplace.services.errors import Conflict, NotFound

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
    "placement_completed": _l("The practice in \"%(opening)s\" was marked completed."),
    "placement_not_completed": _l("The practice in \"%(opening)s\" was closed as not completed: %(note)s"),
    "certificate_issued": _l("Your certificate of completion for \"%(opening)s\" is ready to download."),
    "certificate_revoked": _l("Your certificate of completion for \"%(opening)s\" was revoked: %(reason)s"),
    "agreement_voided": _l("The terms of the practice agreement for \"%(opening)s\" changed: every acknowledgement "
                           "was voided. Read the new version and acknowledge it again."),
    "opening_terms_changed": _l("%(company)s changed the terms of \"%(opening)s\" (stipend, dates, hours or place). "
                                "Check them on the opening before you go on."),
    "opening_terms_changed_reviewer": _l("%(company)s changed the terms of \"%(opening)s\" (stipend, dates, hours or "
                                         "place) after students applied."),
    "company_changes_submitted": _l("Company %(company)s asks to change its name, business number or partner "
                                    "groups."),
    "company_changes_approved": _l("The changes to %(company)s were approved and are now shown."),
    "company_changes_declined": _l("The changes to %(company)s were not approved: %(reason)s"),
    "student_verified": _l("Your student account is verified: you can apply to openings now."),
    "student_declined": _l("An exchange manager could not verify your student account: %(reason)s Correct your "
                           "profile or contact your project group."),
    "round_published": _l("The results of the matching round \"%(round)s\" are published."),
    "mentor_assigned": _l("You are now the mentor professor of %(student)s (\"%(opening)s\" at %(company)s)."),
    "mentor_assigned_student": _l("Your mentor professor for \"%(opening)s\" is %(mentor)s."),
    "forum_reply": _l("%(name)s replied to your thread \"%(thread)s\"."),
    "forum_answer_accepted": _l("Your reply in \"%(thread)s\" was marked as the answer."),
    "forum_announcement": _l("New announcement on the %(board)s: \"%(thread)s\""),
    "practice_week_submitted": _l("%(student)s submitted week %(week)s of the practice log for \"%(opening)s\": "
                                  "confirm it or return it."),
    "practice_week_confirmed": _l("Week %(week)s of your practice log for \"%(opening)s\" was confirmed."),
    "practice_week_returned": _l("Week %(week)s of your practice log for \"%(opening)s\" was returned: %(note)s"),
    "practice_week_late": _l("Week %(week)s of your practice log for \"%(opening)s\" is late: submit it."),
    "practice_confirmation_late": _l("Week %(week)s of %(student)s's practice log for \"%(opening)s\" has waited "
                                     "more than 5 days for your confirmation."),
    "contest_problem_proposed": _l("%(company)s proposed a problem for the contest \"%(contest)s\"."),
    "contest_problem_accepted": _l("Your contest problem \"%(problem)s\" was accepted."),
    "contest_problem_returned": _l("Your contest problem \"%(problem)s\" was returned: %(note)s"),
    "contest_team_invitation": _l("%(name)s invites you to join the team %(team)s in the contest \"%(contest)s\"."),
    "contest_team_joined": _l("%(name)s joined your team %(team)s."),
    "contest_judge_invited": _l("You are invited to judge the contest \"%(contest)s\"."),
    "contest_judging_assigned": _l("%(count)s submissions of the contest \"%(contest)s\" were assigned to you."),
    "contest_results": _l("The results of the contest \"%(contest)s\" are published."),
    "contest_opening_invite": _l("%(company)s invites you, after the contest \"%(contest)s\", to apply to "
                                 "\"%(opening)s\"."),
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


def header_text(text: str) -> str:
    """`text` on one line, fit for a mail header: every line break and other whitespace run (CR, LF, U+2028,
    form feed, ...) becomes one space, control characters go. A note typed with line breaks then cannot break
    the Subject header (which made every `send-mail` run stop on that mail)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def public_url(link: str) -> str:
    """An absolute address for an e-mail: site paths are prefixed with PUBLIC_BASE_URL (a mail client has no
    page to resolve a bare path against); absolute links and "" are kept."""
    if not link or not link.startswith("/") or link.startswith("//"):
        return link if "://" in link else ""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + link


def notify(user: User, kind: str, link: str = "", email: bool = True, **params) -> Notification:
    """Tell `user` about an event: always in-app; by e-mail as the user chose for this kind (immediately into
    the outbox, later in the daily digest, or not at all; see services/email_preferences.py). This is the one
    place a notification's mail is queued, so every path honours the choice."""
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    clean = {k: ("" if v is None else str(v))[:300] for k, v in params.items()}
    notification = Notification(user_id=user.id, kind=kind, params=clean, link=link[:500], email_mode="")
    if email and user.active:
        notification.email_mode = email_preferences.mode_for(user, kind)
    db.session.add(notification)
    db.session.flush()
    if notification.email_mode == email_preferences.IMMEDIATE:
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = render(kind, clean)
            subject = str(_l("[Medical AI Exchange] %(text)s", text=header_text(text)[:120]))
            footer = str(_l("Open the marketplace to see the details."))
        body = f"{text}\n\n{footer}\n{public_url(link) or public_url('/')}"
        queue_email(user.email, subject, body, notification_id=notification.id)
    return notification


def queue_email(to_address: str, subject: str, body: str, notification_id: int | None = None) -> OutboxEmail:
    """Put one e-mail in the outbox (the delivery worker or `send-mail` sends it). Every mail is written here:
    notifications through notify(), and mails that are not notifications (confirmation, reset, invitation links),
    which no preference can stop. Links in `body` must be absolute (public_url)."""
    mail = OutboxEmail(notification_id=notification_id, to_address=header_text(to_address)[:254],
                       subject=header_text(subject)[:300], body=body)
    db.session.add(mail)
    return mail


def notify_many(users, kind: str, link: str = "", **params) -> int:
    """notify() for many users at once, in a fixed number of queries per NOTIFY_BATCH users however many there
    are (an announcement reaches a whole board): their e-mail choices in one query, the notifications in one
    insert, their ids read back in one query, the outbox mails in one insert. Returns how many were told."""
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    recipients, seen = [], set()
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            recipients.append(user)
    for start in range(0, len(recipients), NOTIFY_BATCH):
        _notify_batch(recipients[start:start + NOTIFY_BATCH], kind, link, params)
    return len(recipients)


NOTIFY_BATCH = 500  # under SQLite's 999 parameters per statement


def _notify_batch(recipients: list[User], kind: str, link: str, params: dict) -> None:
    clean = {k: ("" if v is None else str(v))[:300] for k, v in params.items()}
    modes = email_preferences.modes_for(recipients, kind)
    # One created_at for the batch: with the kind and the user it finds each new row's id again (a bulk insert
    # returns no ids on SQLite without inserting row by row).
    now = utcnow()
    db.session.execute(insert(Notification), [
        {"user_id": user.id, "kind": kind, "params": dict(clean), "link": link[:500], "created_at": now,
         "email_mode": modes[user.id] if user.active else ""} for user in recipients])
    immediate = [user for user in recipients if user.active and modes[user.id] == email_preferences.IMMEDIATE]
    if not immediate:
        return
    ids = dict(db.session.execute(select(Notification.user_id, Notification.id).where(
        Notification.kind == kind, Notification.created_at == now,
        Notification.user_id.in_([user.id for user in immediate]))).all())
    mails = []
    for user in immediate:
        with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            text = render(kind, clean)
            subject = str(_l("[Medical AI Exchange] %(text)s", text=header_text(text)[:120]))
            footer = str(_l("Open the marketplace to see the details."))
        mails.append({"notification_id": ids.get(user.id), "to_address": header_text(user.email)[:254],
                      "subject": header_text(subject)[:300], "created_at": now,
                      "body": f"{text}\n\n{footer}\n{public_url(link) or public_url('/')}"})
    db.session.execute(insert(OutboxEmail), mails)


def notifications_query(user: User) -> Select:
    return (select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


_UNREAD = (select(func.count()).select_from(Notification)  # on every page: built once
           .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)))


def unread_count(user: User) -> int:
    return db.session.scalar(_UNREAD, {"user_id": user.id}) or 0


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


# -- delivery ------------------------------------------------------------------------------------------------

# A failed mail waits longer after each failure (2, 4, 8, 16, ... minutes with the default MAIL_RETRY_BASE_SECONDS
# of 120, at most a day) until MAIL_MAX_ATTEMPTS.
RETRY_BASE = timedelta(minutes=2)
RETRY_MAX = timedelta(days=1)
# While one run sends a mail, the mail is not due for others (several servers may run `send-mail`); if the
# run dies mid-send, the mail comes due again after this.
SEND_LEASE = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    base = timedelta(seconds=float(current_app.config.get("MAIL_RETRY_BASE_SECONDS", RETRY_BASE.total_seconds())))
    return min(base * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def due_mail_query(now: datetime) -> Select:
    return (select(OutboxEmail)
            .where(OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None),
                   (OutboxEmail.next_attempt_at.is_(None)) | (OutboxEmail.next_attempt_at <= now))
            .order_by(OutboxEmail.id))


def _claim(mail_id: int, attempts_seen: int, now: datetime) -> bool:
    """Take a mail for this run: counts the attempt and hides it from other runs for the lease. The update is
    conditional on the mail being as this run read it (same attempt count, still due: not sent, not given up, no
    other run's lease); False when another run took it first. `attempts_seen` is the count read with the due
    list, never a value reloaded after another commit (which would be the other run's claim)."""
    claimed = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == mail_id, OutboxEmail.attempts == attempts_seen, OutboxEmail.sent_at.is_(None),
               OutboxEmail.failed_at.is_(None),
               (OutboxEmail.next_attempt_at.is_(None)) | (OutboxEmail.next_attempt_at <= now))
        .values(attempts=attempts_seen + 1, next_attempt_at=now + SEND_LEASE)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def build_message(mail: OutboxEmail, sender: str) -> EmailMessage:
    """The MIME message of an outbox row. Headers are put on one line again here, so rows written before
    the subject was cleaned at the source still go out; a header that still cannot be built raises."""
    message = EmailMessage()
    message["From"] = header_text(sender)
    message["To"] = header_text(mail.to_address)
    message["Subject"] = header_text(mail.subject)
    message.set_content(mail.body)
    return message


class Delivery(tuple):
    """(sent, failed) of one delivery run; `server_error` says why the run stopped early when the mail server
    could not be reached (the mails stay due and lose no attempt: an outage is not the mails' fault)."""

    server_error: str = ""

    def __new__(cls, sent: int, failed: int, server_error: str = ""):
        run = super().__new__(cls, (sent, failed))
        run.server_error = server_error
        return run

    @property
    def sent(self) -> int:
        return self[0]

    @property
    def failed(self) -> int:
        return self[1]


class MailServerUnavailable(Exception):
    """The SMTP server could not be reached or refused the session (connect, STARTTLS or login)."""


def _connect(config) -> smtplib.SMTP:
    """An SMTP session as configured (SSL or STARTTLS, login); any failure is the server's, not a mail's."""
    server, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
    timeout = float(config.get("MAIL_TIMEOUT", 30))
    try:
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(server, port, timeout=timeout)
        else:
            smtp = smtplib.SMTP(server, port, timeout=timeout)
        try:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        except BaseException:
            _close(smtp)
            raise
    except (OSError, smtplib.SMTPException) as error:
        raise MailServerUnavailable(f"{error.__class__.__name__}: {error}") from error
    return smtp


def send_pending_mail(limit: int = 200, now: datetime | None = None, stop=None) -> Delivery:
    """Deliver due outbox e-mails through SMTP when MAIL_SERVER is set, else print them to the log.

    Returns (sent, failed) for this run. Every mail is claimed, tried and recorded on its own commit: a failure
    of the mail (refused recipient or message, 4xx or 5xx, a header that cannot be built, a connection lost
    while sending it) is written to that mail (attempt count, error, next attempt time; failed for good at
    MAIL_MAX_ATTEMPTS) and the run goes on. When the server cannot be reached at all, the run stops there: the
    mail keeps its attempts and stays due, and the result's `server_error` says why (the worker waits and
    tries again). `stop` (a threading.Event) ends the run between two mails.
    """
    config = current_app.config
    log = current_app.logger
    now = now or utcnow()
    started = time.monotonic()  # a failure's pause counts from the failure, not from the start of a long run
    max_attempts = int(config.get("MAIL_MAX_ATTEMPTS", 5))
    pending = [(mail, mail.attempts) for mail in db.session.scalars(due_mail_query(now).limit(limit))]
    db.session.commit()
    sent = failed = 0
    smtp = None
    try:
        for mail, attempts_seen in pending:
            if stop is not None and stop.is_set():
                break
            if not _claim(mail.id, attempts_seen, now):
                continue
            try:
                message = build_message(mail, config["MAIL_FROM"])
                if config.get("MAIL_SERVER"):
                    if smtp is None:
                        smtp = _connect(config)
                    smtp.send_message(message)
                else:
                    log.info("mail #%s (no MAIL_SERVER: printed, not sent)\nTo: %s\nSubject: %s\n\n%s",
                             mail.id, message["To"], message["Subject"], mail.body)
            except MailServerUnavailable as error:
                _give_back(mail, str(error))
                db.session.commit()
                log.warning("mail server unavailable, mail #%s waits: %s", mail.id, error)
                return Delivery(sent, failed, str(error))
            except Exception as error:  # noqa: BLE001 - any failure is this mail's, recorded, never the run's
                failed += 1
                _record_failure(mail, error, now + timedelta(seconds=time.monotonic() - started), max_attempts)
                if not isinstance(error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                                          smtplib.SMTPSenderRefused, ValueError)):
                    smtp = _close(smtp)  # the connection may be broken: the next mail opens a new one
            else:
                sent += 1
                mail.sent_at = utcnow()
                mail.next_attempt_at = None
                mail.last_error = ""
                log.info("mail #%s sent (attempt %s)", mail.id, mail.attempts)
            db.session.commit()
    finally:
        _close(smtp)
    return Delivery(sent, failed)


def _give_back(mail: OutboxEmail, error: str) -> None:
    """Undo the claim of a mail that was never handed to the server: its attempt does not count."""
    mail.attempts = max(mail.attempts - 1, 0)
    mail.next_attempt_at = None
    mail.last_error = error[:1000]


def _record_failure(mail: OutboxEmail, error: Exception, now: datetime, max_attempts: int) -> None:
    mail.last_error = f"{error.__class__.__name__}: {error}"[:1000]
    if mail.attempts >= max_attempts:
        mail.failed_at = now
        mail.next_attempt_at = None
        current_app.logger.warning("mail #%s failed for good after %s attempts: %s", mail.id, mail.attempts,
                                   error.__class__.__name__)
    else:
        mail.next_attempt_at = now + retry_delay(mail.attempts)
        current_app.logger.warning("mail #%s failed (attempt %s, next try at %s): %s", mail.id, mail.attempts,
                                   mail.next_attempt_at.isoformat(timespec="seconds"), error.__class__.__name__)


def _close(smtp):
    if smtp is not None:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
    return None


def next_due_in(now: datetime | None = None) -> timedelta | None:
    """How long until the next waiting mail comes due (zero if one is due now; None when none waits)."""
    now = now or utcnow()
    unsent = (OutboxEmail.sent_at.is_(None)) & (OutboxEmail.failed_at.is_(None))
    if db.session.scalar(select(OutboxEmail.id).where(unsent, OutboxEmail.next_attempt_at.is_(None)).limit(1)):
        return timedelta(0)
    soonest = db.session.scalar(select(func.min(OutboxEmail.next_attempt_at)).where(unsent))
    if soonest is None:
        return None
    return max(soonest - now, timedelta(0))


# -- the programme office's view of failed mail -------------------------------------------------------------


def failed_mail_query() -> Select:
    return select(OutboxEmail).where(OutboxEmail.failed_at.is_not(None)).order_by(OutboxEmail.failed_at.desc(),
                                                                                   OutboxEmail.id.desc())


def outbox_query() -> Select:
    """Every outbox mail, newest first (the admin's outbox page)."""
    return select(OutboxEmail).order_by(OutboxEmail.id.desc())


def outbox_mail(mail_id: int) -> OutboxEmail:
    mail = db.session.get(OutboxEmail, mail_id)
    if mail is None:
        raise NotFound(str(_l("No such e-mail.")))
    return mail


def mail_bodies_visible() -> bool:
    """Whether the admin may read mail bodies in the browser: by default only while no SMTP server is configured
    (development and demos, where the log prints them anyway). With real delivery a body can carry another
    person's one-time sign-in link, so the programme office sees the envelope and status only
    (MAIL_SHOW_BODIES=1 overrides)."""
    setting = current_app.config.get("MAIL_SHOW_BODIES")
    if setting is not None and setting != "":
        return str(setting).lower() in {"1", "true", "yes", "on"}
    return not current_app.config.get("MAIL_SERVER")


def mail_counts(now: datetime | None = None) -> dict[str, int]:
    """How many mails are waiting (due now or later), failed for good, and sent."""
    now = now or utcnow()
    unsent = (OutboxEmail.sent_at.is_(None)) & (OutboxEmail.failed_at.is_(None))
    rows = db.session.execute(select(
        func.count().filter(unsent),
        func.count().filter(unsent & (OutboxEmail.attempts > 0)),
        func.count().filter(OutboxEmail.failed_at.is_not(None)),
        func.count().filter(OutboxEmail.sent_at.is_not(None)),
    ).select_from(OutboxEmail)).one()
    return {"waiting": rows[0], "retrying": rows[1], "failed": rows[2], "sent": rows[3]}


def retry_failed_mail(actor: User, mail_id: int) -> OutboxEmail:
    """Put a failed mail back in the queue with a fresh set of attempts (audited)."""
    mail = db.session.get(OutboxEmail, mail_id)
    if mail is None:
        raise NotFound(str(_l("No such e-mail.")))
    if mail.failed_at is None:
        raise Conflict(str(_l("This e-mail has not failed; it is sent or still being tried.")))
    mail.failed_at = None
    mail.next_attempt_at = None
    mail.attempts = 0
    audit.record(actor, "outbox_email", mail.id, "retry", "failed", "waiting")
    return mail
