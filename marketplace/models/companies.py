"""Partner companies, the project groups they partner with, and their managers' memberships."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.groups import ProjectGroup
from marketplace.models.users import User, _enum


class CompanyStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"


class Sector(str, enum.Enum):
    PHARMACEUTICAL = "pharmaceutical"
    MEDICAL_DEVICES = "medical_devices"
    DIGITAL_HEALTH = "digital_health"
    HOSPITAL = "hospital"
    BIO_VENTURE = "bio_venture"
    OTHER = "other"


class CompanySize(str, enum.Enum):
    MICRO = "1-9"
    SMALL = "10-49"
    MEDIUM = "50-299"
    LARGE = "300-999"
    ENTERPRISE = "1000+"


class MembershipStatus(str, enum.Enum):
    REQUESTED = "requested"
    INVITED = "invited"  # a colleague's invitation, active once the invitee has chosen a password
    ACTIVE = "active"
    DECLINED = "declined"


company_groups = Table(
    "company_group",
    db.metadata,
    Column("company_id", ForeignKey("company.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("project_group.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_company_group_group_id", "group_id"),  # a reviewer's companies: those of their groups
)


class Company(db.Model):
    __tablename__ = "company"
    __table_args__ = (
        # The reviewers' queue of requested changes: only the few companies with changes waiting are indexed.
        Index("ix_company_pending_changes", "changes_submitted_at", "id",
              sqlite_where=Column("pending_changes").is_not(None),
              postgresql_where=Column("pending_changes").is_not(None)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Ten digits, no hyphens (services normalise); displayed as XXX-XX-XXXXX.
    business_number: Mapped[str] = mapped_column(String(10), unique=True)
    sector: Mapped[Sector] = mapped_column(_enum(Sector))
    size: Mapped[CompanySize] = mapped_column(_enum(CompanySize, length=10))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[CompanyStatus] = mapped_column(_enum(CompanyStatus), default=CompanyStatus.PENDING, index=True)
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    # Changes to an approved company's identity (name, business number) or partner groups wait here for an
    # exchange manager while the approved values stay live: {"name": ..., "business_number": ..., "group_ids": [...]}
    # (only the fields that change). None when nothing waits.
    pending_changes: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    changes_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    changes_note: Mapped[str] = mapped_column(Text, default="")  # why the last changes were declined
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Bumped by every saved edit; edit forms carry it so a save from a stale page is refused (409), not applied.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    partner_groups: Mapped[list[ProjectGroup]] = relationship(
        secondary=company_groups, order_by="ProjectGroup.code"
    )
    memberships: Mapped[list[CompanyMembership]] = relationship(
        back_populates="company", cascade="all, delete-orphan", order_by="CompanyMembership.id"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def business_number_display(self) -> str:
        n = self.business_number or ""
        return f"{n[:3]}-{n[3:5]}-{n[5:]}" if len(n) == 10 else n

    @property
    def partner_group_ids(self) -> frozenset[int]:
        return frozenset(g.id for g in self.partner_groups)

    @property
    def has_pending_changes(self) -> bool:
        return bool(self.pending_changes)

    @property
    def is_approved(self) -> bool:
        return self.status == CompanyStatus.APPROVED

    def __repr__(self) -> str:
        return f"<Company {self.id} {self.status.value}>"


class CompanyMembership(db.Model):
    """A company manager's link to a company: requested by them, accepted by a manager or reviewer."""

    __tablename__ = "company_membership"
    __table_args__ = (
        # At most one open (requested or active) membership per user, on both backends.
        Index(
            "uq_company_membership_open_user",
            "user_id",
            unique=True,
            sqlite_where=or_(Column("status") == "requested", Column("status") == "active"),
            postgresql_where=or_(Column("status") == "requested", Column("status") == "active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("company.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(_enum(MembershipStatus), default=MembershipStatus.REQUESTED)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    company: Mapped[Company] = relationship(back_populates="memberships")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
