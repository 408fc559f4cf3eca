"""The manager console pages each of its lists on its own query argument: the rows of one page, "3–4 of 5",
links that keep the other lists where they were; a page past the end shows the last one, a page that is not a
number the first; a decision taken from a page comes back to it."""
from __future__ import annotations

import re

import pytest

from marketplace.extensions import db
from marketplace.models import PlacementStatus
from tests.factories import make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening
from tests.factories_placements import make_placement


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def console(app, auth):
    """Five placement requests and five partner companies of PNU, two rows per page."""
    app.config["CONSOLE_PAGE_SIZE"] = 2
    pnu = make_group("PNU")
    partners = [make_company(groups=[pnu], name=f"Partner {n}") for n in range(5)]
    opening = make_opening(partners[0], title="Imaging internship", seats=10)
    requests = [make_placement(make_student(pnu), opening) for _ in range(5)]
    reviewer = make_exchange_manager(pnu)
    auth.login(reviewer.email)
    return {"requests": requests, "partners": partners}


def shown_requests(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/manager/placements/(\d+)[?"]', html)]


def shown_partners(html: str) -> list[str]:
    section = html[html.index('id="partner-companies"'):]
    return re.findall(r"<td>(Partner \d)</td>", section)


def test_each_list_pages_on_its_own_argument_with_its_range(client, console):
    ids = [p.id for p in console["requests"]]
    first = client.get("/manager/").get_data(as_text=True)
    assert shown_requests(first) == ids[:2] and "1–2 of 5" in first
    assert re.search(r'id="placement-request-count">5<', first)  # the card counts every request, not the page
    assert "/manager/?requests_page=2#placement-requests" in first
    assert shown_partners(first) == ["Partner 0", "Partner 1"] and first.count("1–2 of 5") == 2

    second = client.get("/manager/?requests_page=2").get_data(as_text=True)
    assert shown_requests(second) == ids[2:4] and "3–4 of 5" in second
    assert shown_partners(second) == ["Partner 0", "Partner 1"]  # the other list stays on its page
    # Paging the partners keeps the requests on their page, and the other way round.
    assert re.search(r'href="/manager/\?(requests_page=2&amp;partners_page=2|partners_page=2&amp;requests_page=2)'
                     r'#partner-companies"', second)
    both = client.get("/manager/?requests_page=3&partners_page=3").get_data(as_text=True)
    assert shown_requests(both) == ids[4:] and shown_partners(both) == ["Partner 4"] and both.count("5–5 of 5") == 2


def test_a_page_past_the_end_shows_the_last_and_a_non_number_the_first(client, console):
    ids = [p.id for p in console["requests"]]
    for query, expected in [("requests_page=99", ids[4:]), ("requests_page=10001", ids[4:]),
                            ("requests_page=abc", ids[:2]), ("requests_page=-3", ids[:2]),
                            ("requests_page=", ids[:2]), ("partners_page=%3Cscript%3E", ids[:2])]:
        response = client.get(f"/manager/?{query}")
        assert response.status_code == 200, query
        assert shown_requests(response.get_data(as_text=True)) == expected, query


def test_a_decision_comes_back_to_the_page_it_was_taken_from(client, auth, console):
    last = console["requests"][4]
    page = f"/manager/placements/{last.id}?requests_page=3&partners_page=2"
    html = client.get("/manager/?requests_page=3&partners_page=2").get_data(as_text=True)
    assert f'href="/manager/placements/{last.id}?' in html and "requests_page=3" in html
    decision = client.get(page).get_data(as_text=True)
    assert 'href="/manager/?' in decision  # the breadcrumb goes back to the same pages
    response = auth.post(page, {"decision": "return", "note": "Dates do not fit the semester"}, form_page=page)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/manager/?") and "requests_page=3" in location and "partners_page=2" in location
    db.session.refresh(last)
    assert last.status == PlacementStatus.RETURNED
    # The last page is empty now: the console shows the page before it rather than nothing.
    back = client.get(location).get_data(as_text=True)
    assert shown_requests(back) == [p.id for p in console["requests"][2:4]] and "3–4 of 4" in back
