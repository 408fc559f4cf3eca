"""The programme report page: figures, charts with text alternatives, every figure linking to the list of the rows
it counts, the XLSX and PDF downloads read back, permissions for every role, bad input."""
from __future__ import annotations

import html as htmllib
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.factories import make_company_manager
from tests.factories_reports import build_report_world

ROW_ID = re.compile(r'<tr data-id="(\d+)"')


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def world(app):
    return build_report_world()


def _links(page: str) -> dict[str, tuple[str, str]]:
    """figure name -> (number shown, href) of the summary table's current column."""
    found = {}
    for name, href, number in re.findall(r'<td data-figure="(\w+)"><a href="([^"]+)">([^<]*)</a>', page):
        found[name] = (number, htmllib.unescape(href))
    return found


def _rows_on(client, href: str) -> set[int]:
    """Every row id of a list, over all its pages."""
    ids: set[int] = set()
    page = 1
    while True:
        response = client.get(href + f"&page={page}")
        assert response.status_code == 200, href
        found = {int(i) for i in ROW_ID.findall(response.get_data(as_text=True))}
        if not found or found <= ids:
            return ids
        ids |= found
        page += 1


def test_the_report_shows_each_figure_and_its_year_on_year_change(client, auth, world):
    auth.login(world.xm_pnu.email)
    page = client.get("/manager/reports/?period=2025-1").get_data(as_text=True)
    links = _links(page)
    assert {k: v[0] for k, v in links.items() if k in ("companies", "openings", "applications", "students",
                                                         "placements_approved", "placements_completed",
                                                         "overrides", "median_days_to_approval")} == {
        "companies": "2", "openings": "2", "applications": "3", "students": "2", "placements_approved": "2",
        "placements_completed": "1", "overrides": "1", "median_days_to_approval": "7.0"}
    applications_row = re.search(r'<tr id="figure-applications">.*?</tr>', page, re.S).group(0)
    assert 'data-previous="applications"><a href="' in applications_row and ">1</a>" in applications_row
    assert "+2 (+200.0%)" in applications_row
    # charts are server-rendered SVG with a title; the numbers are in tables too
    assert page.count("<svg") >= 3 and '<title id="chart-yoy-title">' in page
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]
    assert 'No evaluation in this period yet.' in page or 'id="satisfaction"' in page
    assert 'id="openings-by-kind"' in page and 'id="students-by-degree"' in page and 'id="skills"' in page


@pytest.mark.parametrize("who, group", [("xm_pnu", None), ("admin", None), ("admin", "snu")])
def test_every_figure_links_to_a_list_of_exactly_the_rows_it_counts(client, auth, world, who, group):
    auth.login(getattr(world, who).email)
    query = "period=2025-1" + (f"&group={getattr(world, group).id}" if group else "")
    page = client.get(f"/manager/reports/?{query}").get_data(as_text=True)
    links = _links(page)
    for name in ("companies", "companies_new", "companies_returning", "openings", "applications", "students",
                 "placements_approved", "placements_completed", "placements_not_completed", "overrides"):
        number, href = links[name]
        assert len(_rows_on(client, href)) == int(number), (name, href)
    # breakdowns link too
    for href, number in re.findall(r'<td><a href="([^"]+)">(\d+)</a></td>', page):
        assert len(_rows_on(client, htmllib.unescape(href))) == int(number), href


def test_the_placements_list_shows_the_counted_placements(client, auth, world):
    auth.login(world.xm_pnu.email)
    ids = _rows_on(client, "/manager/placements?period=2025-1&status=approved_any")
    assert ids == {world.ids["p1"], world.ids["p2"]}
    assert _rows_on(client, "/manager/placements?period=2024-1&status=completed") == {world.ids["p4"]}
    page = client.get("/manager/placements?period=2025-1&status=completed").get_data(as_text=True)
    assert 'id="report-filter"' in page


def test_the_workbook_has_a_cover_and_one_sheet_per_table_with_korean_headers(client, auth, world):
    auth.login(world.xm_pnu.email)
    response = client.get("/manager/reports/report.xlsx?period=2025-1")
    assert response.status_code == 200
    assert 'filename="report-2025-1-all.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "표지"
    assert book.sheetnames == ["표지", "요약", "공고 유형별", "지원 상태별", "배치", "사업단별 학생",
                               "학위 과정별 학생", "전공별 학생", "역량", "만족도"]
    cover = {row[0]: row[1] for row in book["표지"].iter_rows(min_row=2, values_only=True)}
    assert "2025년 1학기" in cover["기간"] and "PNU" in cover["범위"] and "Asia/Seoul" in cover["작성 시각"]
    summary = list(book["요약"].iter_rows(values_only=True))
    assert summary[0][:3] == ("항목", "2025년 1학기", "2024년 1학기")
    rows = {row[0]: row[1:] for row in summary[1:]}
    assert rows["지원"] == (3, 1, 2, 2.0)
    assert rows["지원부터 승인까지 일수 중앙값"][:3] == (7.0, 10.0, -3.0)
    assert rows["참여 기업"][:2] == (2, 1)
    cell = book["요약"]["B2"]
    assert cell.number_format == "#,##0"


def test_the_pdf_summary_is_in_korean(client, auth, world):
    auth.login(world.admin.email)
    response = client.get(f"/manager/reports/report.pdf?period=2025-1&group={world.pnu.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "사업 운영 보고서" in text and "2025년 1학기" in text and "참여 기업" in text


def test_roles_outside_the_programme_office_are_refused(client, auth, world):
    for user in (make_company_manager(),):
        auth.login(user.email)
        for path in ("/manager/reports/", "/manager/reports/report.xlsx", "/manager/reports/openings?period=2025-1"):
            assert client.get(path).status_code == 403
    auth.logout()
    assert client.get("/manager/reports/").status_code == 302


def test_a_manager_of_another_group_cannot_open_its_report_or_lists(client, auth, world):
    auth.login(world.xm_snu.email)
    pnu = world.pnu.id
    for path in (f"/manager/reports/?group={pnu}", f"/manager/reports/report.pdf?group={pnu}",
                 f"/manager/reports/report.xlsx?group={pnu}", f"/manager/reports/applications?period=2025-1&group={pnu}",
                 f"/manager/placements?period=2025-1&group={pnu}"):
        assert client.get(path).status_code == 404, path
    page = client.get("/manager/reports/?period=2025-1").get_data(as_text=True)
    assert _links(page)["students"][0] == "1"  # their own group only


def test_bad_periods_and_groups_are_explained_beside_the_field(client, auth, world):
    auth.login(world.admin.email)
    response = client.get("/manager/reports/?period=2025-7&group=abc")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="period-error"' in page and 'id="group-error"' in page and 'value="2025-7"' in page
    assert client.get("/manager/reports/?group=987654").status_code == 404
    assert client.get("/manager/reports/report.xlsx?period=nope").status_code == 400
    assert client.get("/manager/reports/openings?period=2025-1&kind=nope").status_code == 400


def test_the_report_page_in_korean(client, auth, world):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    auth.login(world.xm_pnu.email)
    page = client.get("/manager/reports/?period=2025-1").get_data(as_text=True)
    assert "2025년 1학기" in page and "참여 기업" in page
