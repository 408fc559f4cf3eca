"""Routes of the mentors blueprint: managers invite mentor professors, keep their profiles, allocate them to the
placements of a term in one step, and reassign one placement later."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import get_locale

from marketplace import web
from marketplace.extensions import db
from marketplace.forms import ActionForm, int_or_none
from marketplace.i18n import gettext as _
from marketplace.mentors.forms import InviteMentorForm, MentorProfileForm, TermForm
from marketplace.models import GRADES
from marketplace.ownership import reviewable_group_ids
from marketplace.permissions import Permission, permission_required
from marketplace.services import groups, mentoring
from marketplace.services.errors import DomainError

bp = Blueprint("mentors", __name__)


@bp.before_request
@permission_required(Permission.REVIEW_EXCHANGES)
def require_reviewer():
    """Exchange managers in office (for their groups) and admins."""


def _group_choices() -> list[tuple[int, str]]:
    scope = reviewable_group_ids(web.actor())
    locale = str(get_locale())
    return [(group.id, f"{group.code} — {group.name(locale)}") for group in groups.list_groups()
            if scope is None or group.id in scope]


def _data(form, with_account: bool) -> mentoring.MentorData:
    return mentoring.MentorData(
        email=form.email.data or "" if with_account else "",
        display_name=form.display_name.data or "" if with_account else "",
        group_id=form.group_id.data, department=form.department.data or "", majors=form.majors.data or "",
        fields=form.fields.data or "", min_load=form.min_load.data, max_load=form.max_load.data,
        active=bool(form.active.data))


@bp.route("/")
def index():
    actor = web.actor()
    profiles = mentoring.mentor_profiles(actor)
    loads = mentoring.current_loads(p.user_id for p in profiles)
    defaults = mentoring.plan_limits([])
    return render_template("mentors/index.html", profiles=profiles, loads=loads,
                           limits={p.user_id: mentoring.limits_of(p, defaults) for p in profiles})


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    form = InviteMentorForm()
    form.group_id.choices = _group_choices()
    if request.method == "GET" and len(form.group_id.choices) == 1:
        form.group_id.data = form.group_id.choices[0][0]
    if form.validate_on_submit() and web.run(
        mentoring.invite_mentor, web.actor(), _data(form, with_account=True), form=form,
        success=lambda user: _("%(name)s is invited: they choose their own password through the link we mailed "
                               "to %(email)s.", name=user.display_name, email=user.email),
    ):
        return redirect(url_for("mentors.index"))
    return render_template("mentors/invite.html", form=form), web.form_status()


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
def edit(user_id: int):
    actor = web.actor()
    profile = mentoring.get_profile_for_manager(actor, user_id)
    form = MentorProfileForm(obj=profile) if request.method == "GET" else MentorProfileForm()
    form.group_id.choices = _group_choices()
    if form.validate_on_submit() and web.run(
        mentoring.update_profile, actor, user_id, form.version.data, _data(form, with_account=False), form=form,
        success=_("The profile of %(name)s is saved.", name=profile.user.display_name),
    ):
        return redirect(url_for("mentors.index"))
    load = mentoring.current_loads([user_id])[user_id]
    return render_template("mentors/edit.html", form=form, profile=profile, load=load), web.form_status()


# -- the allocation of a term ---------------------------------------------------------------------------------------


def _term(form: TermForm):
    default_from, default_to = mentoring.default_term()
    start_from = form.start_from.data or default_from
    start_to = form.start_to.data or default_to
    if start_to < start_from:
        form.start_to.errors = [*form.start_to.errors, _("The end of the term cannot be before its start.")]
        start_to = start_from
    if form.start_from.data is None:
        form.start_from.data = start_from
    if form.start_to.data is None or form.start_to.errors:
        form.start_to.data = start_to
    return start_from, start_to


def _posted_pairs(form_data) -> tuple[dict[int, int | None], dict[int, int], dict[int, int | None]]:
    """(placement id -> chosen mentor id, mentor id -> load shown, placement id -> mentor proposed) from the form."""
    chosen, shown, proposed = {}, {}, {}
    for key, value in form_data.items():
        prefix, _sep, raw_id = key.partition("_")
        ident = int_or_none(raw_id)
        if ident is None:
            continue
        if prefix == "mentor":
            chosen[ident] = int_or_none(value)
        elif prefix == "load" and int_or_none(value) is not None:
            shown[ident] = int_or_none(value)
        elif prefix == "proposed":
            proposed[ident] = int_or_none(value)
    return chosen, shown, proposed


@bp.route("/allocate", methods=["GET", "POST"])
def allocate():
    actor = web.actor()
    term_form = TermForm(request.args)
    term_form.validate()
    start_from, start_to = _term(term_form)
    errors: dict[str, list[str]] = {}
    chosen: dict[int, int | None] = {}
    proposed: dict[int, int | None] | None = None
    allocation = None
    status = 200
    if request.method == "POST":
        web.require_form(ActionForm)
        chosen, shown, proposed = _posted_pairs(request.form)
        if request.form.get("action") == "repropose":
            fixed = {pid: mid for pid, mid in chosen.items() if mid is not None and mid != proposed.get(pid)}
            try:
                allocation = mentoring.propose_allocation(actor, start_from, start_to, fixed=fixed)
                chosen, proposed = {}, None  # the new proposal, with the manager's choices in it
            except DomainError as error:
                db.session.rollback()
                for field, message in error.field_messages():
                    errors.setdefault(field or "", []).append(message)
                status = 400
        else:
            outcome = web.run(mentoring.confirm_allocation, actor, chosen, shown, report=False,
                              success=lambda made: _("%(n)d students have their mentor now.", n=len(made)))
            if outcome:
                return redirect(url_for("mentors.allocate", start_from=start_from.isoformat(),
                                        start_to=start_to.isoformat()))
            for field, message in outcome.error.field_messages():
                errors.setdefault(field or "", []).append(message)
            status = g.get("service_error_status", 400)
    if allocation is None:
        allocation = mentoring.propose_allocation(actor, start_from, start_to)
    # What the page shows in each select: what the manager chose (after a refused post) or the proposal.
    selected = dict(allocation.proposal)
    selected.update({pid: mid for pid, mid in chosen.items() if pid in selected})
    shown_proposal = dict(allocation.proposal) if proposed is None else \
        {pid: proposed.get(pid, allocation.proposal.get(pid)) for pid in allocation.proposal}
    by_id = allocation.mentor_by_id
    choices = {}
    for placement in allocation.open_placements:
        options = allocation.options_for(placement)
        picked = by_id.get(selected.get(placement.id))
        if picked is not None and picked not in options:
            options = [*options, picked]
        choices[placement.id] = options
    return render_template(
        "mentors/allocate.html", allocation=allocation, term_form=term_form, selected=selected,
        shown_proposal=shown_proposal, errors=errors, form=ActionForm(), choices=choices,
        proposed_loads=allocation.proposed_loads(), page_errors=errors.get("", []),
    ), status


@bp.route("/placements/<int:placement_id>", methods=["GET", "POST"])
def placement(placement_id: int):
    """One placement's mentor, notes and grade as its managers see them; assign or reassign its mentor."""
    actor = web.actor()
    file = mentoring.student_file(actor, placement_id)
    if file.role != "manager":
        abort(404)
    errors: list[str] = []
    if request.method == "POST":
        web.require_form(ActionForm)
        mentor_id = int_or_none(request.form.get("mentor_id"))
        expected = int_or_none(request.form.get("expected_mentor_id"))
        if mentor_id is None:
            errors.append(_("Choose a mentor."))
            g.service_error_status = 400
        else:
            outcome = web.run(mentoring.assign_mentor, actor, placement_id, mentor_id, expected, report=False,
                              success=lambda a: _("%(name)s is the mentor now.", name=a.mentor.display_name))
            if outcome:
                return redirect(url_for("mentors.placement", placement_id=placement_id))
            errors.extend(message for _field, message in outcome.error.field_messages())
        file = mentoring.student_file(actor, placement_id)
    group_id = mentoring.group_of(file.placement)
    candidates = [p for p in mentoring.mentor_profiles(actor, group_ids=[group_id], active_only=True)] \
        if group_id is not None else []
    loads = mentoring.current_loads(p.user_id for p in candidates)
    defaults = mentoring.plan_limits([file.placement])
    limits = {p.user_id: mentoring.limits_of(p, defaults) for p in candidates}
    current_id = file.assignment.mentor_id if file.assignment else None
    options = [p for p in candidates if p.user_id != current_id and loads[p.user_id] < limits[p.user_id][1]]
    return render_template(
        "mentors/placement.html", file=file, options=options, loads=loads, limits=limits, errors=errors,
        form=ActionForm(), grades=GRADES, assignable=file.placement.status in mentoring.LOAD_STATUSES,
    ), web.form_status()

