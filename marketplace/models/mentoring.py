"""Mentor professors: their profile, their assignment to placements (with the academic grade) and consultation notes."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.applications import Placement
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.groups import ProjectGroup
from marketplace.models.users import User, _enum


class ConsultationMode(str, enum.Enum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"
    EMAIL = "email"


# The academic grades a mentor may give: letter grades (A0 is the Korean "A zero", the plain A) or pass/no pass.
GRADES: tuple[str, ...] = ("A+", "A0", "B+", "B0", "C+", "C0", "D+", "D0", "F", "P", "NP")


def split_names(text: str | None) -> list[str]:
    """Comma- or line-separated names as typed, stripped, without empties or repeats (first spelling kept)."""
    out: list[str] = []
    for part in (text or "").replace("\n", ",").split(","):
        name = part.strip()
        if name and name.casefold() not in {o.casefold() for o in out}:
            out.append(name)
    return out


class MentorProfile(db.Model):
    """A mentor's group and what they supervise; min/max load override the course plan's (None = the plan's)."""

    __tablename__ = "mentor_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("project_group.id"), index=True)
    department: Mapped[str] = mapped_column(String(200), default="")
    # Majors the mentor supervises (compared with the project's majors) and fields/skills (compared with the
    # project's skills); comma- or line-separated as typed.
    majors: Mapped[str] = mapped_column(Text, default="", server_default="")
    fields: Mapped[str] = mapped_column(Text, default="", server_default="")
    min_load: Mapped[int | None] = mapped_column(Integer)
    max_load: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Bumped by every saved edit (stale forms are refused) and by every change of the mentor's students, so a
    # confirmation made from a page showing an older load is refused (services/mentoring.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    group: Mapped[ProjectGroup] = relationship()

    @property
    def major_list(self) -> list[str]:
        return split_names(self.majors)

    @property
    def field_list(self) -> list[str]:
        return split_names(self.fields)


class MentorAssignment(db.Model):
    """The mentor of one placement (one at a time) and the academic grade they give."""

    __tablename__ = "mentor_assignment"
    __table_args__ = (UniqueConstraint("placement_id", name="uq_mentor_assignment_placement"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    grade: Mapped[str | None] = mapped_column(String(4))
    grade_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    placement: Mapped[Placement] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])


class ConsultationNote(db.Model):
    """A mentor's record of one consultation with their student: seen by the mentor and managers, never the company."""

    __tablename__ = "consultation_note"
    __table_args__ = (Index("ix_consultation_note_placement_held_on", "placement_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[ConsultationMode] = mapped_column(_enum(ConsultationMode, 20))
    summary: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    placement: Mapped[Placement] = relationship()
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
