"""Openings (internships, research projects, practice courses) and their skill requirements."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.companies import Company
from marketplace.models.compliance import PracticeType
from marketplace.models.groups import ProjectGroup
from marketplace.models.users import DegreeLevel, _enum


class OpeningKind(str, enum.Enum):
    INTERNSHIP = "internship"
    RESEARCH_PROJECT = "research_project"
    PRACTICE_COURSE = "practice_course"


class OpeningStatus(str, enum.Enum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    RETURNED = "returned"
    CLOSED = "closed"


class WorkMode(str, enum.Enum):
    ONSITE = "onsite"
    HYBRID = "hybrid"
    REMOTE = "remote"


class Importance(str, enum.Enum):
    MUST = "must"
    SHOULD = "should"
    NICE = "nice"


opening_groups = Table(
    "opening_group",
    db.metadata,
    Column("opening_id", ForeignKey("opening.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("project_group.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_opening_group_group_id", "group_id"),  # openings of one group (filters, recommendations)
)


class Opening(db.Model):
    __tablename__ = "opening"
    __table_args__ = (
        CheckConstraint("seats >= 1", name="seats_positive"),
        CheckConstraint("stipend_krw >= 0", name="stipend_not_negative"),
        # Computed from the schedule; above 40 is a compliance finding (blocks publication), not a form error.
        CheckConstraint("hours_per_week BETWEEN 1 AND 168", name="hours_per_week_range"),
        CheckConstraint("education_share_pct BETWEEN 0 AND 100", name="education_share_range"),
        CheckConstraint("remote_share_pct BETWEEN 0 AND 100", name="remote_share_range"),
        # The public list's sorts within the published openings, and a company's own list (migration 0016).
        Index("ix_opening_status_published_at", "status", "published_at", "id"),
        Index("ix_opening_status_deadline", "status", "deadline", "id"),
        Index("ix_opening_status_stipend_krw", "status", "stipend_krw", "id"),
        Index("ix_opening_company_updated_at", "company_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    kind: Mapped[OpeningKind] = mapped_column(_enum(OpeningKind))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[OpeningStatus] = mapped_column(_enum(OpeningStatus), default=OpeningStatus.DRAFT, index=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    seats: Mapped[int] = mapped_column(Integer, default=1)
    work_mode: Mapped[WorkMode] = mapped_column(_enum(WorkMode))
    location: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # Whole hours, kept equal to the schedule's weekly hours rounded (for lists and filters); the schedule rules.
    hours_per_week: Mapped[int] = mapped_column(Integer)
    # Practice terms (services/practice_terms.py): 표준/자율, the weekly schedule as
    # [{"day": 0..6 (Mon..Sun), "start": "09:00", "end": "18:00", "break_minutes": 60}, ...] (None before 0012),
    # the share of the time that is education, the share worked remotely, and whether work on Sundays/holidays
    # is an agreed exception.
    practice_type: Mapped[PracticeType] = mapped_column(_enum(PracticeType, length=12), default=PracticeType.STANDARD,
                                                        server_default=PracticeType.STANDARD.value)
    schedule: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    education_share_pct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    remote_share_pct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    holiday_exception: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    supervisor_contact: Mapped[str] = mapped_column(String(200), default="", server_default="")
    stipend_krw: Mapped[int] = mapped_column(Integer, default=0)  # monthly; 0 = unpaid
    deadline: Mapped[date] = mapped_column(Date, index=True)  # applications accepted through this day (Seoul)
    supervisor_name: Mapped[str] = mapped_column(String(100))
    # Comma-separated DegreeLevel values; empty = every degree level.
    degree_levels: Mapped[str] = mapped_column(String(60), default="")
    # One major per line; empty = every major.
    majors: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Bumped by every saved edit; edit forms carry it so a save from a stale page is refused (409), not applied.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    company: Mapped[Company] = relationship()
    eligible_groups: Mapped[list[ProjectGroup]] = relationship(
        secondary=opening_groups, order_by="ProjectGroup.code"
    )
    skills: Mapped[list[OpeningSkill]] = relationship(
        back_populates="opening", cascade="all, delete-orphan", order_by="OpeningSkill.position"
    )

    @property
    def degree_level_list(self) -> list[DegreeLevel]:
        out = []
        for value in (self.degree_levels or "").split(","):
            try:
                out.append(DegreeLevel(value.strip()))
            except ValueError:
                continue
        return out

    @property
    def major_list(self) -> list[str]:
        return [m.strip() for m in (self.majors or "").splitlines() if m.strip()]

    @property
    def eligible_group_ids(self) -> frozenset[int]:
        return frozenset(g.id for g in self.eligible_groups)

    @property
    def is_paid(self) -> bool:
        return self.stipend_krw > 0

    def __repr__(self) -> str:
        return f"<Opening {self.id} {self.status.value}>"


class OpeningSkill(db.Model):
    """One requirement: a skill as typed, its canonical skill if recognised, importance and minimum level."""

    __tablename__ = "opening_skill"
    __table_args__ = (
        CheckConstraint("min_level BETWEEN 1 AND 5", name="min_level_range"),
        # The dashboard counts openings per skill from the index alone.
        Index("ix_opening_skill_opening_skill", "opening_id", "skill_id", "display_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    skill_id: Mapped[str | None] = mapped_column(String(100), index=True)
    display_name: Mapped[str] = mapped_column(String(100))
    importance: Mapped[Importance] = mapped_column(_enum(Importance, length=10))
    min_level: Mapped[int] = mapped_column(Integer, default=1)

    opening: Mapped[Opening] = relationship(back_populates="skills")


class OpeningSearch(db.Model):
    """The search document of an opening: tokens in both languages (words, Korean syllable bigrams,
    skill and place markers), kept in step by services/search.py. SQLite indexes it with an FTS5 table
    (opening_search_fts, triggers in the migration); PostgreSQL with a GIN index on its tsvector, a generated
    column `document_tsv` (migration 0027) that the model does not map: the database keeps it in step."""

    __tablename__ = "opening_search"

    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id", ondelete="CASCADE"), primary_key=True)
    document: Mapped[str] = mapped_column(Text, default="")


def include_in_autogenerate(name, type_, parent_names) -> bool:
    """Alembic filter: SQLite's FTS5 table for opening search (and its shadow tables) and PostgreSQL's
    generated tsvector column and its index are made by the migrations with raw SQL and have no model, so
    autogenerate must not propose to drop them."""
    if type_ == "table" and name and name.startswith("opening_search_fts"):
        return False
    if type_ == "column" and name == "document_tsv" and parent_names.get("table_name") == "opening_search":
        return False
    return not (type_ == "index" and name in ("ix_opening_search_document_tsv", "ix_opening_search_vector"))
