"""The practice course after approval: course plans of the project groups and the weekly logs (실습일지)."""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint, text
from sqlalchemy import false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.groups import ProjectGroup
from marketplace.models.users import User, _enum


class CoursePlan(db.Model):
    """How a group's practice course runs: weeks, required hours, evaluation points and mentor loads.
    group_id None is a programme-wide plan (the fallback of groups without their own default)."""

    __tablename__ = "course_plan"
    # At most one default plan per group, and one programme-wide default (NULL groups are distinct in a unique
    # index, so the programme-wide one has its own partial index).
    __table_args__ = (
        Index("uq_course_plan_group_default", "group_id", unique=True,
              sqlite_where=text("is_default AND group_id IS NOT NULL"),
              postgresql_where=text("is_default AND group_id IS NOT NULL")),
        Index("uq_course_plan_programme_default", "is_default", unique=True,
              sqlite_where=text("is_default AND group_id IS NULL"),
              postgresql_where=text("is_default AND group_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("project_group.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    weeks: Mapped[int] = mapped_column(Integer)
    required_hours: Mapped[int] = mapped_column(Integer)
    min_education_share: Mapped[int] = mapped_column(Integer, default=0)  # percent of the hours
    midterm_week: Mapped[int | None] = mapped_column(Integer)
    final_week: Mapped[int] = mapped_column(Integer)
    evaluation_window_days: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    mentor_min_load: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    mentor_max_load: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Bumped by every saved edit (stale forms are refused, like other edits).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    group: Mapped[ProjectGroup | None] = relationship()

    def __init__(self, **kw):
        # final_week defaults to the last week of the course.
        if kw.get("final_week") is None and kw.get("weeks") is not None:
            kw["final_week"] = kw["weeks"]
        super().__init__(**kw)

    @property
    def hours_per_week(self) -> float:
        return self.required_hours / self.weeks if self.weeks else 0.0


class WeekStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    RETURNED = "returned"


class PracticeWeek(db.Model):
    """One week of a placement's log: the student fills its days, submits it, the host supervisor confirms it or
    returns it with a comment. Week 1 starts on the placement's start date; later weeks on Mondays."""

    __tablename__ = "practice_week"
    __table_args__ = (
        UniqueConstraint("placement_id", "week_no", name="uq_practice_week_placement_week"),
        Index("ix_practice_week_status", "status"),  # the reminder job scans submitted/unsubmitted weeks
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    week_no: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    status: Mapped[WeekStatus] = mapped_column(_enum(WeekStatus, length=20), default=WeekStatus.DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(Text, default="")
    # Reminders already sent for this week ("unsubmitted", "unconfirmed:<submitted_at iso>"), so each late item
    # is reminded once, not on every run of the job.
    reminded: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    decided_by: Mapped[User | None] = relationship()
    days: Mapped[list[PracticeDay]] = relationship(
        back_populates="week", order_by="PracticeDay.day", cascade="all, delete-orphan"
    )

    @property
    def minutes(self) -> int:
        return sum(d.minutes for d in self.days)


class PracticeDay(db.Model):
    """One day of a week's log: times, break, computed minutes, education minutes, what was done and learned."""

    __tablename__ = "practice_day"
    __table_args__ = (UniqueConstraint("week_id", "day", name="uq_practice_day_week_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("practice_week.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[int] = mapped_column(Integer)  # computed: end - start - break, never typed
    education_minutes: Mapped[int] = mapped_column(Integer, default=0)
    did: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")

    week: Mapped[PracticeWeek] = relationship(back_populates="days")
