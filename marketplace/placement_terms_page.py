"""The page adjusting a pending placement's practice terms, shared by the company's and the manager's routes."""
from __future__ import annotations

from flask import redirect, render_template, request

from marketplace import web
from marketplace.forms import PlacementTermsForm, schedule_form_data, schedule_rows_of, show_stale_edit
from marketplace.i18n import gettext as _
from marketplace.labels import choices
from marketplace.models import PracticeType, WorkMode
from marketplace.services import compliance, placements, practice_terms
from marketplace.services.workflow import StaleEdit


def _form_data(placement) -> dict:
    terms = practice_terms.terms_of(placement)
    return {
        **terms, "start_date": placement.start_date, "end_date": placement.end_date,
        "schedule": schedule_form_data(terms["schedule"]), "version": placement.version,
    }


def _choices(form: PlacementTermsForm) -> None:
    form.practice_type.choices = choices(PracticeType)
    form.work_mode.choices = choices(WorkMode)


def _data(form: PlacementTermsForm) -> placements.PlacementTermsData:
    return placements.PlacementTermsData(
        practice_type=form.practice_type.data or "", start_date=form.start_date.data, end_date=form.end_date.data,
        schedule=schedule_rows_of(form.schedule), stipend_krw=form.stipend_krw.data,
        education_share_pct=form.education_share_pct.data, remote_share_pct=form.remote_share_pct.data,
        holiday_exception=bool(form.holiday_exception.data), work_mode=form.work_mode.data or "",
        location=form.location.data or "", supervisor_name=form.supervisor_name.data or "",
        supervisor_contact=form.supervisor_contact.data or "", version=form.version.data,
    )


def placement_terms_page(placement_id: int, back_url):
    """GET: the form with the saved terms and their check; POST: save (stale forms refused, errors beside their
    fields, what was typed kept). `back_url(placement)` is where a save returns to."""
    actor = web.actor()
    placement = placements.get_placement_for_terms(actor, placement_id)
    form = PlacementTermsForm(data=_form_data(placement)) if request.method == "GET" else PlacementTermsForm()
    _choices(form)
    stale = None
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        done = web.run(placements.update_placement_terms, actor, placement_id, _data(form), form.version.data,
                       form=form, success=_("The practice terms were saved."))
        if done:
            return redirect(back_url(placement))
        status = web.form_status()
        if isinstance(done.error, StaleEdit):
            saved = PlacementTermsForm(formdata=None, data=_form_data(done.error.record))
            _choices(saved)
            stale = show_stale_edit(form, saved, done.error.record.version)
        placement = placements.get_placement_for_terms(actor, placement_id)
    elif request.method == "POST":
        status = 400
    return render_template("placement_terms.html", form=form, placement=placement, stale=stale,
                           check=compliance.check(placement), back=back_url(placement),
                           editable=practice_terms.placement_can_change_terms(placement)), status
