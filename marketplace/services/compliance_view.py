"""The exchange managers' compliance view: every placement of their groups with its compliance status, filtered,
and its CSV/XLSX export. Checking any number of placements takes a constant number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Mapping

from flask_babel import force_locale
from sqlalchemy import select

from marketplace.clock import SEOUL
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.models import Company, ComplianceStatus, Opening, Placement, PlacementStatus, PracticeType, User
from marketplace.services import compliance, exports, practice_terms
from marketplace.services.placements import _page_options, _scoped

# The placements a manager still has to care about, unless the filter asks for others.
LIVE = (PlacementStatus.PENDING, PlacementStatus.APPROVED, PlacementStatus.ACTIVE)

COLUMNS = [
    ("id", _l("Placement ID")),
    ("compliance", _l("Compliance")),
    ("status", _l("Status")),
    ("student", _l("Student")),
    ("group", _l("Project group")),
    ("company", _l("Company")),
    ("opening", _l("Opening")),
    ("practice_type", _l("Practice type")),
    ("start", _l("Start date")),
    ("end", _l("End date")),
    ("hours", _l("Hours per week")),
    ("stipend", _l("Monthly stipend (KRW)")),
    ("hourly", _l("Stipend per hour (KRW)")),
    ("remote", _l("Remote share (%)")),
    ("reasons", _l("Reasons")),
    ("overrides", _l("Overrides")),
]


@dataclass
class Filters:
    status: ComplianceStatus | None = None
    placement_status: PlacementStatus | None = None
    company_id: int | None = None
    practice_type: PracticeType | None = None

    def as_args(self) -> dict:
        args = {"status": self.status.value if self.status else None,
                "placement_status": self.placement_status.value if self.placement_status else None,
                "company": self.company_id, "type": self.practice_type.value if self.practice_type else None}
        return {k: v for k, v in args.items() if v is not None}


def parse_filters(args: Mapping) -> Filters:
    """Filters from query parameters; anything invalid is ignored."""
    filters = Filters()
    for name, enum_cls, attr in (("status", ComplianceStatus, "status"),
                                 ("placement_status", PlacementStatus, "placement_status"),
                                 ("type", PracticeType, "practice_type")):
        try:
            setattr(filters, attr, enum_cls(args.get(name, "")))
        except ValueError:
            pass
    company = str(args.get("company") or "")
    if company.isdigit() and len(company) < 10:
        filters.company_id = int(company)
    return filters


@dataclass
class Row:
    placement: Placement
    check: compliance.Check
    terms: dict = field(default_factory=dict)


@dataclass
class Overview:
    rows: list[Row]
    counts: dict[ComplianceStatus, int]
    companies: list[Company]


def overview(actor: User, filters: Filters) -> Overview:
    """The actor's placements (their groups'; everyone's for admins) with their checks, newest start first."""
    query = _scoped(select(Placement).options(*_page_options()), actor)
    statuses = (filters.placement_status,) if filters.placement_status else LIVE
    query = query.where(Placement.status.in_(statuses)).order_by(Placement.start_date, Placement.id)
    if filters.company_id is not None:
        query = query.join(Opening, Opening.id == Placement.opening_id).where(Opening.company_id == filters.company_id)
    placements = list(db.session.scalars(query))
    checks = compliance.check_many(placements)
    rows = []
    companies: dict[int, Company] = {}
    counts = {status: 0 for status in ComplianceStatus}
    for p in placements:
        terms = practice_terms.terms_of(p)
        if filters.practice_type and terms.get("practice_type") != filters.practice_type.value:
            continue
        check = checks[("placement", p.id)]
        companies[p.opening.company.id] = p.opening.company
        counts[check.status] += 1
        if filters.status and check.status != filters.status:
            continue
        rows.append(Row(p, check, terms))
    return Overview(rows, counts, sorted(companies.values(), key=lambda c: c.name))


def _record(row: Row) -> dict:
    p, check, terms = row.placement, row.check, row.terms
    view = practice_terms.terms_view(terms)
    profile = p.student.student_profile if p.student else None
    return {
        "id": p.id, "compliance": label(check.status), "status": label(p.status),
        "student": p.student.display_name if p.student else "", "group": profile.group.code if profile else "",
        "company": p.opening.company.name, "opening": p.opening.title, "practice_type": label(view["practice_type"]),
        "start": view["start_date"], "end": view["end_date"], "hours": float(view["weekly_hours"]),
        "stipend": terms.get("stipend_krw", 0),
        "hourly": int(view["hourly"].replace("₩", "").replace(",", "")) if view["hourly"] else "",
        "remote": terms.get("remote_share_pct", 0),
        "reasons": " | ".join(f.message for f in check.findings),
        "overrides": " | ".join(f"{o.rule}: {o.reason}" for o in check.overrides),
    }


def export(actor: User, filters: Filters, fmt: str, lang: str, today: date | None = None) -> exports.ExportFile:
    """The filtered view as CSV (UTF-8 with BOM) or XLSX, headers and labels in `lang`."""
    fmt = fmt if fmt in exports.FORMATS else "xlsx"
    lang = lang if lang in exports.LANGUAGES else "ko"
    with force_locale(lang):
        data = overview(actor, filters)
        headers = [str(header) for _key, header in COLUMNS]
        rows = [[record[key] for key, _header in COLUMNS] for record in map(_record, data.rows)]
        title = str(_l("Compliance"))
    stamp = (today or datetime.now(SEOUL).date()).isoformat()
    payload = exports.to_csv(headers, rows) if fmt == "csv" else exports.to_xlsx(headers, rows, title)
    return exports.ExportFile(filename=f"compliance-{stamp}.{fmt}", mimetype=exports.MIMETYPES[fmt], data=payload,
                              rows=len(rows))
