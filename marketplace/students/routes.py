"""Routes of the students blueprint (under /student): profile and skills, CV, recommendations, applications."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.companies.labels import choices, level_choices
from marketplace.extensions import db
from marketplace.forms import attach_error, int_or_none, page_number
from marketplace.models import ApplicationStatus, DegreeLevel
from marketplace.permissions import Permission, permission_required
from marketplace.services import applications, skills, students
from marketplace.services.errors import DomainError
from marketplace.students import labels  # noqa: F401  (status labels for the templates)
from marketplace.students.forms import ActionForm, CvForm, ProfileForm

bp = Blueprint("students", __name__)


@bp.before_request
@permission_required(Permission.KEEP_STUDENT_PROFILE)
def require_student():
    """Every page here is the signed-in student's own."""


def _actor():
    return current_user._get_current_object()


def _status() -> int:
    return 400 if request.method == "POST" else 200


def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


# -- profile and skills --------------------------------------------------------------------------------


def _profile_form_data(profile) -> dict:
    return {
        "major": profile.major, "degree_level": profile.degree_level.value, "year": profile.year,
        "track_id": profile.track_id, "bio": profile.bio, "hours_per_week": profile.hours_per_week,
        "available_from": profile.available_from,
        "skills": [{"name": s.name, "level": str(s.level)} for s in profile.skills] + [{"name": "", "level": "3"}],
    }


def _profile_choices(form: ProfileForm, profile) -> None:
    locale = str(get_locale())
    form.degree_level.choices = [("", _("Choose a degree level"))] + choices(DegreeLevel)
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
    )


def attach_profile_error(form: ProfileForm, error: DomainError) -> None:
    """Errors on a skill row ('skills-3-level') go beside that row; others as usual."""
    if error.field and error.field.startswith("skills-"):
        _prefix, index, part = error.field.split("-", 2)
        if index.isdigit() and int(index) < len(form.skills.entries):
            getattr(form.skills.entries[int(index)].form, part).errors.append(error.message)
            return
    if error.field == "skills":
        form.skills_errors = [error.message]
        return
    attach_error(form, error)


def _render_profile(form, profile, cv_form=None, status=200):
    _profile_choices(form, profile)
    recognised = {s.name: s for s in profile.skills}
    return render_template(
        "students/profile.html", form=form, profile=profile, cv_form=cv_form or CvForm(),
        recognised=recognised, common_skills=skills.common_skill_names(str(get_locale())),
        max_skills=students.MAX_SKILLS, max_cv_mb=students.MAX_CV_BYTES // (1024 * 1024),
    ), status


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    record = students.get_profile(_actor())
    form = ProfileForm(data=_profile_form_data(record)) if request.method == "GET" else ProfileForm()
    _profile_choices(form, record)
    if request.method == "POST" and form.add_skill.data:  # no-JavaScript "add a row": nothing saved
        if len(form.skills.entries) < students.MAX_SKILLS:
            form.skills.append_entry()
        else:
            flash(_("A profile lists at most %(n)d skills.", n=students.MAX_SKILLS), "warning")
        return _render_profile(form, record)
    if form.validate_on_submit():
        try:
            students.update_profile(_actor(), record, _profile_data(form))
        except DomainError as error:
            db.session.rollback()
            attach_profile_error(form, error)
        else:
            db.session.commit()
            flash(_("Your profile was saved."), "success")
            return redirect(url_for("students.profile"))
    return _render_profile(form, record, status=_status())


# -- CV ------------------------------------------------------------------------------------------------------


@bp.route("/cv", methods=["POST"])
def upload_cv():
    actor = _actor()
    record = students.get_profile(actor)
    cv_form = CvForm()
    if cv_form.validate_on_submit():
        upload = cv_form.cv.data
        data = upload.read(students.MAX_CV_BYTES + 1) if upload else b""
        try:
            change = students.store_cv(actor, record, getattr(upload, "filename", None), data)
        except DomainError as error:
            db.session.rollback()
            attach_error(cv_form, error)
        else:
            try:
                db.session.commit()
            except Exception:
                change.failed()
                raise
            change.committed()
            flash(_("Your CV was uploaded."), "success")
            return redirect(url_for("students.profile"))
    record = students.get_profile(actor)
    return _render_profile(ProfileForm(data=_profile_form_data(record)), record, cv_form, 400)


@bp.route("/cv/delete", methods=["POST"])
def delete_cv():
    actor = _actor()
    if not ActionForm().validate_on_submit():
        return redirect(url_for("students.profile"))
    change = students.delete_cv(actor, students.get_profile(actor))
    db.session.commit()
    change.committed()
    flash(_("Your CV was deleted."), "success")
    return redirect(url_for("students.profile"))


@bp.route("/cv", methods=["GET"], endpoint="download_cv")
def download_cv():
    path, name = students.own_cv(_actor())
    return no_store(send_file(path, as_attachment=True, download_name=name, mimetype="application/pdf",
                              max_age=0))


# -- recommendations -----------------------------------------------------------------------------------------


@bp.route("/recommendations")
@permission_required(Permission.APPLY)
def recommendations():
    page = page_number(request.args)
    result, record = applications.recommendations(_actor(), page=page, per_page=current_app.config["PAGE_SIZE"])
    return render_template("students/recommendations.html", result=result, profile=record)


# -- my applications ------------------------------------------------------------------------------------------


@bp.route("/applications")
@permission_required(Permission.APPLY)
def my_applications():
    page = page_number(request.args)
    pagination = db.paginate(applications.student_applications_query(_actor()), page=max(page, 1),
                             per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("students/applications.html", pagination=pagination)


def _render_application(application_id: int, status: int = 200):
    application = applications.get_student_application(_actor(), application_id)
    return render_template(
        "students/application.html", application=application, timeline=applications.timeline(application.id),
        action_form=ActionForm(),
    ), status


@bp.route("/applications/<int:application_id>")
@permission_required(Permission.APPLY)
def application(application_id: int):
    return _render_application(application_id)


STUDENT_ACTIONS = {
    "withdraw": lambda: _("You withdrew the application."),
    "accept": lambda: _("You accepted the offer. An exchange manager of your project group will confirm the "
                        "placement."),
    "decline": lambda: _("You declined the offer."),
}


@bp.route("/applications/<int:application_id>/<action>", methods=["POST"])
@permission_required(Permission.APPLY)
def application_action(application_id: int, action: str):
    actor = _actor()
    record = applications.get_student_application(actor, application_id)  # 404 for anyone else's
    done = STUDENT_ACTIONS.get(action)
    if done is None or not ActionForm().validate_on_submit():
        return _render_application(application_id, 400)
    try:
        applications.TRANSITIONS[action](actor, record)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _render_application(application_id, error.status)
    db.session.commit()
    flash(done(), "success")
    return redirect(url_for("students.application", application_id=application_id))


@bp.app_template_filter("app_status")
def application_status_label(value) -> str:
    """An application status (enum or stored string, as in audit events) in the reader's language.

    Its own table, not the shared `label` one: str enums with equal values (ApplicationStatus.REJECTED and
    CompanyStatus.REJECTED) are the same dictionary key there.
    """
    if value is None:
        return ""
    try:
        return str(labels.APPLICATION_LABELS[ApplicationStatus(value)])
    except ValueError:
        return str(value)


@bp.app_template_filter("app_badge")
def application_status_badge(value) -> str:
    try:
        return labels.APPLICATION_BADGES[ApplicationStatus(value)]
    except ValueError:
        return "text-bg-secondary"
