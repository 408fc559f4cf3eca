"""Routes of the auth blueprint."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required, login_user, logout_user

from marketplace.auth.forms import (
    ChangePasswordForm,
    CompanyManagerRegistrationForm,
    ForgotPasswordForm,
    LoginForm,
    SetPasswordForm,
    StudentRegistrationForm,
)
from marketplace import web
from marketplace.forms import ActionForm
from marketplace.i18n import gettext as _
from marketplace.labels import choices
from marketplace.models import DegreeLevel, Role
from marketplace import sessions
from marketplace.security import log_failed_sign_in, safe_next_url
from marketplace.services import accounts, email_confirmation, groups, invitations, password_reset
from marketplace.services.tokens import LinkRefused, LinkUsed

bp = Blueprint("auth", __name__)


# What an account with a temporary password may still open: the page that replaces it, sign-out, the language
# switch and the static files the page needs.
_OPEN_WITH_TEMPORARY_PASSWORD = {"auth.change_password", "auth.logout", "main.set_language", "main.healthz", "static"}


@bp.before_app_request
def require_own_password():
    """Someone else chose this account's password (admin, CLI): every page leads to the change-password page
    until its owner has chosen their own."""
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if request.endpoint in _OPEN_WITH_TEMPORARY_PASSWORD:
        return None
    if request.method in {"GET", "HEAD"}:
        flash(_("Your password was set by someone else. Choose your own password to continue."), "info")
    return redirect(url_for("auth.change_password"))


HOME = {
    Role.ADMIN: "admin.index",
    Role.EXCHANGE_MANAGER: "manager.index",
    Role.COMPANY_MANAGER: "companies.dashboard",
    Role.STUDENT: "students.recommendations",
    Role.MENTOR: "mentor.index",
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


REGISTERED = {
    # What a registration answers, whether the address was new or already had an account (then its owner
    # gets an e-mail instead): no page tells whether an address has an account.
    "student": "students.profile",
    "company": "companies.create_company",
}


def _registered(kind: str):
    return redirect(url_for("auth.registered", kind=kind))


@bp.route("/register", methods=["GET"])
def register():
    return render_template("auth/register_choice.html")


@bp.route("/register/student", methods=["GET", "POST"])
def register_student():
    form = StudentRegistrationForm()
    all_groups = _student_form_choices(form)
    if form.validate_on_submit() and web.run(
        accounts.register_student, accounts.StudentRegistration(
            email=form.email.data, password=form.password.data, display_name=form.display_name.data,
            group_id=form.group_id.data, major=form.major.data, degree_level=form.degree_level.data or "",
            year=form.year.data, track_id=form.track_id.data, locale=str(get_locale()),
            client_address=request.remote_addr or "",
        ), form=form,
    ):
        return _registered("student")
    majors = sorted({m.name(str(get_locale())) for g in all_groups for m in g.majors})
    return render_template("auth/register_student.html", form=form, majors=majors), web.form_status()


@bp.route("/register/company", methods=["GET", "POST"])
def register_company():
    form = CompanyManagerRegistrationForm()
    if form.validate_on_submit() and web.run(
        accounts.register_company_manager, form.email.data, form.password.data,
        form.display_name.data, locale=str(get_locale()), client_address=request.remote_addr or "", form=form,
    ):
        return _registered("company")
    return render_template("auth/register_company.html", form=form), web.form_status()


@bp.route("/register/<kind>/sent")
def registered(kind: str):
    """After a registration: check your e-mail, then sign in (the next step of the role follows the sign-in)."""
    if kind not in REGISTERED:
        abort(404)
    next_url = url_for(REGISTERED[kind], welcome=1) if kind == "student" else url_for(REGISTERED[kind])
    return render_template("auth/registered.html", kind=kind, login_url=url_for("auth.login", next=next_url))


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


# -- e-mail confirmation -----------------------------------------------------------------------------------------


def _link_problem(check, token: str) -> str | None:
    """Why the link cannot be used (a sentence for the page), or None."""
    try:
        check(token)
    except (LinkRefused, LinkUsed) as error:
        return error.message
    return None


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    """The link of the confirmation e-mail. Opening it shows a button: mail scanners that open links to check
    them must not use up the link before its owner does."""
    form = ActionForm()
    if form.validate_on_submit():
        done = web.run(email_confirmation.confirm_email, token, report=False,
                       success=_("Thank you: your e-mail address is confirmed."))
        if done:
            if current_user.is_authenticated:
                return redirect(_home_for(current_user))
            return redirect(url_for("auth.login"))
        problem = done.error.message
    else:
        problem = _link_problem(email_confirmation.check_confirmation_link, token)
    return render_template("auth/confirm_email.html", form=form, problem=problem), 400 if problem else 200


@bp.route("/confirm-email/resend", methods=["POST"])
@login_required
def resend_confirmation():
    web.require_form()
    web.run(email_confirmation.resend_confirmation, web.actor(), category="info",
            success=_("We sent a new confirmation link to %(email)s. It works for 24 hours.",
                      email=current_user.email))
    return redirect(safe_next_url(request.form.get("next")) or _home_for(current_user))


# -- forgot password ---------------------------------------------------------------------------------------------


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    """One answer for every well-formed address, whether or not it has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit() and web.run(
        password_reset.request_reset, form.email.data, request.remote_addr or "", form=form, category="info",
        success=_("If an account uses this address, we sent it a link to choose a new password. The link works "
                  "for 1 hour. Nothing arrived? Check the spam folder and the address you typed."),
    ):
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), web.form_status()


def _set_password_page(token: str, check, action, template: str, success: str):
    """A page that chooses a password through a link: the link is checked first (a clear page if it cannot be
    used); a refused password keeps the link and what was typed; success signs this browser in."""
    form = SetPasswordForm()
    problem = _link_problem(check, token)
    if problem is None and form.validate_on_submit():
        done = web.run(action, token, form.new_password.data, form=form,
                       committed=lambda user: _start_session(user, remember=False), success=success)
        if done:
            return redirect(_home_for(done.value))
        if isinstance(done.error, (LinkRefused, LinkUsed)):
            problem = done.error.message
    status = 400 if problem else web.form_status()
    return render_template(template, form=form, problem=problem), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _set_password_page(token, password_reset.check_reset_link, password_reset.reset_password,
                              "auth/reset_password.html",
                              _("Your new password is set. Every other device has been signed out."))


# -- invitations -------------------------------------------------------------------------------------------------


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _set_password_page(token, invitations.check_invitation_link, invitations.accept_invitation,
                              "auth/accept_invitation.html", _("Welcome! Your password is set and your e-mail "
                                                               "address is confirmed."))
