"""Routes of the contests blueprint: contest pages, problems, teams, submissions, judging and results."""
from __future__ import annotations

import io

from flask import Blueprint, abort, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from marketplace import web
from marketplace.contests.forms import (
    AssignForm,
    ChoiceForm,
    ConflictForm,
    ContestForm,
    CriterionForm,
    DecisionForm,
    InviteForm,
    JudgeForm,
    OpeningInviteForm,
    ProblemForm,
    SubmissionForm,
    TeamForm,
    for_input,
    seoul_to_utc,
)
from marketplace.extensions import db, login_manager
from marketplace.forms import ActionForm
from marketplace.i18n import gettext as _
from marketplace.models import ContestStatus, MemberStatus, ProblemStatus, ProjectGroup
from marketplace.permissions import Permission, user_can
from marketplace.services import contest_files, contests
from marketplace.services.errors import DomainError, NotFound

bp = Blueprint("contests", __name__)

STATES = {"open": ContestStatus.OPEN, "judging": ContestStatus.JUDGING, "publish": ContestStatus.RESULTS_PUBLISHED}


@bp.before_request
def require_sign_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def _groups_for(form: ContestForm) -> None:
    actor = web.actor()
    groups = db.session.scalars(db.select(ProjectGroup).order_by(ProjectGroup.id)).all()
    if not user_can(actor, Permission.ADMINISTER):
        groups = [group for group in groups if group.id in actor.managed_group_ids]
    form.group_ids.choices = [(group.id, group.code) for group in groups]


def _contest_data(form: ContestForm) -> contests.ContestData:
    return contests.ContestData(
        title=form.title.data or "", theme=form.theme.data or "", rules=form.rules.data or "",
        prizes=form.prizes.data or "", tracks=_lines(form.tracks.data), awards=_lines(form.awards.data),
        group_ids=form.group_ids.data or [], allow_cross_group=bool(form.allow_cross_group.data),
        **{name: seoul_to_utc(getattr(form, name).data) for name in contests.TIMELINE})


def _board_link(contest) -> str:
    """The contest's board of the forum (made on first visit; shown to whoever sees the contest)."""
    return url_for("forum.contest_board", contest_id=contest.id)


# -- contests ----------------------------------------------------------------------------------------------------


@bp.route("/")
def index():
    actor = web.actor()
    return render_template("contests/index.html", contests=contests.visible_contests(actor),
                           may_create=contests.can_create_contest(actor))


@bp.route("/new", methods=["GET", "POST"])
def new():
    if not contests.can_create_contest(web.actor()):
        abort(403)
    form = ContestForm()
    _groups_for(form)
    if form.validate_on_submit():
        done = web.run(contests.create_contest, web.actor(), _contest_data(form), form=form,
                       success=_("The contest was created as a draft."))
        if done:
            return redirect(url_for("contests.detail", contest_id=done.value.id))
    return render_template("contests/contest_form.html", form=form, contest=None), web.form_status()


@bp.route("/<int:contest_id>/edit", methods=["GET", "POST"])
def edit(contest_id: int):
    contest = contests.get_for_organiser(web.actor(), contest_id)
    if request.method == "GET":
        form = ContestForm(formdata=None, data=dict(
            title=contest.title, theme=contest.theme, rules=contest.rules, prizes=contest.prizes,
            tracks="\n".join(t.name for t in contest.tracks), awards="\n".join(a.title for a in contest.awards),
            group_ids=[g.id for g in contest.groups], allow_cross_group=contest.allow_cross_group,
            **{name: for_input(getattr(contest, name)) for name in contests.TIMELINE}))
    else:
        form = ContestForm()
    _groups_for(form)
    if form.validate_on_submit():
        if web.run(contests.update_contest, web.actor(), contest_id, _contest_data(form), form=form,
                   success=_("The contest was saved.")):
            return redirect(url_for("contests.detail", contest_id=contest_id))
    return render_template("contests/contest_form.html", form=form, contest=contest), web.form_status()


def _choice_lists(contest, problems):
    tracks = [(None, "—")] + [(t.id, t.name) for t in contest.tracks]
    accepted = [(None, "—")] + [(p.id, f"{p.title} · {p.company.name}") for p in problems
                                if p.status == ProblemStatus.ACCEPTED]
    return tracks, accepted


def _render_detail(contest_id: int, team_form=None, criterion_form=None, judge_form=None, assign_form=None):
    actor = web.actor()
    contest = contests.get_contest(actor, contest_id)
    problems = contests.problems_of(contest, actor)
    organiser = contests.can_organise(actor, contest)
    tracks, accepted = _choice_lists(contest, problems)
    team_form = team_form or TeamForm(formdata=None)
    team_form.track_id.choices, team_form.problem_id.choices = tracks, accepted
    return render_template(
        "contests/detail.html", contest=contest, problems=problems, organiser=organiser,
        team=contests.team_of(actor, contest.id), invitations=contests.invitations_for(actor, contest.id),
        team_form=team_form, registration_open=contests.registration_open(contest),
        timeline=contests.timeline(contest), board_link=_board_link(contest),
        is_student=user_can(actor, Permission.APPLY),
        proposes=user_can(actor, Permission.MANAGE_COMPANY) and contest.status in (ContestStatus.DRAFT,
                                                                                   ContestStatus.OPEN),
        judge=contests._judge_row(actor, contest.id),
        teams=contests.teams_of(contest) if organiser else [],
        judges=contests.judges_of(contest) if organiser else [],
        overview=contests.organiser_overview(actor, contest) if organiser else None,
        criterion_form=criterion_form or CriterionForm(formdata=None),
        judge_form=judge_form or JudgeForm(formdata=None), assign_form=assign_form or AssignForm(formdata=None),
        states=STATES, transitions=contests.TRANSITIONS[contest.status],
    ), web.form_status()


@bp.route("/<int:contest_id>")
def detail(contest_id: int):
    return _render_detail(contest_id)


@bp.route("/<int:contest_id>/move/<state>", methods=["POST"])
def move(contest_id: int, state: str):
    if state not in STATES:
        abort(404)
    web.require_form()
    web.run(contests.move, web.actor(), contest_id, STATES[state], success=_("The contest moved on."))
    return redirect(url_for("contests.detail", contest_id=contest_id))


# -- problems ----------------------------------------------------------------------------------------------------


def _problem_data(form: ProblemForm) -> contests.ProblemData:
    return contests.ProblemData(**{name: (getattr(form, name).data or ("" if name != "irb_date" else None))
                                   for name in contests.ProblemData.__dataclass_fields__})


@bp.route("/<int:contest_id>/problems/new", methods=["GET", "POST"])
def propose(contest_id: int):
    actor = web.actor()
    if not user_can(actor, Permission.MANAGE_COMPANY):
        abort(403)
    contest = contests.get_contest(actor, contest_id)
    form = ProblemForm()
    if form.validate_on_submit():
        if web.run(contests.propose_problem, actor, contest_id, _problem_data(form), form=form,
                   success=_("The problem was sent to the organisers.")):
            return redirect(url_for("contests.detail", contest_id=contest_id))
    return render_template("contests/problem_form.html", form=form, contest=contest, problem=None), web.form_status()


@bp.route("/problems/<int:problem_id>/edit", methods=["GET", "POST"])
def revise(problem_id: int):
    actor = web.actor()
    problem = contests.get_problem_for_company(actor, problem_id)
    if request.method == "GET":
        form = ProblemForm(formdata=None, data={name: (getattr(problem, name).value if hasattr(getattr(problem, name),
                                                                                               "value")
                                                       else getattr(problem, name))
                                                for name in contests.ProblemData.__dataclass_fields__})
    else:
        form = ProblemForm()
    if form.validate_on_submit():
        if web.run(contests.revise_problem, actor, problem_id, _problem_data(form), form=form,
                   success=_("The problem was sent to the organisers again.")):
            return redirect(url_for("contests.detail", contest_id=problem.contest_id))
    return render_template("contests/problem_form.html", form=form, contest=problem.contest,
                           problem=problem), web.form_status()


@bp.route("/<int:contest_id>/problems")
def problems(contest_id: int, forms=None):
    actor = web.actor()
    contest = contests.get_for_organiser(actor, contest_id)
    rows = contests.problems_of(contest, actor)
    forms = forms or {}
    return render_template("contests/problems.html", contest=contest, problems=rows,
                           forms={p.id: forms.get(p.id) or DecisionForm(formdata=None, prefix=f"p{p.id}")
                                  for p in rows}), web.form_status()


@bp.route("/problems/<int:problem_id>/<decision>", methods=["POST"])
def decide(problem_id: int, decision: str):
    if decision not in ("accept", "return"):
        abort(404)
    problem = db.session.get(contests.ContestProblem, problem_id)
    if problem is None:
        abort(404)
    contests.get_for_organiser(web.actor(), problem.contest_id)
    form = DecisionForm(prefix=f"p{problem_id}")
    if form.validate_on_submit():
        if web.run(contests.decide_problem, web.actor(), problem_id, decision == "accept", form.note.data or "",
                   form=form, success=_("The company was told.")):
            return redirect(url_for("contests.problems", contest_id=problem.contest_id))
    return problems(problem.contest_id, forms={problem_id: form})


# -- teams -------------------------------------------------------------------------------------------------------


@bp.route("/<int:contest_id>/teams", methods=["POST"])
def create_team(contest_id: int):
    form = TeamForm()
    if form.validate_on_submit():
        done = web.run(contests.create_team, web.actor(), contest_id, form.name.data or "", form.track_id.data,
                       form.problem_id.data, form=form, success=_("Your team was formed. Invite your teammates."))
        if done:
            return redirect(url_for("contests.team", team_id=done.value.id))
    return _render_detail(contest_id, team_form=form)


def _render_team(team_id: int, invite_form=None, choice_form=None, submission_form=None, opening_form=None):
    actor = web.actor()
    team = contests.get_team(actor, team_id)
    contest = team.contest
    member = any(m.user_id == actor.id and m.status == MemberStatus.MEMBER for m in team.members)
    sees = contests.can_see_submissions(actor, team)
    problems = contests.problems_of(contest, actor)
    tracks, accepted = _choice_lists(contest, problems)
    choice_form = choice_form or ChoiceForm(formdata=None, data={"track_id": team.track_id,
                                                                 "problem_id": team.problem_id})
    choice_form.track_id.choices, choice_form.problem_id.choices = tracks, accepted
    standing = None
    if contest.status == ContestStatus.RESULTS_PUBLISHED:
        standing = next((s for s in contests.standings(contest) if s.team.id == team.id), None)
    openings = []
    try:
        _team, openings = contests.invitable_openings(actor, team.id)
    except NotFound:
        pass
    opening_form = opening_form or OpeningInviteForm(formdata=None)
    opening_form.opening_id.choices = [(o.id, o.title) for o in openings]
    invitation = next((m for m in team.members if m.user_id == actor.id and m.status == MemberStatus.INVITED), None)
    return render_template(
        "contests/team.html", team=team, contest=contest, member=member, invitation=invitation,
        submissions=contests.submissions_of(actor, team.id) if sees else [],
        invite_form=invite_form or InviteForm(formdata=None), choice_form=choice_form,
        submission_form=submission_form or SubmissionForm(formdata=None),
        registration_open=contests.registration_open(contest), accepts=contests.accepts_submissions(contest),
        standing=standing, openings=openings, opening_form=opening_form,
        max_members=contests.MAX_TEAM_MEMBERS,
    ), web.form_status()


@bp.route("/teams/<int:team_id>")
def team(team_id: int):
    return _render_team(team_id)


@bp.route("/teams/<int:team_id>/invite", methods=["POST"])
def invite(team_id: int):
    form = InviteForm()
    if form.validate_on_submit():
        if web.run(contests.invite_member, web.actor(), team_id, form.email.data or "", form=form,
                   success=_("The invitation was sent.")):
            return redirect(url_for("contests.team", team_id=team_id))
    return _render_team(team_id, invite_form=form)


@bp.route("/invitations/<int:member_id>/<answer>", methods=["POST"])
def answer(member_id: int, answer: str):
    if answer not in ("accept", "decline"):
        abort(404)
    web.require_form()
    action = contests.accept_invitation if answer == "accept" else contests.decline_invitation
    done = web.run(action, web.actor(), member_id,
                   success=_("You joined the team.") if answer == "accept" else _("You declined the invitation."))
    row = db.session.get(contests.ContestTeamMember, member_id)
    if row is None or row.user_id != web.actor().id:
        abort(404)
    if done and answer == "accept":
        return redirect(url_for("contests.team", team_id=row.team_id))
    return redirect(url_for("contests.detail", contest_id=row.contest_id))


@bp.route("/teams/<int:team_id>/choice", methods=["POST"])
def choose(team_id: int):
    form = ChoiceForm()
    if form.validate_on_submit():
        if web.run(contests.choose, web.actor(), team_id, form.track_id.data, form.problem_id.data, form=form,
                   success=_("Your track and problem were saved.")):
            return redirect(url_for("contests.team", team_id=team_id))
    return _render_team(team_id, choice_form=form)


def _read(upload, limit: int) -> bytes:
    return upload.read(limit + 1) if upload else b""


@bp.route("/teams/<int:team_id>/submissions", methods=["POST"])
def submit(team_id: int):
    form = SubmissionForm()
    if form.validate_on_submit():
        report, archive = form.report.data, form.archive.data
        upload = contests.Upload(
            report_name=getattr(report, "filename", None), report=_read(report, contest_files.MAX_REPORT_BYTES),
            archive_name=getattr(archive, "filename", None), archive=_read(archive, contest_files.MAX_ZIP_BYTES),
            note=form.note.data or "")
        if web.run(contests.submit, web.actor(), team_id, upload, form=form,
                   success=lambda s: _("Version %(n)d was submitted.", n=s.version),
                   failed=lambda s: s.stored.failed()):
            return redirect(url_for("contests.team", team_id=team_id))
    return _render_team(team_id, submission_form=form)


@bp.route("/submissions/<int:submission_id>/<kind>")
def submission_file(submission_id: int, kind: str):
    if kind not in ("report", "archive"):
        abort(404)
    data, name, mimetype = contests.submission_file(web.actor(), submission_id, kind)
    return web.no_store(send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name,
                                  max_age=0))


# -- rubric and judges -------------------------------------------------------------------------------------------


@bp.route("/<int:contest_id>/criteria", methods=["POST"])
def add_criterion(contest_id: int):
    contests.get_for_organiser(web.actor(), contest_id)
    form = CriterionForm()
    if form.validate_on_submit():
        data = contests.CriterionData(name=form.name.data or "", description=form.description.data or "",
                                      weight=form.weight.data, min_score=form.min_score.data,
                                      max_score=form.max_score.data)
        if web.run(contests.add_criterion, web.actor(), contest_id, data, form=form,
                   success=_("The criterion was added.")):
            return redirect(url_for("contests.detail", contest_id=contest_id) + "#rubric")
    return _render_detail(contest_id, criterion_form=form)


@bp.route("/criteria/<int:criterion_id>/remove", methods=["POST"])
def remove_criterion(criterion_id: int):
    criterion = db.session.get(contests.RubricCriterion, criterion_id)
    if criterion is None:
        abort(404)
    contest_id = criterion.contest_id
    web.require_form()
    web.run(contests.remove_criterion, web.actor(), criterion_id, success=_("The criterion was removed."))
    return redirect(url_for("contests.detail", contest_id=contest_id) + "#rubric")


@bp.route("/<int:contest_id>/judges", methods=["POST"])
def invite_judge(contest_id: int):
    contests.get_for_organiser(web.actor(), contest_id)
    form = JudgeForm()
    if form.validate_on_submit():
        if web.run(contests.invite_judge, web.actor(), contest_id, form.email.data or "",
                   form.display_name.data or "", form=form, success=_("The judge was invited.")):
            return redirect(url_for("contests.detail", contest_id=contest_id) + "#judges")
    return _render_detail(contest_id, judge_form=form)


@bp.route("/<int:contest_id>/assign", methods=["POST"])
def assign(contest_id: int):
    contests.get_for_organiser(web.actor(), contest_id)
    form = AssignForm()
    if form.validate_on_submit():
        per_team = form.per_team.data
        if per_team is None or not 1 <= per_team <= 10:
            form.per_team.errors = [_("Enter a number from 1 to 10.")]
            g.service_error_status = 400
        elif web.run(contests.assign_judges, web.actor(), contest_id, per_team, form=form,
                     success=lambda n: _("%(n)d assignments were added.", n=n)):
            return redirect(url_for("contests.detail", contest_id=contest_id) + "#judges")
    return _render_detail(contest_id, assign_form=form)


def _render_judging(contest_id: int, conflict_form=None):
    actor = web.actor()
    contest = contests.get_contest(actor, contest_id)
    judge, rows = contests.assignments_for(actor, contest_id)
    conflict_form = conflict_form or ConflictForm(formdata=None)
    conflict_form.team_id.choices = [(None, "—")] + [(t.id, t.name) for t in contests.teams_of(contest)]
    return render_template("contests/judging.html", contest=contest, judge=judge, assignments=rows,
                           conflict_form=conflict_form, criteria=contest.criteria), web.form_status()


@bp.route("/<int:contest_id>/judging")
def judging(contest_id: int):
    return _render_judging(contest_id)


@bp.route("/<int:contest_id>/conflicts", methods=["POST"])
def declare_conflict(contest_id: int):
    form = ConflictForm()
    if form.validate_on_submit():
        if form.team_id.data is None:
            form.team_id.errors = [_("Choose the team.")]
            g.service_error_status = 400
        elif web.run(contests.declare_conflict, web.actor(), contest_id, form.team_id.data, form.reason.data or "",
                     form=form, success=_("Your conflict of interest was recorded; you will not judge this team.")):
            return redirect(url_for("contests.judging", contest_id=contest_id))
    return _render_judging(contest_id, conflict_form=form)


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def scoring(assignment_id: int):
    actor = web.actor()
    assignment = contests.get_assignment(actor, assignment_id)
    contest = assignment.team.contest
    form = ActionForm()
    errors: dict[str, str] = {}
    typed = {f"score_{s.criterion_id}": str(s.score) for s in assignment.scores}
    comment = next((s.comment for s in assignment.scores if s.comment), "")
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        typed = {f"score_{c.id}": request.form.get(f"score_{c.id}", "") for c in contest.criteria}
        comment = request.form.get("comment", "")
        try:
            contests.score(actor, assignment_id, {c.id: typed[f"score_{c.id}"] for c in contest.criteria}, comment)
        except (NotFound,):
            db.session.rollback()
            raise
        except DomainError as error:
            db.session.rollback()
            errors = {f or "": m for f, m in error.field_messages()}
            g.service_error_status = error.status
        else:
            db.session.commit()
            from flask import flash

            flash(_("Your scores were saved."), "success")
            return redirect(url_for("contests.judging", contest_id=contest.id))
        assignment = contests.get_assignment(actor, assignment_id)
    final = contests.final_submissions(contest.id).get(assignment.team_id)
    return render_template("contests/scoring.html", assignment=assignment, contest=contest, team=assignment.team,
                           typed=typed, comment=comment, errors=errors, final=final,
                           form=form), web.form_status()


# -- results and placement -------------------------------------------------------------------------------------


@bp.route("/<int:contest_id>/results")
def results(contest_id: int):
    contest, rows = contests.results(web.actor(), contest_id)
    return render_template("contests/results.html", contest=contest, standings=rows, tie_rule=contests.TIE_RULE,
                           published=contest.status == ContestStatus.RESULTS_PUBLISHED)


@bp.route("/teams/<int:team_id>/invite-to-opening", methods=["POST"])
def invite_to_opening(team_id: int):
    contests.invitable_openings(web.actor(), team_id)
    form = OpeningInviteForm()
    if form.validate_on_submit():
        if web.run(contests.invite_to_opening, web.actor(), team_id, form.opening_id.data, form=form,
                   success=lambda n: _("%(n)d students were invited to apply.", n=n)):
            return redirect(url_for("contests.team", team_id=team_id))
    return _render_team(team_id, opening_form=form)
