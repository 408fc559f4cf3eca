"""Routes of the applications blueprint: /openings/<id>/apply and /applications/<id>/cv."""
from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from marketplace import web
from marketplace.applications.forms import ApplyForm
from marketplace.forms import attach_error
from marketplace.i18n import gettext as _
from marketplace.services import applications, ranking

bp = Blueprint("applications", __name__)


def _render(opening, form, checked, status=200):
    actor = web.actor()
    profile = applications.profile_of(actor)
    match = ranking.match_for(profile, opening) if profile else None
    details = ranking.match_details(match) if match else []
    return render_template(
        "students/apply.html", opening=opening, form=form, checked=checked, profile=profile,
        details=details, match=match, consent_text=applications.consent_sentence(opening.company.name),
    ), status


@bp.route("/openings/<int:opening_id>/apply", methods=["GET", "POST"])
@login_required
def apply(opening_id: int):
    actor = web.actor()
    opening = applications.get_opening_to_apply(actor, opening_id)
    checked = applications.eligibility(actor, opening)
    form = ApplyForm()
    if request.method == "GET":
        if checked.existing is not None:
            flash(_("You have already applied to this opening."), "info")
            return redirect(url_for("students.application", application_id=checked.existing.id))
        return _render(opening, form, checked)
    if form.validate_on_submit():
        outcome = web.run(applications.apply, actor, opening, form.statement.data or "", bool(form.consent.data),
                          report=False,
                          success=_("Your application was sent. You will be notified when the company answers."))
        if outcome:
            return redirect(url_for("students.application", application_id=outcome.value.id))
        error = outcome.error
        if isinstance(error, applications.AlreadyApplied):
            flash(_("You have already applied to this opening; here is your application."), "info")
            if error.application_id is None:
                return redirect(url_for("students.my_applications"))
            return redirect(url_for("students.application", application_id=error.application_id))
        if isinstance(error, applications.NotEligible):
            return _render(opening, form, applications.Eligibility(reasons=error.reasons), error.status)
        attach_error(form, error)
    elif checked.existing is not None:
        flash(_("You have already applied to this opening; here is your application."), "info")
        return redirect(url_for("students.application", application_id=checked.existing.id))
    return _render(opening, form, checked, 400)


@bp.route("/applications/<int:application_id>/cv")
@login_required
def application_cv(application_id: int):
    """The applicant's CV for the company applied to, exchange managers of the student's group, admins."""
    data, name = applications.application_cv(web.actor(), application_id)
    return web.no_store(send_file(io.BytesIO(data), as_attachment=True, download_name=name, mimetype="application/pdf", max_age=0))
