"""GET /api/v1/reports: the report page's figures as JSON, scope read:reports, per role and group, bad input."""
from __future__ import annotations

import pytest

from marketplace.services import api_tokens
from tests.api.conftest import bearer, make_token
from tests.factories import make_company_manager, make_student
from tests.factories_reports import build_report_world

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(app):
    return build_report_world()


def test_a_group_manager_reads_their_figures_and_the_year_before(api, world):
    token = make_token(world.xm_pnu, "read:reports")
    response = api.get("/api/v1/reports?period=2025-1", headers=bearer(token))
    assert response.status_code == 200 and response.content_type == "application/json"
    body = response.get_json()
    cur, prev = body["current"], body["previous"]
    assert (cur["period"], cur["start"], cur["end"]) == ("2025-1", "2025-03-01", "2025-08-31")
    assert cur["companies"] == {"total": 2, "new": 1, "returning": 1}
    assert cur["openings"] == {"total": 2, "by_kind": {"internship": 1, "research_project": 1, "practice_course": 0}}
    assert cur["applications"]["total"] == 3 and cur["students"]["total"] == 2
    assert cur["students"]["by_degree"] == {"bachelor": 0, "master": 1, "phd": 1}
    assert cur["placements"] == {"approved": 2, "in_progress": 1, "completed": 1, "not_completed": 0,
                                 "cancelled": 0}
    assert cur["compliance_overrides"] == 1 and cur["median_days_to_approval"] == 7.0
    assert (cur["confirmed_hours"], prev["confirmed_hours"]) == (16.0, 8.0)
    assert prev["period"] == "2024-1" and prev["applications"]["total"] == 1
    assert body["year_on_year"]["applications"] == {"current": 3, "previous": 1, "change": 2, "change_pct": 200.0}
    assert body["scope"]["groups"] == ["PNU"]
    again = api.get("/api/v1/reports?period=2025-1", headers=bearer(token, **{"If-None-Match": response.headers["ETag"]}))
    assert again.status_code in (200, 304)  # made_at moves on; ETags hold within one report


def test_the_office_reads_the_programme_and_one_group(api, world):
    token = make_token(world.admin)
    everything = api.get("/api/v1/reports?period=2025-1", headers=bearer(token)).get_json()
    assert everything["current"]["applications"]["total"] == 4 and everything["scope"]["group"] is None
    snu = api.get(f"/api/v1/reports?period=2025-1&group={world.snu.id}", headers=bearer(token)).get_json()
    assert snu["scope"]["group"] == "SNU" and snu["current"]["students"]["total"] == 1


def test_another_groups_report_and_unknown_groups_are_not_found(api, world):
    token = make_token(world.xm_snu)
    for group in (world.pnu.id, 987654):
        response = api.get(f"/api/v1/reports?group={group}", headers=bearer(token, **EN))
        assert response.status_code == 404 and response.content_type == "application/problem+json"
        assert "PNU" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query, field", [("period=2025-3", "period"), ("period=spring", "period"),
                                          ("group=abc", "group"), ("group=-4", "group"),
                                          ("group=99999999999999", "group"), ("period=" + "9" * 30, "period")])
def test_bad_periods_and_groups_are_422_problems_naming_the_field(api, world, query, field):
    token = make_token(world.admin)
    response = api.get(f"/api/v1/reports?{query}", headers=bearer(token, **EN))
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422 and any(field in e["field"] for e in problem["errors"]), problem


def test_tokens_without_the_scope_and_roles_without_reports_are_refused(api, world):
    narrow = make_token(world.xm_pnu, "read:placements")
    response = api.get("/api/v1/reports", headers=bearer(narrow, **EN))
    assert response.status_code == 403 and "read:reports" in response.get_json()["detail"]
    for user in (make_student(world.pnu), make_company_manager()):
        assert "read:reports" not in api_tokens.scopes_for(user)
        response = api.get("/api/v1/reports", headers=bearer(make_token(user)))
        assert response.status_code == 403
    assert api.get("/api/v1/reports").status_code == 401
    assert api.get("/api/v1/reports", headers=bearer("mkt_unknown")).status_code == 401
