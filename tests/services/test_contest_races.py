"""Contest races with real threads on SQLite and PostgreSQL: a team never gets a sixth member, a student never
joins two teams, two versions submitted at once never share a number."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import ContestSubmission, ContestTeam, ContestTeamMember, MemberStatus, User
from marketplace.services import contests
from tests.concurrency import run_together
from tests.factories import make_student
from tests.factories_contests import make_contest, make_team, report_pdf


def _accept(user_id: int, member_id: int):
    def job(ready):
        actor = db.session.get(User, user_id)
        ready()
        contests.accept_invitation(actor, member_id)
    return job


def test_two_invitations_accepted_at_once_never_make_a_sixth_member(app):
    contest, _ = make_contest()
    team, students = make_team(contest, members=4)
    invitees = [make_student(group=contest.groups[0]) for _ in range(2)]
    rows = [contests.invite_member(students[0], team.id, invitee.email) for invitee in invitees]
    db.session.commit()
    results = run_together(app, [_accept(i.id, r.id) for i, r in zip(invitees, rows)])
    assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"], results
    assert any("already has 5 members" in message for _, message in results)
    assert db.session.get(ContestTeam, team.id).member_count == 5
    assert db.session.scalar(select(func.count(ContestTeamMember.id)).where(
        ContestTeamMember.team_id == team.id, ContestTeamMember.status == MemberStatus.MEMBER)) == 5


def test_a_student_accepting_two_teams_at_once_joins_one(app):
    contest, _ = make_contest()
    (team_a, (a,)), (team_b, (b,)) = make_team(contest), make_team(contest)
    student = make_student(group=contest.groups[0])
    rows = [contests.invite_member(a, team_a.id, student.email), contests.invite_member(b, team_b.id, student.email)]
    db.session.commit()
    results = run_together(app, [_accept(student.id, row.id) for row in rows])
    # The loser is refused either by the conditional move (a conflict, when both read "not in a team") or, when it
    # read after the winner committed, by the check before it: the same message either way.
    (won, _), (lost, message) = sorted(results, key=lambda result: result[0] != "ok")
    assert won == "ok" and (lost == "conflict" or message.startswith("DomainError: ")), results
    assert message.endswith("You are already in a team of this contest."), results
    assert db.session.scalar(select(func.count(ContestTeamMember.id)).where(
        ContestTeamMember.user_id == student.id, ContestTeamMember.status == MemberStatus.MEMBER)) == 1
    assert sorted(db.session.get(ContestTeam, t.id).member_count for t in (team_a, team_b)) == [1, 2]


def test_two_versions_submitted_at_once_get_distinct_numbers_or_one_is_refused(app):
    contest, _ = make_contest()
    team, (a, b) = make_team(contest, members=2)
    team_id, a_id, b_id = team.id, a.id, b.id

    def job_for(user_id):
        def job(ready):
            actor = db.session.get(User, user_id)
            ready()
            contests.submit(actor, team_id, contests.Upload(report_name="r.pdf", report=report_pdf()))
        return job

    results = run_together(app, [job_for(a_id), job_for(b_id)])
    assert all(outcome in ("ok", "conflict") for outcome, _ in results), results
    versions = db.session.scalars(select(ContestSubmission.version).where(ContestSubmission.team_id == team_id)).all()
    assert sorted(versions) == list(range(1, len(versions) + 1)) and versions
