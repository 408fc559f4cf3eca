"""The agreement as a PDF (ReportLab), in Korean or English, with the NanumGothic font shipped in static/fonts
(SIL OFL; embedded as a subset, so Korean text is printed and can be extracted again; nothing is fetched)."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from flask_babel import force_locale, format_datetime
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from marketplace.config import ROOT
from marketplace.i18n import gettext as _
from marketplace.labels import datetime_pattern, label
from marketplace.models import AgreementParty
from marketplace.services.agreements import PARTIES, TERM_LABELS, AgreementState, clauses, describe
from marketplace.services.notifications import managers_of_groups

FONT_NAME = "NanumGothic"
FONT_PATH = ROOT / "static" / "fonts" / "NanumGothic.ttf"
LANGUAGES = ("ko", "en")


def _font() -> str:
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME


def _styles(lang: str) -> dict[str, ParagraphStyle]:
    font = _font()
    wrap = "CJK" if lang == "ko" else None
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap=wrap)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, alignment=TA_CENTER, textColor=colors.grey),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=4),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=colors.grey),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12.5),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _table(rows, styles, widths=(48 * mm, 122 * mm)) -> Table:
    data = [[_p(a, styles["cell"]), _p(b, styles["cell"])] for a, b in rows]
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def render(state: AgreementState, lang: str = "ko") -> bytes:
    """The agreement of `state` as PDF bytes, in `lang` (ko or en)."""
    lang = lang if lang in LANGUAGES else "ko"
    with force_locale(lang):
        return _render(state, lang)


def _render(state: AgreementState, lang: str) -> bytes:
    styles = _styles(lang)
    placement, terms = state.placement, state.terms
    profile = placement.student.student_profile if placement.student else None
    group = profile.group if profile else None
    company = placement.opening.company
    t = {key: describe(key, terms.get(key)) for key in terms}
    story = [
        _p("현장실습 협약서" if lang == "ko" else "Field Practice Agreement", styles["title"]),
        _p(_("Three-party agreement of the student, the host company and the university")
           if lang == "ko" else "현장실습 협약서 · three-party agreement of the student, the host company and the university",
           styles["subtitle"]),
        Spacer(1, 6 * mm),
        _p(_("The student, the host company and the university named below agree on the field practice "
             "(현장실습) set out in this document, under the programme's standard clauses."), styles["body"]),
        _p(_("1. Parties"), styles["h2"]),
    ]
    university = ""
    if group is not None:
        uni = (group.university_ko if lang == "ko" else group.university_en) or ""
        name = group.name_ko if lang == "ko" else group.name_en
        university = f"{uni} · {name} ({group.code})".strip(" ·")
    managers = ", ".join(m.display_name for m in managers_of_groups([group.id])) if group else ""
    story.append(_table([
        (_("Student"), f"{t['student_name']}" + (f" · {profile.major} · {label(profile.degree_level)}" if profile else "")),
        (_("Host company"), f"{t['company_name']} · {_('Business registration number')} {t['business_number']}"),
        (_("University"), university + (f"\n{_('Exchange managers')}: {managers}" if managers else "")),
    ], styles))
    story.append(_p(_("2. The practice"), styles["h2"]))
    story.append(_table([(str(TERM_LABELS[key]), t[key]) for key in (
        "opening_title", "practice_type", "start_date", "end_date", "schedule", "hours_per_week",
        "education_share_pct", "remote_share_pct", "holiday_exception", "work_mode", "location", "stipend_krw",
        "supervisor", "supervisor_contact", "mentor") if key in t], styles))
    story.append(_p(_("3. Insurance"), styles["h2"]))
    story.append(_table([(str(TERM_LABELS[key]), t[key]) for key in (
        "insurance_industrial_accident", "insurance_university_accident")], styles))
    story.append(_p(_("4. Standard clauses"), styles["h2"]))
    for number, clause in enumerate(clauses(), start=1):
        title = clause.title_ko if lang == "ko" else clause.title_en
        body = clause.body_ko if lang == "ko" else clause.body_en
        story.append(_p(f"{number}. {title}", styles["body"]))
        story.append(_p(body, styles["body"]))
        story.append(Spacer(1, 2 * mm))
    story.append(_p(_("5. Acknowledgements"), styles["h2"]))
    rows = []
    for party in PARTIES:
        ack = state.current.get(party)
        who = {AgreementParty.STUDENT: _("Student"), AgreementParty.COMPANY: _("Host company"),
               AgreementParty.UNIVERSITY: _("University")}[party]
        if ack:
            when = format_datetime(ack.acknowledged_at, datetime_pattern("medium"))
            rows.append((who, _("%(name)s, acknowledged on %(when)s (Asia/Seoul)", name=ack.signer_name, when=when)))
        else:
            rows.append((who, _("Not acknowledged yet")))
    story.append(_table(rows, styles))
    story.append(Spacer(1, 6 * mm))
    story.append(_p(_("Document fingerprint (SHA-256 of the terms): %(hash)s", hash=state.hash), styles["small"]))
    story.append(_p(_("Each party acknowledges this exact version in the exchange marketplace; any change to the terms "
                      "gives a new fingerprint and voids the acknowledgements."), styles["small"]))

    buffer = io.BytesIO()
    title = "현장실습 협약서" if lang == "ko" else "Field Practice Agreement"
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{title} — {terms['student_name']} · {company.name}",
                            author="Medical AI Exchange", lang=lang)
    doc.build(story)
    return buffer.getvalue()
