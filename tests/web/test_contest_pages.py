"""The contest pages as each role uses them: organising, forming a team by invitation, submitting (bad files kept
beside their fields), scoring (out-of-range kept), results hidden then published; 404 for what one may not see;
query counts of the list, detail and results pages."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    Contest,
    ContestStatus,
    ContestSubmission,
    ContestTeamMember,
    JudgeAssignment,
)
from marketplace.services import contests
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening
from tests.factories_contests import make_contest, make_problem, make_team, report_pdf, submit, to_judging, zip_of


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_an_exchange_manager_creates_a_contest_and_bad_input_is_kept_beside_the_fields(app, client, auth):
    pnu = make_group("PNU")
    xm = make_exchange_manager(pnu)
    auth.login(xm.email)
    form = {"title": "2027 Medical AI Challenge", "theme": "Sepsis prediction", "tracks": "Imaging\nEMR",
            "group_ids": str(pnu.id), "registration_opens_at": "2027-03-01T09:00",
            "registration_closes_at": "2027-02-01T09:00", "submission_deadline": "2027-05-01T18:00",
            "judging_ends_at": "2027-05-20T18:00", "results_at": "2027-05-30T10:00", "awards": "Grand prize"}
    response = auth.post("/contests/new", form, form_page="/contests/new")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This date must not be before the one above it." in html and "Sepsis prediction" in html
    form["registration_closes_at"] = "2027-04-01T09:00"
    response = auth.post("/contests/new", form, form_page="/contests/new")
    assert response.status_code == 302
    contest = db.session.scalar(select(Contest))
    # Typed in Korea: 18:00 KST is 09:00 UTC.
    assert contest.submission_deadline.hour == 9 and contest.status == ContestStatus.DRAFT
    assert client.get(response.headers["Location"]).status_code == 200
    auth.logout()
    auth.login(make_student(group=pnu).email)
    assert client.get(f"/contests/{contest.id}").status_code == 404  # a draft


def test_a_team_forms_by_invitation_and_a_sixth_member_is_refused_beside_the_field(app, client, auth):
    contest, _ = make_contest()
    team, students = make_team(contest, members=4)
    fifth, sixth = make_student(group=contest.groups[0]), make_student(group=contest.groups[0])
    auth.login(students[0].email)
    page = f"/contests/teams/{team.id}"
    assert auth.post(f"/contests/teams/{team.id}/invite", {"email": fifth.email}, form_page=page).status_code == 302
    auth.logout()
    auth.login(fifth.email)
    html = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert f"You are invited to the team {team.name}" in html
    row = db.session.scalar(select(ContestTeamMember).where(ContestTeamMember.user_id == fifth.id))
    response = auth.post(f"/contests/invitations/{row.id}/accept", form_page=f"/contests/{contest.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    auth.logout()
    auth.login(students[0].email)
    response = auth.post(f"/contests/teams/{team.id}/invite", {"email": sixth.email}, form_page=page)
    assert response.status_code in (200, 400)
    assert "A team has at most 5 members." in response.get_data(as_text=True) or \
        "Invite" not in client.get(page).get_data(as_text=True)


def test_an_unverified_student_reads_why_they_cannot_form_a_team(app, client, auth):
    contest, _ = make_contest()
    student = make_student(group=contest.groups[0], verified=False)
    auth.login(student.email)
    response = auth.post(f"/contests/{contest.id}/teams", {"name": "Lonely hearts"},
                         form_page=f"/contests/{contest.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "not verified yet" in html and "Lonely hearts" in html


def test_a_zip_bomb_is_refused_beside_the_archive_field_and_the_note_is_kept(app, client, auth):
    contest, _ = make_contest()
    team, (captain,) = make_team(contest)
    auth.login(captain.email)
    page = f"/contests/teams/{team.id}"
    bomb = zip_of({"zeros.bin": b"\0" * (50 * 1024 * 1024)})
    response = auth.post(f"/contests/teams/{team.id}/submissions", {
        "report": (io.BytesIO(report_pdf()), "report.pdf"), "archive": (io.BytesIO(bomb), "code.zip"),
        "note": "Our final model"}, form_page=page, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "ZIP bomb" in html and "Our final model" in html
    assert 'id="archive-error"' in html
    response = auth.post(f"/contests/teams/{team.id}/submissions", {
        "report": (io.BytesIO(b"\x7fELF" + b"\0" * 100), "report.pdf")}, form_page=page,
        content_type="multipart/form-data")
    assert response.status_code == 400 and "This file is a program, not a PDF." in response.get_data(as_text=True)
    response = auth.post(f"/contests/teams/{team.id}/submissions", {
        "report": (io.BytesIO(report_pdf()), "report.pdf")}, form_page=page, content_type="multipart/form-data")
    assert response.status_code == 302
    submission = db.session.scalar(select(ContestSubmission))
    download = client.get(f"/contests/submissions/{submission.id}/report")
    assert download.status_code == 200 and download.data == report_pdf()


def test_another_teams_submission_and_team_page_are_404(app, client, auth):
    contest, _ = make_contest()
    team, (captain,) = make_team(contest)
    other, (stranger,) = make_team(contest)
    submission = submit(team, captain)
    auth.login(stranger.email)
    assert client.get(f"/contests/submissions/{submission.id}/report").status_code == 404
    assert client.get(f"/contests/submissions/{submission.id}/archive").status_code == 404
    assert client.get(f"/contests/teams/{team.id}").status_code == 404
    assert client.get("/contests/submissions/999999/report").status_code == 404


def _judged_contest():
    contest, organiser = make_contest()
    teams = [make_team(contest) for _ in range(2)]
    for team, (captain,) in teams:
        submit(team, captain)
    judge = make_company_manager()
    contests.invite_judge(organiser, contest.id, judge.email)
    db.session.commit()
    to_judging(contest, organiser)
    contests.assign_judges(organiser, contest.id, per_team=1)
    db.session.commit()
    return contest, organiser, teams, judge


def test_a_score_outside_the_range_is_refused_beside_its_field_and_what_was_typed_stays(app, client, auth):
    contest, organiser, teams, judge = _judged_contest()
    assignment = db.session.scalars(select(JudgeAssignment)).first()
    first, second = contest.criteria
    auth.login(judge.email)
    page = f"/contests/assignments/{assignment.id}"
    response = auth.post(page, {f"score_{first.id}": "11", f"score_{second.id}": "7", "comment": "Strong idea"},
                         form_page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a whole number from 0 to 10." in html and 'value="11"' in html and "Strong idea" in html
    assert f'id="score_{first.id}-error"' in html
    response = auth.post(page, {f"score_{first.id}": "9", f"score_{second.id}": "7"}, form_page=page)
    assert response.status_code == 302


def test_results_are_hidden_from_teams_until_published_then_ranked_with_the_tie_rule(app, client, auth):
    contest, organiser, teams, judge = _judged_contest()
    captain = teams[0][1][0]
    auth.login(captain.email)
    assert client.get(f"/contests/{contest.id}/results").status_code == 404
    assert "Rank" not in client.get(f"/contests/teams/{teams[0][0].id}").get_data(as_text=True)
    auth.logout()
    for assignment in db.session.scalars(select(JudgeAssignment)):
        contests.score(judge, assignment.id, {c.id: 8 if assignment.team_id == teams[0][0].id else 5
                                              for c in contest.criteria})
    db.session.commit()
    auth.login(organiser.email)
    response = auth.post(f"/contests/{contest.id}/move/publish", form_page=f"/contests/{contest.id}")
    assert response.status_code == 302
    auth.logout()
    auth.login(captain.email)
    html = client.get(f"/contests/{contest.id}/results").get_data(as_text=True)
    assert "higher mean score on the first rubric criterion" in html and "Grand prize" in html
    assert "Rank 1" in client.get(f"/contests/teams/{teams[0][0].id}").get_data(as_text=True)


def test_a_company_invites_the_solving_team_to_apply_from_the_team_page(app, client, auth):
    contest, organiser = make_contest()
    company = make_company(groups=list(contest.groups))
    problem, cm = make_problem(contest, company=company, organiser=organiser)
    team, (captain,) = make_team(contest, problem=problem)
    submit(team, captain)
    judge = make_admin()
    contests.invite_judge(organiser, contest.id, judge.email)
    to_judging(contest, organiser)
    contests.assign_judges(organiser, contest.id, per_team=1)
    for assignment in db.session.scalars(select(JudgeAssignment)):
        contests.score(judge, assignment.id, {c.id: 5 for c in contest.criteria})
    contests.move(organiser, contest.id, ContestStatus.RESULTS_PUBLISHED)
    opening = make_opening(company)
    db.session.commit()
    auth.login(cm.email)
    page = f"/contests/teams/{team.id}"
    assert "Invite to apply" in client.get(page).get_data(as_text=True)
    response = auth.post(f"/contests/teams/{team.id}/invite-to-opening", {"opening_id": str(opening.id)},
                         form_page=page)
    assert response.status_code == 302
    auth.logout()
    from marketplace.models import Notification

    note = db.session.scalar(select(Notification).where(Notification.user_id == captain.id,
                                                        Notification.kind == "contest_opening_invite"))
    assert note.link == f"/openings/{opening.id}"
    auth.login(captain.email)
    assert client.get(note.link).status_code == 200


@pytest.mark.parametrize("extra", [0, 4])
def test_query_counts_do_not_grow_with_teams_or_contests(app, client, auth, count_queries, extra):
    contest, organiser = make_contest()
    judge = make_admin()
    contests.invite_judge(organiser, contest.id, judge.email)
    db.session.commit()
    for _ in range(1 + extra):
        make_contest(organiser=organiser, groups=list(contest.groups))
        team, (captain,) = make_team(contest)
        submit(team, captain)
    to_judging(contest, organiser)
    contests.assign_judges(organiser, contest.id, per_team=1)
    for assignment in db.session.scalars(select(JudgeAssignment)):
        contests.score(judge, assignment.id, {c.id: 5 for c in contest.criteria})
    contests.move(organiser, contest.id, ContestStatus.RESULTS_PUBLISHED)
    db.session.commit()
    student = make_student(group=contest.groups[0])
    organiser_email, contest_id = organiser.email, contest.id
    auth.login(student.email)
    counts = {name: count_queries.page(client, path) for name, path in
              (("list", "/contests/"), ("detail", f"/contests/{contest_id}"),
               ("results", f"/contests/{contest_id}/results"))}
    auth.logout()
    auth.login(organiser_email)
    counts["organiser detail"] = count_queries.page(client, f"/contests/{contest_id}")
    # The same number of statements whatever the number of teams and contests (pinned by both parametrisations).
    assert counts == EXPECTED_COUNTS, counts


EXPECTED_COUNTS = {"list": 4, "detail": 11, "results": 14, "organiser detail": 18}
