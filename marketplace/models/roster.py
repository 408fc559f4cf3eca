"""Rosters: the students an exchange manager lists for their group, and the imports that wrote them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.groups import ProjectGroup, Track
from marketplace.models.users import DegreeLevel, User, _enum


class RosterEntry(db.Model):
    """One listed student of a group: a student who confirms this address (in this group, at this degree
    level) is verified."""

    __tablename__ = "roster_entry"
    __table_args__ = (UniqueConstraint("group_id", "email", name="uq_roster_entry_group_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("project_group.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)  # canonical (services/identity.py)
    name: Mapped[str] = mapped_column(String(100))
    major: Mapped[str] = mapped_column(String(200), default="")
    degree_level: Mapped[DegreeLevel] = mapped_column(_enum(DegreeLevel))
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("roster_import.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    group: Mapped[ProjectGroup] = relationship()
    track: Mapped[Track | None] = relationship()


class RosterImportStatus(str, enum.Enum):
    PREVIEWED = "previewed"
    APPLIED = "applied"


class RosterImport(db.Model):
    """An uploaded roster file, parsed and checked (the preview), then applied all at once (confirm).

    The checked rows live here, in the database, so the confirm may reach any app server."""

    __tablename__ = "roster_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[RosterImportStatus] = mapped_column(_enum(RosterImportStatus, 20),
                                                       default=RosterImportStatus.PREVIEWED)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row": 2, "email": ..., "name": ..., "major": ..., "degree_level": ..., "track_id": ..., "group_id": ...,
    #   "errors": [...], "warnings": [...]}]
    rows: Mapped[list] = mapped_column(JSON, default=list)
    # What the confirm did: {"created": [...], "changed": [...], "unchanged": n, "verified": [...]}
    outcome: Mapped[dict | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    uploaded_by: Mapped[User | None] = relationship()
