"""Routes of the manager blueprint: queues and decisions for the reviewer's project groups."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.extensions import db
from marketplace.forms import attach_error
from marketplace.manager.forms import DecisionForm
from marketplace.models import CompanyStatus, OpeningStatus
from marketplace.permissions import Permission, permission_required
from marketplace.services import audit, companies, openings
from marketplace.services.errors import DomainError

bp = Blueprint("manager", __name__)


@bp.before_request
@permission_required(Permission.REVIEW_EXCHANGES)
def require_reviewer():
    """Every page here needs the REVIEW_EXCHANGES permission (exchange managers in office, admins)."""


def _actor():
    return current_user._get_current_object()


@bp.route("/")
def index():
    actor = _actor()
    return render_template(
        "manager/index.html",
        pending_companies=list(db.session.scalars(companies.pending_companies_query(actor))),
        openings_in_review=list(db.session.scalars(openings.openings_in_review_query(actor))),
        join_requests=list(db.session.scalars(companies.join_requests_for_reviewer_query(actor))),
        partner_companies=list(db.session.scalars(companies.companies_for_reviewer_query(actor))),
        decision_form=DecisionForm(),
    )


COMPANY_DECISIONS = {
    "approve": (companies.approve_company, lambda c: _("%(name)s is approved.", name=c.name)),
    "reject": (companies.reject_company, lambda c: _("%(name)s was rejected; its manager sees your reason.",
                                                    name=c.name)),
    "suspend": (companies.suspend_company, lambda c: _("%(name)s is suspended.", name=c.name)),
    "reinstate": (companies.reinstate_company, lambda c: _("%(name)s is approved again.", name=c.name)),
}

OPENING_DECISIONS = {
    "publish": (openings.publish_opening, lambda o: _("“%(title)s” is published.", title=o.title)),
    "return": (openings.return_opening, lambda o: _("“%(title)s” was returned to the company with your note.",
                                                    title=o.title)),
    "close": (openings.close_opening, lambda o: _("“%(title)s” is closed.", title=o.title)),
}


@bp.route("/companies/<int:company_id>", methods=["GET", "POST"])
def company(company_id: int):
    actor = _actor()
    record = companies.get_company_for_reviewer(actor, company_id)
    form = DecisionForm()
    if request.method == "POST":
        decision = COMPANY_DECISIONS.get(request.form.get("decision", ""))
        if decision is None:
            abort(400)
        if form.validate_on_submit():
            action, message = decision
            try:
                action(actor, record, form.note.data or "")
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
            else:
                db.session.commit()
                flash(message(record), "success")
                return redirect(url_for("manager.index"))
    return render_template(
        "manager/company.html", company=record, form=form,
        managers=companies.active_managers(record),
        join_requests=list(db.session.scalars(companies.join_requests_query(record))),
        openings=list(db.session.scalars(openings.company_openings_query(record))),
        history=list(db.session.scalars(audit.history_query("company", record.id).limit(50))),
        CompanyStatus=CompanyStatus,
    ), 400 if request.method == "POST" else 200


@bp.route("/openings/<int:opening_id>", methods=["GET", "POST"])
def opening(opening_id: int):
    actor = _actor()
    record = openings.get_opening_for_reviewer(actor, opening_id)
    form = DecisionForm()
    if request.method == "POST":
        decision = OPENING_DECISIONS.get(request.form.get("decision", ""))
        if decision is None:
            abort(400)
        if form.validate_on_submit():
            action, message = decision
            try:
                action(actor, record, form.note.data or "")
            except DomainError as error:
                db.session.rollback()
                attach_error(form, error)
            else:
                db.session.commit()
                flash(message(record), "success")
                return redirect(url_for("manager.index"))
    return render_template(
        "manager/opening.html", opening=record, form=form, today=openings.today_in_seoul(),
        history=list(db.session.scalars(audit.history_query("opening", record.id).limit(50))),
        OpeningStatus=OpeningStatus, CompanyStatus=CompanyStatus,
    ), 400 if request.method == "POST" else 200


def _decide_join_request(membership_id: int, accept: bool):
    if not DecisionForm().validate_on_submit():
        abort(400)
    actor = _actor()
    membership = companies.get_membership_for_decision(actor, membership_id)
    if not companies.can_review_company(actor, membership.company):
        abort(404)
    try:
        (companies.accept_member if accept else companies.decline_member)(actor, membership)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
    else:
        db.session.commit()
        name = membership.user.display_name
        flash(_("%(name)s now manages %(company)s.", name=name, company=membership.company.name) if accept
              else _("The request of %(name)s was declined.", name=name), "success")
    return redirect(url_for("manager.index"))


@bp.route("/join-requests/<int:membership_id>/accept", methods=["POST"])
def accept_member(membership_id: int):
    return _decide_join_request(membership_id, accept=True)


@bp.route("/join-requests/<int:membership_id>/decline", methods=["POST"])
def decline_member(membership_id: int):
    return _decide_join_request(membership_id, accept=False)
