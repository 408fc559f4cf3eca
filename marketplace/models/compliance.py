"""Practice-compliance data: the yearly rule sets an admin edits, public holidays, and managers' overrides."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.users import User


class PracticeType(str, enum.Enum):
    """현장실습 type under the Ministry of Education's operating rules."""

    STANDARD = "standard"  # 표준 현장실습
    AUTONOMOUS = "autonomous"  # 자율 현장실습


class ComplianceStatus(str, enum.Enum):
    """Where an opening or placement stands against the rules (computed, never stored)."""

    COMPLIANT = "compliant"
    WARNINGS = "warnings"  # only warnings: nothing blocks
    BLOCKED = "blocked"  # a failing rule without an override: publication/approval refused
    OVERRIDDEN = "overridden"  # every failing rule has a manager's override


class ComplianceRuleSet(db.Model):
    """The figures of one calendar year's rules (a practice is checked against its start date's year)."""

    __tablename__ = "compliance_rule_set"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("min_hourly_wage_krw > 0", name="wage_positive"),
        CheckConstraint("standard_share_pct BETWEEN 0 AND 100", name="standard_share_range"),
        CheckConstraint("autonomous_share_pct BETWEEN 0 AND 100", name="autonomous_share_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    min_hourly_wage_krw: Mapped[int] = mapped_column(Integer)  # that year's statutory hourly minimum wage
    standard_share_pct: Mapped[int] = mapped_column(Integer, default=75)  # 표준: stipend per hour ≥ this % of it
    autonomous_share_pct: Mapped[int] = mapped_column(Integer, default=30)  # 자율
    allow_unpaid_autonomous: Mapped[bool] = mapped_column(Boolean, default=False)  # ₩0 allowed for 자율
    max_hours_per_day: Mapped[int] = mapped_column(Integer, default=8)
    max_hours_per_week: Mapped[int] = mapped_column(Integer, default=40)
    night_start: Mapped[str] = mapped_column(String(5), default="22:00")  # no practice from here ...
    night_end: Mapped[str] = mapped_column(String(5), default="06:00")  # ... to here (next morning)
    max_remote_pct: Mapped[int] = mapped_column(Integer, default=25)
    min_host_employees: Mapped[int] = mapped_column(Integer, default=10)
    # Warnings (insurance not yet recorded, ...) start this many days before the start date.
    warning_lead_days: Mapped[int] = mapped_column(Integer, default=14)
    # The three-party agreement must be acknowledged by everyone no later than this many days after the start.
    acknowledgement_grace_days: Mapped[int] = mapped_column(Integer, default=5)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class PublicHoliday(db.Model):
    """A public holiday (공휴일): no practice on it unless the terms flag an agreed exception."""

    __tablename__ = "public_holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(100))


class ComplianceOverride(db.Model):
    """An exchange manager lets one failing rule pass for one opening or placement, with a reason.

    It covers the terms it was recorded on (terms_hash): once the terms change, it no longer applies and the
    rule blocks again until a manager records a new override.
    """

    __tablename__ = "compliance_override"
    __table_args__ = (
        Index("ix_compliance_override_subject", "subject_type", "subject_id"),
        UniqueConstraint("subject_type", "subject_id", "rule", "terms_hash", name="uq_compliance_override"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # "opening" | "placement"
    subject_id: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text)
    terms_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User | None] = relationship()
