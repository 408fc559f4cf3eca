"""Project groups of the programme, with their majors and tracks (data, not code)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db


class ProjectGroup(db.Model):
    __tablename__ = "project_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str] = mapped_column(String(200))
    university_en: Mapped[str] = mapped_column(String(200), default="")
    university_ko: Mapped[str] = mapped_column(String(200), default="")
    # Comma-separated e-mail domains of the university, e.g. "pusan.ac.kr".
    email_domains: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    majors: Mapped[list[Major]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="Major.id"
    )
    tracks: Mapped[list[Track]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="Track.id"
    )

    def name(self, locale: str) -> str:
        return self.name_ko if locale == "ko" else self.name_en

    @property
    def domains(self) -> list[str]:
        return [d.strip() for d in self.email_domains.split(",") if d.strip()]

    def __repr__(self) -> str:
        return f"<ProjectGroup {self.code}>"


class Major(db.Model):
    __tablename__ = "major"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("project_group.id", ondelete="CASCADE"), index=True)
    college_en: Mapped[str] = mapped_column(String(200), default="")
    college_ko: Mapped[str] = mapped_column(String(200), default="")
    name_en: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str] = mapped_column(String(200))

    group: Mapped[ProjectGroup] = relationship(back_populates="majors")

    def name(self, locale: str) -> str:
        return self.name_ko if locale == "ko" else self.name_en


class Track(db.Model):
    __tablename__ = "track"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("project_group.id", ondelete="CASCADE"), index=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_ko: Mapped[str] = mapped_column(String(200))

    group: Mapped[ProjectGroup] = relationship(back_populates="tracks")

    def name(self, locale: str) -> str:
        return self.name_ko if locale == "ko" else self.name_en
