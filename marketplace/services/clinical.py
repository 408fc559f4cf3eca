"""Clinical-data readiness of openings that touch patient data: declared by the company, shown to students on
the opening, checked for managers (missing items are warnings; "IRB pending" blocks approving a placement)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import (
    DataAccess,
    DataSource,
    Deidentification,
    DuaStatus,
    IrbStatus,
    Opening,
    OpeningClinicalData,
    OpeningKind,
    User,
)
from marketplace.ownership import can_edit_clinical_data, can_review_opening
from marketplace.services import audit, documents
from marketplace.services.errors import NotFound, Reasons

__all__ = ["ClinicalData", "clinical_for", "get_clinical", "save_clinical", "missing_items", "irb_blocks",
           "get_opening_for_clinical_edit", "irb_file"]

MAX_TEXT = 200


@dataclass
class ClinicalData:
    data_source: str = ""
    irb_status: str = ""
    irb_institution: str = ""
    irb_number: str = ""
    irb_date: date | None = None
    irb_filename: str | None = None
    irb_document: bytes | None = None  # None or empty keeps the stored document
    dua_status: str = ""
    dua_reference: str = ""
    deidentification: str = ""
    access: str = ""


_BY_OPENING = select(OpeningClinicalData).where(OpeningClinicalData.opening_id.in_(bindparam("ids", expanding=True)))


def clinical_for(opening_ids) -> dict[int, OpeningClinicalData]:
    """The declared readiness per opening id, in one query."""
    ids = list({i for i in opening_ids})
    if not ids:
        return {}
    return {r.opening_id: r for r in db.session.scalars(_BY_OPENING, {"ids": ids})}


def get_clinical(opening: Opening) -> OpeningClinicalData | None:
    return db.session.get(OpeningClinicalData, opening.id)


def get_opening_for_clinical_edit(actor: User, opening_id: int) -> Opening:
    opening = db.session.scalar(select(Opening).options(selectinload(Opening.company)).where(Opening.id == opening_id))
    if opening is None or not can_edit_clinical_data(actor, opening):
        raise NotFound(str(_l("No such opening.")))
    return opening


def _text(problems: Reasons, name: str, value: str | None, limit: int = MAX_TEXT) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        problems.add(name, _l("Use at most %(max)d characters.", max=limit))
    return value


def save_clinical(actor: User, opening_id: int, data: ClinicalData) -> documents.FileChange:
    """Declare or correct an opening's clinical-data readiness. Every wrong field is reported at once; what
    is merely missing is saved and shown as a warning to the managers."""
    opening = get_opening_for_clinical_edit(actor, opening_id)
    record = get_clinical(opening)
    problems = Reasons()
    source = problems.choice(DataSource, data.data_source, "data_source", _l("Choose where the data comes from."))
    irb = _optional(problems, IrbStatus, data.irb_status, "irb_status")
    dua = _optional(problems, DuaStatus, data.dua_status, "dua_status")
    deid = _optional(problems, Deidentification, data.deidentification, "deidentification")
    access = _optional(problems, DataAccess, data.access, "access")
    institution = _text(problems, "irb_institution", data.irb_institution)
    number = _text(problems, "irb_number", data.irb_number, 100)
    reference = _text(problems, "dua_reference", data.dua_reference)
    if irb == IrbStatus.APPROVED:
        if not institution:
            problems.add("irb_institution", _l("Name the institution whose IRB approved the study."))
        if not number:
            problems.add("irb_number", _l("Enter the IRB approval number."))
        if data.irb_date is None:
            problems.add("irb_date", _l("Enter the date of the IRB approval."))
    if data.irb_date is not None and data.irb_date > today_in_seoul():
        problems.add("irb_date", _l("The approval date cannot be in the future."))
    upload = data.irb_document or b""
    if upload:
        problem = documents.check_pdf(upload, "irb_document")
        if problem:
            problems.add("irb_document", problem.message)
    problems.raise_if_any()

    change = documents.FileChange()
    if upload:
        storage_name, key = documents.store_pdf(upload, "irb_document")
        change = documents.FileChange(new_key=key,
                                      old_key=documents.document_key(record.irb_storage_name) if record else None)
    try:
        record = record or OpeningClinicalData(opening_id=opening.id)
        record.data_source, record.irb_status, record.dua_status = source, irb, dua
        record.deidentification, record.access = deid, access
        record.irb_institution, record.irb_number, record.irb_date = institution, number, data.irb_date
        record.dua_reference = reference
        if upload:
            record.irb_storage_name = storage_name
            record.irb_original_name = documents.display_name(data.irb_filename, "irb.pdf")
        record.updated_by_id = actor.id
        db.session.add(record)
        db.session.flush()
        audit.record(actor, "opening", opening.id, "clinical_data_saved", opening.status.value, opening.status.value,
                     f"{source.value}; IRB {irb.value if irb else '—'}")
    except Exception:
        change.failed()
        raise
    return change


def _optional(problems: Reasons, enum_cls, value: str | None, field: str):
    if not value:
        return None
    return problems.choice(enum_cls, value, field, _l("Choose one of the listed answers."))


def needs_declaration(opening: Opening) -> bool:
    """Research projects are expected to declare whether they touch patient data."""
    return opening.kind == OpeningKind.RESEARCH_PROJECT


def missing_items(opening: Opening, record: OpeningClinicalData | None) -> list[str]:
    """What a manager should see as missing (warnings, not blocking)."""
    if record is None:
        return [str(_l("Clinical-data readiness is not declared for this research project."))] \
            if needs_declaration(opening) else []
    if record.data_source in (DataSource.SYNTHETIC, DataSource.NONE):
        return []
    out = []
    if record.data_source == DataSource.HOSPITAL:
        if record.irb_status is None:
            out.append(str(_l("IRB approval is not declared.")))
        elif record.irb_status == IrbStatus.PENDING:
            out.append(str(_l("IRB approval is pending.")))
        elif record.irb_status == IrbStatus.APPROVED and not record.irb_storage_name:
            out.append(str(_l("The IRB approval document is not uploaded.")))
        if record.dua_status != DuaStatus.SIGNED:
            out.append(str(_l("The data-use agreement is not signed.")))
    elif record.dua_status is None:
        out.append(str(_l("The data-use agreement (or the data set's licence) is not declared.")))
    if record.deidentification is None:
        out.append(str(_l("The de-identification level is not declared.")))
    if record.access is None:
        out.append(str(_l("Where the student accesses the data is not declared.")))
    return out


def irb_blocks(record: OpeningClinicalData | None) -> bool:
    """Hospital data whose IRB approval is pending: placements in the opening cannot be approved yet."""
    return record is not None and record.data_source == DataSource.HOSPITAL and record.irb_status == IrbStatus.PENDING


def irb_file(viewer: User | None, opening_id: int):
    """The IRB approval document, for the company's managers and the opening's reviewers (students read the
    declared facts on the opening, not the document)."""
    opening = db.session.scalar(select(Opening).options(selectinload(Opening.company), selectinload(Opening.eligible_groups))
                                .where(Opening.id == opening_id))
    if opening is None or not (can_edit_clinical_data(viewer, opening) or can_review_opening(viewer, opening)):
        raise NotFound(str(_l("No such opening.")))
    record = get_clinical(opening)
    if record is None:
        raise NotFound(str(_l("No such document.")))
    return documents.read_document(record.irb_storage_name), record.irb_original_name or "irb.pdf"
