"""Exports opened as a spreadsheet program would: headers, rows, Korean text, scope and period filters."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from marketplace.extensions import db
from marketplace.models import ApplicationStatus, PlacementStatus
from marketplace.models.base import utcnow
from marketplace.services import exports
from marketplace.services.errors import DomainError
from tests.factories import make_admin, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening
from tests.factories_placements import make_application, make_placement


@pytest.fixture
def data(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu, snu], name="부산메디컬 주식회사")
    other = make_company(groups=[pnu, snu], name="Seoul Bio")
    start = date(2031, 3, 2)
    opening = make_opening(company, title="의료영상 인턴십", seats=3, start_date=start, end_date=start + timedelta(days=60))
    kim = make_student(pnu)
    kim.display_name = "김민지"
    lee = make_student(snu)
    lee.display_name = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    placed = make_placement(kim, opening, status=PlacementStatus.APPROVED)
    make_placement(lee, opening, status=PlacementStatus.PENDING)
    make_placement(make_student(pnu), make_opening(other, start_date=date(2031, 9, 1), end_date=date(2031, 10, 1)),
                   status=PlacementStatus.ACTIVE)
    make_application(make_student(pnu), opening, status=ApplicationStatus.SUBMITTED)
    return pnu, snu, company, other, placed


def read_csv(payload: bytes) -> list[list[str]]:
    assert payload.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(payload.decode("utf-8-sig"))))


def test_placements_csv_with_korean_headers_and_text(data):
    pnu, snu, company, other, placed = data
    file = exports.export(make_admin(), exports.ExportRequest("placements", "csv", lang="ko"))
    rows = read_csv(file.data)
    assert rows[0][:5] == ["배치 번호", "상태", "학생", "이메일", "사업단"]
    assert len(rows) == 4 and file.rows == 3
    kim = next(r for r in rows if r[2] == "김민지")
    assert kim[1] == "승인됨" and kim[7] == "부산메디컬 주식회사" and kim[9] == "의료영상 인턴십"
    assert kim[4] == "PNU PNU 사업단" and kim[11] == "2031-03-02"
    assert file.filename.startswith("placements-") and file.filename.endswith(".csv")


def test_text_that_would_run_as_a_formula_stays_text(data):
    rows = read_csv(exports.export(make_admin(), exports.ExportRequest("placements", "csv", lang="en")).data)
    assert rows[0][:3] == ["Placement ID", "Status", "Student"]
    assert "'=HYPERLINK(\"http://evil\")" in [r[2] for r in rows]


def test_applications_xlsx_opens_with_headers_rows_and_korean_text(data):
    file = exports.export(make_admin(), exports.ExportRequest("applications", "xlsx", lang="ko"))
    sheet = load_workbook(io.BytesIO(file.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("지원 번호", "상태", "지원일", "학생")  # the words of the pages
    assert len(values) == 1 + 4
    assert {"김민지", "=HYPERLINK(\"http://evil\")"} & {row[3] for row in values[1:]} == {"김민지"}
    assert "제출" in {row[1] for row in values[1:]} and "의료영상 인턴십" in {row[9] for row in values[1:]}


def test_placements_xlsx_keeps_dates_as_dates(data):
    file = exports.export(make_admin(), exports.ExportRequest("placements", "xlsx", lang="en"))
    sheet = load_workbook(io.BytesIO(file.data)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Placement ID", "Status", "Student"] and sheet.title == "Placements"
    start = sheet.cell(row=2, column=header.index("Start date") + 1).value
    assert start.date() == date(2031, 3, 2)


def test_managers_export_only_their_students(data):
    pnu, snu, company, other, placed = data
    headers, rows = exports.table(make_exchange_manager(snu), exports.ExportRequest("placements", "csv"))
    assert [r[2] for r in rows] == ["=HYPERLINK(\"http://evil\")"]
    with pytest.raises(DomainError) as error:
        exports.table(make_exchange_manager(snu), exports.ExportRequest("placements", "csv", group_id=pnu.id))
    assert error.value.field == "group_id"


def test_filters_by_group_company_and_period(data):
    pnu, snu, company, other, placed = data
    admin = make_admin()
    table = lambda **kw: exports.table(admin, exports.ExportRequest("placements", "csv", **kw))[1]  # noqa: E731
    assert len(table(group_id=pnu.id)) == 2
    assert len(table(company_id=other.id)) == 1
    assert len(table(date_from=date(2031, 4, 1), date_to=date(2031, 4, 30))) == 2  # overlaps March–May
    assert len(table(date_from=date(2031, 8, 1))) == 1
    assert len(table(date_to=date(2030, 1, 1))) == 0
    today = utcnow().date()
    apps = exports.table(admin, exports.ExportRequest("applications", "csv", date_from=today - timedelta(days=1),
                                                      date_to=today + timedelta(days=1)))[1]
    assert len(apps) == 4


def test_an_inverted_period_is_refused_beside_the_end_date(data):
    with pytest.raises(DomainError) as error:
        exports.export(make_admin(), exports.ExportRequest("placements", "csv", date_from=date(2031, 5, 1),
                                                           date_to=date(2031, 4, 1)))
    assert error.value.field == "date_to"


def test_unknown_choices_are_refused(data):
    admin = make_admin()
    for request, field in ((exports.ExportRequest("students"), "kind"), (exports.ExportRequest(fmt="pdf"), "fmt"),
                           (exports.ExportRequest(lang="fr"), "lang"), (exports.ExportRequest(company_id=99999), "company_id")):
        with pytest.raises(DomainError) as error:
            exports.export(admin, request)
        assert error.value.field == field


def test_an_export_with_nothing_in_it_still_has_its_headers(app):
    make_group("PNU")
    rows = read_csv(exports.export(make_admin(), exports.ExportRequest("applications", "csv", lang="ko")).data)
    assert rows[0][:3] == ["지원 번호", "상태", "지원일"] and len(rows) == 1


def test_exports_use_the_words_of_the_pages(data):
    """One glossary: a sheet's headers and statuses are the labels the screens show, in the chosen language."""
    placements = read_csv(exports.export(make_admin(), exports.ExportRequest("placements", "csv", lang="ko")).data)
    assert "월 활동비 (원)" in placements[0] and not any("지원금" in header for header in placements[0])
    applications = read_csv(exports.export(make_admin(), exports.ExportRequest("applications", "csv", lang="ko")).data)
    assert "제출" in {row[1] for row in applications[1:]} and "지원" not in {row[1] for row in applications[1:]}
    english = read_csv(exports.export(make_admin(), exports.ExportRequest("applications", "csv", lang="en")).data)
    assert "Submitted" in {row[1] for row in english[1:]} and "Monthly stipend (KRW)" in placements_en_header()


def placements_en_header() -> list[str]:
    return read_csv(exports.export(make_admin(), exports.ExportRequest("placements", "csv", lang="en")).data)[0]
