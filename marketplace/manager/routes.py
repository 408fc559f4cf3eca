"""Routes of the manager blueprint: queues and decisions for the reviewer's project groups."""
from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy import Select

from marketplace import ownership, web
from marketplace.clock import today_in_seoul
from marketplace.extensions import STATEMENTS_KEPT, db
from marketplace.forms import ActionForm, int_or_none, page_number
from marketplace.i18n import gettext as _
from marketplace.manager.forms import (
    DecisionForm,
    ExportForm,
    OverrideForm,
    PlacementDecisionForm,
    RosterForm,
    VerificationForm,
)
from marketplace.models import (
    CompanyStatus,
    ComplianceStatus,
    OpeningStatus,
    Placement,
    PlacementStatus,
    PracticeType,
    RosterImportStatus,
)
from marketplace.permissions import Permission, permission_required, user_can
from marketplace.placement_terms_page import placement_terms_page
from marketplace.services import audit, companies, dashboard as dashboard_service, exports as export_service
from marketplace.services import clinical, groups
from marketplace.services import reports as report_service
from marketplace.services.errors import DomainError
from marketplace.services import completion
from marketplace.services import history as history_service
from marketplace.services import compliance, compliance_view, course_plans, openings, placements, roster, seats, verification

bp = Blueprint("manager", __name__)


@bp.before_request
@permission_required(Permission.REVIEW_EXCHANGES)
def require_reviewer():
    """Every page here needs the REVIEW_EXCHANGES permission (exchange managers in office, admins)."""


# The console's lists are paged each on its own query argument; a decision taken from a row comes back to the
# pages the manager was on (the decision pages carry these arguments along).
CONSOLE_PAGES = ("requests_page", "companies_page", "changes_page", "openings_page", "joins_page", "partners_page")


def console_args(args) -> dict[str, int]:
    """The console's page numbers in `args` beyond the first (to carry into links and back after a decision)."""
    return {name: number for name in CONSOLE_PAGES if (number := page_number(args, name)) > 1}


@bp.context_processor
def console_state():
    return {"console_args": console_args(request.args)}


def _back_to_console():
    return redirect(url_for("manager.index", **console_args(request.args)))


@lru_cache(maxsize=STATEMENTS_KEPT)
def _console_statements(group_ids: frozenset[int] | None) -> tuple[dict, Select]:
    """The console's other lists and the statement that counts them (with the placements per status), built once
    per scope of groups."""
    lists = {
        "companies_page": companies.companies_of_groups_query(group_ids, CompanyStatus.PENDING, groups=False),
        "openings_page": openings.openings_in_review_of_groups_query(group_ids),
        "joins_page": companies.join_requests_of_groups_query(group_ids),
        "partners_page": companies.companies_of_groups_query(group_ids, creators=False, groups=False),
    }
    return lists, web.count_statement(lists, placements.queue_counts_row_of_groups(group_ids))


@bp.route("/")
def index():
    actor = web.actor()

    def page(query, name: str, rows: list | None = None, **options):
        return web.page_of(query, page_number(request.args, name), current_app.config["CONSOLE_PAGE_SIZE"], rows=rows,
                           **options)

    group_ids = ownership.reviewable_group_ids(actor)
    lists, counting = _console_statements(group_ids)
    totals = web.counts_of(counting)

    def listed(name: str):
        return page(lists[name], name, total=totals[name])

    counts = placements.queue_counts_from(totals)
    requests = page(placements.request_ids_of_groups_query(group_ids), "requests_page", load=placements.load_requests,
                    total=counts[PlacementStatus.PENDING])
    shown = list(requests.items)
    taken, waiting = seats.seat_counts(p.opening_id for p in shown)
    pending_companies, partner_companies = listed("companies_page"), listed("partners_page")
    return render_template(
        "manager/index.html",
        placement_requests=requests,
        placement_conflicts=placements.conflicts_for(shown, taken),
        placement_seats_left=placements.seats_left_for(shown, taken),
        placement_pending=waiting,
        placement_counts=counts,
        PlacementStatus=PlacementStatus,
        pending_companies=pending_companies,
        companies_with_changes=page(None, "changes_page", rows=companies.companies_with_changes(actor)),
        openings_in_review=listed("openings_page"),
        join_requests=listed("joins_page"),
        partner_companies=partner_companies,
        group_codes=groups.partner_group_codes(c.id for c in [*pending_companies.items, *partner_companies.items]),
        decision_form=DecisionForm(),
    )


COMPANY_DECISIONS = {
    "approve": (companies.approve_company, lambda c: _("%(name)s is approved.", name=c.name)),
    "reject": (companies.reject_company, lambda c: _("%(name)s was rejected; its manager sees your reason.",
                                                    name=c.name)),
    "suspend": (companies.suspend_company, lambda c: _("%(name)s is suspended.", name=c.name)),
    "reinstate": (companies.reinstate_company, lambda c: _("%(name)s is approved again.", name=c.name)),
    "approve_changes": (companies.approve_company_changes,
                        lambda c: _("The changes to %(name)s are approved and shown now.", name=c.name)),
    "decline_changes": (companies.decline_company_changes,
                        lambda c: _("The changes to %(name)s were declined; its managers see your reason.",
                                    name=c.name)),
}

OPENING_DECISIONS = {
    "publish": (openings.publish_opening, lambda o: _("“%(title)s” is published.", title=o.title)),
    "return": (openings.return_opening, lambda o: _("“%(title)s” was returned to the company with your note.",
                                                    title=o.title)),
    "close": (openings.close_opening, lambda o: _("“%(title)s” is closed.", title=o.title)),
}


def _decide(decisions: dict, actor, record, form: DecisionForm):
    """Apply the posted decision (approve, reject, ...) to `record`; a redirect on success, else None."""
    decision = decisions.get(request.form.get("decision", ""))
    if decision is None:
        abort(400)
    if not form.validate_on_submit():
        return None
    action, message = decision
    if not web.run(action, actor, record, form.note.data or "", form=form, success=lambda _record: message(record)):
        return None
    return _back_to_console()


@bp.route("/companies/<int:company_id>", methods=["GET", "POST"])
def company(company_id: int):
    actor = web.actor()
    record = companies.get_company_for_reviewer(actor, company_id)
    form = DecisionForm()
    if request.method == "POST" and (done := _decide(COMPANY_DECISIONS, actor, record, form)):
        return done
    return render_template(
        "manager/company.html", company=record, form=form,
        managers=companies.active_managers(record),
        join_requests=list(db.session.scalars(companies.join_requests_query(record))),
        openings=list(db.session.scalars(openings.company_openings_query(record))),
        history=list(db.session.scalars(audit.history_query("company", record.id).limit(50))),
        change_rows=companies.pending_change_rows(record),
        CompanyStatus=CompanyStatus,
    ), web.form_status()


@bp.route("/openings/<int:opening_id>", methods=["GET", "POST"])
def opening(opening_id: int):
    actor = web.actor()
    record = openings.get_opening_for_reviewer(actor, opening_id)
    form = DecisionForm()
    if request.method == "POST" and (done := _decide(OPENING_DECISIONS, actor, record, form)):
        return done
    return _opening_page(record, form, OverrideForm())


def _opening_page(record, form, override_form):
    """The review page of an opening, for its decision form and for its override form alike."""
    return render_template(
        "manager/opening.html", opening=record, form=form, today=today_in_seoul(),
        clinical=(readiness := clinical.get_clinical(record)), clinical_missing=clinical.missing_items(record, readiness),
        history=list(db.session.scalars(audit.history_query("opening", record.id).limit(50))),
        OpeningStatus=OpeningStatus, CompanyStatus=CompanyStatus,
        check=compliance.check(record), override_form=override_form,
    ), web.form_status()


@bp.route("/openings/<int:opening_id>/override", methods=["POST"])
def opening_override(opening_id: int):
    actor = web.actor()
    record = openings.get_opening_for_reviewer(actor, opening_id)
    form = OverrideForm()
    if form.validate_on_submit() and web.run(
            compliance.record_override, actor, record, form.reason.data or "", form=form,
            success=_("The override is recorded; the failing rules no longer block these terms.")):
        return redirect(url_for("manager.opening", opening_id=opening_id))
    return _opening_page(record, DecisionForm(), form)


def _decide_join_request(membership_id: int, accept: bool):
    web.require_form(DecisionForm)
    actor = web.actor()
    membership = companies.get_membership_for_decision(actor, membership_id)
    if not ownership.can_review_company(actor, membership.company):
        abort(404)
    name = membership.user.display_name
    web.run(companies.accept_member if accept else companies.decline_member, actor, membership,
            success=_("%(name)s now manages %(company)s.", name=name, company=membership.company.name) if accept
            else _("The request of %(name)s was declined.", name=name))
    return _back_to_console()


@bp.route("/join-requests/<int:membership_id>/accept", methods=["POST"])
def accept_member(membership_id: int):
    return _decide_join_request(membership_id, accept=True)


@bp.route("/join-requests/<int:membership_id>/decline", methods=["POST"])
def decline_member(membership_id: int):
    return _decide_join_request(membership_id, accept=False)


# -- placements ---------------------------------------------------------------------------------------------

PLACEMENT_DECISIONS = {
    "approve": (placements.approve_placement, lambda p: _("The placement of %(name)s in “%(title)s” is approved.",
                                                          name=p.student.display_name, title=p.opening.title)),
    "return": (placements.return_placement, lambda p: _("The request was returned; the student and the company "
                                                        "see your note.")),
    "complete": (placements.complete_placement, lambda p: _("The placement of %(name)s is marked completed.",
                                                            name=p.student.display_name)),
    "cancel": (placements.cancel_placement, lambda p: _("The placement was cancelled and its seat is free again.")),
    "not_complete": (placements.close_not_completed, lambda p: _("The practice of %(name)s was closed as not "
                                                                 "completed; the student and the company see your "
                                                                 "note.", name=p.student.display_name)),
}


def _placement_page(actor, placement_id: int, form: PlacementDecisionForm, status: int = 200,
                    override_form: OverrideForm | None = None):
    record = placements.get_placement_for_reviewer(actor, placement_id)
    return render_template(
        "manager/placement.html", placement=record, form=form,
        check=compliance.check(record), override_form=override_form or OverrideForm(),
        conflicts=placements.conflicts(record),
        seats_left=placements.seats_left_for([record])[record.opening_id],
        terms=placements.terms_comparison(record),
        history=list(db.session.scalars(audit.history_query("placement", record.id).limit(50))),
        PlacementStatus=PlacementStatus, today=today_in_seoul(),
        course_plan=course_plans.plan_for(record), course_plan_choices=course_plans.plan_choices(record),
        missing=completion.missing_for(record) if record.status_on(today_in_seoul()) == PlacementStatus.ACTIVE
        else None,
    ), status


@bp.route("/placements/<int:placement_id>", methods=["GET", "POST"])
def placement(placement_id: int):
    actor = web.actor()
    form = PlacementDecisionForm()
    if request.method == "GET":
        return _placement_page(actor, placement_id, form)
    placements.get_placement_for_reviewer(actor, placement_id)  # another group's id: 404 before anything else
    decision = PLACEMENT_DECISIONS.get(request.form.get("decision", ""))
    if decision is None:
        abort(400)
    if not form.validate_on_submit():
        return _placement_page(actor, placement_id, form, 400)
    action, message = decision
    outcome = web.run(action, actor, placement_id, form.note.data or "", form=form, success=message)
    if not outcome:
        return _placement_page(actor, placement_id, form, outcome.error.status)
    if request.form.get("decision") in ("approve", "return"):
        return _back_to_console()
    return redirect(url_for("manager.placements_list"))


@bp.route("/placements/<int:placement_id>/override", methods=["POST"])
def placement_override(placement_id: int):
    actor = web.actor()
    record = placements.get_placement_for_reviewer(actor, placement_id)
    form = OverrideForm()
    if form.validate_on_submit() and web.run(
            compliance.record_override, actor, record, form.reason.data or "", form=form,
            success=_("The override is recorded; the failing rules no longer block these terms.")):
        return redirect(url_for("manager.placement", placement_id=placement_id))
    return _placement_page(actor, placement_id, PlacementDecisionForm(), web.form_status(), override_form=form)


@bp.route("/placements/<int:placement_id>/terms", methods=["GET", "POST"])
def placement_terms(placement_id: int):
    return placement_terms_page(placement_id, lambda p: url_for("manager.placement", placement_id=p.id))


@bp.route("/placements")
def placements_list():
    actor = web.actor()
    wanted = request.args.get("status", "")
    shown = {"approved": (PlacementStatus.APPROVED,), "active": (PlacementStatus.ACTIVE,),
             "completed": (PlacementStatus.COMPLETED,), "cancelled": (PlacementStatus.CANCELLED,),
             "returned": (PlacementStatus.RETURNED,)}.get(wanted)
    report_filter = _report_placements_filter(actor, wanted)
    if report_filter is not None:
        query, shown_filter = report_filter
    else:
        if shown is None:
            wanted, shown = "", (PlacementStatus.APPROVED, PlacementStatus.ACTIVE)
        query, shown_filter = placements.placements_query(actor, shown), None
    pagination = db.paginate(query, page=page_number(request.args), per_page=30, error_out=False)
    return render_template("manager/placements.html", pagination=pagination, status=wanted,
                           counts=placements.queue_counts(actor), PlacementStatus=PlacementStatus,
                           today=today_in_seoul(), report_filter=shown_filter)


def _report_placements_filter(actor, wanted: str):
    """?period=2026-1&group=3&status=completed: the placements a programme report counts (services/reports.py),
    so a manager can check every placement figure; None without a period."""
    if "period" not in request.args:
        return None
    try:
        period = report_service.parse_period(request.args.get("period"), today_in_seoul())
        group_id = int(request.args["group"]) if request.args.get("group", "").isdigit() else None
    except DomainError as error:
        abort(400, description=error.message)
    if request.args.get("group") and group_id is None:
        abort(400)
    statuses = report_service.PLACEMENT_FILTERS.get(wanted or "approved_any")
    if statuses is None:
        abort(400)
    scope = report_service.resolve_scope(actor, group_id)
    query = placements.placements_query(actor, statuses).where(
        Placement.id.in_(report_service.placements_rows(scope, period, statuses)
                                    .with_only_columns(Placement.id)))
    return query, {"period": period, "scope": scope, "status": wanted or "approved_any"}


# -- students to verify -----------------------------------------------------------------------------------


def _verification_form(profile_id: int, **data) -> VerificationForm:
    return VerificationForm(prefix=f"s{profile_id}", **data)


def _queue_page(actor, posted: VerificationForm | None = None, posted_id: int | None = None, status: int = 200):
    pagination = db.paginate(verification.queue_query(actor), page=page_number(request.args), per_page=50,
                             error_out=False)
    items = verification.queue(actor, list(pagination.items))
    forms = {item.profile.id: posted if item.profile.id == posted_id and posted is not None
             else _verification_form(item.profile.id, formdata=None, data={"version": item.profile.version})
             for item in items}
    return render_template("manager/verification.html", pagination=pagination, items=items, forms=forms,
                           page=pagination.page), status


@bp.route("/students")
def verification_queue():
    return _queue_page(web.actor())


VERIFICATION_DECISIONS = {
    "verify": lambda actor, profile_id, form: verification.verify(actor, profile_id, form.version.data),
    "decline": lambda actor, profile_id, form: verification.decline(actor, profile_id, form.version.data,
                                                                     form.reason.data or ""),
}


@bp.route("/students/<int:profile_id>", methods=["POST"])
def verification_decision(profile_id: int):
    actor = web.actor()
    verification.get_for_review(actor, profile_id)  # another group's student: 404 before anything else
    decide = VERIFICATION_DECISIONS.get(request.form.get("decision", ""))
    if decide is None:
        abort(400)
    form = _verification_form(profile_id)
    if not form.validate_on_submit():
        return _queue_page(actor, form, profile_id, 400)
    outcome = web.run(decide, actor, profile_id, form, form=form, success=lambda p: (
        _("%(name)s is verified: they can apply, and companies they apply to see them.", name=p.user.display_name)
        if p.verification_status.value == "verified"
        else _("%(name)s was declined; they read your reason.", name=p.user.display_name)))
    if not outcome:
        return _queue_page(actor, form, profile_id, outcome.error.status)
    return redirect(url_for("manager.verification_queue", page=request.args.get("page") or None))


# -- roster import -------------------------------------------------------------------------------------------


@bp.route("/roster", methods=["GET", "POST"])
def roster_upload():
    actor = web.actor()
    form = RosterForm()
    if form.validate_on_submit():
        upload = form.roster.data
        data = upload.read(roster.MAX_BYTES + 1) if hasattr(upload, "read") else b""
        done = web.run(roster.preview, actor, getattr(upload, "filename", None), data, form=form)
        if done:
            return redirect(url_for("manager.roster_preview", import_id=done.value.id))
    return render_template("manager/roster_upload.html", form=form, counts=roster.roster_counts(actor),
                           max_rows=roster.MAX_ROWS, max_mb=roster.MAX_BYTES // (1024 * 1024)), web.form_status()


def _roster_preview_page(actor, import_id: int, status: int = 200):
    record = roster.get_import(actor, import_id)
    todo = roster.plan(record) if record.status == RosterImportStatus.PREVIEWED and not record.error_count else None
    return render_template("manager/roster_preview.html", record=record, plan=todo,
                           new_emails={r["email"] for r in todo.new} if todo else set(),
                           changed={row["email"]: fields for row, _e, fields in todo.changed} if todo else {},
                           form=ActionForm()), status


@bp.route("/roster/<int:import_id>")
def roster_preview(import_id: int):
    return _roster_preview_page(web.actor(), import_id)


@bp.route("/roster/<int:import_id>/confirm", methods=["POST"])
def roster_confirm(import_id: int):
    actor = web.actor()
    roster.get_import(actor, import_id)  # someone else's import: 404 before anything else
    web.require_form(ActionForm)
    outcome = web.run(roster.confirm, actor, import_id, success=_roster_message)
    if not outcome:
        return _roster_preview_page(actor, import_id, outcome.error.status)
    return redirect(url_for("manager.roster_preview", import_id=import_id))


def _roster_message(record) -> str:
    done = record.outcome or {}
    if not done.get("created") and not done.get("changed") and not done.get("verified"):
        return _("Nothing changed: the roster already lists every student of this file as it is.")
    return _("Roster imported: %(new)d new, %(changed)d changed, %(same)d unchanged; %(verified)d registered "
             "students verified.", new=len(done["created"]), changed=len(done["changed"]),
             same=done["unchanged"], verified=len(done["verified"]))


# -- history of one record ------------------------------------------------------------------------------------


@bp.route("/history/<entity_type>/<int:entity_id>")
def history(entity_type: str, entity_id: int):
    query = history_service.record_history(web.actor(), entity_type, entity_id)  # 404 outside the manager's groups
    pagination = db.paginate(query, page=page_number(request.args), per_page=50, error_out=False)
    return render_template("manager/history.html", pagination=pagination, entity_type=entity_type,
                           entity_id=entity_id)


# -- dashboard and exports ------------------------------------------------------------------------------------


@bp.route("/dashboard")
def dashboard():
    actor = web.actor()
    numbers = dashboard_service.dashboard(actor, int_or_none(request.args.get("group")))
    return render_template("manager/dashboard.html", d=numbers)


@bp.route("/exports")
def exports():
    actor = web.actor()
    form = ExportForm(request.args)
    locale = str(get_locale() or "ko")
    everyone = _("All groups") if user_can(actor, Permission.ADMINISTER) else _("All my groups")
    form.group_id.choices = [(None, everyone)] + [(g.id, f"{g.code} — {g.name(locale)}")
                                                  for g in export_service.group_choices(actor)]
    form.company_id.choices = [(None, _("All companies"))] + [(c.id, c.name)
                                                              for c in export_service.company_choices(actor)]
    if "kind" not in request.args:
        return render_template("manager/exports.html", form=form)
    if form.validate():
        export_request = export_service.ExportRequest(
            kind=form.kind.data, fmt=form.fmt.data, lang=form.lang.data, group_id=form.group_id.data,
            company_id=form.company_id.data, date_from=form.date_from.data, date_to=form.date_to.data,
        )
        if done := web.run(export_service.export, actor, export_request, form=form):
            file = done.value
            return Response(file.data, mimetype=file.mimetype, headers={
                "Content-Disposition": f'attachment; filename="{file.filename}"',
                "X-Export-Rows": str(file.rows),
            })
    return render_template("manager/exports.html", form=form), 400


# -- compliance of every placement -----------------------------------------------------------------------------


@bp.route("/compliance")
def compliance_overview():
    """Every placement of the manager's groups with its compliance status; ?export=csv|xlsx downloads the view."""
    actor = web.actor()
    filters = compliance_view.parse_filters(request.args)
    fmt = request.args.get("export")
    if fmt in ("csv", "xlsx"):
        file = compliance_view.export(actor, filters, fmt, request.args.get("lang") or str(get_locale() or "ko"))
        return Response(file.data, mimetype=file.mimetype, headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"', "X-Export-Rows": str(file.rows)})
    data = compliance_view.overview(actor, filters)
    page = page_number(request.args)
    per_page = 50
    shown = data.rows[(page - 1) * per_page: page * per_page]
    return render_template("manager/compliance.html", data=data, rows=shown, filters=filters, page=page,
                           pages=max(1, -(-len(data.rows) // per_page)), ComplianceStatus=ComplianceStatus,
                           PlacementStatus=PlacementStatus, PracticeType=PracticeType)
