"""Exports for the ministry reports: placements and applications as CSV (UTF-8 with BOM) or XLSX, Korean or English headers.

Scope and filters: managers export their own students (by the student's project group), admins everyone;
optionally one group, one company and a period (placements whose dates overlap it; applications submitted in
it, Seoul calendar days). An empty period means all time.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from sqlalchemy import Select, false, select
from sqlalchemy.orm import selectinload

from marketplace.clock import SEOUL, seoul_day_start
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.models import Application, Company, Opening, Placement, ProjectGroup, StudentProfile, User
from marketplace.ownership import reviewable_group_ids
from marketplace.services.companies import companies_for_reviewer_query
from marketplace.services.errors import DomainError
from marketplace.services.history import filter_date_problem
from marketplace.services.mentoring import assignments_for

KINDS = ("placements", "applications")
FORMATS = ("csv", "xlsx")
LANGUAGES = ("ko", "en")
# The bare media type: the response adds "; charset=utf-8" to text types itself (once).
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# (key, header): the headers are the words the screens use, translated by the same catalogue, and the values
# (statuses, kinds, degree levels) come from the one label registry, so a sheet reads like the pages.
PLACEMENT_COLUMNS = [
    ("id", _l("Placement ID")),
    ("status", _l("Status")),
    ("student", _l("Student")),
    ("email", _l("E-mail")),
    ("group", _l("Project group")),
    ("major", _l("Major")),
    ("degree", _l("Degree level")),
    ("company", _l("Company")),
    ("business_number", _l("Business registration number")),
    ("opening", _l("Opening")),
    ("kind", _l("Kind")),
    ("start", _l("Start date")),
    ("end", _l("End date")),
    ("hours", _l("Hours per week")),
    ("stipend", _l("Monthly stipend (KRW)")),
    ("decided_at", _l("Decided at")),
    ("decided_by", _l("Decided by")),
    ("note", _l("Note")),
    ("mentor", _l("Mentor professor")),
    ("mentor_grade", _l("Academic grade")),
]

APPLICATION_COLUMNS = [
    ("id", _l("Application ID")),
    ("status", _l("Status")),
    ("submitted", _l("Applied")),
    ("student", _l("Student")),
    ("email", _l("E-mail")),
    ("group", _l("Project group")),
    ("major", _l("Major")),
    ("degree", _l("Degree level")),
    ("company", _l("Company")),
    ("opening", _l("Opening")),
    ("kind", _l("Kind")),
    ("score", _l("Match score")),
    ("musts", _l("All must-have skills")),
    ("consent", _l("Consent to share the profile given at")),
]

YES_NO = {True: _l("Yes"), False: _l("No")}


@dataclass
class ExportRequest:
    kind: str = "placements"
    fmt: str = "csv"
    group_id: int | None = None
    company_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    lang: str = "ko"


@dataclass
class ExportFile:
    filename: str
    mimetype: str
    data: bytes
    rows: int


def group_choices(actor: User) -> list:
    reachable = reviewable_group_ids(actor)
    query = select(ProjectGroup).order_by(ProjectGroup.code)
    if reachable is not None:
        query = query.where(ProjectGroup.id.in_(reachable or [-1]))
    return list(db.session.scalars(query))


def company_choices(actor: User) -> list[Company]:
    return list(db.session.scalars(companies_for_reviewer_query(actor).order_by(None).order_by(Company.name)))


def validate(actor: User, request: ExportRequest) -> None:
    """Refuse what cannot be exported, naming the field (the form shows the message beside it)."""
    if request.kind not in KINDS:
        raise DomainError(str(_l("Choose placements or applications.")), field="kind")
    if request.fmt not in FORMATS:
        raise DomainError(str(_l("Choose CSV or Excel (XLSX).")), field="fmt")
    if request.lang not in LANGUAGES:
        raise DomainError(str(_l("Choose Korean or English headers.")), field="lang")
    if request.group_id is not None and request.group_id not in {g.id for g in group_choices(actor)}:
        raise DomainError(str(_l("Choose one of the listed project groups.")), field="group_id")
    if request.company_id is not None and request.company_id not in {c.id for c in company_choices(actor)}:
        raise DomainError(str(_l("Choose one of the listed companies.")), field="company_id")
    for field in ("date_from", "date_to"):
        problem = filter_date_problem(getattr(request, field))
        if problem:
            raise DomainError(problem, field=field)
    if request.date_from and request.date_to and request.date_from > request.date_to:
        raise DomainError(str(_l("The end of the period is before its start.")), field="date_to")


def _scope(query: Select, actor: User, student_column, group_id: int | None) -> Select:
    reachable = reviewable_group_ids(actor)
    groups = None if reachable is None else set(reachable)
    if group_id is not None:
        groups = {group_id} if groups is None else groups & {group_id}
    if groups is None:
        return query
    if not groups:
        return query.where(false())
    return query.where(student_column.in_(select(StudentProfile.user_id).where(StudentProfile.group_id.in_(groups))))


def _student_options(relationship):
    return selectinload(relationship).selectinload(User.student_profile).selectinload(StudentProfile.group)


def placements_query(actor: User, request: ExportRequest) -> Select:
    query = (select(Placement)
             .join(Opening, Opening.id == Placement.opening_id)
             .options(selectinload(Placement.opening).selectinload(Opening.company),
                      _student_options(Placement.student), selectinload(Placement.decided_by))
             .order_by(Placement.start_date, Placement.id))
    if request.company_id is not None:
        query = query.where(Opening.company_id == request.company_id)
    if request.date_from:
        query = query.where(Placement.end_date >= request.date_from)
    if request.date_to:
        query = query.where(Placement.start_date <= request.date_to)
    return _scope(query, actor, Placement.student_id, request.group_id)


def applications_query(actor: User, request: ExportRequest) -> Select:
    query = (select(Application)
             .join(Opening, Opening.id == Application.opening_id)
             .options(selectinload(Application.opening).selectinload(Opening.company),
                      _student_options(Application.student))
             .order_by(Application.created_at, Application.id))
    if request.company_id is not None:
        query = query.where(Opening.company_id == request.company_id)
    if request.date_from:
        query = query.where(Application.created_at >= seoul_day_start(request.date_from))
    if request.date_to:
        query = query.where(Application.created_at < seoul_day_start(request.date_to + timedelta(days=1)))
    return _scope(query, actor, Application.student_id, request.group_id)


def _seoul(moment: datetime | None) -> str:
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M") if moment else ""


def _student_fields(student: User, lang: str) -> dict:
    profile = student.student_profile
    group = profile.group if profile else None
    return {
        "student": student.display_name,
        "email": student.email,
        "group": (f"{group.code} {group.name_ko if lang == 'ko' else group.name_en}" if group else ""),
        "major": profile.major if profile else "",
        "degree": label(profile.degree_level) if profile and profile.degree_level else "",
    }


def table(actor: User, request: ExportRequest) -> tuple[list[str], list[list]]:
    """(headers, rows) of the export; dates as dates, numbers as numbers, the rest as text."""
    validate(actor, request)
    with force_locale(request.lang):
        return _table(actor, request)


def _table(actor: User, request: ExportRequest) -> tuple[list[str], list[list]]:
    records: list[dict] = []
    if request.kind == "placements":
        columns = PLACEMENT_COLUMNS
        found = list(db.session.scalars(placements_query(actor, request)))
        mentored = assignments_for(p.id for p in found)
        for p in found:
            opening = p.opening
            assignment = mentored.get(p.id)
            records.append({
                "id": p.id, "status": label(p.status), **_student_fields(p.student, request.lang),
                "company": opening.company.name, "business_number": opening.company.business_number_display,
                "opening": opening.title, "kind": label(opening.kind), "start": p.start_date,
                "end": p.end_date, "hours": opening.hours_per_week, "stipend": opening.stipend_krw,
                "decided_at": _seoul(p.decided_at), "decided_by": p.decided_by.display_name if p.decided_by else "",
                "note": p.note or "",
                "mentor": assignment.mentor.display_name if assignment else "",
                "mentor_grade": (assignment.grade or "") if assignment else "",
            })
    else:
        columns = APPLICATION_COLUMNS
        for a in db.session.scalars(applications_query(actor, request)):
            records.append({
                "id": a.id, "status": label(a.status), "submitted": _seoul(a.created_at),
                **_student_fields(a.student, request.lang), "company": a.opening.company.name,
                "opening": a.opening.title, "kind": label(a.opening.kind),
                "score": round(a.match_score or 0.0, 1), "musts": str(YES_NO[bool(a.match_has_all_musts)]),
                "consent": _seoul(a.consent_at),
            })
    headers = [str(header) for _key, header in columns]
    rows = [[record[column[0]] for column in columns] for record in records]
    return headers, rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Text that a spreadsheet would run as a formula is kept as text (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([value.isoformat() if isinstance(value, date) else _cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read Korean as UTF-8


def to_xlsx(headers: list[str], rows: list[list], sheet_title: str) -> bytes:
    # openpyxl is loaded on the first spreadsheet export only: every worker would otherwise pay for it at start.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    date_columns = [i for i, value in enumerate(rows[0]) if isinstance(value, date)] if rows else []
    for cells in sheet.iter_rows(min_row=2):
        for i in date_columns:
            cells[i].number_format = "yyyy-mm-dd"
    for column, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(10, min(40, len(header) * 2 + 2))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export(actor: User, request: ExportRequest, today: date | None = None) -> ExportFile:
    headers, rows = table(actor, request)
    stamp = (today or datetime.now(SEOUL).date()).isoformat()
    filename = f"{request.kind}-{stamp}.{request.fmt}"
    if request.fmt == "csv":
        data = to_csv(headers, rows)
    else:
        with force_locale(request.lang):
            title = str(_l("Placements") if request.kind == "placements" else _l("Applications"))
        data = to_xlsx(headers, rows, title)
    return ExportFile(filename=filename, mimetype=MIMETYPES[request.fmt], data=data, rows=len(rows))
