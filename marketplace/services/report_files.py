"""A programme report as files: an Excel workbook (one sheet per table, Korean headers, a cover sheet) and a PDF
summary in Korean (ReportLab, NanumGothic from static/fonts, as the agreement PDF)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import force_locale, format_datetime

from marketplace.i18n import gettext as _
from marketplace.labels import application_status, datetime_pattern, label
from marketplace.models import ApplicationStatus, DegreeLevel, OpeningKind
from marketplace.services.exports import MIMETYPES, _cell
from marketplace.services.reports import SATISFACTION_LABELS, SUMMARY, Report

LANG = "ko"  # the ministry reads Korean


@dataclass
class ReportFile:
    filename: str
    mimetype: str
    data: bytes


def _scope_text(report: Report) -> str:
    scope = report.scope
    if scope.group is not None:
        return f"{scope.group.code} {scope.group.name_ko}"
    if scope.group_ids is None:
        return _("Whole programme (every project group)")
    return ", ".join(g.code for g in scope.available) or _("No project group")


def _filename(report: Report, ext: str) -> str:
    scope = report.scope.group.code if report.scope.group else "all"
    return f"report-{report.period.key}-{scope}.{ext}"


def _made_at(report: Report) -> str:
    return format_datetime(report.made_at, datetime_pattern("medium"))




def tables(report: Report) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) of every table of the report, in the current locale."""
    cur, prev = report.current, report.previous
    now_label, before_label = cur.period.label(LANG), prev.period.label(LANG)
    summary_rows = []
    for name, text, _endpoint, _params in SUMMARY:
        diff, pct = report.change(name)
        summary_rows.append([str(text), getattr(cur, name), getattr(prev, name), diff,
                             None if pct is None else pct / 100])
    out = [(_("Summary of the figures"), [_("Figure"), now_label, before_label, _("Change"), _("Change (%)")], summary_rows)]
    out.append((_("Openings by kind"), [_("Kind"), now_label, before_label],
                [[label(k), cur.openings_by_kind.get(k.value, 0), prev.openings_by_kind.get(k.value, 0)]
                 for k in OpeningKind]))
    out.append((_("Applications by status"), [_("Status"), now_label, before_label],
                [[application_status(s), cur.applications_by_status.get(s.value, 0),
                  prev.applications_by_status.get(s.value, 0)] for s in ApplicationStatus]))
    out.append((_("Placements"), [_("Outcome"), now_label, before_label], [
        [_("Approved in all"), cur.placements_approved, prev.placements_approved],
        [_("In progress"), cur.placements_in_progress, prev.placements_in_progress],
        [_("Completed"), cur.placements_completed, prev.placements_completed],
        [_("Not completed"), cur.placements_not_completed, prev.placements_not_completed],
        [_("Cancelled after approval"), cur.placements_cancelled, prev.placements_cancelled],
    ]))
    before_groups = {gid: n for gid, _c, n in prev.students_by_group}
    out.append((_("Students by group"), [_("Project group"), now_label, before_label],
                [[code, n, before_groups.get(gid, 0)] for gid, code, n in cur.students_by_group]))
    out.append((_("Students by degree"), [_("Degree level"), now_label, before_label],
                [[label(d), cur.students_by_degree.get(d.value, 0), prev.students_by_degree.get(d.value, 0)]
                 for d in DegreeLevel]))
    before_majors = dict(prev.students_by_major)
    out.append((_("Students by major"), [_("Major"), now_label, before_label],
                [[m, n, before_majors.get(m, 0)] for m, n in cur.students_by_major]))
    out.append((_("Skills"), [_("Skill"), _("Openings asking for it"), _("Students who list it")],
                [[s.name, s.openings, s.students] for s in cur.skills]))
    satisfaction = cur.satisfaction
    out.append((_("Satisfaction"), [_("Question"), _("Average")],
                [[_("Pending: the students' evaluations of their hosts are not available yet."), None]]
                if satisfaction is None else [[str(SATISFACTION_LABELS.get(k, k)), v] for k, v in satisfaction.items()]))
    return out


def xlsx(report: Report) -> ReportFile:
    with force_locale(LANG):
        return ReportFile(_filename(report, "xlsx"), MIMETYPES["xlsx"], _xlsx(report))


def _xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    cover = workbook.active
    cover.title = _("Cover")
    cover.append([_("Programme report")])
    cover["A1"].font = Font(bold=True, size=14)
    for key, value in ((_("Period"), f"{report.period.label(LANG)} ({report.period.start.isoformat()} ~ "
                                     f"{report.period.end.isoformat()})"),
                       (_("Compared with"), report.previous.period.label(LANG)),
                       (_("Scope"), _scope_text(report)),
                       (_("Made at"), f"{_made_at(report)} (Asia/Seoul)")):
        cover.append([key, value])
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 60
    for title, headers, rows in tables(report):
        sheet = workbook.create_sheet(title[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        for cells in sheet.iter_rows(min_row=2):
            for index, cell in enumerate(cells):
                if isinstance(cell.value, float):
                    cell.number_format = "0.0%" if headers[index] == _("Change (%)") else "#,##0.0"
                elif isinstance(cell.value, int):
                    cell.number_format = "#,##0"
        for column, header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = max(12, min(50, len(str(header)) * 2 + 4))
        sheet.column_dimensions["A"].width = 36
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf(report: Report) -> ReportFile:
    with force_locale(LANG):
        return ReportFile(_filename(report, "pdf"), "application/pdf", _pdf(report))


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    from marketplace.services.agreement_pdf import _p, _styles

    styles = _styles(LANG)
    title = _("Programme report")
    story = [
        _p(title, styles["title"]),
        _p(f"{_scope_text(report)} · {report.period.label(LANG)} ({report.period.start.isoformat()} ~ "
           f"{report.period.end.isoformat()})", styles["subtitle"]),
        _p(_("Made %(when)s (Asia/Seoul); compared with %(previous)s.", when=_made_at(report),
             previous=report.previous.period.label(LANG)), styles["small"]),
        Spacer(1, 5 * mm),
    ]
    for sheet_title, headers, rows in tables(report):
        if not rows:
            continue
        story.append(_p(sheet_title, styles["h2"]))
        data = [[_p(h, styles["cell"]) for h in headers]]
        for row in rows:
            cells = list(row)
            if headers and headers[-1] == _("Change (%)") and cells[-1] is not None:
                cells[-1] = f"{cells[-1] * 100:+.1f}%"
            data.append([_p(_fmt(v), styles["cell"]) for v in cells])
        first = 70 * mm
        rest = (170 * mm - first) / max(1, len(headers) - 1)
        table = Table(data, colWidths=[first] + [rest] * (len(headers) - 1), repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
    story.append(Spacer(1, 4 * mm))
    story.append(_p(_("Each figure is defined in the README's Programme reports section; the report page links every "
                      "number to the list of the rows it counts."), styles["small"]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{title} {report.period.key}", author="Medical AI Exchange",
                            lang=LANG)
    doc.build(story)
    return buffer.getvalue()
