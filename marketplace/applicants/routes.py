"""Routes of the applicants blueprint: ranked applicants per opening and one application's pipeline."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from marketplace import web
from marketplace.forms import ApplicationActionForm, page_number
from marketplace.i18n import gettext as _
from marketplace.labels import choices
from marketplace.models import ApplicationStatus, DegreeLevel
from marketplace.permissions import Permission, permission_required
from marketplace.placement_terms_page import placement_terms_page
from marketplace.services import applications, openings, placements, seats

bp = Blueprint("applicants", __name__)


@bp.before_request
@permission_required(Permission.MANAGE_COMPANY)
def require_company_manager():
    """Every page here belongs to a company manager; queries are scoped to their company."""


@bp.route("/company/openings/<int:opening_id>/applicants")
def ranked(opening_id: int):
    actor = web.actor()
    opening = openings.get_company_opening(actor, opening_id)
    filters = applications.parse_applicant_filters(request.args)
    page = page_number(request.args)
    result = applications.ranked_applicants(actor, opening, filters, page=page,
                                            per_page=current_app.config["PAGE_SIZE"])
    counts = applications.applicant_counts(opening)
    return render_template(
        "applicants/ranked.html", opening=opening, result=result, filters=filters, counts=counts,
        groups=opening.eligible_groups, degrees=choices(DegreeLevel), statuses=list(ApplicationStatus),
    )


def _render_application(application_id: int, form=None, status: int = 200):
    view = applications.company_view(web.actor(), application_id)
    application = view.application
    shortlisted = application.status == ApplicationStatus.SHORTLISTED
    return render_template(
        "applicants/application.html", application=application, view=view, profile=view.profile,
        timeline=applications.timeline(application.id), form=form or ApplicationActionForm(),
        allowed=applications.application_machine.targets(application.status),
        seat_use=seats.seat_use(application.opening) if shortlisted else None,
        terms=placements.terms_comparison(application.placement) if application.placement else [],
    ), status


@bp.route("/company/applications/<int:application_id>")
def application(application_id: int):
    return _render_application(application_id)


COMPANY_ACTIONS = {
    "shortlist": lambda _record: _("The applicant is shortlisted and was notified."),
    "reject": lambda _record: _("The application was declined; the applicant was notified."),
    "offer": lambda _record: _("The offer was sent. The applicant can accept or decline it."),
}


@bp.route("/company/applications/<int:application_id>/<action>", methods=["POST"])
def application_action(application_id: int, action: str):
    actor = web.actor()
    record = applications.get_company_application(actor, application_id)  # 404 outside the company
    form = ApplicationActionForm()
    done = COMPANY_ACTIONS.get(action)
    if done is None or not form.validate_on_submit():
        return _render_application(application_id, form, 400)
    message = (form.message.data or "",) if action in ("reject", "offer") else ()
    options = {"confirm_over_seats": bool(form.confirm_over_seats.data)} if action == "offer" else {}
    outcome = web.run(applications.TRANSITIONS[action], actor, record, *message, form=form, success=done,
                      **options)
    if not outcome:
        return _render_application(application_id, form, outcome.error.status)
    return redirect(url_for("applicants.application", application_id=application_id))


@bp.route("/company/placements/<int:placement_id>/terms", methods=["GET", "POST"])
def placement_terms(placement_id: int):
    """The host company's managers adjust a pending placement's practice terms."""
    return placement_terms_page(placement_id, lambda p: url_for("applicants.application",
                                                                application_id=p.application_id))
