"""The practice pages as their users meet them: the student logs and submits a week through the form, bad input
kept beside its messages, the supervisor confirms, progress shows the hours; course plan forms; the plan choice on
the manager's placement page; query counts of the practice pages, constant in the data's size."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from marketplace.extensions import db
from marketplace.models import CoursePlan, Placement, PracticeWeek, WeekStatus
from tests.conftest import CSRF_RE
from tests.factories import make_admin, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_practice import make_plan, make_practice_placement, make_week

MON = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _token(client, path: str) -> str:
    return CSRF_RE.search(client.get(path).get_data(as_text=True)).group(1)


def _week_form(client, placement, week_no=1, rows=(), action="save", version=""):
    path = f"/practice/placements/{placement.id}/weeks/{week_no}"
    data = {"csrf_token": _token(client, path), "version": version, "action": action}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"days-{i}-{key}"] = value
    return client.post(path, data=data)


def _row(day, start="09:00", end="18:00", brk="60", edu="60", did="Labelled CT slices", learned="Windowing"):
    return dict(day=day.isoformat(), start=start, end=end, break_minutes=brk, education_minutes=edu, did=did,
                learned=learned)


def test_the_student_logs_and_submits_a_week_and_the_supervisor_confirms_it(app, client, auth):
    placement = make_practice_placement(start=MON)
    make_plan(placement.student.student_profile.group, name="PNU practice", weeks=15, required_hours=120)
    auth.login(placement.student.email)
    html = client.get(f"/practice/placements/{placement.id}/weeks/1").get_data(as_text=True)
    assert 'name="days-6-day"' in html and "2027-03-07" in html  # one row per date of the week
    response = _week_form(client, placement, rows=[_row(MON), _row(MON + timedelta(1)), _row(MON + timedelta(5), "10:00", "12:00", "0", "0")],
                          action="submit")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "submitted to the host supervisor" in page
    assert "2027-03-06 is not a practice day of the agreed schedule" in page  # a warning, saved anyway
    auth.logout()

    auth.login(manager_of(placement.opening.company).email)
    path = f"/practice/placements/{placement.id}/weeks/1"
    review = client.get(path).get_data(as_text=True)
    assert "Confirm the week" in review and "Labelled CT slices" in review
    response = client.post(path + "/confirm", data={"csrf_token": _token(client, path), "comment": ""})
    assert response.status_code == 302
    home = client.get(f"/practice/placements/{placement.id}").get_data(as_text=True)
    assert "18 of 120 hours" in home
    auth.logout()

    auth.login(placement.student.email)
    listing = client.get("/practice/").get_data(as_text=True)
    assert "PNU practice" in listing and "18 / 120" in listing


def test_overlapping_days_and_malformed_times_are_refused_beside_their_fields_and_kept(app, client, auth):
    placement = make_practice_placement(start=MON)
    auth.login(placement.student.email)
    response = _week_form(client, placement, rows=[_row(MON, start="9시"), _row(MON, did="Second row, same day")])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the start time as HH:MM" in html
    assert "logged twice" in html
    assert 'value="9시"' in html and "Second row, same day" in html  # nothing typed is lost
    assert db.session.scalar(db.select(PracticeWeek).where(PracticeWeek.placement_id == placement.id)) is None


def test_a_day_outside_the_placement_is_refused_with_the_typed_values_kept(app, client, auth):
    placement = make_practice_placement(start=date(2027, 3, 3))
    auth.login(placement.student.email)
    response = _week_form(client, placement, rows=[_row(date(2027, 3, 2), did="Before my start")])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "outside the practice period" in html and "Before my start" in html


def test_a_week_over_40_hours_says_so_above_the_days(app, client, auth):
    placement = make_practice_placement(start=MON)
    auth.login(placement.student.email)
    rows = [_row(MON + timedelta(i)) for i in range(5)] + [_row(MON + timedelta(5), "09:00", "10:00", "0", "0")]
    response = _week_form(client, placement, rows=rows)
    assert response.status_code == 400
    assert "at most 40 hours a week" in response.get_data(as_text=True)


def test_a_stale_week_form_is_refused_with_what_was_typed_kept(app, client, auth):
    placement = make_practice_placement(start=MON)
    opened = str(make_week(placement, 1, days=[(MON, "09:00", "18:00", 60)]).version)
    auth.login(placement.student.email)
    first = _week_form(client, placement, rows=[_row(MON)], version=opened)
    assert first.status_code == 302
    response = _week_form(client, placement, rows=[_row(MON, did="Typed in the old tab")], version=opened)
    assert response.status_code == 409
    assert "Typed in the old tab" in response.get_data(as_text=True)


def test_a_manager_of_another_company_gets_404_on_the_week_and_its_confirmation(app, client, auth):
    placement = make_practice_placement(start=MON)
    make_week(placement, 1, WeekStatus.SUBMITTED, days=[(MON, "09:00", "18:00", 60)])
    auth.login(manager_of(make_company()).email)
    path = f"/practice/placements/{placement.id}/weeks/1"
    assert client.get(path).status_code == 404
    token = _token(client, "/practice/")
    assert client.post(path + "/confirm", data={"csrf_token": token}).status_code == 404
    assert db.session.get(PracticeWeek, placement.id and db.session.scalar(
        db.select(PracticeWeek.id).where(PracticeWeek.placement_id == placement.id))).status == WeekStatus.SUBMITTED


def test_returning_without_a_comment_says_so_beside_the_comment(app, client, auth):
    placement = make_practice_placement(start=MON)
    make_week(placement, 1, WeekStatus.SUBMITTED, days=[(MON, "09:00", "18:00", 60)])
    auth.login(manager_of(placement.opening.company).email)
    path = f"/practice/placements/{placement.id}/weeks/1"
    response = client.post(path + "/return", data={"csrf_token": _token(client, path), "comment": " "})
    assert response.status_code == 400
    assert "Say what the student should fix." in response.get_data(as_text=True)


def test_plan_form_keeps_bad_input_beside_each_field(app, client, auth):
    pnu = make_group("PNU")
    auth.login(make_exchange_manager(pnu).email)
    response = client.post("/practice/plans/new", data={
        "csrf_token": _token(client, "/practice/plans/new"), "group_id": str(pnu.id), "name": "Short course",
        "weeks": "fifteen", "required_hours": "900", "midterm_week": "9", "final_week": "8",
        "evaluation_window_days": "7", "mentor_min_load": "4", "mentor_max_load": "3", "min_education_share": "0"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="fifteen"' in html and "Enter a whole number." in html
    assert "The mid-term evaluation comes before the final one." in html
    assert "cannot be fewer than the least" in html
    assert db.session.scalar(db.select(CoursePlan)) is None


def test_a_manager_makes_a_default_plan_for_their_group_only(app, client, auth):
    pnu, snu = make_group("PNU"), make_group("SNU")
    old = make_plan(pnu, name="Old default")
    auth.login(make_exchange_manager(pnu).email)
    form = {"csrf_token": _token(client, "/practice/plans/new"), "name": "Ajou-style", "weeks": "15",
            "required_hours": "120", "midterm_week": "8", "final_week": "", "evaluation_window_days": "7",
            "mentor_min_load": "1", "mentor_max_load": "3", "min_education_share": "20", "is_default": "y",
            "active": "y"}
    assert client.post("/practice/plans/new", data={**form, "group_id": str(snu.id)}).status_code == 400
    assert client.post("/practice/plans/new", data={**form, "group_id": str(pnu.id)}).status_code == 302
    plan = db.session.scalar(db.select(CoursePlan).where(CoursePlan.name == "Ajou-style"))
    assert plan.is_default and plan.final_week == 15
    db.session.refresh(old)
    assert not old.is_default


def test_a_stale_plan_edit_is_refused_with_the_saved_values_shown(app, client, auth):
    pnu = make_group("PNU")
    plan = make_plan(pnu, name="PNU course")
    auth.login(make_exchange_manager(pnu).email)
    path = f"/practice/plans/{plan.id}/edit"
    token = _token(client, path)
    form = {"csrf_token": token, "group_id": str(pnu.id), "weeks": "15", "required_hours": "120",
            "midterm_week": "8", "final_week": "15", "evaluation_window_days": "7", "mentor_min_load": "1",
            "mentor_max_load": "3", "min_education_share": "0", "is_default": "y", "active": "y",
            "version": str(plan.version)}
    assert client.post(path, data={**form, "name": "First save"}).status_code == 302
    response = client.post(path, data={**form, "name": "Second tab"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Second tab" in html and "First save" in html


def test_the_manager_chooses_a_placements_plan_on_its_page(app, client, auth):
    pnu = make_group("PNU")
    make_plan(pnu, name="PNU course")
    short = make_plan(pnu, name="Short course", weeks=4, required_hours=32, is_default=False)
    placement = make_practice_placement(make_student(pnu), start=MON)
    manager = make_exchange_manager(pnu)
    auth.login(manager.email)
    page = client.get(f"/manager/placements/{placement.id}").get_data(as_text=True)
    assert "Follows “PNU course”" in page
    token = CSRF_RE.search(page).group(1)
    response = client.post(f"/practice/placements/{placement.id}/plan",
                           data={"csrf_token": token, "course_plan_id": str(short.id)})
    assert response.status_code == 302
    assert "Follows “Short course”" in client.get(f"/manager/placements/{placement.id}").get_data(as_text=True)
    assert db.session.get(Placement, placement.id).course_plan_id == short.id


def test_each_role_sees_only_its_own_practices_in_the_list(app, client, auth):
    pnu, snu = make_group("PNU"), make_group("SNU")
    mine = make_practice_placement(make_student(pnu), start=MON)
    theirs = make_practice_placement(make_student(snu), start=MON)
    for user, shown, hidden in (
        (mine.student, mine, theirs),
        (manager_of(mine.opening.company), mine, theirs),
        (make_exchange_manager(pnu), mine, theirs),
    ):
        auth.login(user.email)
        html = client.get("/practice/").get_data(as_text=True)
        assert f"/practice/placements/{shown.id}\"" in html and f"/practice/placements/{hidden.id}\"" not in html
        auth.logout()
    auth.login(make_admin().email)
    html = client.get("/practice/").get_data(as_text=True)
    assert f"/practice/placements/{mine.id}\"" in html and f"/practice/placements/{theirs.id}\"" in html


def test_a_mentor_lists_the_practices_of_their_students_only(app, client, auth):
    from marketplace.models.mentoring import MentorAssignment
    from tests.factories import make_mentor

    pnu = make_group("PNU")
    mine = make_practice_placement(make_student(pnu), start=MON)
    theirs = make_practice_placement(make_student(pnu), start=MON)
    mentor = make_mentor(pnu)
    db.session.add(MentorAssignment(placement_id=mine.id, mentor_id=mentor.id))
    db.session.commit()
    auth.login(mentor.email)
    html = client.get("/practice/").get_data(as_text=True)
    assert f"/practice/placements/{mine.id}\"" in html and f"/practice/placements/{theirs.id}\"" not in html
    assert client.get(f"/practice/placements/{theirs.id}").status_code == 404


# -- query counts: constant in the number of placements and weeks ---------------------------------------------------


def _practices(count, company_id, group_id):
    from marketplace.models import Company, ProjectGroup

    company, group = db.session.get(Company, company_id), db.session.get(ProjectGroup, group_id)
    opening = make_opening(company, seats=count + 1, degree_levels=[], majors=[])
    out = []
    for _ in range(count):
        placement = make_practice_placement(make_student(group), opening, start=MON)
        make_week(placement, 1, WeekStatus.CONFIRMED, days=[(MON, "09:00", "18:00", 60)])
        make_week(placement, 2, WeekStatus.SUBMITTED, days=[(MON + timedelta(7), "09:00", "18:00", 60)])
        out.append(placement)
    return out


@pytest.mark.parametrize("who", ["company", "manager", "admin"])
def test_the_practice_list_takes_the_same_queries_for_one_or_many_practices(app, client, auth, count_queries, who):
    pnu = make_group("PNU")
    make_plan(pnu, name="PNU course")
    company = make_company(groups=[pnu])
    user = {"company": lambda: manager_of(company), "manager": lambda: make_exchange_manager(pnu),
            "admin": make_admin}[who]()
    company_id, group_id = company.id, pnu.id
    _practices(1, company_id, group_id)
    auth.login(user.email)
    few = count_queries.page(client, "/practice/")
    _practices(4, company_id, group_id)
    many = count_queries.page(client, "/practice/")
    assert few == many


def test_the_practice_home_takes_the_same_queries_for_few_or_many_weeks(app, client, auth, count_queries):
    placement = make_practice_placement(start=MON)
    make_week(placement, 1, WeekStatus.CONFIRMED, days=[(MON, "09:00", "18:00", 60)])
    auth.login(placement.student.email)
    few = count_queries.page(client, f"/practice/placements/{placement.id}")
    for n in range(2, 8):
        first = MON + timedelta(weeks=n - 1)
        make_week(placement, n, WeekStatus.SUBMITTED, days=[(first + timedelta(d), "09:00", "18:00", 60) for d in range(5)])
    many = count_queries.page(client, f"/practice/placements/{placement.id}")
    assert few == many
