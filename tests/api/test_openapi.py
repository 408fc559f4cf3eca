"""The OpenAPI description: valid 3.1, generated from the code, covering every /api/v1 route; the reference
page is served from this site's own files."""
from __future__ import annotations

import re

from openapi_spec_validator import validate

from marketplace.app import create_app

# Routes under /api/v1 that are about the API rather than part of it.
META_ENDPOINTS = {"api-docs.openapi_json", "api_reference.docs"}


def _app():
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def spec_of(app) -> dict:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.content_type == "application/json"
    return response.get_json()


def documented_operations(spec: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in spec["paths"].items()
            for method in item if method in {"get", "post", "put", "patch", "delete"}}


def api_routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in META_ENDPOINTS:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        found |= {(method, path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_openapi_document_is_valid_3_1():
    spec = spec_of(_app())
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_api_route_is_documented_and_nothing_else_is():
    app = _app()
    routes, documented = api_routes(app), documented_operations(spec_of(app))
    assert sorted(routes - documented) == [], "routes missing from openapi.json"
    assert sorted(documented - routes) == [], "documented operations without a route"


def test_every_operation_documents_its_security_and_problem_responses():
    spec = spec_of(_app())
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert "security" in operation, f"{method} {path}"
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert "default" in operation["responses"], f"{method} {path}"
    error = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(error) == ["application/problem+json"]


def test_the_reference_page_is_served_from_this_sites_files():
    client = _app().test_client()
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from another host
    for path in (s for s in sources if s.startswith("/static/")):
        assert client.get(path).status_code == 200, path
    assert "/api/v1/openapi.json" in html
    licence = client.get("/static/vendor/swagger-ui/LICENSE")
    assert licence.status_code == 200 and b"Apache License" in licence.get_data()


def test_the_document_is_built_once_when_first_asked_for_even_by_two_threads_at_once(app):
    """The description is built on first use, not at start-up (it is most of create_app's time); a worker's threads
    asking at the same moment all get the whole document, built once."""
    import threading

    api = app.extensions["marketplace_api"]
    assert api._spec is None  # nothing built by starting the app or by an API call
    assert app.test_client().get("/api/v1/openings").status_code == 200
    assert api._spec is None
    barrier, answers = threading.Barrier(4), []

    def fetch() -> None:
        barrier.wait()
        answers.append(app.test_client().get("/api/v1/openapi.json").get_json())

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4 and all(answer == answers[0] for answer in answers)
    assert documented_operations(answers[0]) == api_routes(app)
    assert len(answers[0]["tags"]) == len({tag["name"] for tag in answers[0]["tags"]})  # each resource tagged once
