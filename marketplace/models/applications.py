"""Applications to openings and the placements that accepted offers become."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy import false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.openings import Opening
from marketplace.models.users import User, _enum


class ApplicationStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    SHORTLISTED = "shortlisted"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class PlacementStatus(str, enum.Enum):
    PENDING = "pending"  # an accepted offer awaiting an exchange manager
    APPROVED = "approved"
    RETURNED = "returned"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NOT_COMPLETED = "not_completed"  # the practice ended without meeting its requirements (closed with a reason)


# Placements in these states hold a seat of the opening (a practice that ended, completed or not, used its seat).
SEAT_HOLDING = (PlacementStatus.APPROVED, PlacementStatus.ACTIVE, PlacementStatus.COMPLETED,
                PlacementStatus.NOT_COMPLETED)


class Application(db.Model):
    __tablename__ = "application"
    # One application per student and opening: a double click or a second tab cannot make two.
    __table_args__ = (
        UniqueConstraint("opening_id", "student_id", name="uq_application_opening_student"),
        Index("ix_application_opening_status", "opening_id", "status"),  # applicants of an opening by status
        Index("ix_application_student_created_at", "student_id", "created_at"),  # a student's list, newest first
        Index("ix_application_student_status", "student_id", "status"),  # counted by group without the rows
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(Text, default="")
    # Korea's Personal Information Protection Act: explicit consent to share the profile with this company.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    consent_text: Mapped[str] = mapped_column(Text, default="")
    # The match as of applying: score 0..100, whether all must-haves were present, per-requirement details.
    match_score: Mapped[float] = mapped_column(Float, default=0.0)
    match_has_all_musts: Mapped[bool] = mapped_column(Boolean, default=False)
    match_details: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[ApplicationStatus] = mapped_column(
        _enum(ApplicationStatus), default=ApplicationStatus.SUBMITTED, index=True
    )
    company_message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    opening: Mapped[Opening] = relationship()
    student: Mapped[User] = relationship()
    placement: Mapped[Placement | None] = relationship(back_populates="application", uselist=False)


class Placement(db.Model):
    __tablename__ = "placement"
    __table_args__ = (Index("ix_placement_opening_status", "opening_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[PlacementStatus] = mapped_column(_enum(PlacementStatus), default=PlacementStatus.PENDING, index=True)
    # Copied from the opening when requested, so overlaps are checked on what was agreed.
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # The opening's terms when the student accepted (stipend, dates, hours, work mode, location): what was
    # agreed, shown beside the opening's current terms if the company edits them later. None before 0010.
    agreed_terms: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # The practice terms of this placement (services/practice_terms.py, canonical form): the opening's when the
    # request is made, adjusted by the company or the exchange manager before approval. None before 0012 (then
    # the opening's terms with the placement's dates stand in).
    terms: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # Bumped by every saved edit of the terms (stale forms are refused, like other edits).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The agreement's terms as last acknowledged (services/agreements.py): what a later change is compared with.
    agreement_terms: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # All three parties acknowledged the current agreement and both insurances are recorded (kept by
    # services/agreements.py); the activation job checks the records themselves again.
    agreement_ready: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    # The course plan the manager chose for this placement; None follows the group's default plan
    # (services/course_plans.plan_for).
    course_plan_id: Mapped[int | None] = mapped_column(ForeignKey("course_plan.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    application: Mapped[Application] = relationship(back_populates="placement")
    opening: Mapped[Opening] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def status_on(self, today: date) -> PlacementStatus:
        """The status as of `today` (Seoul): an approved placement whose start date has come is shown active
        before the `activate-placements` job records it, so pages show the right state without writing. One whose
        agreement is not acknowledged by all three parties or whose insurance is missing stays approved: it cannot
        start (services/agreements.py)."""
        if self.status == PlacementStatus.APPROVED and self.start_date <= today and self.agreement_ready:
            return PlacementStatus.ACTIVE
        return self.status
