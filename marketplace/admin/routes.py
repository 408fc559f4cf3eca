"""Routes of the admin blueprint."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import get_locale

from marketplace import labels, web
from marketplace.admin.forms import (
    DesignationForm,
    DesignationGroupsForm,
    GroupForm,
    HolidaysForm,
    RevokeForm,
    RuleSetForm,
)
from marketplace.extensions import db
from marketplace.forms import page_number
from marketplace.i18n import gettext as _
from marketplace.permissions import Permission, permission_required
from marketplace.services import accounts, compliance, designations, groups, history, invitations, notifications
from marketplace.services.errors import Reasons

bp = Blueprint("admin", __name__)


@bp.before_request
@permission_required(Permission.ADMINISTER)
def require_admin():
    """Every admin page needs the ADMINISTER permission."""


@bp.route("/")
def index():
    return render_template(
        "admin/index.html",
        groups=groups.list_groups(active_only=False),
        designations=list(db.session.scalars(designations.designations_query(include_revoked=False))),
        min_tenure=designations.minimum_tenure(),
        mail=notifications.mail_counts(),
    )


# -- project groups -----------------------------------------------------------------------------


def _split_lines(text: str, columns: int) -> list[tuple[str, ...]]:
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (columns - len(parts))
        rows.append(tuple(parts[:columns]))
    return rows


def _group_data(form: GroupForm) -> groups.GroupData:
    problems = Reasons()
    majors = _split_lines(form.majors.data, 4)
    if any(not row[2] or not row[3] for row in majors):
        problems.add("majors", _("Each major needs an English and a Korean name."))
    tracks = _split_lines(form.tracks.data, 2)
    if any(not row[0] or not row[1] for row in tracks):
        problems.add("tracks", _("Each track needs an English and a Korean name."))
    problems.raise_if_any()
    return groups.GroupData(
        code=form.code.data or "",
        name_en=form.name_en.data or "",
        name_ko=form.name_ko.data or "",
        university_en=form.university_en.data or "",
        university_ko=form.university_ko.data or "",
        email_domains=[d.strip().lower() for d in (form.email_domains.data or "").split(",") if d.strip()],
        majors=majors,
        tracks=tracks,
        active=bool(form.active.data),
    )


@bp.route("/groups/new", methods=["GET", "POST"])
def new_group():
    form = GroupForm()
    if form.validate_on_submit() and web.run(
        lambda: groups.create_group(web.actor(), _group_data(form)), form=form,
        success=lambda group: _("Project group %(code)s was added.", code=group.code),
    ):
        return redirect(url_for("admin.index"))
    return render_template("admin/group_form.html", form=form, group=None), web.form_status()


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
def edit_group(group_id: int):
    group = groups.get_group(group_id)
    form = GroupForm(obj=group if request.method == "GET" else None)
    if request.method == "GET":
        form.email_domains.data = ", ".join(group.domains)
        form.majors.data = "\n".join(
            f"{m.college_en} | {m.college_ko} | {m.name_en} | {m.name_ko}" for m in group.majors
        )
        form.tracks.data = "\n".join(f"{t.name_en} | {t.name_ko}" for t in group.tracks)
    if form.validate_on_submit() and web.run(
        lambda: groups.update_group(web.actor(), group, _group_data(form)), form=form,
        success=lambda _record: _("Project group %(code)s was saved.", code=group.code),
    ):
        return redirect(url_for("admin.index"))
    return render_template("admin/group_form.html", form=form, group=group), web.form_status()


# -- exchange-manager designations ---------------------------------------------------------------


@bp.route("/designations")
def list_designations():
    return render_template(
        "admin/designations.html",
        designations=list(db.session.scalars(designations.designations_query())),
        min_tenure=designations.minimum_tenure(),
        revoke_form=RevokeForm(),
    )


def _designated_message(designation) -> str:
    if invitations.awaiting_first_password(designation.user):
        return _("%(name)s is now an exchange manager. An invitation to choose a password was sent to %(email)s.",
                 name=designation.user.display_name, email=designation.user.email)
    return _("%(name)s is now an exchange manager.", name=designation.user.display_name)


@bp.route("/designations/new", methods=["GET", "POST"])
def new_designation():
    form = DesignationForm()
    locale = str(get_locale())
    form.group_ids.choices = [(g.id, f"{g.code} — {g.name(locale)}") for g in groups.list_groups()]
    if form.validate_on_submit() and web.run(
        designations.designate, web.actor(), email=form.email.data, tenure_years=form.tenure_years.data,
        group_ids=form.group_ids.data or [], display_name=form.display_name.data or "",
        initial_password=form.initial_password.data or "", form=form,
        success=_designated_message,
    ):
        return redirect(url_for("admin.list_designations"))
    return render_template(
        "admin/designation_form.html", form=form, min_tenure=designations.minimum_tenure()
    ), web.form_status()


@bp.route("/designations/<int:designation_id>/revoke", methods=["POST"])
def revoke_designation(designation_id: int):
    designation = designations.get_designation(designation_id)
    form = web.require_form(RevokeForm)
    web.run(designations.revoke, web.actor(), designation, form.reason.data or "",
            success=_("The designation of %(name)s was revoked.", name=designation.user.display_name))
    return redirect(url_for("admin.list_designations"))


# -- audit log ---------------------------------------------------------------------------------


@bp.route("/audit")
def audit_log():
    filters, errors = history.parse_audit_filters(request.args)
    page = page_number(request.args)
    pagination = db.paginate(history.audit_log_query(filters), page=page, per_page=50, error_out=False)
    return render_template("admin/audit.html", pagination=pagination, filters=filters, errors=errors,
                           entity_type=filters.entity_type, record_types=labels.record_type_choices(),
                           actions=labels.action_choices()), 400 if errors else 200


@bp.route("/designations/<int:designation_id>/groups", methods=["GET", "POST"])
def designation_groups(designation_id: int):
    """Reassign queues: the groups a designation serves (audited)."""
    designation = designations.get_designation(designation_id)
    form = DesignationGroupsForm()
    locale = str(get_locale())
    form.group_ids.choices = [(g.id, f"{g.code} — {g.name(locale)}") for g in groups.list_groups(active_only=False)]
    if request.method == "GET":
        form.group_ids.data = [g.id for g in designation.groups]
    if form.validate_on_submit() and web.run(
        designations.reassign_groups, web.actor(), designation, form.group_ids.data or [], form=form,
        success=lambda _record: _("%(name)s now serves %(groups)s.", name=designation.user.display_name,
                            groups=", ".join(g.code for g in designation.groups)),
    ):
        return redirect(url_for("admin.list_designations"))
    return render_template("admin/designation_groups.html", form=form, designation=designation), web.form_status()


# -- accounts ------------------------------------------------------------------------------------------


@bp.route("/users")
def users():
    search = request.args.get("q", "")
    pagination = db.paginate(accounts.users_query(search), page=page_number(request.args), per_page=50,
                             error_out=False)
    return render_template("admin/users.html", pagination=pagination, search=search)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_user_active(user_id: int):
    user = accounts.get_user(user_id)
    active = request.form.get("active") == "1"
    web.run(accounts.set_active, web.actor(), user, active,
            success=_("%(name)s can sign in again.", name=user.display_name) if active
            else _("%(name)s is deactivated and signed out everywhere.", name=user.display_name))
    return redirect(url_for("admin.users", q=request.form.get("q") or None))


# -- e-mail delivery ------------------------------------------------------------------------------------


@bp.route("/mail")
def mail():
    """E-mails that failed for good (after the retry cap), with their last error and a retry button."""
    pagination = db.paginate(notifications.failed_mail_query(), page=page_number(request.args), per_page=50,
                             error_out=False)
    return render_template("admin/mail.html", pagination=pagination, counts=notifications.mail_counts())


@bp.route("/mail/outbox")
def outbox():
    """Every outbox mail, newest first, with its state; each opens its detail page."""
    pagination = db.paginate(notifications.outbox_query(), page=page_number(request.args), per_page=50,
                             error_out=False)
    return render_template("admin/outbox.html", pagination=pagination, counts=notifications.mail_counts())


@bp.route("/mail/<int:mail_id>")
def mail_detail(mail_id: int):
    """One outbox mail: envelope, state and (without SMTP, in development) its body with clickable links."""
    return render_template("admin/mail_detail.html", mail=notifications.outbox_mail(mail_id),
                           show_body=notifications.mail_bodies_visible())


@bp.route("/mail/<int:mail_id>/retry", methods=["POST"])
def retry_mail(mail_id: int):
    web.run(notifications.retry_failed_mail, web.actor(), mail_id,
            success=_("The e-mail is queued again; the next delivery run tries it."))
    return redirect(url_for("admin.mail"))


# -- practice rules ---------------------------------------------------------------------------------------------

RULE_FIELDS = ("year", "min_hourly_wage_krw", "standard_share_pct", "autonomous_share_pct", "allow_unpaid_autonomous",
               "max_hours_per_day", "max_hours_per_week", "night_start", "night_end", "max_remote_pct",
               "min_host_employees", "warning_lead_days", "acknowledgement_grace_days", "note")


def _rule_data(form: RuleSetForm) -> compliance.RuleSetData:
    values = {name: getattr(form, name).data for name in RULE_FIELDS}
    values["allow_unpaid_autonomous"] = bool(values["allow_unpaid_autonomous"])
    values["night_start"] = values["night_start"] or ""
    values["night_end"] = values["night_end"] or ""
    values["note"] = values["note"] or ""
    return compliance.RuleSetData(**values, version=form.version.data)


@bp.route("/compliance-rules")
def compliance_rules():
    rows = list(db.session.scalars(compliance.rule_sets_query()))
    return render_template("admin/compliance_rules.html", rule_sets=rows,
                           holiday_years=compliance.holiday_years())


@bp.route("/compliance-rules/new", methods=["GET", "POST"])
def new_rule_set():
    form = RuleSetForm()
    if request.method == "GET":
        latest = db.session.scalars(compliance.rule_sets_query()).first()
        form = RuleSetForm(data={name: getattr(latest, name) for name in RULE_FIELDS} if latest else None)
        if latest:
            form.year.data = latest.year + 1
            form.note.data = ""
    elif form.validate_on_submit() and web.run(compliance.save_rule_set, web.actor(), _rule_data(form), form=form,
                                               success=lambda row: _("The %(year)s rules were saved.", year=row.year)):
        return redirect(url_for("admin.compliance_rules"))
    return render_template("admin/rule_set_form.html", form=form, rule_set=None), web.form_status()


@bp.route("/compliance-rules/<int:year>/edit", methods=["GET", "POST"])
def edit_rule_set(year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    row = compliance.get_rule_set(year)
    form = RuleSetForm(data={name: getattr(row, name) for name in RULE_FIELDS} | {"version": row.version}) \
        if request.method == "GET" else RuleSetForm()
    if request.method == "POST" and form.validate_on_submit() and web.run(
            compliance.save_rule_set, web.actor(), _rule_data(form), row, form=form,
            success=lambda saved: _("The %(year)s rules were saved.", year=saved.year)):
        return redirect(url_for("admin.compliance_rules"))
    return render_template("admin/rule_set_form.html", form=form, rule_set=row), web.form_status()


@bp.route("/compliance-rules/holidays/<int:year>", methods=["GET", "POST"])
def holidays(year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    form = HolidaysForm(data={"holidays": compliance.holidays_text(year)}) if request.method == "GET" \
        else HolidaysForm()
    if request.method == "POST" and form.validate_on_submit() and web.run(
            compliance.save_holidays, web.actor(), year, form.holidays.data or "", form=form,
            success=lambda n: _("%(n)s public holidays of %(year)s were saved.", n=n, year=year)):
        return redirect(url_for("admin.compliance_rules"))
    return render_template("admin/holidays.html", form=form, year=year), web.form_status()
