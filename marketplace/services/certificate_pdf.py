"""The certificate of completion (이수증) as a PDF, in Korean or English: what its snapshot froze, the verification code
and where to check it (ReportLab, the NanumGothic font shipped in static/fonts, as the agreement PDF)."""
from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from marketplace.models.evaluations import Certificate
from marketplace.services.agreement_pdf import _font
from marketplace.services.certificates import display_code

LANGUAGES = ("ko", "en")

TEXT = {
    "ko": {
        "title": "현장실습 이수증",
        "subtitle": "Certificate of Completion",
        "body": "위 학생은 아래의 현장실습 과정을 성실히 이수하였음을 증명합니다.",
        "name": "성명", "programme": "과정", "group": "사업단", "host": "실습기관", "period": "실습기간",
        "hours": "인정 실습시간", "hours_value": "{hours}시간", "issued": "발급일",
        "code": "진위확인 코드", "check": "진위 확인: {url}",
        "issuer": "의료 AI 산학교류 플랫폼",
    },
    "en": {
        "title": "Certificate of Completion",
        "subtitle": "현장실습 이수증",
        "body": "This certifies that the student named below has completed the field practice described here.",
        "name": "Name", "programme": "Programme", "group": "Project group", "host": "Host company",
        "period": "Period", "hours": "Confirmed practice hours", "hours_value": "{hours} hours",
        "issued": "Issued on", "code": "Verification code", "check": "Check this certificate at {url}",
        "issuer": "Medical AI Exchange",
    },
}


def _fmt_date(value: str, lang: str) -> str:
    day = date.fromisoformat(value)
    return f"{day.year}년 {day.month}월 {day.day}일" if lang == "ko" else day.strftime("%d %B %Y").lstrip("0")


def _hours(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def render(certificate: Certificate, verify_url: str, lang: str = "ko") -> bytes:
    """PDF bytes of the certificate in `lang` (ko or en); `verify_url` is the public page of its code."""
    lang = lang if lang in LANGUAGES else "ko"
    t = TEXT[lang]
    snap = certificate.snapshot or {}
    font = _font()
    wrap = "CJK" if lang == "ko" else None
    base = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap=wrap)
    title = ParagraphStyle("title", parent=base, fontSize=24, leading=32, alignment=TA_CENTER, spaceAfter=4)
    subtitle = ParagraphStyle("subtitle", parent=base, fontSize=11, alignment=TA_CENTER, textColor=colors.grey)
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=12, textColor=colors.grey)
    cell = ParagraphStyle("cell", parent=base, fontSize=10.5, leading=15)

    def p(text, style=base) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    group = snap.get(f"group_{lang}") or ""
    university = snap.get(f"university_{lang}") or ""
    rows = [
        (t["name"], snap.get("student_name", "")),
        (t["programme"], snap.get(f"programme_{lang}") or ""),
        (t["group"], " · ".join(part for part in (university, group) if part)),
        (t["host"], f"{snap.get('host', '')} — {snap.get('opening_title', '')}"),
        (t["period"], f"{_fmt_date(snap['start_date'], lang)} – {_fmt_date(snap['end_date'], lang)}"),
        (t["hours"], t["hours_value"].format(hours=_hours(snap.get("hours")))),
        (t["issued"], _fmt_date(certificate.issued_at.date().isoformat(), lang)),
        (t["code"], display_code(certificate.code)),
    ]
    table = Table([[p(a, cell), p(b, cell)] for a, b in rows], colWidths=(45 * mm, 125 * mm))
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story = [
        Spacer(1, 12 * mm), p(t["title"], title), p(t["subtitle"], subtitle), Spacer(1, 12 * mm),
        p(t["body"]), Spacer(1, 6 * mm), table, Spacer(1, 12 * mm),
        p(t["check"].format(url=verify_url), small), Spacer(1, 18 * mm),
        p(t["issuer"], ParagraphStyle("issuer", parent=base, fontSize=14, alignment=TA_CENTER)),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{t['title']} — {snap.get('student_name', '')}",
                            author=t["issuer"], lang=lang)
    doc.build(story)
    return buffer.getvalue()
