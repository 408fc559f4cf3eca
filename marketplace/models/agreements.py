"""The three-party practice agreement (현장실습 협약서): acknowledgements, signed scans, insurance, standard clauses,
and the clinical-data readiness of research openings."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow
from marketplace.models.users import User, _enum


class InsuranceKind(str, enum.Enum):
    INDUSTRIAL_ACCIDENT = "industrial_accident"  # 산재보험: bought by the host, recorded by its manager
    UNIVERSITY_ACCIDENT = "university_accident"  # 상해보험: the university's, recorded by the exchange manager


class AgreementParty(str, enum.Enum):
    STUDENT = "student"
    COMPANY = "company"
    UNIVERSITY = "university"


class DataSource(str, enum.Enum):
    HOSPITAL = "hospital"
    PUBLIC_DATASET = "public_dataset"
    SYNTHETIC = "synthetic"
    NONE = "none"


class IrbStatus(str, enum.Enum):
    APPROVED = "approved"
    PENDING = "pending"
    NOT_NEEDED = "not_needed"


class DuaStatus(str, enum.Enum):
    SIGNED = "signed"
    PENDING = "pending"
    NOT_NEEDED = "not_needed"


class Deidentification(str, enum.Enum):
    IDENTIFIED = "identified"
    PSEUDONYMISED = "pseudonymised"  # 가명처리
    ANONYMISED = "anonymised"  # 익명처리
    NOT_APPLICABLE = "not_applicable"


class DataAccess(str, enum.Enum):
    ONSITE = "onsite"
    HOSPITAL_ENCLAVE = "hospital_enclave"
    CLOUD = "cloud"


class PlacementInsurance(db.Model):
    """One insurance policy of a placement, per kind: insurer, policy number, period and the policy document."""

    __tablename__ = "placement_insurance"
    __table_args__ = (UniqueConstraint("placement_id", "kind", name="uq_placement_insurance_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    kind: Mapped[InsuranceKind] = mapped_column(_enum(InsuranceKind))
    insurer: Mapped[str] = mapped_column(String(200))
    policy_number: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    document_storage_name: Mapped[str | None] = mapped_column(String(40))
    document_original_name: Mapped[str] = mapped_column(String(120), default="")
    document_size: Mapped[int | None] = mapped_column(Integer)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class AgreementAcknowledgement(db.Model):
    """A party's acknowledgement of one version of the agreement (its hash). Voided, never deleted: at most one
    live acknowledgement per party and placement (a partial unique index), so two clicks cannot make two."""

    __tablename__ = "agreement_acknowledgement"
    __table_args__ = (
        Index("uq_agreement_ack_live_party", "placement_id", "party", unique=True,
              sqlite_where=text("voided_at IS NULL"), postgresql_where=text("voided_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    party: Mapped[AgreementParty] = mapped_column(_enum(AgreementParty, length=20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    document_hash: Mapped[str] = mapped_column(String(64))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    void_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship()


class AgreementScan(db.Model):
    """A signed paper copy of the agreement, uploaded as PDF (checked like CVs)."""

    __tablename__ = "agreement_scan"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    storage_name: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    document_hash: Mapped[str] = mapped_column(String(64), default="")  # the version on screen when uploaded
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()


class AgreementClause(db.Model):
    """A standard clause of the programme's agreement, in Korean and English; the programme office edits them."""

    __tablename__ = "agreement_clause"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title_ko: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_ko: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OpeningClinicalData(db.Model):
    """Clinical-data readiness of an opening that touches patient data: where the data comes from, IRB approval,
    the data-use agreement, de-identification and where the student reaches the data."""

    __tablename__ = "opening_clinical_data"

    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id", ondelete="CASCADE"), primary_key=True)
    data_source: Mapped[DataSource] = mapped_column(_enum(DataSource, length=20))
    irb_status: Mapped[IrbStatus | None] = mapped_column(_enum(IrbStatus, length=20))
    irb_institution: Mapped[str] = mapped_column(String(200), default="")
    irb_number: Mapped[str] = mapped_column(String(100), default="")
    irb_date: Mapped[date | None] = mapped_column(Date)
    irb_storage_name: Mapped[str | None] = mapped_column(String(40))
    irb_original_name: Mapped[str] = mapped_column(String(120), default="")
    dua_status: Mapped[DuaStatus | None] = mapped_column(_enum(DuaStatus, length=20))
    dua_reference: Mapped[str] = mapped_column(String(200), default="")
    deidentification: Mapped[Deidentification | None] = mapped_column(_enum(Deidentification, length=20))
    access: Mapped[DataAccess | None] = mapped_column(_enum(DataAccess, length=20))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
