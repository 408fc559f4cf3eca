"""Routes of the auth blueprint."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.auth.forms import (
    ChangePasswordForm,
    CompanyManagerRegistrationForm,
    LoginForm,
    StudentRegistrationForm,
)
from marketplace import web
from marketplace.labels import choices
from marketplace.models import DegreeLevel, Role
from marketplace import sessions
from marketplace.security import log_failed_sign_in, safe_next_url
from marketplace.services import accounts, groups

bp = Blueprint("auth", __name__)


HOME = {
    Role.ADMIN: "admin.index",
    Role.EXCHANGE_MANAGER: "manager.index",
    Role.COMPANY_MANAGER: "companies.dashboard",
    Role.STUDENT: "students.recommendations",
}


def _home_for(user) -> str:
    """Where each role starts its day."""
    return url_for(HOME.get(user.role, "main.index"))


def _start_session(user, remember: bool) -> None:
    # Renew the session at sign-in: nothing from before (fixation) survives.
    locale = session.get("locale")
    session.clear()
    if locale and not user.locale:
        user.locale = locale
    login_user(user, remember=remember)
    if remember:
        # The remember-me cookie carries the sign-in time, so it lapses REMEMBER_COOKIE_DURATION after it.
        session["_user_id"] = sessions.remember_id(user.get_id())
    sessions.password_entered()


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")) or _home_for(current_user))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data, client_address=request.remote_addr or "")
        if user is not None:
            web.run(_start_session, user, bool(form.remember.data),
                    success=_("Welcome, %(name)s.", name=user.display_name))
            return redirect(safe_next_url(form.next.data) or _home_for(user))
        form.password.errors.append(_("The e-mail address or password is not correct."))
        target = accounts.find_user_by_email(form.email.data or "")
        log_failed_sign_in(target.id if target is not None else None)
    return render_template("auth/login.html", form=form), web.form_status()


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
def confirm_password():
    """The fresh-login prompt: enter the password again, then go back to the page asked for."""
    next_url = safe_next_url(request.values.get("next")) or _home_for(current_user)
    error = None
    if request.method == "POST":
        if accounts.confirm_password(current_user._get_current_object(), request.form.get("password", "")):
            sessions.password_entered()
            return redirect(next_url)
        error = _("The password is not correct.")
        log_failed_sign_in(current_user.id)
    return render_template("auth/confirm_password.html", action=url_for("auth.confirm_password"),
                           fields=[("next", next_url)], field_name="password", error=error), 400 if error else 200


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    web.run(accounts.end_all_sessions, web.actor())
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.index"))


def _student_form_choices(form: StudentRegistrationForm) -> list:
    all_groups = groups.list_groups()
    locale = str(get_locale())
    form.group_id.choices = [("", _("Choose your project group"))] + [
        (g.id, g.name(locale)) for g in all_groups
    ]
    form.degree_level.choices = [("", _("Choose your degree level"))] + choices(DegreeLevel)
    form.track_id.choices = [("", _("No track"))] + [
        (t.id, f"{g.code} — {t.name(locale)}") for g in all_groups for t in g.tracks
    ]
    return all_groups


def _registered_and_signed_in(register, *args, **kwargs):
    """Create the account and start its session in the same transaction."""
    user = register(*args, **kwargs)
    _start_session(user, remember=False)
    return user


@bp.route("/register", methods=["GET"])
def register():
    return render_template("auth/register_choice.html")


@bp.route("/register/student", methods=["GET", "POST"])
def register_student():
    form = StudentRegistrationForm()
    all_groups = _student_form_choices(form)
    if form.validate_on_submit() and web.run(
        _registered_and_signed_in, accounts.register_student, accounts.StudentRegistration(
            email=form.email.data, password=form.password.data, display_name=form.display_name.data,
            group_id=form.group_id.data, major=form.major.data, degree_level=form.degree_level.data or "",
            year=form.year.data, track_id=form.track_id.data, locale=str(get_locale()),
            client_address=request.remote_addr or "",
        ), form=form, success=_("Your student account is ready. Next, add your skills: recommendations follow from them."),
    ):
        # The next step, not the generic home page: the skills recommendations need, then the recommendations.
        return redirect(url_for("students.profile", welcome=1))
    majors = sorted({m.name(str(get_locale())) for g in all_groups for m in g.majors})
    return render_template("auth/register_student.html", form=form, majors=majors), web.form_status()


@bp.route("/register/company", methods=["GET", "POST"])
def register_company():
    form = CompanyManagerRegistrationForm()
    if form.validate_on_submit() and web.run(
        _registered_and_signed_in, accounts.register_company_manager, form.email.data, form.password.data,
        form.display_name.data, locale=str(get_locale()), client_address=request.remote_addr or "", form=form,
        success=_("Your company manager account is ready. Next, create or join your company."),
    ):
        return redirect(url_for("companies.create_company"))
    return render_template("auth/register_company.html", form=form), web.form_status()


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    user = web.actor()
    if form.validate_on_submit() and web.run(
        accounts.change_password, user, form.current_password.data, form.new_password.data, form=form,
        # Every other session died with the old token; keep this one, renewed.
        committed=lambda _result: _start_session(user, remember=False),
        success=_("Your password was changed. Other devices have been signed out."),
    ):
        return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form), web.form_status()
