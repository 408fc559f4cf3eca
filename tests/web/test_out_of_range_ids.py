"""Ids past the database's integer range are unknown ids (404) on every `<int:...>` route, on both databases."""
import re

import pytest

from marketplace.routing import MAX_DATABASE_ID
from tests.factories import make_admin

PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _int_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "int:" in rule.rule]


def _url(rule, number: int) -> str:
    return PARAM.sub(lambda m: str(number) if m.group(1) == "int" else "x", rule.rule)


def test_every_int_route_is_bounded(app):
    rules = _int_rules(app)
    assert len(rules) > 20  # the walk below really covers the app's id routes
    for rule in rules:
        for converter in rule._converters.values():
            if "Integer" in type(converter).__name__ or hasattr(converter, "max"):
                assert converter.max is not None and converter.max <= MAX_DATABASE_ID, rule.rule


@pytest.mark.parametrize("number", [MAX_DATABASE_ID + 1, 2**63, 10**30])
def test_huge_ids_answer_404_on_every_int_route(app, client, auth, number):
    admin = make_admin()
    auth.login(admin.email)
    failures = []
    for rule in _int_rules(app):
        url = _url(rule, number)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = client.open(url, method=method).status_code
            if status != 404:
                failures.append((method, url, status))
    assert failures == []


def test_the_largest_storable_id_is_an_ordinary_unknown_id(app, client, auth):
    admin = make_admin()
    auth.login(admin.email)
    server_errors = []
    for rule in _int_rules(app):
        if "GET" in rule.methods:
            url = _url(rule, MAX_DATABASE_ID)
            status = client.get(url).status_code
            if status >= 500:
                server_errors.append((url, status))
    assert server_errors == []


def test_huge_ids_in_forms_and_query_strings_are_refused_politely(app, client, auth):
    from tests.conftest import csrf_token
    from tests.factories import PASSWORD, make_exchange_manager

    token = csrf_token(client, "/auth/register/student")
    response = client.post("/auth/register/student", headers={"Accept-Language": "en"}, data={
        "csrf_token": token, "email": "huge@pusan.ac.kr", "password": PASSWORD, "confirm": PASSWORD,
        "display_name": "Huge Id", "group_id": str(2**63), "major": "Medicine", "degree_level": "master",
        "track_id": str(10**30)})
    assert response.status_code == 400
    assert "Choose one of the listed project groups." in response.get_data(as_text=True)
    auth.login(make_exchange_manager().email)
    assert client.get(f"/manager/dashboard?group={2**63}").status_code == 200
    export = client.get(f"/manager/exports?kind=placements&fmt=csv&lang=en&group_id={2**63}&company_id={10**30}")
    assert export.status_code == 200
