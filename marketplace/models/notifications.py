"""In-app notifications and the e-mail outbox that mirrors them."""
from __future__ import annotations

from datetime import datetime

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow


class Notification(db.Model):
    """A message for one user; the text is rendered in the reader's language from `kind` and `params`."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),
                      Index("ix_notification_digest_waiting", "email_mode", "digest_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How the reader chose to hear of this kind by e-mail when it was written: "immediate" (an outbox mail),
    # "digest" (waits for the daily digest), "off", or "" (no e-mail asked for).
    email_mode: Mapped[str] = mapped_column(String(10), default="", server_default="")
    # The daily digest that listed it (digest mode only); NULL while it waits for one.
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("daily_digest.id", ondelete="SET NULL"))


class OutboxEmail(db.Model):
    """An e-mail waiting for `flask send-mail` (SMTP when configured, the log otherwise).

    Due while unsent, not given up (`failed_at`) and `next_attempt_at` has come; a failure records the error
    and pushes `next_attempt_at` back, and the last allowed attempt sets `failed_at` (the admin's list)."""

    __tablename__ = "outbox_email"
    __table_args__ = (Index("ix_outbox_email_due", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class EmailPreference(db.Model):
    """How one user hears of one notification kind by e-mail; no row = "immediate" (the default).

    Only the kinds listed in services/email_preferences.CHOOSABLE_KINDS are ever read from here: security
    mails (confirmation, reset, invitation) always go out."""

    __tablename__ = "email_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))  # "immediate" | "digest" | "off"
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class DailyDigest(db.Model):
    """One user's digest of one Seoul day. The unique (user, day) row is the claim: two workers building
    digests at the same moment cannot both insert it, so a user gets at most one digest a day."""

    __tablename__ = "daily_digest"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_daily_digest_user_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    items: Mapped[int] = mapped_column(Integer, default=0)
