"""Accounts: users, their role, student profiles and exchange-manager designations."""
from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Column, Date, Enum, ForeignKey, Index, Integer, String, Table, Text, func
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.groups import ProjectGroup, Track


class Role(str, enum.Enum):
    STUDENT = "student"
    COMPANY_MANAGER = "company_manager"
    EXCHANGE_MANAGER = "exchange_manager"
    ADMIN = "admin"
    MENTOR = "mentor"  # a mentor professor: faculty of a project group, created by invitation


class VerificationStatus(str, enum.Enum):
    """Whether the programme knows a student is who they say: only verified students apply and are seen
    by companies. Declined is unverified with the manager's reason shown to the student."""

    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    DECLINED = "declined"


class VerifiedVia(str, enum.Enum):
    EMAIL_DOMAIN = "email_domain"  # confirmed an address in one of the group's e-mail domains
    ROSTER = "roster"  # listed on the group's imported roster (and confirmed that address)
    MANAGER = "manager"  # an exchange manager of the group verified them from the queue


class DegreeLevel(str, enum.Enum):
    BACHELOR = "bachelor"
    MASTER = "master"
    PHD = "phd"


def _enum(cls: type[enum.Enum], length: int = 30) -> Enum:
    # Stored as plain strings: adding a value later needs no PostgreSQL type migration.
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "user"
    # Sign-in and look-ups compare lower(email) (accounts.find_user_by_email): indexed, not a scan of every user.
    __table_args__ = (Index("ix_user_email_lower", func.lower(Column("email"))),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Always stored case-folded (services normalise), so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(_enum(Role))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Rotated on sign-out, password change and deactivation: every cookie holding the old one dies.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the owner used a one-time link sent to `email` (services/email_confirmation.py). Students apply and
    # company managers register or join a company only once it is set. Whatever changes `email` must clear it
    # (every link made for the old address already dies with it: tokens are bound to the address).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An account whose password someone else chose (admin, CLI): every page leads to the change-password page
    # until its owner picks their own.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    student_profile: Mapped[StudentProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan", foreign_keys="StudentProfile.user_id"
    )
    designations: Mapped[list[Designation]] = relationship(
        back_populates="user",
        foreign_keys="Designation.user_id",
        lazy="selectin",
        order_by="Designation.designated_at",
    )

    # Flask-Login
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def active_designation(self) -> Designation | None:
        for designation in self.designations:
            if designation.revoked_at is None:
                return designation
        return None

    @property
    def is_verified_student(self) -> bool:
        profile = self.student_profile
        return profile is not None and profile.verification_status == VerificationStatus.VERIFIED

    @property
    def is_exchange_manager(self) -> bool:
        return self.role == Role.EXCHANGE_MANAGER and self.active_designation is not None

    @property
    def managed_group_ids(self) -> frozenset[int]:
        designation = self.active_designation
        if designation is None or self.role != Role.EXCHANGE_MANAGER:
            return frozenset()
        return frozenset(g.id for g in designation.groups)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class StudentProfile(db.Model):
    __tablename__ = "student_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("project_group.id"), index=True)
    major: Mapped[str] = mapped_column(String(200))
    degree_level: Mapped[DegreeLevel] = mapped_column(_enum(DegreeLevel))
    year: Mapped[int | None] = mapped_column(Integer)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("track.id", ondelete="SET NULL"))
    bio: Mapped[str] = mapped_column(Text, default="")
    hours_per_week: Mapped[int | None] = mapped_column(Integer)
    available_from: Mapped[date | None] = mapped_column(Date)
    # The CV (PDF) lives in UPLOAD_FOLDER under a generated name, never under static/.
    cv_storage_name: Mapped[str | None] = mapped_column(String(64))
    cv_original_name: Mapped[str] = mapped_column(String(255), default="")
    cv_size: Mapped[int | None] = mapped_column(Integer)
    cv_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Bumped by every saved edit; edit forms carry it so a save from a stale page is refused (409), not applied.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    # Verification (services/verification.py): set only through compare-and-set moves, never by a form.
    verification_status: Mapped[VerificationStatus] = mapped_column(
        _enum(VerificationStatus, 20), default=VerificationStatus.UNVERIFIED,
        server_default=VerificationStatus.UNVERIFIED.value, index=True)
    verified_via: Mapped[VerifiedVia | None] = mapped_column(_enum(VerifiedVia, 20))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The manager's reason when declining (shown to the student), or why verification was withdrawn.
    verification_note: Mapped[str] = mapped_column(Text, default="", server_default="")

    user: Mapped[User] = relationship(back_populates="student_profile", foreign_keys=[user_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    group: Mapped[ProjectGroup] = relationship()
    skills = relationship(
        "StudentSkill", back_populates="profile", cascade="all, delete-orphan", order_by="StudentSkill.position"
    )
    track: Mapped[Track | None] = relationship()


designation_groups = Table(
    "designation_group",
    db.metadata,
    Column("designation_id", ForeignKey("designation.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("project_group.id", ondelete="CASCADE"), primary_key=True),
)


class Designation(db.Model):
    """An admin's designation of a long-tenure staff member as exchange manager for some groups."""

    __tablename__ = "designation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    tenure_years: Mapped[int] = mapped_column(Integer)
    designated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    designated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(back_populates="designations", foreign_keys=[user_id])
    designated_by: Mapped[User | None] = relationship(foreign_keys=[designated_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    groups: Mapped[list[ProjectGroup]] = relationship(
        secondary=designation_groups, lazy="selectin", order_by="ProjectGroup.code"
    )

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
