"""The daily e-mail digest: one mail per user and Seoul day listing the notifications they chose to get that way.

Built by `flask send-digest` (cron) and by the mail worker once a day from DIGEST_HOUR (Seoul). The claim is the
unique (user, day) row of DailyDigest: two workers building at once cannot both insert it, so nobody gets two
digests a day. A user with nothing waiting gets no mail (and no row). Notifications written after a user's digest
of the day wait for the next day's.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.clock import SEOUL
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import DailyDigest, Notification, User
from marketplace.models.base import utcnow
from marketplace.services import email_preferences
from marketplace.services.notifications import link_to, public_url, queue_email, render

# At most this many notifications are listed in one digest (the rest are counted, and all are on the site).
MAX_LISTED = 50


def digest_hour() -> int:
    return int(current_app.config.get("DIGEST_HOUR", 8)) % 24


def due_day(now: datetime | None = None) -> date | None:
    """The Seoul day whose digest may go out at `now`: today once DIGEST_HOUR has come, else None."""
    local = (now or utcnow()).astimezone(SEOUL)
    return local.date() if local.hour >= digest_hour() else None


def _waiting(user_id: int | None = None):
    condition = (Notification.email_mode == email_preferences.DIGEST) & Notification.digest_id.is_(None)
    if user_id is not None:
        condition &= Notification.user_id == user_id
    return condition


def users_waiting(now: datetime) -> list[int]:
    """Active users with at least one notification waiting for a digest, written before `now`."""
    return list(db.session.scalars(
        select(Notification.user_id).join(User, User.id == Notification.user_id)
        .where(_waiting(), Notification.created_at <= now, User.active.is_(True))
        .distinct().order_by(Notification.user_id)
    ))


def send_digests(day: date | None = None, now: datetime | None = None, stop=None) -> int:
    """Queue the digest of `day` (default: today in Seoul) for every user with something waiting; returns how
    many were queued by this call. Safe to run again and from several servers at once."""
    now = now or utcnow()
    day = day or now.astimezone(SEOUL).date()
    user_ids = users_waiting(now)
    db.session.commit()
    queued = 0
    for user_id in user_ids:
        if stop is not None and stop.is_set():
            break
        if build_digest(user_id, day, now):
            queued += 1
    if queued:
        current_app.logger.info("daily digest of %s: %s mails queued", day.isoformat(), queued)
    return queued


def build_digest(user_id: int, day: date, now: datetime | None = None) -> bool:
    """Claim (user, day), take the user's waiting notifications and queue one mail listing them; commits.
    False when another run has this user's digest of the day already, or nothing is waiting."""
    now = now or utcnow()
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        db.session.rollback()
        return False
    digest = DailyDigest(user_id=user_id, day=day, created_at=now)
    db.session.add(digest)
    try:
        db.session.flush()
    except IntegrityError:  # another run has claimed this user's digest of the day
        db.session.rollback()
        return False
    taken = db.session.execute(
        update(Notification).where(_waiting(user_id), Notification.created_at <= now)
        .values(digest_id=digest.id).execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        db.session.rollback()
        return False
    items = list(db.session.scalars(select(Notification).where(Notification.digest_id == digest.id)
                                    .order_by(Notification.created_at, Notification.id)))
    digest.items = len(items)
    subject, body = digest_mail(user, day, items)
    queue_email(user.email, subject, body)
    db.session.commit()
    return True


def digest_mail(user: User, day: date, items: list[Notification]) -> tuple[str, str]:
    """Subject and body of a digest, in the reader's language; every link absolute."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = str(_l("[Medical AI Exchange] Your daily digest of %(day)s: %(count)s notifications",
                         day=format_date(day, "medium"), count=len(items)))
        lines = [str(_l("Hello %(name)s, here is what happened for you on the marketplace:",
                        name=user.display_name)), ""]
        for item in items[:MAX_LISTED]:
            lines.append(f"- {format_datetime(item.created_at, 'short')}  {render(item.kind, item.params)}")
            lines.append(f"  {public_url(item.link) or public_url('/')}")
        if len(items) > MAX_LISTED:
            lines.append(str(_l("... and %(count)s more.", count=len(items) - MAX_LISTED)))
        lines += ["", str(_l("All your notifications: %(url)s", url=public_url(link_to("notifications.index")))),
                  str(_l("You get this digest because you chose it. Change how you receive e-mail: %(url)s",
                         url=public_url(link_to("notifications.preferences"))))]
    return subject, "\n".join(lines)
