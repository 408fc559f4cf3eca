"""Routes of the rounds blueprint: the manager's rounds, the students' orders and the companies' rankings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import login_required

from marketplace import web
from marketplace.extensions import db
from marketplace.forms import ActionForm, int_or_none
from marketplace.i18n import gettext as _
from marketplace.models import ProposalStatus, RoundStatus
from marketplace.permissions import Permission, permission_required, user_can
from marketplace.rounds.forms import ExcludeForm, RoundForm
from marketplace.services import groups, rounds
from marketplace.services.companies import reviewable_group_ids
from marketplace.services.seats import seats_taken

bp = Blueprint("rounds", __name__)
DIRECTIONS = ("up", "down")


def _back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values))


# -- the exchange manager's pages ----------------------------------------------------------------------------------


@bp.route("/")
@permission_required(Permission.REVIEW_EXCHANGES)
def index():
    items = list(db.session.scalars(rounds.rounds_for_manager_query(web.actor())))
    return render_template("rounds/index.html", rounds=items)


def _round_form_choices(form: RoundForm) -> None:
    locale = str(get_locale())
    group_ids = reviewable_group_ids(web.actor())
    choices = [g for g in groups.list_groups() if group_ids is None or g.id in group_ids]
    form.group_id.choices = [("", _("Choose a project group"))] + [(g.id, f"{g.code} — {g.name(locale)}")
                                                                   for g in choices]
    candidates = rounds.candidate_openings(web.actor())
    form.opening_ids.choices = [
        (o.id, f"{o.title} — {o.company.name} ({', '.join(g.code for g in o.eligible_groups)}; "
               + _("%(n)d seats", n=o.seats) + ")")
        for o in candidates
    ]


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def new():
    form = RoundForm()
    _round_form_choices(form)
    if form.validate_on_submit():
        data = rounds.RoundData(
            name=form.name.data or "", group_id=form.group_id.data,
            application_deadline=form.application_deadline.data, ranking_deadline=form.ranking_deadline.data,
            opening_ids=form.opening_ids.data or [],
        )
        done = web.run(rounds.create_round, web.actor(), data, form=form, success=lambda matching_round: _(
            "The round “%(name)s” is open. Students and companies can now order their preferences.",
            name=matching_round.name))
        if done:
            return _back("rounds.detail", round_id=done.value.id)
    return render_template("rounds/form.html", form=form), web.form_status()


def _render_detail(matching_round, exclude_form=None, exclude_for=None, status=200):
    proposals = rounds.proposals_of(matching_round) if matching_round.status != RoundStatus.OPEN else []
    taken = seats_taken(matching_round.opening_ids)
    return render_template(
        "rounds/detail.html", round=matching_round, proposals=proposals, figures=rounds.figures(matching_round),
        progress=rounds.ranking_progress(matching_round) if matching_round.status == RoundStatus.OPEN else None,
        seats_left={o.id: max(0, o.seats - taken.get(o.id, 0)) for o in matching_round.openings},
        participants=rounds.participants(matching_round) if matching_round.status == RoundStatus.OPEN else [],
        exclusions=rounds.exclusions_of(matching_round),
        can_run=rounds.can_run_on(matching_round), first_run_day=rounds.first_run_day(matching_round),
        action_form=ActionForm(), exclude_form=exclude_form or ExcludeForm(), exclude_for=exclude_for,
        RoundStatus=RoundStatus, ProposalStatus=ProposalStatus,
    ), status


@bp.route("/<int:round_id>")
@permission_required(Permission.REVIEW_EXCHANGES)
def detail(round_id: int):
    return _render_detail(rounds.get_round_for_manager(web.actor(), round_id))


def _round_button(round_id: int, action, success: str):
    """A button of the round page (run, publish): the service call on the manager's round, back to the page."""
    web.require_form()
    actor = web.actor()
    web.run(action, success=success, actor=actor, matching_round=rounds.get_round_for_manager(actor, round_id))
    return _back("rounds.detail", round_id=round_id)


@bp.route("/<int:round_id>/run", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def run(round_id: int):
    return _round_button(round_id, rounds.run_round, _("The round was run. Review the proposals, then publish them."))


@bp.route("/<int:round_id>/exclude", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def exclude(round_id: int):
    matching_round = rounds.get_round_for_manager(web.actor(), round_id)
    form = ExcludeForm()
    application_id = int_or_none(form.application_id.data)
    if form.validate_on_submit():
        if application_id is None:
            abort(400)
        if web.run(rounds.exclude_pair_and_rerun, web.actor(), matching_round, application_id,
                   form.reason.data or "", form=form,
                   success=_("The pair was excluded and the round was run again.")):
            return _back("rounds.detail", round_id=round_id)
    matching_round = rounds.get_round_for_manager(web.actor(), round_id)
    return _render_detail(matching_round, exclude_form=form, exclude_for=application_id, status=400)


@bp.route("/<int:round_id>/publish", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def publish(round_id: int):
    return _round_button(round_id, rounds.publish_round,
                         _("The outcome is published; students and companies were told."))


@bp.route("/<int:round_id>/proposals/<int:proposal_id>/approve", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def approve(round_id: int, proposal_id: int):
    web.require_form()
    proposal = rounds.get_proposal_for_manager(web.actor(), round_id, proposal_id)
    done = web.run(rounds.approve_proposal, actor=web.actor(), proposal=proposal)
    if done:
        if done.value:
            flash(_("The placement was approved."), "success")
        else:
            flash(_("The placement could not be approved: %(reason)s", reason=proposal.message), "warning")
    return _back("rounds.detail", round_id=round_id)


@bp.route("/<int:round_id>/approve-all", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def approve_all(round_id: int):
    web.require_form()
    matching_round = rounds.get_round_for_manager(web.actor(), round_id)
    done = web.run(rounds.approve_all, actor=web.actor(), matching_round=matching_round)
    if done:
        approved, failed = done.value
        flash(_("%(approved)d placements approved, %(failed)d could not be approved (see the reasons below).",
                approved=approved, failed=failed), "warning" if failed else "success")
    return _back("rounds.detail", round_id=round_id)


# -- students and company managers ----------------------------------------------------------------------------------


@bp.route("/mine")
@login_required
def mine():
    actor = web.actor()
    if not (user_can(actor, Permission.APPLY) or user_can(actor, Permission.MANAGE_COMPANY)):
        abort(403)
    return render_template("rounds/mine.html", items=rounds.my_rounds(actor),
                           is_student=user_can(actor, Permission.APPLY))


@bp.route("/<int:round_id>/preferences")
@permission_required(Permission.APPLY)
def preferences(round_id: int):
    actor = web.actor()
    matching_round = rounds.get_round_for_student(actor, round_id)
    published = matching_round.status == RoundStatus.PUBLISHED
    return render_template(
        "rounds/preferences.html", round=matching_round, choices=rounds.student_choices(matching_round, actor),
        editable=rounds.is_editable(matching_round), action_form=ActionForm(),
        proposal=rounds.proposal_of(matching_round, actor) if published else None, RoundStatus=RoundStatus,
        ProposalStatus=ProposalStatus,
    )


@bp.route("/<int:round_id>/preferences/<int:application_id>/<direction>", methods=["POST"])
@permission_required(Permission.APPLY)
def move_choice(round_id: int, application_id: int, direction: str):
    web.require_form()
    if direction not in DIRECTIONS:
        abort(404)
    actor = web.actor()
    matching_round = rounds.get_round_for_student(actor, round_id)
    web.run(rounds.move_student_choice, success=_("Your order was saved."), actor=actor,
            matching_round=matching_round, application_id=application_id, direction=direction)
    return redirect(url_for("rounds.preferences", round_id=round_id) + f"#choice-{application_id}")


@bp.route("/<int:round_id>/openings/<int:opening_id>/ranking")
@permission_required(Permission.MANAGE_COMPANY)
def ranking(round_id: int, opening_id: int):
    matching_round, opening = rounds.get_round_opening_for_company(web.actor(), round_id, opening_id)
    published = matching_round.status == RoundStatus.PUBLISHED
    placed = {p.student_id for p in rounds.proposals_for_opening(matching_round, opening)} if published else set()
    return render_template(
        "rounds/ranking.html", round=matching_round, opening=opening,
        applicants=rounds.company_applicants(matching_round, opening) if not published else [],
        placed=rounds.proposals_for_opening(matching_round, opening) if published else [], placed_ids=placed,
        editable=rounds.is_editable(matching_round), action_form=ActionForm(), RoundStatus=RoundStatus,
        ProposalStatus=ProposalStatus,
    )


@bp.route("/<int:round_id>/openings/<int:opening_id>/ranking/<int:application_id>/move/<direction>",
          methods=["POST"])
@permission_required(Permission.MANAGE_COMPANY)
def move_applicant(round_id: int, opening_id: int, application_id: int, direction: str):
    web.require_form()
    if direction not in DIRECTIONS:
        abort(404)
    actor = web.actor()
    matching_round, opening = rounds.get_round_opening_for_company(actor, round_id, opening_id)
    web.run(rounds.move_applicant, success=_("The order was saved."), actor=actor, matching_round=matching_round,
            opening=opening, application_id=application_id, direction=direction)
    return redirect(url_for("rounds.ranking", round_id=round_id, opening_id=opening_id)
                    + f"#applicant-{application_id}")


@bp.route("/<int:round_id>/openings/<int:opening_id>/ranking/<int:application_id>/acceptability/<choice>",
          methods=["POST"])
@permission_required(Permission.MANAGE_COMPANY)
def set_acceptable(round_id: int, opening_id: int, application_id: int, choice: str):
    web.require_form()
    if choice not in ("acceptable", "not-acceptable"):
        abort(404)
    actor = web.actor()
    matching_round, opening = rounds.get_round_opening_for_company(actor, round_id, opening_id)
    acceptable = choice == "acceptable"
    web.run(rounds.set_acceptable,
            success=_("The applicant is acceptable again.") if acceptable
            else _("The applicant is marked as not acceptable; the round will not place them here."),
            actor=actor, matching_round=matching_round, opening=opening, application_id=application_id,
            acceptable=acceptable)
    return redirect(url_for("rounds.ranking", round_id=round_id, opening_id=opening_id)
                    + f"#applicant-{application_id}")
