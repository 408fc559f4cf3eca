"""Evaluations of a practice both ways (host supervisor -> student, student -> host), the rubric the programme office
edits, and the certificates of completion (이수증) with their public verification codes."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.users import User, _enum


class EvaluationKind(str, enum.Enum):
    SUPERVISOR_MIDTERM = "supervisor_midterm"  # the host supervisor evaluates the student, mid-term
    SUPERVISOR_FINAL = "supervisor_final"  # ... and at the end
    STUDENT_HOST = "student_host"  # the student evaluates the host (anonymous to the company)


SUPERVISOR_KINDS = (EvaluationKind.SUPERVISOR_MIDTERM, EvaluationKind.SUPERVISOR_FINAL)


class EvaluationRubric(db.Model):
    """The programme's rubric of competencies (one, edited by the programme office). `version` is bumped by
    every saved edit: stale edit forms are refused."""

    __tablename__ = "evaluation_rubric"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    items: Mapped[list[RubricItem]] = relationship(back_populates="rubric", order_by="(RubricItem.position, RubricItem.id)")


class RubricItem(db.Model):
    """One competency the host supervisor scores 1-5. Evaluations copy the item's names when they are
    submitted, so editing or retiring an item later never changes an evaluation already given."""

    __tablename__ = "rubric_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("evaluation_rubric.id", ondelete="CASCADE"), index=True)
    name_ko: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    rubric: Mapped[EvaluationRubric] = relationship(back_populates="items")


class Evaluation(db.Model):
    """One evaluation of a placement: each kind once (the unique constraint settles two racing submits)."""

    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("placement_id", "kind", name="uq_evaluation_placement_kind"),
        Index("ix_evaluation_kind_submitted_at", "kind", "submitted_at"),  # reports by period
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    kind: Mapped[EvaluationKind] = mapped_column(_enum(EvaluationKind))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Supervisor evaluations: [{"item_id", "name_ko", "name_en", "score"}] as the rubric was when submitted.
    scores: Mapped[list] = mapped_column(JSON, default=list)
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    recommended_grade: Mapped[str | None] = mapped_column(String(5))
    # The student's evaluation of the host: satisfaction 1-5, would recommend, comment.
    learning: Mapped[int | None] = mapped_column(Integer)
    supervision: Mapped[int | None] = mapped_column(Integer)
    environment: Mapped[int | None] = mapped_column(Integer)
    would_recommend: Mapped[bool | None] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship()

    @property
    def average_score(self) -> float | None:
        values = [row["score"] for row in self.scores or [] if isinstance(row.get("score"), int)]
        return round(sum(values) / len(values), 2) if values else None


class Certificate(db.Model):
    """The certificate of completion of one placement: a random verification code (Crockford base32, stored without
    separators) and a snapshot of what it certifies, frozen when issued."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    # name, name of the programme (ko/en), project group, host company, period, confirmed hours, opening title.
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
