"""The contest services: timeline and states, problems, teams, submissions, judging with conflicts, results."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    ContestOpeningInvite,
    ContestStatus,
    ContestSubmission,
    JudgeAssignment,
    MemberStatus,
    Notification,
    OutboxEmail,
    ProblemStatus,
    Role,
    User,
)
from marketplace.models.base import utcnow
from marketplace.services import contests
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_contests import (
    contest_data,
    make_contest,
    make_problem,
    make_team,
    problem_data,
    report_pdf,
    submit,
    to_judging,
    zip_of,
)


def fields(error: DomainError) -> dict:
    return {f: m for f, m in error.field_messages()}


# -- contests --------------------------------------------------------------------------------------------------


def test_exchange_manager_creates_a_draft_contest_for_their_groups_only(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    xm = make_exchange_manager(pnu)
    contest = contests.create_contest(xm, contest_data([pnu]))
    assert contest.status == ContestStatus.DRAFT and [t.name for t in contest.tracks] == ["Imaging", "Clinical NLP"]
    with pytest.raises(DomainError) as refused:
        contests.create_contest(xm, contest_data([snu]))
    assert refused.value.field == "group_ids"
    with pytest.raises(Forbidden):
        contests.create_contest(make_student(group=pnu), contest_data([pnu]))


def test_a_contest_form_reports_every_wrong_field_at_once(app):
    pnu = make_group("PNU")
    now = utcnow()
    data = contest_data([pnu], title="", tracks=[], submission_deadline=now - timedelta(days=30))
    with pytest.raises(ValidationFailed) as refused:
        contests.create_contest(make_admin(), data)
    assert {"title", "tracks", "submission_deadline"} <= set(fields(refused.value))


def test_states_move_forward_only_and_judging_waits_for_the_deadline(app):
    contest, organiser = make_contest(status=ContestStatus.DRAFT)
    with pytest.raises(Conflict):
        contests.move(organiser, contest.id, ContestStatus.JUDGING)
    contests.move(organiser, contest.id, ContestStatus.OPEN)
    with pytest.raises(Conflict):
        contests.move(organiser, contest.id, ContestStatus.OPEN)
    with pytest.raises(Conflict):  # the deadline itself still belongs to the teams
        contests.move(organiser, contest.id, ContestStatus.JUDGING, now=contest.submission_deadline)
    contests.move(organiser, contest.id, ContestStatus.JUDGING, now=contest.submission_deadline + timedelta(seconds=1))
    assert contest.status == ContestStatus.JUDGING


def test_drafts_are_hidden_from_students_and_other_groups_managers(app):
    contest, organiser = make_contest(status=ContestStatus.DRAFT)
    other = make_exchange_manager(make_group("SNU"))
    for viewer in (make_student(), other, make_company_manager()):
        with pytest.raises(NotFound):
            contests.get_contest(viewer, contest.id)
        assert contest not in contests.visible_contests(viewer)
    assert contests.get_contest(organiser, contest.id) is contest
    with pytest.raises(NotFound):
        contests.move(other, contest.id, ContestStatus.OPEN)


# -- problems --------------------------------------------------------------------------------------------------


def test_a_partner_company_proposes_a_problem_and_the_organiser_accepts_it(app):
    contest, organiser = make_contest()
    problem, cm = make_problem(contest, accept=False)
    assert problem.status == ProblemStatus.PROPOSED
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == organiser.id, Notification.kind == "contest_problem_proposed")) == 1
    assert problem not in contests.problems_of(contest, make_student())
    contests.decide_problem(organiser, problem.id, True)
    assert problem.status == ProblemStatus.ACCEPTED and problem in contests.problems_of(contest, make_student())
    with pytest.raises(Conflict):
        contests.decide_problem(organiser, problem.id, False, "again")
    assert "contest_problem_accepted" in db.session.scalars(select(Notification.kind)
                                                             .where(Notification.user_id == cm.id)).all()


def test_a_returned_problem_carries_the_note_and_goes_back_when_revised(app):
    contest, organiser = make_contest()
    problem, cm = make_problem(contest, accept=False)
    with pytest.raises(DomainError) as refused:
        contests.decide_problem(organiser, problem.id, False, "")
    assert refused.value.field == "note"
    contests.decide_problem(organiser, problem.id, False, "Describe the labels.")
    assert problem.status == ProblemStatus.RETURNED and problem.return_note == "Describe the labels."
    contests.revise_problem(cm, problem.id, problem_data(title="Better problem"))
    assert problem.status == ProblemStatus.PROPOSED and problem.title == "Better problem"


def test_hospital_data_needs_the_irb_answer_and_approved_irb_its_number(app):
    contest, _ = make_contest()
    cm = manager_of(make_company(groups=list(contest.groups)))
    with pytest.raises(DomainError) as refused:
        contests.propose_problem(cm, contest.id, problem_data(data_source="hospital", irb_status=""))
    assert refused.value.field == "irb_status"
    with pytest.raises(ValidationFailed) as refused:
        contests.propose_problem(cm, contest.id, problem_data(data_source="hospital", irb_status="approved"))
    assert {"irb_institution", "irb_number"} <= set(fields(refused.value))


def test_only_managers_of_an_approved_company_propose(app):
    contest, _ = make_contest()
    with pytest.raises(Forbidden):
        contests.propose_problem(make_student(), contest.id, problem_data())
    with pytest.raises(Forbidden):
        contests.propose_problem(make_company_manager(), contest.id, problem_data())  # no company
    pending = make_company(groups=list(contest.groups), approved=False)
    with pytest.raises(DomainError):
        contests.propose_problem(manager_of(pending), contest.id, problem_data())


# -- teams -----------------------------------------------------------------------------------------------------


def test_an_unverified_student_is_refused_with_the_reason(app):
    contest, _ = make_contest()
    unverified = make_student(group=contest.groups[0], verified=False)
    with pytest.raises(DomainError) as refused:
        contests.create_team(unverified, contest.id, "Alone")
    assert "not verified" in refused.value.message
    team, (captain,) = make_team(contest)
    with pytest.raises(DomainError) as refused:
        contests.invite_member(captain, team.id, unverified.email)
    assert refused.value.field == "email" and "not verified" in refused.value.message


def test_a_sixth_member_is_refused(app):
    contest, _ = make_contest()
    team, students = make_team(contest, members=5)
    assert team.member_count == 5
    sixth = make_student(group=contest.groups[0])
    with pytest.raises(DomainError) as refused:
        contests.invite_member(students[0], team.id, sixth.email)
    assert "at most 5" in refused.value.message


def test_an_invitation_accepted_after_the_team_filled_is_refused(app):
    contest, _ = make_contest()
    team, students = make_team(contest, members=4)
    late, early = make_student(group=contest.groups[0]), make_student(group=contest.groups[0])
    late_row = contests.invite_member(students[0], team.id, late.email)
    early_row = contests.invite_member(students[0], team.id, early.email)
    contests.accept_invitation(early, early_row.id)
    with pytest.raises(Conflict) as refused:
        contests.accept_invitation(late, late_row.id)
    assert "already has 5 members" in refused.value.message


def test_one_team_per_student_per_contest(app):
    contest, _ = make_contest()
    team_a, (a,) = make_team(contest)
    team_b, (b,) = make_team(contest)
    with pytest.raises(DomainError):
        contests.create_team(a, contest.id, "Second team")
    with pytest.raises(DomainError) as refused:
        contests.invite_member(b, team_b.id, a.email)
    assert "already in a team" in refused.value.message


def test_teams_cross_groups_only_when_the_contest_allows(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    admin = make_admin()
    closed, _ = make_contest(organiser=admin, groups=[pnu, snu])
    team, (captain,) = make_team(closed, group=pnu)
    other = make_student(group=snu)
    with pytest.raises(DomainError) as refused:
        contests.invite_member(captain, team.id, other.email)
    assert "within one project group" in refused.value.message
    open_contest, _ = make_contest(organiser=admin, groups=[pnu, snu], allow_cross_group=True)
    team, (captain,) = make_team(open_contest, group=pnu)
    row = contests.invite_member(captain, team.id, other.email)
    contests.accept_invitation(other, row.id)
    assert team.member_count == 2


def test_an_invitation_is_a_notification_with_a_link_and_can_be_declined(app):
    contest, _ = make_contest()
    team, (captain,) = make_team(contest)
    invitee = make_student(group=contest.groups[0])
    row = contests.invite_member(captain, team.id, invitee.email.upper())
    note = db.session.scalar(select(Notification).where(Notification.user_id == invitee.id))
    assert note.kind == "contest_team_invitation" and note.link == f"/contests/teams/{team.id}"
    with pytest.raises(NotFound):
        contests.accept_invitation(captain, row.id)  # someone else's invitation
    contests.decline_invitation(invitee, row.id)
    assert row.status == MemberStatus.DECLINED and team.member_count == 1
    with pytest.raises(Conflict):
        contests.accept_invitation(invitee, row.id)


def test_registration_closes_at_its_instant(app):
    contest, _ = make_contest()
    student = make_student(group=contest.groups[0])
    with pytest.raises(DomainError):
        contests.create_team(student, contest.id, "Late", now=contest.registration_closes_at + timedelta(seconds=1))
    contests.create_team(student, contest.id, "Just in time", now=contest.registration_closes_at)


# -- submissions -----------------------------------------------------------------------------------------------


def test_a_submission_one_second_late_is_refused_and_the_deadline_itself_counts(app):
    contest, _ = make_contest()
    team, (captain,) = make_team(contest)
    first = submit(team, captain)
    last = submit(team, captain, when=contest.submission_deadline)
    assert (first.version, last.version) == (1, 2)
    with pytest.raises(DomainError) as refused:
        submit(team, captain, when=contest.submission_deadline + timedelta(seconds=1))
    assert refused.value.field == "report" and "deadline" in refused.value.message
    assert contests.final_submissions(contest.id)[team.id].id == last.id


def test_the_report_must_be_a_pdf_that_opens(app):
    contest, _ = make_contest()
    team, (captain,) = make_team(contest)
    for data, words in ((b"\x7fELF\x02\x01\x01" + b"\0" * 200, "program"), (b"MZ\x90\0" + b"\0" * 100, "program"),
                        (b"hello", "not a PDF"), (b"%PDF-1.4\ngarbage\n%%EOF\n", "cannot be opened")):
        with pytest.raises(DomainError) as refused:
            submit(team, captain, report=data)
        assert refused.value.field == "report" and words in refused.value.message
    assert db.session.scalar(select(func.count(ContestSubmission.id))) == 0


@pytest.mark.parametrize("entries, words", [
    ({"../evil.py": b"x"}, "outside its folder"),
    ({"/etc/passwd": b"x"}, "outside its folder"),
    ({"bin/run.pdf": b"\x7fELF" + b"\0" * 64}, "holds a program"),
    ({"setup.exe": b"MZ" + b"\0" * 64}, "holds a program"),
    ({"tool": b"\xcf\xfa\xed\xfe" + b"\0" * 64}, "holds a program"),
])
def test_unsafe_archives_are_refused(app, entries, words):
    contest, _ = make_contest()
    team, (captain,) = make_team(contest)
    with pytest.raises(DomainError) as refused:
        submit(team, captain, archive=zip_of(entries))
    assert refused.value.field == "archive" and words in refused.value.message


def test_a_zip_bomb_is_refused_and_a_normal_archive_kept(app):
    contest, _ = make_contest()
    team, (captain,) = make_team(contest)
    bomb = zip_of({"zeros.bin": b"\0" * (50 * 1024 * 1024)})  # 50 MB of zeros in ~50 KB
    assert len(bomb) < 200 * 1024
    with pytest.raises(DomainError) as refused:
        submit(team, captain, archive=bomb)
    assert "ZIP bomb" in refused.value.message
    with pytest.raises(DomainError):
        submit(team, captain, archive=b"PK\x03\x04 not really")
    ok = submit(team, captain, archive=zip_of({"train.py": b"print('hello')\n", "results/auc.txt": b"0.91\n"}))
    assert ok.code_size and ok.code_original_name == "code.zip"


def test_a_teams_submission_is_seen_by_its_members_judges_and_organisers_only(app):
    contest, organiser = make_contest()
    team, (captain, mate) = make_team(contest, members=2)
    other_team, (stranger,) = make_team(contest)
    submission = submit(team, captain)
    judge_user = make_company_manager()
    judge = contests.invite_judge(organiser, contest.id, judge_user.email)
    for viewer in (captain, mate, organiser, make_admin()):
        data, name, _ = contests.submission_file(viewer, submission.id, "report")
        assert data == report_pdf() and name == "report.pdf"
    for viewer in (stranger, judge_user, make_exchange_manager(make_group("SNU")), make_student()):
        with pytest.raises(NotFound):
            contests.submission_file(viewer, submission.id, "report")
        with pytest.raises(NotFound):
            contests.submissions_of(viewer, team.id)
    db.session.add(JudgeAssignment(judge_id=judge.id, team_id=team.id))
    db.session.flush()
    assert contests.submission_file(judge_user, submission.id, "report")[0] == report_pdf()


# -- judging ---------------------------------------------------------------------------------------------------


def test_judges_are_existing_non_students_or_invited_accounts(app):
    contest, organiser = make_contest()
    with pytest.raises(DomainError) as refused:
        contests.invite_judge(organiser, contest.id, make_student().email)
    assert "Students cannot judge" in refused.value.message
    with pytest.raises(DomainError) as refused:
        contests.invite_judge(organiser, contest.id, "new.judge@hospital.kr")
    assert refused.value.field == "display_name"
    judge = contests.invite_judge(organiser, contest.id, "new.judge@hospital.kr", "Prof. Kim")
    assert judge.user.role == getattr(Role, "MENTOR", Role.COMPANY_MANAGER)
    assert db.session.scalar(select(func.count(OutboxEmail.id)).where(
        OutboxEmail.to_address == "new.judge@hospital.kr")) == 2  # the invitation link and the notification
    with pytest.raises(DomainError):
        contests.invite_judge(organiser, contest.id, "NEW.judge@hospital.kr")


def _judging_world(app):
    contest, organiser = make_contest()
    company = make_company(groups=list(contest.groups))
    problem, company_cm = make_problem(contest, company=company, organiser=organiser)
    teams = [make_team(contest, problem=problem if i == 0 else None) for i in range(3)]
    for team, students in teams:
        submit(team, students[0])
    judges = [contests.invite_judge(organiser, contest.id, company_cm.email)]
    judges += [contests.invite_judge(organiser, contest.id, make_company_manager().email) for _ in range(2)]
    db.session.commit()
    return contest, organiser, teams, judges


def test_assignment_respects_company_and_declared_conflicts(app):
    contest, organiser, teams, (company_judge, judge_b, judge_c) = _judging_world(app)
    to_judging(contest, organiser)
    contests.declare_conflict(judge_b.user, contest.id, teams[1][0].id, "My student is in this team.")
    added = contests.assign_judges(organiser, contest.id, per_team=2)
    pairs = set(db.session.execute(select(JudgeAssignment.judge_id, JudgeAssignment.team_id)).tuples())
    assert (company_judge.id, teams[0][0].id) not in pairs  # never its own company's problem
    assert (judge_b.id, teams[1][0].id) not in pairs
    assert added == len(pairs) == 6  # two judges for each of the three teams, none conflicted
    assert {t for _, t in pairs} == {team.id for team, _ in teams}
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "contest_judging_assigned")) == 3


def test_scores_outside_a_criterions_range_are_refused_beside_the_field(app):
    contest, organiser, teams, judges = _judging_world(app)
    to_judging(contest, organiser)
    contests.assign_judges(organiser, contest.id, per_team=1)
    assignment = db.session.scalars(select(JudgeAssignment)).first()
    judge_user = db.session.get(User, assignment.judge.user_id)
    first, second = contest.criteria
    with pytest.raises(ValidationFailed) as refused:
        contests.score(judge_user, assignment.id, {first.id: "11", second.id: "-1"})
    assert set(fields(refused.value)) == {f"score_{first.id}", f"score_{second.id}"}
    assert "from 0 to 10" in fields(refused.value)[f"score_{first.id}"]
    with pytest.raises(DomainError):
        contests.score(judge_user, assignment.id, {first.id: "seven", second.id: "3"})
    with pytest.raises(NotFound):  # someone else's assignment
        contests.score(organiser, assignment.id, {first.id: 5, second.id: 5})
    contests.score(judge_user, assignment.id, {first.id: "10", second.id: "0"})
    assert sorted(s.score for s in assignment.scores) == [0, 10]


def test_weighted_aggregation_ranks_and_ties_follow_the_stated_rule(app):
    contest, organiser = make_contest(criteria=(("Clinical value", 3, 0, 10), ("Technical quality", 1, 0, 10)))
    start = contest.registration_opens_at + timedelta(hours=1)
    entries = []
    for i in range(4):
        team, (captain,) = make_team(contest)
        submit(team, captain, when=start + timedelta(minutes=i))
        entries.append(team)
    judge_user = make_admin()
    contests.invite_judge(organiser, contest.id, judge_user.email)
    to_judging(contest, organiser)
    contests.assign_judges(organiser, contest.id, per_team=1)
    clinical, technical = contest.criteria
    given = {entries[0].id: (6, 10),   # (3*6 + 10)/40 = 70
             entries[1].id: (8, 4),    # (24 + 4)/40 = 70: ties with 0, wins on the first criterion
             entries[2].id: (10, 10),  # 100
             entries[3].id: (6, 10)}   # 70, same as entries[0] but submitted later
    _, rows = contests.assignments_for(judge_user, contest.id)
    for assignment in rows:
        a, b = given[assignment.team_id]
        contests.score(judge_user, assignment.id, {clinical.id: a, technical.id: b})
    contests.move(organiser, contest.id, ContestStatus.RESULTS_PUBLISHED)
    _, standings = contests.results(make_student(group=contest.groups[0]), contest.id)
    assert [(s.team.id, s.rank, round(s.score, 2)) for s in standings] == [
        (entries[2].id, 1, 100.0), (entries[1].id, 2, 70.0), (entries[0].id, 3, 70.0), (entries[3].id, 4, 70.0)]
    assert [s.award for s in standings] == ["Grand prize", "Excellence", "", ""]


def test_results_are_hidden_until_published_and_wait_for_every_judgement(app):
    contest, organiser, teams, judges = _judging_world(app)
    student = teams[0][1][0]
    to_judging(contest, organiser)
    contests.assign_judges(organiser, contest.id, per_team=1)
    with pytest.raises(NotFound):
        contests.results(student, contest.id)
    assert contests.results(organiser, contest.id)[1]  # the organisers follow the standings
    with pytest.raises(Conflict) as refused:
        contests.move(organiser, contest.id, ContestStatus.RESULTS_PUBLISHED)
    assert "not complete" in refused.value.message
    for assignment in db.session.scalars(select(JudgeAssignment)):
        user = db.session.get(User, assignment.judge.user_id)
        contests.score(user, assignment.id, {c.id: 5 for c in contest.criteria})
    contests.move(organiser, contest.id, ContestStatus.RESULTS_PUBLISHED)
    assert contests.results(student, contest.id)[1]
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind == "contest_results", Notification.user_id == student.id)) == 1


def test_a_company_invites_a_teams_members_to_apply_in_one_step(app):
    contest, organiser, teams, judges = _judging_world(app)
    team, students = teams[0]
    problem_company = team.problem.company
    cm = manager_of(problem_company)
    opening = make_opening(problem_company)
    with pytest.raises(NotFound):  # not before the results
        contests.invitable_openings(cm, team.id)
    to_judging(contest, organiser)
    contests.assign_judges(organiser, contest.id, per_team=1)
    for assignment in db.session.scalars(select(JudgeAssignment)):
        contests.score(db.session.get(User, assignment.judge.user_id), assignment.id,
                       {c.id: 5 for c in contest.criteria})
    contests.move(organiser, contest.id, ContestStatus.RESULTS_PUBLISHED)
    with pytest.raises(NotFound):  # another company
        contests.invitable_openings(manager_of(make_company(groups=list(contest.groups))), team.id)
    assert contests.invite_to_opening(cm, team.id, opening.id) == 1
    note = db.session.scalar(select(Notification).where(Notification.user_id == students[0].id,
                                                        Notification.kind == "contest_opening_invite"))
    assert note.link == f"/openings/{opening.id}"
    with pytest.raises(DomainError):
        contests.invite_to_opening(cm, team.id, opening.id)  # already invited
    assert db.session.scalar(select(func.count(ContestOpeningInvite.id))) == 1
