"""Routes of the applications blueprint: /openings/<id>/apply and /applications/<id>/cv."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.extensions import db
from marketplace.forms import attach_error
from marketplace.services import applications, ranking
from marketplace.services.errors import DomainError
from marketplace.students import labels  # noqa: F401  (status labels for the templates)
from marketplace.students.forms import ApplyForm
from marketplace.students.routes import no_store

bp = Blueprint("applications", __name__)


def _actor():
    return current_user._get_current_object()


def _render(opening, form, checked, status=200):
    actor = _actor()
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
    actor = _actor()
    opening = applications.get_opening_to_apply(actor, opening_id)
    checked = applications.eligibility(actor, opening)
    form = ApplyForm()
    if request.method == "GET":
        if checked.existing is not None:
            flash(_("You have already applied to this opening."), "info")
            return redirect(url_for("students.application", application_id=checked.existing.id))
        return _render(opening, form, checked)
    if form.validate_on_submit():
        try:
            application = applications.apply(actor, opening, form.statement.data or "", bool(form.consent.data))
        except applications.AlreadyApplied as error:
            db.session.rollback()
            flash(_("You have already applied to this opening; here is your application."), "info")
            if error.application_id is None:
                return redirect(url_for("students.my_applications"))
            return redirect(url_for("students.application", application_id=error.application_id))
        except applications.NotEligible as error:
            db.session.rollback()
            return _render(opening, form, applications.Eligibility(reasons=error.reasons), error.status)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Your application was sent. You will be notified when the company answers."), "success")
            return redirect(url_for("students.application", application_id=application.id))
    elif checked.existing is not None:
        flash(_("You have already applied to this opening; here is your application."), "info")
        return redirect(url_for("students.application", application_id=checked.existing.id))
    return _render(opening, form, checked, 400)


@bp.route("/applications/<int:application_id>/cv")
@login_required
def application_cv(application_id: int):
    """The applicant's CV for the company applied to, exchange managers of the student's group, admins."""
    path, name = applications.application_cv(_actor(), application_id)
    return no_store(send_file(path, as_attachment=True, download_name=name, mimetype="application/pdf", max_age=0))
