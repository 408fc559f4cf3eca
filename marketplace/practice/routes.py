"""Routes of the practice blueprint: the practices a user follows, a placement's practice home, a week of its log
(the student records and submits it, the host supervisor confirms or returns it), and the course plans."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from marketplace import web
from marketplace.extensions import db, login_manager
from marketplace.clock import today_in_seoul
from marketplace.forms import page_number, show_stale_edit
from marketplace.i18n import gettext as _
from marketplace.models import ProjectGroup, WeekStatus
from marketplace.practice.forms import ChoosePlanForm, DecisionForm, PlanForm, WeekForm
from marketplace.services import course_plans, practice_logs
from marketplace.services import practice_access as access
from marketplace.services.workflow import StaleEdit

bp = Blueprint("practice", __name__)


@bp.before_request
def require_sign_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


# -- the practices a user follows, with their progress ---------------------------------------------------------------


@bp.route("/")
def index():
    actor = web.actor()
    pagination = db.paginate(practice_logs.practices_query(actor), page=page_number(request.args), per_page=50,
                             error_out=False)
    rows = list(pagination.items)
    return render_template("practice/index.html", pagination=pagination, placements=rows,
                           progress=practice_logs.progress_for(rows), may_edit_plans=_may_edit_plans(actor))


# -- one placement's practice ------------------------------------------------------------------------------------------


@bp.route("/placements/<int:placement_id>")
def home(placement_id: int):
    actor = web.actor()
    placement = practice_logs.get_practice(actor, placement_id)
    today = today_in_seoul()
    progress = practice_logs.progress_for([placement], today)[placement.id]
    return render_template("practice/home.html", placement=placement, progress=progress, today=today,
                           weeks=practice_logs.weeks_of(placement, today), role=access.role_on(actor, placement),
                           loggable=placement.status in access.LOGGABLE_STATES)


def _week_form(placement, view, formdata=None) -> WeekForm:
    """The week's saved days, then empty rows for the other dates of the week (up to seven rows)."""
    if formdata is not None:
        return WeekForm()
    rows = []
    saved = {d.day: d for d in (view.row.days if view.row is not None else [])}
    day = view.first
    while day <= view.last:
        entry = saved.get(day)
        if entry is not None:
            rows.append(dict(day=day.isoformat(), start=entry.start_time.strftime("%H:%M"),
                             end=entry.end_time.strftime("%H:%M"), break_minutes=str(entry.break_minutes),
                             education_minutes=str(entry.education_minutes), did=entry.did, learned=entry.learned))
        else:
            rows.append(dict(day=day.isoformat(), start="", end="", break_minutes="0", education_minutes="0",
                             did="", learned=""))
        day = day.fromordinal(day.toordinal() + 1)
    form = WeekForm(formdata=None, data={"days": rows, "version": view.row.version if view.row else None})
    return form


def _week_page(placement_id: int, week_no: int, form: WeekForm | None = None, decision: DecisionForm | None = None,
               status: int = 200, stale=None):
    actor = web.actor()
    placement, view = practice_logs.get_week(actor, placement_id, week_no)
    role = access.role_on(actor, placement)
    loggable = placement.status in access.LOGGABLE_STATES
    editable = role == access.STUDENT and loggable and (view.row is None or view.row.status in practice_logs.EDITABLE)
    decidable = role == access.SUPERVISOR and loggable and view.row is not None \
        and view.row.status == WeekStatus.SUBMITTED
    return render_template(
        "practice/week.html", placement=placement, week=view, role=role, editable=editable, decidable=decidable,
        form=form or (_week_form(placement, view) if editable else None),
        decision=decision or DecisionForm(formdata=None), stale=stale,
        total_weeks=practice_logs.week_count(placement),
    ), status


def _day_inputs(form: WeekForm) -> list[practice_logs.DayInput]:
    return [practice_logs.DayInput(
        day=entry.form.day.data or "", start=entry.form.start.data or "", end=entry.form.end.data or "",
        break_minutes=entry.form.break_minutes.data or "0", education_minutes=entry.form.education_minutes.data or "0",
        did=entry.form.did.data or "", learned=entry.form.learned.data or "") for entry in form.days]


@bp.route("/placements/<int:placement_id>/weeks/<int:week_no>", methods=["GET", "POST"])
def week(placement_id: int, week_no: int):
    if request.method == "GET":
        return _week_page(placement_id, week_no)
    actor = web.actor()
    placement, view = practice_logs.get_week(actor, placement_id, week_no)  # others' ids: 404 first
    form = WeekForm()
    if not form.validate_on_submit():
        abort(400)
    submit = request.form.get("action") == "submit"
    done = web.run(practice_logs.save_week, actor, placement_id, week_no, _day_inputs(form),
                   form.version.data, submit, form=form,
                   success=_("The week was submitted to the host supervisor.") if submit
                   else _("The week was saved as a draft."))
    if done:
        for warning in done.value.warnings:
            flash(warning, "warning")
        return redirect(url_for("practice.week", placement_id=placement_id, week_no=week_no))
    stale = None
    if isinstance(done.error, StaleEdit):
        _placement, fresh = practice_logs.get_week(actor, placement_id, week_no)
        saved = _week_form(placement, fresh)
        stale = show_stale_edit(form, saved, done.error.record.version)
    return _week_page(placement_id, week_no, form=form, status=web.form_status(), stale=stale)


def _decide(placement_id: int, week_no: int, action, message: str):
    actor = web.actor()
    practice_logs.get_week(actor, placement_id, week_no)  # others' ids: 404 first
    form = DecisionForm()
    if not form.validate_on_submit():
        return _week_page(placement_id, week_no, decision=form, status=400)
    if web.run(action, actor, placement_id, week_no, form.comment.data or "", form=form, success=message):
        return redirect(url_for("practice.week", placement_id=placement_id, week_no=week_no))
    return _week_page(placement_id, week_no, decision=form, status=web.form_status())


@bp.route("/placements/<int:placement_id>/weeks/<int:week_no>/confirm", methods=["POST"])
def confirm(placement_id: int, week_no: int):
    return _decide(placement_id, week_no, practice_logs.confirm_week,
                   _("The week was confirmed: its hours count toward the course plan."))


@bp.route("/placements/<int:placement_id>/weeks/<int:week_no>/return", methods=["POST"])
def return_(placement_id: int, week_no: int):
    return _decide(placement_id, week_no, practice_logs.return_week,
                   _("The week was returned to the student with your comment."))


@bp.route("/placements/<int:placement_id>/plan", methods=["POST"])
def choose_plan(placement_id: int):
    """The exchange manager chooses the plan a placement follows (from the manager's placement page)."""
    form = ChoosePlanForm()
    if not form.validate_on_submit():
        abort(400)
    web.run(course_plans.choose_plan, web.actor(), placement_id, form.course_plan_id.data,
            success=_("The course plan of this placement was saved."))
    return redirect(url_for("manager.placement", placement_id=placement_id))


# -- course plans ------------------------------------------------------------------------------------------------------


def _may_edit_plans(actor) -> bool:
    from marketplace.ownership import reviewable_group_ids

    groups = reviewable_group_ids(actor)
    return groups is None or bool(groups)


def _require_plan_editor(actor) -> None:
    if not _may_edit_plans(actor):
        abort(404)


def _group_choices(form: PlanForm, actor) -> None:
    from marketplace.ownership import reviewable_group_ids

    groups = reviewable_group_ids(actor)
    query = db.select(ProjectGroup).order_by(ProjectGroup.code)
    if groups is not None:
        query = query.where(ProjectGroup.id.in_(groups))
    korean = str(get_locale() or "ko") == "ko"
    choices = [(g.id, f"{g.code} · {g.name_ko if korean else g.name_en}") for g in db.session.scalars(query)]
    if groups is None:
        choices = [(None, _("Programme-wide (every group without its own default)"))] + choices
    form.group_id.choices = choices


def _plan_data(form: PlanForm) -> course_plans.PlanData:
    return course_plans.PlanData(
        group_id=form.group_id.data, name=form.name.data or "", weeks=form.weeks.data,
        required_hours=form.required_hours.data, min_education_share=form.min_education_share.data,
        midterm_week=form.midterm_week.data, final_week=form.final_week.data,
        evaluation_window_days=form.evaluation_window_days.data, mentor_min_load=form.mentor_min_load.data,
        mentor_max_load=form.mentor_max_load.data, is_default=form.is_default.data, active=form.active.data)


def _plan_form_data(plan) -> dict:
    return {name: getattr(plan, name) for name in (
        "group_id", "name", "weeks", "required_hours", "min_education_share", "midterm_week", "final_week",
        "evaluation_window_days", "mentor_min_load", "mentor_max_load", "is_default", "active", "version")}


@bp.route("/plans")
def plans():
    actor = web.actor()
    _require_plan_editor(actor)
    return render_template("practice/plans.html", plans=list(db.session.scalars(course_plans.plans_query(actor))))


@bp.route("/plans/new", methods=["GET", "POST"])
def new_plan():
    actor = web.actor()
    _require_plan_editor(actor)
    if request.method == "GET":
        form = PlanForm(formdata=None, data=dict(weeks=15, required_hours=120, min_education_share=0,
                                                 evaluation_window_days=7, mentor_min_load=1, mentor_max_load=3,
                                                 midterm_week=8, is_default=False, active=True))
    else:
        form = PlanForm()
    _group_choices(form, actor)
    if form.validate_on_submit() and web.run(course_plans.create_plan, actor, _plan_data(form), form=form,
                                             success=lambda plan: _("The course plan “%(name)s” was saved.",
                                                                    name=plan.name)):
        return redirect(url_for("practice.plans"))
    return render_template("practice/plan_form.html", form=form, plan=None), web.form_status()


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
def edit_plan(plan_id: int):
    actor = web.actor()
    plan = course_plans.get_plan(actor, plan_id)
    form = PlanForm(formdata=None, data=_plan_form_data(plan)) if request.method == "GET" else PlanForm()
    _group_choices(form, actor)
    if form.validate_on_submit():
        done = web.run(course_plans.update_plan, actor, plan_id, _plan_data(form), form.version.data, form=form,
                       success=lambda saved: _("The course plan “%(name)s” was saved.", name=saved.name))
        if done:
            return redirect(url_for("practice.plans"))
        if isinstance(done.error, StaleEdit):
            saved = PlanForm(formdata=None, data=_plan_form_data(done.error.record))
            _group_choices(saved, actor)
            stale = show_stale_edit(form, saved, done.error.record.version)
            return render_template("practice/plan_form.html", form=form, plan=plan, stale=stale), 409
    return render_template("practice/plan_form.html", form=form, plan=plan), web.form_status()
