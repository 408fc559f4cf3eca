"""Fuzzing: hypothesis fills every form of the app with hostile values; no response is ever a 5xx."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CSRF_RE
from tests.web.test_access_matrix import MATRIX, OK, _client, world_app, world_files  # noqa: F401  (fixtures)

NASTY = ["", " ", "0", "-1", "1e9", "9" * 40, "2026-02-30", "1900-01-01", "9999-12-31", "NaN", "None", "true",
         "<script>alert(1)</script>", "'; DROP TABLE user; --", "../../etc/passwd", "%s%s%n", "{{7*7}}",
         "한국어 입력", "😀", "\u202e", "x" * 5000, "\x00", "a\r\nb", "0x10", "+82-10-1234-5678"]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=60), st.integers(-10**12, 10**12).map(str))

# Form pages: routes with both GET (the form) and POST (its submission), with a role allowed to use them.
# A page whose form is one button (no field to fill) has nothing to fuzz.
BUTTONS_ONLY = {"auth.confirm_email"}
FORMS = sorted({endpoint for (endpoint, method) in MATRIX if method == "POST" and (endpoint, "GET") in MATRIX}
               - BUTTONS_ONLY)
FIELD_RE = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')


# Where the matrix's record is already used up (student A applied to opening X), fuzz a fresh one.
# The password pages behind a one-time link show their form only for a live link.
PATHS = {"applications.apply": "/openings/{opening_y}/apply", "auth.reset_password": "/auth/reset/{reset_link}",
         "auth.accept_invitation": "/auth/invitation/{invitation_link}",
         "mentors.placement": "/manager/mentors/placements/{placement_m}"}


def _roles_for(endpoint: str) -> list[str]:
    expected = MATRIX[(endpoint, "GET")][1]
    allowed = [role for role, outcome in expected.items() if outcome == OK]
    if "cm_x" in allowed:
        allowed.append("cm_new")  # a company manager without a company sees the company forms
    return list(reversed(allowed))


@pytest.mark.parametrize("endpoint", FORMS)
def test_hostile_form_bodies_never_cause_a_server_error(world_app, endpoint):  # noqa: F811
    app, world = world_app
    template = PATHS.get(endpoint, MATRIX[(endpoint, "GET")][0])
    path = template.format(**world.ids)
    with app.app_context():
        for role in _roles_for(endpoint):  # the first role that is shown the form
            client = _client(app, world, role)
            html = client.get(path).get_data(as_text=True)
            fields = sorted({name for name in FIELD_RE.findall(html) if name not in ("csrf_token", "locale", "next")})
            if fields:
                break
        assert fields, f"no form fields found on {path}"

        @settings(max_examples=12, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
        @given(st.fixed_dictionaries({}, optional={name: values for name in fields}))
        def post(body):
            token = CSRF_RE.search(client.get("/").get_data(as_text=True)).group(1)
            response = client.post(path, data={"csrf_token": token, **body})
            assert response.status_code < 500, f"{path} answered {response.status_code} to {body!r}"

        post()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(q=values, page=values, sort=values, kind=values, group=values, paid=values)
def test_hostile_query_strings_on_public_pages_never_cause_a_server_error(q, page, sort, kind, group, paid):
    from marketplace.app import create_app

    app = _shared_app()
    client = app.test_client()
    for path in ("/openings", "/api/skills", "/"):
        response = client.get(path, query_string={"q": q, "page": page, "sort": sort, "kind": kind,
                                                  "group": group, "paid": paid})
        assert response.status_code < 500, (path, q, page, sort)
    assert create_app


_APP = None


def _shared_app():
    """One migrated SQLite app for the query-string fuzzing (read-only pages)."""
    global _APP
    if _APP is None:
        import tempfile

        from flask_migrate import upgrade

        from marketplace.app import create_app

        folder = tempfile.mkdtemp(prefix="fuzz-")
        _APP = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/fuzz.sqlite"})
        with _APP.app_context():
            upgrade()
    return _APP
