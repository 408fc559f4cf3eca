"""Matching rounds: a set of openings allocated at once by a stable matching, and its proposals."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.applications import Application, Placement
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.groups import ProjectGroup
from marketplace.models.openings import Opening
from marketplace.models.users import User, _enum


class RoundStatus(str, enum.Enum):
    OPEN = "open"  # students and companies order their preferences
    MATCHED = "matched"  # run: proposals wait for the exchange manager's review
    PUBLISHED = "published"  # students and companies see the outcome; proposals can be approved


class ProposalStatus(str, enum.Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    FAILED = "failed"  # approval refused (e.g. the seat was taken elsewhere); `message` says why


round_openings = Table(
    "round_opening",
    db.metadata,
    Column("round_id", ForeignKey("matching_round.id", ondelete="CASCADE"), primary_key=True),
    Column("opening_id", ForeignKey("opening.id", ondelete="CASCADE"), primary_key=True),
)


class MatchingRound(db.Model):
    __tablename__ = "matching_round"
    __table_args__ = (
        CheckConstraint("ranking_deadline >= application_deadline", name="ranking_after_application_deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int] = mapped_column(ForeignKey("project_group.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # Calendar days in Asia/Seoul: applications count through the first, rankings can change through the second.
    application_deadline: Mapped[date] = mapped_column(Date)
    ranking_deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus), default=RoundStatus.OPEN, index=True)
    run_count: Mapped[int] = mapped_column(Integer, default=0)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # As of the last run: seats per opening id and the totals shown to the manager.
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    group: Mapped[ProjectGroup] = relationship()
    created_by: Mapped[User | None] = relationship()
    openings: Mapped[list[Opening]] = relationship(secondary=round_openings, order_by="Opening.title")
    proposals: Mapped[list[RoundProposal]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundProposal.id"
    )
    exclusions: Mapped[list[RoundExclusion]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundExclusion.id"
    )

    @property
    def opening_ids(self) -> frozenset[int]:
        return frozenset(o.id for o in self.openings)

    def __repr__(self) -> str:
        return f"<MatchingRound {self.id} {self.status.value}>"


class RoundPreference(db.Model):
    """A student's order of their applications in a round (1 = first choice)."""

    __tablename__ = "round_preference"
    __table_args__ = (UniqueConstraint("round_id", "application_id", name="uq_round_preference_application"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("matching_round.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)


class RoundCompanyRank(db.Model):
    """A company's order of one applicant to one opening, and whether it would accept them at all.

    position None = not ranked: ordered after the ranked ones by match score (desc), then application time.
    """

    __tablename__ = "round_company_rank"
    __table_args__ = (UniqueConstraint("round_id", "application_id", name="uq_round_company_rank_application"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("matching_round.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    position: Mapped[int | None] = mapped_column(Integer)
    acceptable: Mapped[bool] = mapped_column(Boolean, default=True)


class RoundExclusion(db.Model):
    """A student–opening pair the exchange manager took out of the round before re-running it."""

    __tablename__ = "round_exclusion"
    __table_args__ = (UniqueConstraint("round_id", "application_id", name="uq_round_exclusion_application"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("matching_round.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    round: Mapped[MatchingRound] = relationship(back_populates="exclusions")
    application: Mapped[Application] = relationship()


class RoundProposal(db.Model):
    """What the last run proposes for one participating student (application None = unmatched)."""

    __tablename__ = "round_proposal"
    __table_args__ = (UniqueConstraint("round_id", "student_id", name="uq_round_proposal_student"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("matching_round.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("opening.id", ondelete="SET NULL"))
    choice_position: Mapped[int | None] = mapped_column(Integer)  # 1 = the student's first choice
    # One entry per choice, in the student's order: opening id and title, company, outcome code.
    explanation: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[ProposalStatus] = mapped_column(_enum(ProposalStatus), default=ProposalStatus.PROPOSED)
    message: Mapped[str] = mapped_column(Text, default="")
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placement.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    round: Mapped[MatchingRound] = relationship(back_populates="proposals")
    student: Mapped[User] = relationship()
    application: Mapped[Application | None] = relationship()
    opening: Mapped[Opening | None] = relationship()
    placement: Mapped[Placement | None] = relationship()

    @property
    def matched(self) -> bool:
        return self.application_id is not None
