"""Practice logs and evaluations through the API (scope read:practice): the same parties as the practice and evaluation
pages read the same things; everyone else gets 404; ETags, updated_since and pages as on the other resources."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Evaluation, EvaluationKind, Placement, PlacementStatus, User, WeekStatus
from marketplace.models.mentoring import MentorAssignment
from marketplace.services import api_tokens, evaluations, practice_logs
from tests.api.conftest import bearer, make_token
from tests.factories import make_admin, make_exchange_manager, make_group, make_mentor, make_student
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_placements import make_placement
from tests.factories_practice import make_plan, make_practice_placement, make_week, monday

EN = {"Accept-Language": "en"}


@dataclass
class Practice:
    placement: Placement
    student: User
    supervisor: User
    mentor: User
    xm: User
    admin: User
    outsiders: dict[str, User]


@pytest.fixture
def practice(app) -> Practice:
    """An active practice (started five weeks ago) whose week 1 is confirmed (16 h), week 2 submitted and week 3
    returned, followed by its student, host supervisor, assigned mentor, group manager and the office."""
    pnu, snu = make_group("PNU"), make_group("SNU")
    admin = make_admin()
    make_plan(pnu, weeks=15, required_hours=120)
    company = make_company(groups=[pnu])
    start = monday(today_in_seoul()) - timedelta(weeks=5)
    placement = make_practice_placement(make_student(pnu), make_opening(company), start=start,
                                        end=start + timedelta(weeks=15) - timedelta(days=3))
    supervisor = manager_of(company)
    nine_to_six = lambda d: (d, "09:00", "18:00", 60)  # noqa: E731 - 8 hours
    make_week(placement, 1, WeekStatus.CONFIRMED, days=(nine_to_six(start), nine_to_six(start + timedelta(days=1))))
    make_week(placement, 2, WeekStatus.SUBMITTED, days=(nine_to_six(start + timedelta(weeks=1)),))
    returned = make_week(placement, 3, WeekStatus.RETURNED, days=(nine_to_six(start + timedelta(weeks=2)),))
    returned.comment, returned.decided_by_id = "Add what you learned on Monday.", supervisor.id
    mentor = make_mentor(pnu, admin=admin)
    db.session.add(MentorAssignment(placement_id=placement.id, mentor_id=mentor.id))
    db.session.commit()
    outsiders = dict(other_student=make_student(pnu), other_company=manager_of(make_company(groups=[pnu])),
                     other_group=make_exchange_manager(snu, admin=admin), other_mentor=make_mentor(pnu, admin=admin))
    return Practice(placement, placement.student, supervisor, mentor, make_exchange_manager(pnu, admin=admin), admin,
                    outsiders)


def _parties(p: Practice) -> dict[str, User]:
    return dict(student=p.student, supervisor=p.supervisor, mentor=p.mentor, manager=p.xm, admin=p.admin)


# -- practice logs --------------------------------------------------------------------------------------------------


def test_the_student_reads_the_weekly_log_with_days_statuses_and_confirmed_hours(api, practice):
    response = api.get(f"/api/v1/placements/{practice.placement.id}/practice-log",
                       headers=bearer(make_token(practice.student, "read:practice")))
    assert response.status_code == 200 and response.content_type == "application/json"
    log = response.get_json()
    assert log["placement_id"] == practice.placement.id and log["status"] == "active"
    assert log["url"].endswith(f"/practice/placements/{practice.placement.id}")
    assert log["plan"]["required_hours"] == 120 and log["plan"]["weeks"] == 15
    assert log["totals"] == {"weeks_total": 15, "weeks_confirmed": 1, "weeks_awaiting_confirmation": 1,
                             "weeks_late": log["totals"]["weeks_late"], "confirmed_minutes": 960,
                             "confirmed_hours": 16.0, "required_hours": 120, "percent": 13, "hours_met": False}
    weeks = log["weeks"]
    assert len(weeks) == 15 and [w["week_no"] for w in weeks] == list(range(1, 16))
    assert [w["status"] for w in weeks[:5]] == ["confirmed", "submitted", "returned", None, None]
    first = weeks[0]
    assert (first["hours"], len(first["days"])) == (16.0, 2)
    assert first["days"][0] == {"date": practice.placement.start_date.isoformat(), "start": "09:00", "end": "18:00",
                                "break_minutes": 60, "minutes": 480, "education_minutes": 0,
                                "did": "Data cleaning", "learned": "pandas"}
    assert first["url"].endswith(f"/practice/placements/{practice.placement.id}/weeks/1")
    returned = weeks[2]
    assert returned["comment"] == "Add what you learned on Monday."
    assert returned["decided_by"] == practice.supervisor.display_name
    # Week 4 ended more than a week ago with nothing submitted: late, as the practice page says.
    assert weeks[3]["late"]["kind"] == "unsubmitted" and weeks[3]["days"] == []
    assert weeks[14]["late"] is None
    assert log["totals"]["weeks_late"] == len(practice_logs.progress_for([practice.placement])
                                              [practice.placement.id].late)


def test_every_party_of_the_practice_reads_the_same_log_and_nobody_else_does(api, practice):
    path = f"/api/v1/placements/{practice.placement.id}/practice-log"
    bodies = []
    for name, user in _parties(practice).items():
        response = api.get(path, headers=bearer(make_token(user, "read:practice")))
        assert response.status_code == 200, name
        bodies.append(response.get_json())
    assert all(body == bodies[0] for body in bodies)
    for name, user in practice.outsiders.items():
        response = api.get(path, headers=bearer(make_token(user, "read:practice"), **EN))
        assert response.status_code == 404, name
        assert response.content_type == "application/problem+json"
        assert "Data cleaning" not in response.get_data(as_text=True)


def test_a_request_not_yet_approved_and_unknown_ids_are_404(api, practice):
    pending = make_placement(practice.student, make_opening(practice.placement.opening.company),
                             status=PlacementStatus.PENDING)
    token = make_token(practice.admin, "read:practice")
    for placement_id in (pending.id, 987654):
        response = api.get(f"/api/v1/placements/{placement_id}/practice-log", headers=bearer(token, **EN))
        assert response.status_code == 404 and response.get_json()["status"] == 404
    assert api.get("/api/v1/placements/abc/practice-log", headers=bearer(token)).status_code == 404


def test_a_token_without_read_practice_is_403_and_no_token_is_401(api, practice):
    path = f"/api/v1/placements/{practice.placement.id}/practice-log"
    narrow = make_token(practice.student, "read:openings", "read:applications")
    for url in (path, "/api/v1/practice-logs", f"/api/v1/placements/{practice.placement.id}/evaluations"):
        refused = api.get(url, headers=bearer(narrow, **EN))
        assert refused.status_code == 403 and refused.content_type == "application/problem+json"
        assert "read:practice" in refused.get_json()["detail"]
        assert 'scope="read:practice"' in refused.headers["WWW-Authenticate"]
        assert api.get(url).status_code == 401


def test_the_practice_scope_is_offered_to_every_role_with_a_korean_label(app, client, auth, practice):
    for user in (practice.student, practice.supervisor, practice.mentor, practice.xm, practice.admin):
        assert "read:practice" in api_tokens.scopes_for(user)
    auth.login(practice.mentor.email)
    html = client.get("/account/tokens/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert 'value="read:practice"' in html and "실습일지" in html


def test_the_log_answers_304_until_the_host_confirms_a_week(api, practice):
    path = f"/api/v1/placements/{practice.placement.id}/practice-log"
    token = make_token(practice.supervisor, "read:practice")
    first = api.get(path, headers=bearer(token))
    etag = first.headers["ETag"]
    again = api.get(path, headers=bearer(token, **{"If-None-Match": etag}))
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    practice_logs.confirm_week(practice.supervisor, practice.placement.id, 2, "Good week.")
    db.session.commit()
    changed = api.get(path, headers=bearer(token, **{"If-None-Match": etag}))
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["totals"]["confirmed_hours"] == 24.0
    assert changed.get_json()["weeks"][1]["status"] == "confirmed"


def test_the_list_holds_the_callers_practices_and_updated_since_keeps_what_changed(api, practice):
    other = make_practice_placement(make_student(make_group("SNU")), start=date(2027, 3, 1))
    everything = api.get("/api/v1/practice-logs", headers=bearer(make_token(practice.admin, "read:practice")))
    assert {item["placement_id"] for item in everything.get_json()["items"]} == {practice.placement.id, other.id}
    for name, user in _parties(practice).items():
        if name == "admin":
            continue
        body = api.get("/api/v1/practice-logs", headers=bearer(make_token(user, "read:practice"))).get_json()
        assert [item["placement_id"] for item in body["items"]] == [practice.placement.id], name
        assert body["items"][0]["totals"]["confirmed_hours"] == 16.0
    for name, user in practice.outsiders.items():
        body = api.get("/api/v1/practice-logs", headers=bearer(make_token(user, "read:practice"))).get_json()
        assert practice.placement.id not in {item["placement_id"] for item in body["items"]}, name
    snu_manager = practice.outsiders["other_group"]
    body = api.get("/api/v1/practice-logs", headers=bearer(make_token(snu_manager, "read:practice"))).get_json()
    assert [item["placement_id"] for item in body["items"]] == [other.id]

    token = make_token(practice.xm, "read:practice")
    since = db.session.get(Placement, practice.placement.id).updated_at + timedelta(seconds=1)
    stamp = since.isoformat().replace("+00:00", "Z")
    assert api.get("/api/v1/practice-logs", headers=bearer(token),
                   query_string={"updated_since": stamp}).get_json()["items"] == []
    week = db.session.scalar(db.select(practice_logs.PracticeWeek).where(
        practice_logs.PracticeWeek.placement_id == practice.placement.id, practice_logs.PracticeWeek.week_no == 2))
    week.updated_at = since + timedelta(minutes=5)  # the host confirmed it later (set directly: no waiting)
    db.session.commit()
    changed = api.get("/api/v1/practice-logs", headers=bearer(token), query_string={"updated_since": stamp})
    items = changed.get_json()["items"]
    assert [item["placement_id"] for item in items] == [practice.placement.id]
    assert items[0]["updated_at"].startswith((since + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))
    naive = api.get("/api/v1/practice-logs?updated_since=2027-01-01T00:00:00", headers=bearer(token, **EN))
    assert naive.status_code == 422 and naive.get_json()["errors"][0]["field"] == "updated_since"


def test_the_list_pages_with_links(api, practice):
    student = practice.student
    for _ in range(2):
        make_practice_placement(student, start=date(2027, 3, 1))
    token = make_token(student, "read:practice")
    first = api.get("/api/v1/practice-logs?per_page=2", headers=bearer(token))
    body = first.get_json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 2
    assert first.headers["X-Total-Count"] == "3" and 'rel="next"' in first.headers["Link"]
    second = api.get(body["links"]["next"], headers=bearer(token)).get_json()
    ids = {i["placement_id"] for i in body["items"]} | {i["placement_id"] for i in second["items"]}
    assert len(ids) == 3 and practice.placement.id in ids
    assert api.get("/api/v1/practice-logs?per_page=500", headers=bearer(token)).status_code == 422


# -- evaluations ----------------------------------------------------------------------------------------------------


def _give_both(practice: Practice) -> None:
    """The host's final evaluation of the student and the student's evaluation of the host, written directly."""
    items = evaluations.active_items()
    db.session.add(Evaluation(
        placement_id=practice.placement.id, kind=EvaluationKind.SUPERVISOR_FINAL, author_id=practice.supervisor.id,
        strengths="Careful with data.", improvements="Ask earlier.", recommended_grade="A0",
        scores=[{"item_id": i.id, "name_ko": i.name_ko, "name_en": i.name_en, "score": 4} for i in items]))
    db.session.add(Evaluation(placement_id=practice.placement.id, kind=EvaluationKind.STUDENT_HOST,
                              author_id=practice.student.id, learning=4, supervision=5, environment=3,
                              would_recommend=True, comment="Good lab, little feedback."))
    db.session.commit()


def _evaluations(api, practice: Practice, user: User) -> dict:
    response = api.get(f"/api/v1/placements/{practice.placement.id}/evaluations",
                       headers=bearer(make_token(user, "read:practice"), **EN))
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["kind"]: item for item in response.get_json()["evaluations"]} | {"_": response.get_json()}


def test_each_party_reads_the_evaluations_the_page_shows_them(api, practice):
    _give_both(practice)
    student = _evaluations(api, practice, practice.student)
    assert student["_"]["role"] == "student"
    # The student sees that the host evaluated them, not what it wrote, nor who wrote it.
    final = student["supervisor_final"]
    assert final["given"] is True and final["visible"] is False
    assert final["supervisor"] is None and final["author"] is None
    assert "Careful with data" not in str(student)
    assert student["student_host"]["host"] == {"learning": 4, "supervision": 5, "environment": 3,
                                               "would_recommend": True, "comment": "Good lab, little feedback."}
    assert student["supervisor_midterm"]["given"] is False and student["supervisor_midterm"]["window"] is None

    supervisor = _evaluations(api, practice, practice.supervisor)
    # The host reads its own evaluation, never the student's answers about it (anonymous to the company).
    assert supervisor["supervisor_final"]["supervisor"]["recommended_grade"] == "A0"
    assert supervisor["supervisor_final"]["author"] == practice.supervisor.display_name
    assert supervisor["student_host"]["given"] is True and supervisor["student_host"]["host"] is None
    assert supervisor["student_host"]["author"] is None and "little feedback" not in str(supervisor)

    mentor = _evaluations(api, practice, practice.mentor)
    assert mentor["supervisor_final"]["supervisor"]["average"] == 4.0 and mentor["student_host"]["host"] is None

    for user in (practice.xm, practice.admin):
        both = _evaluations(api, practice, user)
        assert both["supervisor_final"]["supervisor"]["strengths"] == "Careful with data."
        assert both["student_host"]["host"]["comment"] == "Good lab, little feedback."
        assert both["student_host"]["author"] is None
        scores = both["supervisor_final"]["supervisor"]["scores"]
        assert scores and {s["score"] for s in scores} == {4} and scores[0]["name_en"]


def test_evaluation_windows_follow_the_course_plan(api, practice):
    body = _evaluations(api, practice, practice.student)
    final = body["supervisor_final"]
    window = evaluations.windows_for(practice.placement, evaluations._plan_for(practice.placement))[
        EvaluationKind.SUPERVISOR_FINAL]
    assert final["window"] == {"opens_on": window.opens_on.isoformat(), "closes_on": window.closes_on.isoformat(),
                               "state": "upcoming"}
    assert final["given"] is False and final["submitted_at"] is None
    assert final["name"] == "final evaluation of the student"
    korean = api.get(f"/api/v1/placements/{practice.placement.id}/evaluations",
                     headers=bearer(make_token(practice.student, "read:practice"), **{"Accept-Language": "ko"}))
    assert korean.get_json()["evaluations"][1] | {"name": None} == final | {"name": None}
    assert korean.get_json()["evaluations"][1]["name"] == "학생 최종 평가"


def test_outsiders_and_unknown_ids_get_404_for_evaluations_and_etags_hold(api, practice):
    _give_both(practice)
    path = f"/api/v1/placements/{practice.placement.id}/evaluations"
    for name, user in practice.outsiders.items():
        response = api.get(path, headers=bearer(make_token(user, "read:practice")))
        assert response.status_code == 404, name
        assert "little feedback" not in response.get_data(as_text=True)
    token = make_token(practice.xm, "read:practice")
    assert api.get("/api/v1/placements/987654/evaluations", headers=bearer(token)).status_code == 404
    first = api.get(path, headers=bearer(token))
    again = api.get(path, headers=bearer(token, **{"If-None-Match": first.headers["ETag"]}))
    assert again.status_code == 304
