"""Every state-changing route: refuses GET (405) and refuses a POST without a valid CSRF token (400)."""
import re

import pytest

from tests.factories import make_admin


def _url(rule) -> str:
    """The rule with every variable filled by a plausible value."""
    def fill(match):
        converter, name = match.group(1) or "", match.group(2)
        return "1" if "int" in converter else ("x.css" if name == "filename" else "approve")
    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule.rule)


def _rules(app, method):
    return [r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint != "static"]


def test_every_post_route_refuses_a_post_without_csrf_token(app, client, auth):
    auth.login(make_admin().email)
    rules = _rules(app, "POST")
    assert len(rules) >= 10
    for rule in rules:
        response = client.post(_url(rule), data={"anything": "1"})
        assert response.status_code == 400, f"{rule.rule} accepted a POST without a CSRF token"


def test_every_post_route_refuses_a_post_with_a_forged_csrf_token(app, client, auth):
    auth.login(make_admin().email)
    for rule in _rules(app, "POST"):
        response = client.post(_url(rule), data={"csrf_token": "forged.token.value"})
        assert response.status_code == 400, rule.rule


def test_state_changing_routes_refuse_get(app, client, auth):
    auth.login(make_admin().email)
    adapter = app.url_map.bind("localhost")

    def has_get(rule) -> bool:  # another rule may serve GET at the same address (e.g. a download)
        try:
            adapter.match(_url(rule), method="GET")
        except Exception:
            return False
        return True

    post_only = [r for r in _rules(app, "POST") if "GET" not in r.methods and not has_get(r)]
    assert post_only
    for rule in post_only:
        assert client.get(_url(rule)).status_code == 405, rule.rule


@pytest.mark.parametrize("path", ["/auth/logout", "/language"])
def test_csrf_failure_page_is_friendly(client, path):
    response = client.post(path, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
