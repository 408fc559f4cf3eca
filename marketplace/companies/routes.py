"""Routes of the companies blueprint: a company manager's company and openings, and public company pages."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from marketplace import ownership, web
from marketplace.clock import today_in_seoul
from marketplace.companies.forms import CompanyForm, InviteColleagueForm, JoinCompanyForm, OpeningForm
from marketplace.extensions import db
from marketplace.forms import NoteForm, int_or_none, schedule_form_data, schedule_rows_of, show_stale_edit
from marketplace.i18n import gettext as _
from marketplace.labels import choices, level_choices
from marketplace.models import (
    CompanySize,
    CompanyStatus,
    DegreeLevel,
    Importance,
    OpeningKind,
    OpeningStatus,
    PracticeType,
    Sector,
    WorkMode,
)
from marketplace.permissions import Permission, permission_required
from marketplace.services import applications, companies, compliance, groups, openings, practice_terms, skills
from marketplace.services.workflow import StaleEdit

bp = Blueprint("companies", __name__)


def _no_company_yet():
    flash(_("You do not manage a company yet. Create its profile or ask to join it."), "info")
    return redirect(url_for("companies.dashboard"))


# -- the company profile ----------------------------------------------------------------------------------


def _company_choices(form: CompanyForm) -> None:
    locale = str(get_locale())
    form.sector.choices = [("", _("Choose a sector"))] + choices(Sector)
    form.size.choices = [("", _("Choose a size"))] + choices(CompanySize)
    form.group_ids.choices = [(g.id, f"{g.code} — {g.name(locale)}") for g in groups.filter_groups()]


def _company_data(form: CompanyForm) -> companies.CompanyData:
    return companies.CompanyData(
        name=form.name.data or "", business_number=form.business_number.data or "",
        sector=form.sector.data or "", size=form.size.data or "", description=form.description.data or "",
        website=form.website.data or "", address=form.address.data or "", group_ids=form.group_ids.data or [],
        version=form.version.data,
    )


def _company_form_data(company) -> dict:
    """What the edit page shows for the saved company (what waits for review is what the manager last saved)."""
    pending = company.pending_changes or {}
    return {
        "name": pending.get("name", company.name),
        "business_number": companies.format_business_number(pending.get("business_number", company.business_number)),
        "sector": company.sector.value, "size": company.size.value, "description": company.description,
        "website": company.website, "address": company.address,
        "group_ids": list(pending.get("group_ids") or [g.id for g in company.partner_groups]),
        "version": company.version,
    }


@bp.route("/company/")
@permission_required(Permission.MANAGE_COMPANY)
def dashboard():
    membership, join_request = companies.membership_with_company(web.actor())
    company = membership.company if membership else None
    context = {"company": company, "join_request": join_request}
    if company is not None:
        context.update(
            counts=openings.status_counts(company),
            applicant_overview=applications.applicant_overview(company),
            join_requests=list(db.session.scalars(companies.join_requests_query(company))),
            managers=companies.active_managers(company),
            note_form=NoteForm(),
            change_rows=companies.pending_change_rows(company),
        )
    return render_template("companies/dashboard.html", **context)


@bp.route("/company/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_COMPANY)
def create_company():
    if companies.company_of(web.actor()) is not None:
        flash(_("You already manage a company."), "info")
        return redirect(url_for("companies.dashboard"))
    form = CompanyForm()
    _company_choices(form)
    if form.validate_on_submit() and web.run(
        companies.create_company, web.actor(), _company_data(form), form=form,
        success=lambda company: _("%(name)s was registered. An exchange manager of its project groups will "
                                  "review it.", name=company.name),
    ):
        return redirect(url_for("companies.dashboard"))
    return render_template("companies/company_form.html", form=form, company=None), web.form_status()


@bp.route("/company/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_COMPANY)
def edit_company():
    company = companies.company_of(web.actor())
    if company is None:
        return _no_company_yet()
    form = CompanyForm(data=_company_form_data(company)) if request.method == "GET" else CompanyForm()
    _company_choices(form)
    if form.validate_on_submit():
        was_rejected = company.status == CompanyStatus.REJECTED
        def saved(updated) -> str:
            if was_rejected:
                return _("The company was resubmitted for review.")
            if updated.has_pending_changes:
                return _("The profile was saved. The new name, business number or partner groups wait for an "
                         "exchange manager; until then the approved ones are shown.")
            return _("The company profile was saved.")

        done = web.run(companies.update_company, web.actor(), company, _company_data(form), form=form, success=saved)
        if done:
            return redirect(url_for("companies.dashboard"))
        if isinstance(done.error, StaleEdit):
            current = CompanyForm(formdata=None, data=_company_form_data(done.error.record))
            _company_choices(current)
            stale = show_stale_edit(form, current, done.error.record.version)
            return render_template("companies/company_form.html", form=form, company=company, stale=stale,
                                   change_rows=companies.pending_change_rows(company)), 409
    return render_template("companies/company_form.html", form=form, company=company,
                           change_rows=companies.pending_change_rows(company)), web.form_status()


@bp.route("/company/join", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_COMPANY)
def join_company():
    form = JoinCompanyForm()
    if form.validate_on_submit() and web.run(
        companies.request_to_join, web.actor(), form.business_number.data, form=form,
        success=lambda membership: _("You asked to join %(name)s. You will get access once a manager accepts.",
                                     name=membership.company.name),
    ):
        return redirect(url_for("companies.dashboard"))
    return render_template("companies/join.html", form=form), web.form_status()


@bp.route("/company/colleagues/invite", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_COMPANY)
def invite_colleague():
    """Invite a colleague by e-mail. The answer never says whether the address already has an account."""
    if companies.company_of(web.actor()) is None:
        return _no_company_yet()
    form = InviteColleagueForm()
    if form.validate_on_submit() and web.run(
        companies.invite_colleague, web.actor(), form.email.data, form.display_name.data, form=form,
        success=lambda address: _("An invitation is on its way to %(email)s. If the address already has an "
                                  "account, its owner is told how to ask to join instead.", email=address),
    ):
        return redirect(url_for("companies.dashboard"))
    return render_template("companies/invite.html", form=form), web.form_status()


def _decide_join_request(membership_id: int, accept: bool):
    web.require_form(NoteForm)
    actor = web.actor()
    membership = companies.get_membership_for_decision(actor, membership_id)
    if not ownership.manages_company(actor, membership.company):
        abort(404)
    name = membership.user.display_name
    web.run(companies.accept_member if accept else companies.decline_member, actor, membership,
        success=_("%(name)s now manages the company with you.", name=name) if accept
        else _("The request of %(name)s was declined.", name=name))
    return redirect(url_for("companies.dashboard"))


@bp.route("/company/join-requests/<int:membership_id>/accept", methods=["POST"])
@permission_required(Permission.MANAGE_COMPANY)
def accept_member(membership_id: int):
    return _decide_join_request(membership_id, accept=True)


@bp.route("/company/join-requests/<int:membership_id>/decline", methods=["POST"])
@permission_required(Permission.MANAGE_COMPANY)
def decline_member(membership_id: int):
    return _decide_join_request(membership_id, accept=False)


# -- openings ---------------------------------------------------------------------------------------------


@bp.route("/company/openings")
@permission_required(Permission.MANAGE_COMPANY)
def my_openings():
    company = companies.company_of(web.actor())
    if company is None:
        return _no_company_yet()
    try:
        status = OpeningStatus(request.args.get("status", ""))
    except ValueError:
        status = None
    items = list(db.session.scalars(openings.company_openings_query(company, status)))
    return render_template("companies/openings.html", company=company, openings=items, status=status,
                           counts=openings.status_counts(company), note_form=NoteForm(),
                           applicant_counts=applications.status_counts_by_opening(company))


def _opening_choices(form: OpeningForm, company) -> None:
    locale = str(get_locale())
    form.kind.choices = [("", _("Choose the kind"))] + choices(OpeningKind)
    form.work_mode.choices = [("", _("Choose a work mode"))] + choices(WorkMode)
    form.group_ids.choices = [(g.id, f"{g.code} — {g.name(locale)}") for g in company.partner_groups]
    form.degree_levels.choices = choices(DegreeLevel)
    form.practice_type.choices = choices(PracticeType)
    for row in form.skills:
        row.form.importance.choices = choices(Importance)
        row.form.min_level.choices = level_choices()


def _schedule_posted() -> bool:
    """Whether the request carries schedule rows (the page always does; a bare hours_per_week stands in)."""
    return request.method != "POST" or any(key.startswith("schedule-") for key in request.form)


def _opening_data(form: OpeningForm) -> openings.OpeningData:
    return openings.OpeningData(
        kind=form.kind.data or "", title=form.title.data or "", description=form.description.data or "",
        seats=form.seats.data, work_mode=form.work_mode.data or "", location=form.location.data or "",
        start_date=form.start_date.data, end_date=form.end_date.data, hours_per_week=form.hours_per_week.data,
        stipend_krw=form.stipend_krw.data, deadline=form.deadline.data,
        supervisor_name=form.supervisor_name.data or "",
        skills=[
            openings.SkillRequirement(
                name=row.form.name.data or "", importance=row.form.importance.data or "",
                min_level=int_or_none(row.form.min_level.data), row=index,
            )
            for index, row in enumerate(form.skills)
        ],
        group_ids=form.group_ids.data or [],
        degree_levels=form.degree_levels.data or [],
        majors=(form.majors.data or "").splitlines(),
        version=form.version.data,
        practice_type=form.practice_type.data or "",
        schedule=schedule_rows_of(form.schedule) if _schedule_posted() else None,
        education_share_pct=form.education_share_pct.data, remote_share_pct=form.remote_share_pct.data,
        holiday_exception=bool(form.holiday_exception.data), supervisor_contact=form.supervisor_contact.data or "",
    )


def _opening_form_data(opening) -> dict:
    return {
        "kind": opening.kind.value, "title": opening.title, "description": opening.description,
        "seats": opening.seats, "work_mode": opening.work_mode.value, "location": opening.location,
        "start_date": opening.start_date, "end_date": opening.end_date, "deadline": opening.deadline,
        "stipend_krw": opening.stipend_krw, "supervisor_name": opening.supervisor_name,
        "practice_type": opening.practice_type.value,
        "schedule": schedule_form_data(practice_terms.terms_of(opening)["schedule"]),
        "education_share_pct": opening.education_share_pct, "remote_share_pct": opening.remote_share_pct,
        "holiday_exception": opening.holiday_exception, "supervisor_contact": opening.supervisor_contact,
        "skills": [{"name": s.name, "importance": s.importance.value, "min_level": str(s.min_level)}
                   for s in opening.skills] + [{"name": "", "importance": "must", "min_level": "3"}],
        "group_ids": [g.id for g in opening.eligible_groups],
        "degree_levels": [level.value for level in opening.degree_level_list],
        "majors": "\n".join(opening.major_list),
        "version": opening.version,
    }


def _added_row(form: OpeningForm) -> bool:
    """The no-JavaScript 'add a skill row' button: one more row, nothing validated or saved."""
    if request.method != "POST" or not form.add_skill.data:
        return False
    if len(form.skills.entries) < openings.MAX_SKILLS:
        form.skills.append_entry()
    else:
        flash(_("An opening lists at most %(n)d skills.", n=openings.MAX_SKILLS), "warning")
    return True


def _render_opening_form(form, company, opening, status, stale=None, check=None):
    _opening_choices(form, company)
    if check is None and opening is not None and request.method == "GET":
        check = compliance.check(opening)
    return render_template(
        "companies/opening_form.html", form=form, company=company, opening=opening,
        common_skills=skills.common_skill_names(str(get_locale())), max_skills=openings.MAX_SKILLS,
        today=today_in_seoul(), stale=stale, check=check,
    ), status


def _previewed(form, opening=None):
    """The "Check the terms" button: the compliance check of what was typed, nothing saved (None otherwise)."""
    if request.method != "POST" or not form.check_terms.data or not form.validate_on_submit():
        return None
    done = web.run(openings.preview_compliance, web.actor(), _opening_data(form), opening, form=form)
    return done.value if done else False


@bp.route("/company/openings/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_COMPANY)
def new_opening():
    company = companies.company_of(web.actor())
    if company is None:
        return _no_company_yet()
    form = OpeningForm()
    if request.method == "GET":
        form.seats.data = 1
        form.stipend_krw.data = 0
        form.work_mode.data = WorkMode.ONSITE.value
        form.group_ids.data = [g.id for g in company.partner_groups]
        form.location.data = ""
        form.practice_type.data = PracticeType.STANDARD.value
        form.remote_share_pct.data = 0
        for index, row in enumerate(form.schedule):  # Mon–Fri 09:00–18:00 with an hour's break, to adjust
            if index < 5:
                row.form.start.data, row.form.end.data, row.form.break_minutes.data = "09:00", "18:00", 60
    _opening_choices(form, company)
    if _added_row(form):
        return _render_opening_form(form, company, None, 200)
    if (check := _previewed(form)) is not None:
        return _render_opening_form(form, company, None, 200 if check else web.form_status(), check=check or None)
    if form.validate_on_submit() and (done := web.run(
        openings.create_opening, web.actor(), _opening_data(form), form=form,
        success=_("The draft was saved. Submit it for review when it is ready."),
    )):
        return redirect(url_for("openings.detail", opening_id=done.value.id))
    return _render_opening_form(form, company, None, web.form_status())


@bp.route("/company/openings/<int:opening_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_COMPANY)
def edit_opening(opening_id: int):
    opening = openings.get_company_opening(web.actor(), opening_id)
    company = opening.company
    form = OpeningForm(data=_opening_form_data(opening)) if request.method == "GET" else OpeningForm()
    _opening_choices(form, company)
    if _added_row(form):
        return _render_opening_form(form, company, opening, 200)
    if (check := _previewed(form, opening)) is not None:
        return _render_opening_form(form, company, opening, 200 if check else web.form_status(),
                                    check=check or None)
    if form.validate_on_submit():
        done = web.run(openings.update_opening, web.actor(), opening, _opening_data(form), form=form)
        if isinstance(done.error, StaleEdit):
            saved = OpeningForm(formdata=None, data=_opening_form_data(done.error.record))
            _opening_choices(saved, company)
            stale = show_stale_edit(form, saved, done.error.record.version)
            return _render_opening_form(form, company, done.error.record, 409, stale)
        if not done:
            return _render_opening_form(form, company, opening, web.form_status())
        if done.value:  # sent back to review
            flash(_("The requirements, seats or practice terms changed so that an exchange manager must look "
                    "again: the opening went back to review. It is hidden from students until it is published "
                    "again."), "warning")
        else:
            flash(_("The opening was saved."), "success")
        return redirect(url_for("openings.detail", opening_id=opening_id))
    return _render_opening_form(form, company, opening, web.form_status())


def _opening_action(opening_id: int, action, done: str):
    web.require_form(NoteForm)
    opening = openings.get_company_opening(web.actor(), opening_id)
    web.run(action, web.actor(), opening, success=done)
    return redirect(url_for("openings.detail", opening_id=opening_id))


@bp.route("/company/openings/<int:opening_id>/submit", methods=["POST"])
@permission_required(Permission.MANAGE_COMPANY)
def submit_opening(opening_id: int):
    return _opening_action(opening_id, openings.submit_opening,
                           _("The opening was submitted. An exchange manager will review it."))


@bp.route("/company/openings/<int:opening_id>/close", methods=["POST"])
@permission_required(Permission.MANAGE_COMPANY)
def close_opening(opening_id: int):
    return _opening_action(opening_id, openings.close_opening,
                           _("The opening was closed; it no longer accepts applications."))


# -- public ----------------------------------------------------------------------------------------------


@bp.route("/companies/<int:company_id>")
def detail(company_id: int):
    viewer = web.actor() if current_user.is_authenticated else None
    company = companies.get_visible_company(viewer, company_id)
    return render_template(
        "companies/detail.html", company=company, openings=openings.company_public_openings(company),
        today=today_in_seoul(),
    )
