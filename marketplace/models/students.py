"""A student's skill profile: skills as typed, their canonical skill, proficiency 1-5."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db


class StudentSkill(db.Model):
    __tablename__ = "student_skill"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        # The dashboard counts students per skill from the index alone.
        Index("ix_student_skill_profile_skill", "profile_id", "skill_id", "display_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("student_profile.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))  # as the student typed it
    skill_id: Mapped[str | None] = mapped_column(String(100), index=True)  # canonical skill, if recognised
    display_name: Mapped[str] = mapped_column(String(100))  # canonical name, else what was typed
    level: Mapped[int] = mapped_column(Integer)

    profile = relationship("StudentProfile", back_populates="skills")
