"""Recommendation cards and filters, a broad fit above trivial ones, full openings and closed groups said
before any Apply button, full openings never listed as open."""
from __future__ import annotations

import re

import pytest

from marketplace.models import PlacementStatus
from marketplace.services.openings import SkillRequirement as Req
from tests.factories import make_group
from tests.factories_applications import make_skilled_student
from tests.factories_companies import make_company, make_opening
from tests.factories_placements import make_placement


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


BROAD = [("Python", 3), ("PyTorch", 3), ("딥러닝", 3), ("DICOM", 3), ("의료영상", 3), ("Docker", 3), ("통계", 3),
         ("Git", 3)]


def _titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="h5 mb-1"><a href="[^"]+">([^<]+)</a></h2>', html)


def test_a_broad_good_fit_is_recommended_above_ten_trivial_openings(client, auth):
    company = make_company(groups=[make_group("PNU")])
    for n in range(10):
        make_opening(company, title=f"Python only {n}", skills=[Req("Python", "must", 1)])
    make_opening(company, title="Imaging AI", skills=[
        Req("Python", "must", 3), Req("PyTorch", "must", 3), Req("Deep Learning", "should", 3),
        Req("DICOM", "should", 2), Req("Medical imaging", "should", 1), Req("Docker", "nice", 1),
        Req("Kubernetes", "should", 2)])
    auth.login(make_skilled_student(BROAD).email)
    html = client.get("/student/recommendations").get_data(as_text=True)
    titles = _titles(html)
    assert titles[0] == "Imaging AI" and len(titles) == 11
    rank_line = html[html.index('recommendation-rank">'):]
    assert rank_line.split("</p>")[0].endswith("requirements weigh four times as much."), rank_line[:300]
    assert rank_line.startswith('recommendation-rank">Fit 89 = 5·R·P / (4·P + R), with R = 93% of the requirements met and P = 75%')


def test_cards_show_stipend_location_dates_deadline_and_seats_left(client, auth):
    opening = make_opening(title="Paid in Suwon", location="Suwon", stipend_krw=1_200_000, seats=3)
    student = make_skilled_student()
    make_placement(opening=opening, status=PlacementStatus.APPROVED)
    auth.login(student.email)
    html = client.get("/student/recommendations").get_data(as_text=True)
    card = html[html.index("Paid in Suwon"):]
    assert "Suwon" in card and "1,200,000" in card and "Seats left" in card and "2 of 3" in card
    assert "Deadline" in card and "Dates" in card


def test_recommendations_filter_by_kind_group_mode_and_paid_and_keep_filters_in_pages(client, auth, app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu, snu])
    make_opening(company, title="Remote research", kind="research_project", work_mode="remote", location="",
                 stipend_krw=0, group_ids=[pnu.id])
    make_opening(company, title="Paid internship", kind="internship", work_mode="onsite", group_ids=[pnu.id, snu.id])
    auth.login(make_skilled_student(group=pnu).email)
    assert _titles(client.get("/student/recommendations?kind=research_project").get_data(as_text=True)) == ["Remote research"]
    assert _titles(client.get("/student/recommendations?mode=onsite").get_data(as_text=True)) == ["Paid internship"]
    assert _titles(client.get("/student/recommendations?paid=0").get_data(as_text=True)) == ["Remote research"]
    assert _titles(client.get("/student/recommendations?group=SNU").get_data(as_text=True)) == ["Paid internship"]
    assert sorted(_titles(client.get("/student/recommendations?kind=bogus&paid=x").get_data(as_text=True))) == [
        "Paid internship", "Remote research"]
    app.config["PAGE_SIZE"] = 1
    html = client.get("/student/recommendations?paid=1&mode=onsite").get_data(as_text=True)
    assert _titles(html) == ["Paid internship"]
    html = client.get("/student/recommendations?kind=internship&group=PNU").get_data(as_text=True)
    assert "page=" not in html or "kind=internship" in html


def test_full_openings_are_neither_recommended_nor_listed_as_open(client, auth):
    full = make_opening(title="Full house", seats=1)
    make_placement(opening=full, status=PlacementStatus.ACTIVE)
    make_opening(full.company, title="Room left", seats=2)
    student = make_skilled_student()
    auth.login(student.email)
    assert _titles(client.get("/student/recommendations").get_data(as_text=True)) == ["Room left"]
    listed = client.get("/openings?open=1").get_data(as_text=True)
    assert "Room left" in listed and "Full house" not in listed
    assert "Full house" in client.get("/openings").get_data(as_text=True)  # still published, just not open
    page = client.get(f"/openings/{full.id}").get_data(as_text=True)
    assert "All seats of this opening are taken." in page
    assert f'href="/openings/{full.id}/apply"' not in page


def test_an_opening_closed_to_the_students_group_says_so_before_apply(client, auth):
    pnu, snu = make_group("PNU"), make_group("SNU")
    opening = make_opening(make_company(groups=[pnu, snu]), title="SNU only", group_ids=[snu.id])
    auth.login(make_skilled_student(group=pnu).email)
    page = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert "You cannot apply to this opening:" in page
    assert "Students of your project group are not eligible for this opening." in page
    assert f'href="/openings/{opening.id}/apply"' not in page
    assert "Seats left: 2 of 2" in page


def test_an_eligible_student_still_gets_the_apply_button(client, auth):
    opening = make_opening(title="Open to all")
    auth.login(make_skilled_student().email)
    page = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert f'href="/openings/{opening.id}/apply"' in page and "You cannot apply" not in page


def test_ranked_applicants_say_when_a_level_is_above_the_minimum(client, auth):
    opening = make_opening(skills=[Req("Python", "must", 2)])
    student = make_skilled_student([("Python", 5)])
    auth.login(student.email)
    html = client.get("/student/recommendations").get_data(as_text=True)
    assert "+3 above the minimum (ranks above an equal score)" in html
    assert opening.id
