"""Routes of the rounds blueprint: the manager's rounds, the students' orders and the companies' rankings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.forms import attach_error, int_or_none
from marketplace.models import ProposalStatus, RoundStatus
from marketplace.permissions import Permission, permission_required, user_can
from marketplace.rounds.forms import ActionForm, ExcludeForm, RoundForm
from marketplace.services import groups, rounds
from marketplace.services.companies import reviewable_group_ids
from marketplace.services.errors import DomainError
from marketplace.services.seats import seats_taken

bp = Blueprint("rounds", __name__)
DIRECTIONS = ("up", "down")

STATUS_LABELS = {
    RoundStatus.OPEN: _l("Open for ranking"),
    RoundStatus.MATCHED: _l("Run, not published"),
    RoundStatus.PUBLISHED: _l("Published"),
    ProposalStatus.PROPOSED: _l("Proposed"),
    ProposalStatus.APPROVED: _l("Approved"),
    ProposalStatus.FAILED: _l("Could not be approved"),
}
STATUS_BADGES = {
    RoundStatus.OPEN: "text-bg-info",
    RoundStatus.MATCHED: "text-bg-warning",
    RoundStatus.PUBLISHED: "text-bg-success",
    ProposalStatus.PROPOSED: "text-bg-light border",
    ProposalStatus.APPROVED: "text-bg-success",
    ProposalStatus.FAILED: "text-bg-danger",
}
OUTCOME_SENTENCES = {
    "matched": _l("Matched here."),
    "higher_choice_matched": _l("Not needed: a higher choice was matched."),
    "filled_by_higher_ranked": _l("All seats went to applicants the company ranked higher."),
    "not_acceptable": _l("The company marked this applicant as not acceptable."),
    "excluded": _l("Excluded by the exchange manager."),
    "no_seats": _l("No seats were left in this opening when the round was run."),
}


@bp.app_template_filter("round_label")
def round_label(value) -> str:
    return str(STATUS_LABELS.get(value, getattr(value, "value", value)))


@bp.app_template_filter("round_badge")
def round_badge(value) -> str:
    return STATUS_BADGES.get(value, "text-bg-secondary")


@bp.app_template_filter("round_outcome")
def round_outcome(code: str) -> str:
    return str(OUTCOME_SENTENCES.get(code, code))


def _actor():
    return current_user._get_current_object()


def _back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values))


def _require_action_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


def _do(action, success: str | None, **kwargs):
    """Run a button's service call: commit and flash success, or roll back and flash the service's message."""
    try:
        result = action(**kwargs)
    except DomainError as error:
        db.session.rollback()
        if error.status == 404:
            abort(404)
        flash(error.message, "warning")
        return None, False
    db.session.commit()
    if success:
        flash(success, "success")
    return result, True


# -- the exchange manager's pages ----------------------------------------------------------------------------------


@bp.route("/")
@permission_required(Permission.REVIEW_EXCHANGES)
def index():
    items = list(db.session.scalars(rounds.rounds_for_manager_query(_actor())))
    return render_template("rounds/index.html", rounds=items)


def _round_form_choices(form: RoundForm) -> None:
    locale = str(get_locale())
    group_ids = reviewable_group_ids(_actor())
    choices = [g for g in groups.list_groups() if group_ids is None or g.id in group_ids]
    form.group_id.choices = [("", _("Choose a project group"))] + [(g.id, f"{g.code} — {g.name(locale)}")
                                                                   for g in choices]
    candidates = rounds.candidate_openings(_actor())
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
        try:
            matching_round = rounds.create_round(_actor(), data)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The round “%(name)s” is open. Students and companies can now order their preferences.",
                    name=matching_round.name), "success")
            return _back("rounds.detail", round_id=matching_round.id)
    return render_template("rounds/form.html", form=form), 400 if request.method == "POST" else 200


def _render_detail(matching_round, exclude_form=None, exclude_for=None, status=200):
    proposals = rounds.proposals_of(matching_round) if matching_round.status != RoundStatus.OPEN else []
    taken = seats_taken(matching_round.opening_ids)
    return render_template(
        "rounds/detail.html", round=matching_round, proposals=proposals, figures=rounds.figures(matching_round),
        progress=rounds.ranking_progress(matching_round) if matching_round.status == RoundStatus.OPEN else None,
        seats_left={o.id: max(0, o.seats - taken.get(o.id, 0)) for o in matching_round.openings},
        participants=rounds.participants(matching_round) if matching_round.status == RoundStatus.OPEN else [],
        exclusions=rounds.exclusions_of(matching_round), today=today_in_seoul(),
        action_form=ActionForm(), exclude_form=exclude_form or ExcludeForm(), exclude_for=exclude_for,
        RoundStatus=RoundStatus, ProposalStatus=ProposalStatus,
    ), status


@bp.route("/<int:round_id>")
@permission_required(Permission.REVIEW_EXCHANGES)
def detail(round_id: int):
    return _render_detail(rounds.get_round_for_manager(_actor(), round_id))


@bp.route("/<int:round_id>/run", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def run(round_id: int):
    _require_action_form()
    matching_round = rounds.get_round_for_manager(_actor(), round_id)
    _do(rounds.run_round, _("The round was run. Review the proposals, then publish them."),
        actor=_actor(), matching_round=matching_round)
    return _back("rounds.detail", round_id=round_id)


@bp.route("/<int:round_id>/exclude", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def exclude(round_id: int):
    matching_round = rounds.get_round_for_manager(_actor(), round_id)
    form = ExcludeForm()
    application_id = int_or_none(form.application_id.data)
    if form.validate_on_submit():
        if application_id is None:
            abort(400)
        try:
            rounds.exclude_pair_and_rerun(_actor(), matching_round, application_id, form.reason.data or "")
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                abort(404)
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("The pair was excluded and the round was run again."), "success")
            return _back("rounds.detail", round_id=round_id)
    matching_round = rounds.get_round_for_manager(_actor(), round_id)
    return _render_detail(matching_round, exclude_form=form, exclude_for=application_id, status=400)


@bp.route("/<int:round_id>/publish", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def publish(round_id: int):
    _require_action_form()
    matching_round = rounds.get_round_for_manager(_actor(), round_id)
    _do(rounds.publish_round, _("The outcome is published; students and companies were told."),
        actor=_actor(), matching_round=matching_round)
    return _back("rounds.detail", round_id=round_id)


@bp.route("/<int:round_id>/proposals/<int:proposal_id>/approve", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def approve(round_id: int, proposal_id: int):
    _require_action_form()
    proposal = rounds.get_proposal_for_manager(_actor(), round_id, proposal_id)
    approved, ok = _do(rounds.approve_proposal, None, actor=_actor(), proposal=proposal)
    if ok:
        if approved:
            flash(_("The placement was approved."), "success")
        else:
            flash(_("The placement could not be approved: %(reason)s", reason=proposal.message), "warning")
    return _back("rounds.detail", round_id=round_id)


@bp.route("/<int:round_id>/approve-all", methods=["POST"])
@permission_required(Permission.REVIEW_EXCHANGES)
def approve_all(round_id: int):
    _require_action_form()
    matching_round = rounds.get_round_for_manager(_actor(), round_id)
    counts, ok = _do(rounds.approve_all, None, actor=_actor(), matching_round=matching_round)
    if ok:
        approved, failed = counts
        flash(_("%(approved)d placements approved, %(failed)d could not be approved (see the reasons below).",
                approved=approved, failed=failed), "warning" if failed else "success")
    return _back("rounds.detail", round_id=round_id)


# -- students and company managers ----------------------------------------------------------------------------------


@bp.route("/mine")
@login_required
def mine():
    actor = _actor()
    if not (user_can(actor, Permission.APPLY) or user_can(actor, Permission.MANAGE_COMPANY)):
        abort(403)
    return render_template("rounds/mine.html", items=rounds.my_rounds(actor),
                           is_student=user_can(actor, Permission.APPLY))


@bp.route("/<int:round_id>/preferences")
@permission_required(Permission.APPLY)
def preferences(round_id: int):
    actor = _actor()
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
    _require_action_form()
    if direction not in DIRECTIONS:
        abort(404)
    actor = _actor()
    matching_round = rounds.get_round_for_student(actor, round_id)
    _do(rounds.move_student_choice, _("Your order was saved."), actor=actor, matching_round=matching_round,
        application_id=application_id, direction=direction)
    return redirect(url_for("rounds.preferences", round_id=round_id) + f"#choice-{application_id}")


@bp.route("/<int:round_id>/openings/<int:opening_id>/ranking")
@permission_required(Permission.MANAGE_COMPANY)
def ranking(round_id: int, opening_id: int):
    matching_round, opening = rounds.get_round_opening_for_company(_actor(), round_id, opening_id)
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
    _require_action_form()
    if direction not in DIRECTIONS:
        abort(404)
    actor = _actor()
    matching_round, opening = rounds.get_round_opening_for_company(actor, round_id, opening_id)
    _do(rounds.move_applicant, _("The order was saved."), actor=actor, matching_round=matching_round,
        opening=opening, application_id=application_id, direction=direction)
    return redirect(url_for("rounds.ranking", round_id=round_id, opening_id=opening_id)
                    + f"#applicant-{application_id}")


@bp.route("/<int:round_id>/openings/<int:opening_id>/ranking/<int:application_id>/acceptability/<choice>",
          methods=["POST"])
@permission_required(Permission.MANAGE_COMPANY)
def set_acceptable(round_id: int, opening_id: int, application_id: int, choice: str):
    _require_action_form()
    if choice not in ("acceptable", "not-acceptable"):
        abort(404)
    actor = _actor()
    matching_round, opening = rounds.get_round_opening_for_company(actor, round_id, opening_id)
    acceptable = choice == "acceptable"
    _do(rounds.set_acceptable,
        _("The applicant is acceptable again.") if acceptable
        else _("The applicant is marked as not acceptable; the round will not place them here."),
        actor=actor, matching_round=matching_round, opening=opening, application_id=application_id,
        acceptable=acceptable)
    return redirect(url_for("rounds.ranking", round_id=round_id, opening_id=opening_id)
                    + f"#applicant-{application_id}")
