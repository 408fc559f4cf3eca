"""Routes of the students blueprint (under /student): profile and skills, CV, recommendations, applications."""
from __future__ import annotations

import io

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale

from marketplace import web
from marketplace.extensions import db
from marketplace.forms import ApplicationActionForm, int_or_none, page_number, show_stale_edit
from marketplace.i18n import gettext as _
from marketplace.labels import choices, level_choices
from marketplace.models import DegreeLevel, OpeningKind, WorkMode
from marketplace.permissions import Permission, permission_required
from marketplace.services import applications, groups, placements, skills, students
from marketplace.services.workflow import StaleEdit
from marketplace.students.forms import CvForm, ProfileForm

bp = Blueprint("students", __name__)


@bp.before_request
@permission_required(Permission.KEEP_STUDENT_PROFILE)
def require_student():
    """Every page here is the signed-in student's own."""


# -- profile and skills --------------------------------------------------------------------------------


def _profile_form_data(profile) -> dict:
    return {
        "group_id": profile.group_id, "major": profile.major, "degree_level": profile.degree_level.value, "year": profile.year,
        "track_id": profile.track_id, "bio": profile.bio, "hours_per_week": profile.hours_per_week,
        "available_from": profile.available_from,
        "skills": [{"name": s.name, "level": str(s.level)} for s in profile.skills] + [{"name": "", "level": "3"}],
        "version": profile.version,
    }


def _profile_choices(form: ProfileForm, profile) -> None:
    locale = str(get_locale())
    form.degree_level.choices = [("", _("Choose a degree level"))] + choices(DegreeLevel)
    form.group_id.choices = [(g.id, f"{g.code} — {g.name(locale)}") for g in groups.filter_groups()]
    form.track_id.choices = [(None, _("No track"))] + [(t.id, t.name(locale)) for t in profile.group.tracks]
    for row in form.skills:
        row.form.level.choices = level_choices()


def _profile_data(form: ProfileForm) -> students.ProfileData:
    return students.ProfileData(
        major=form.major.data or "", degree_level=form.degree_level.data or "", year=form.year.data,
        track_id=form.track_id.data, bio=form.bio.data or "", hours_per_week=form.hours_per_week.data,
        available_from=form.available_from.data,
        skills=[students.SkillEntry(name=row.form.name.data or "", level=int_or_none(row.form.level.data), row=i)
                for i, row in enumerate(form.skills)],
        version=form.version.data, group_id=form.group_id.data,
    )


def _render_profile(form, profile, cv_form=None, status=200, stale=None):
    _profile_choices(form, profile)
    recognised = {s.name: s for s in profile.skills}
    return render_template(
        "students/profile.html", form=form, profile=profile, cv_form=cv_form or CvForm(),
        recognised=recognised, common_skills=skills.common_skill_names(str(get_locale())),
        max_skills=students.MAX_SKILLS, max_cv_mb=students.MAX_CV_BYTES // (1024 * 1024), stale=stale,
    ), status


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    record = students.get_profile(web.actor())
    form = ProfileForm(data=_profile_form_data(record)) if request.method == "GET" else ProfileForm()
    _profile_choices(form, record)
    if request.method == "POST" and form.add_skill.data:  # no-JavaScript "add a row": nothing saved
        if len(form.skills.entries) < students.MAX_SKILLS:
            form.skills.append_entry()
        else:
            flash(_("A profile lists at most %(n)d skills.", n=students.MAX_SKILLS), "warning")
        return _render_profile(form, record)
    if form.validate_on_submit():
        done = web.run(students.update_profile, web.actor(), record, _profile_data(form), form=form,
                       success=_("Your profile was saved."))
        if done:
            # A newly registered student goes on to what the profile is for.
            if request.args.get("welcome"):
                return redirect(url_for("students.recommendations"))
            return redirect(url_for("students.profile"))
        if isinstance(done.error, StaleEdit):
            saved = ProfileForm(formdata=None, data=_profile_form_data(done.error.record))
            _profile_choices(saved, done.error.record)
            stale = show_stale_edit(form, saved, done.error.record.version)
            return _render_profile(form, done.error.record, status=409, stale=stale)
    return _render_profile(form, record, status=web.form_status())


# -- CV ------------------------------------------------------------------------------------------------------


@bp.route("/cv", methods=["POST"])
def upload_cv():
    actor = web.actor()
    record = students.get_profile(actor)
    cv_form = CvForm()
    if cv_form.validate_on_submit():
        upload = cv_form.cv.data
        data = upload.read(students.MAX_CV_BYTES + 1) if upload else b""
        if web.run(students.store_cv, actor, record, getattr(upload, "filename", None), data, form=cv_form,
                   success=_("Your CV was uploaded."), committed=students.CvChange.committed,
                   failed=students.CvChange.failed):
            return redirect(url_for("students.profile"))
    record = students.get_profile(actor)
    return _render_profile(ProfileForm(data=_profile_form_data(record)), record, cv_form, 400)


@bp.route("/cv/delete", methods=["POST"])
def delete_cv():
    actor = web.actor()
    if ApplicationActionForm().validate_on_submit():
        web.run(students.delete_cv, actor, students.get_profile(actor), success=_("Your CV was deleted."),
                committed=students.CvChange.committed, failed=students.CvChange.failed)
    return redirect(url_for("students.profile"))


@bp.route("/cv", methods=["GET"], endpoint="download_cv")
def download_cv():
    data, name = students.own_cv(web.actor())
    return web.no_store(send_file(io.BytesIO(data), as_attachment=True, download_name=name, mimetype="application/pdf",
                              max_age=0))


# -- recommendations -----------------------------------------------------------------------------------------


@bp.route("/recommendations")
@permission_required(Permission.APPLY)
def recommendations():
    page = page_number(request.args)
    filters = applications.recommendation_filters(request.args)
    result, record = applications.recommendations(web.actor(), page=page, per_page=current_app.config["PAGE_SIZE"],
                                                  filters=filters)
    return render_template("students/recommendations.html", result=result, profile=record, filters=filters,
                           groups=groups.filter_groups(), kinds=choices(OpeningKind), modes=choices(WorkMode))


# -- my applications ------------------------------------------------------------------------------------------


@bp.route("/applications")
@permission_required(Permission.APPLY)
def my_applications():
    page = page_number(request.args)
    pagination = db.paginate(applications.student_applications_query(web.actor()), page=max(page, 1),
                             per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("students/applications.html", pagination=pagination)


def _render_application(application_id: int, status: int = 200):
    application = applications.get_student_application(web.actor(), application_id)
    return render_template(
        "students/application.html", application=application, timeline=applications.timeline(application.id),
        action_form=ApplicationActionForm(),
        terms=placements.terms_comparison(application.placement) if application.placement else [],
    ), status


@bp.route("/applications/<int:application_id>")
@permission_required(Permission.APPLY)
def application(application_id: int):
    return _render_application(application_id)


STUDENT_ACTIONS = {
    "withdraw": lambda _record: _("You withdrew the application."),
    "accept": lambda _record: _("You accepted the offer. An exchange manager of your project group will "
                                "confirm the placement."),
    "decline": lambda _record: _("You declined the offer."),
}


@bp.route("/applications/<int:application_id>/<action>", methods=["POST"])
@permission_required(Permission.APPLY)
def application_action(application_id: int, action: str):
    actor = web.actor()
    record = applications.get_student_application(actor, application_id)  # 404 for anyone else's
    done = STUDENT_ACTIONS.get(action)
    if done is None or not ApplicationActionForm().validate_on_submit():
        return _render_application(application_id, 400)
    outcome = web.run(applications.TRANSITIONS[action], actor, record, success=done)
    if not outcome:
        return _render_application(application_id, outcome.error.status)
    return redirect(url_for("students.application", application_id=application_id))

