"""Routes of the reports blueprint: the report page, its XLSX and PDF downloads, and the lists its figures link to."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale

from marketplace import web
from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.forms import page_number
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import ApplicationStatus, DegreeLevel, OpeningKind
from marketplace.permissions import Permission, permission_required
from marketplace.services import report_files, reports
from marketplace.services.errors import DomainError

bp = Blueprint("reports", __name__)
PER_PAGE = 50


@bp.before_request
@permission_required(Permission.REVIEW_EXCHANGES)
def require_reviewer():
    """Reports are for exchange managers in office (their groups) and admins (every group)."""


class BadInput(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("bad report input")
        self.errors = errors


def parse_group(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise DomainError(str(_l("Choose one of the listed project groups.")), field="group")
    return int(value)


def _args():
    """(period, group id) from the query string; every problem named by its field."""
    errors = {}
    period = group_id = None
    try:
        period = reports.parse_period(request.args.get("period"), today_in_seoul())
    except DomainError as error:
        errors["period"] = error.message
    try:
        group_id = parse_group(request.args.get("group"))
    except DomainError as error:
        errors["group"] = error.message
    if errors:
        raise BadInput(errors)
    return period, group_id


def _locale() -> str:
    return str(get_locale() or "ko")


@bp.route("/")
def index():
    actor = web.actor()
    today = today_in_seoul()
    try:
        period, group_id = _args()
    except BadInput as bad:
        scope = reports.resolve_scope(actor, None)
        return render_template("reports/report.html", report=None, errors=bad.errors, scope=scope,
                               choices=reports.period_choices(today), typed=request.args), 400
    report = reports.report(actor, group_id, period)
    return render_template("reports/report.html", report=report, errors={}, scope=report.scope,
                           choices=reports.period_choices(today), typed=request.args, **_page_names())


def _page_names() -> dict:
    return dict(summary=reports.SUMMARY, summary_labels={name: text for name, text, _e, _p in reports.SUMMARY},
                satisfaction_labels=reports.SATISFACTION_LABELS,
                OpeningKind=OpeningKind, ApplicationStatus=ApplicationStatus, DegreeLevel=DegreeLevel)


@bp.route("/report.xlsx")
def download_xlsx():
    return _download("xlsx")


@bp.route("/report.pdf")
def download_pdf():
    return _download("pdf")


def _download(fmt: str):
    actor = web.actor()
    try:
        period, group_id = _args()
    except BadInput as bad:
        abort(400, description=" ".join(bad.errors.values()))
    report = reports.report(actor, group_id, period)
    file = report_files.xlsx(report) if fmt == "xlsx" else report_files.pdf(report)
    return Response(file.data, mimetype=file.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})


# -- the lists the figures link to --------------------------------------------------------------------------------


def _enum_arg(cls, name: str):
    value = request.args.get(name)
    if not value:
        return None
    try:
        return cls(value)
    except ValueError:
        abort(400, description=str(_l("Unknown filter value.")))


def _list(list_kind: str, query, **shown):
    pagination = db.paginate(query.options(*reports.list_options(list_kind)).order_by(*reports.list_order(list_kind)),
                             page=page_number(request.args), per_page=PER_PAGE, error_out=False)
    return render_template("reports/list.html", kind=list_kind, pagination=pagination, shown=shown,
                           args={k: v for k, v in request.args.items() if k != "page"})


def _scope_and_period():
    try:
        period, group_id = _args()
    except BadInput as bad:
        abort(400, description=" ".join(bad.errors.values()))
    return reports.resolve_scope(web.actor(), group_id), period


@bp.route("/openings")
def openings():
    scope, period = _scope_and_period()
    kind = _enum_arg(OpeningKind, "kind")
    skill = request.args.get("skill") or None
    return _list("openings", reports.openings_rows(scope, period, kind, skill), scope=scope, period=period,
                 kind=kind, skill=skill)


@bp.route("/companies")
def companies():
    scope, period = _scope_and_period()
    new = {"1": True, "0": False}.get(request.args.get("new", ""))
    return _list("companies", reports.companies_rows(scope, period, new), scope=scope, period=period, new=new)


@bp.route("/applications")
def applications():
    scope, period = _scope_and_period()
    status = _enum_arg(ApplicationStatus, "status")
    return _list("applications", reports.applications_rows(scope, period, status), scope=scope, period=period,
                 status=status)


@bp.route("/students")
def students():
    scope, period = _scope_and_period()
    degree = _enum_arg(DegreeLevel, "degree")
    try:
        in_group = parse_group(request.args.get("in_group"))
    except DomainError:
        abort(400)
    major = request.args.get("major")
    skill = request.args.get("skill") or None
    return _list("students", reports.students_rows(scope, period, in_group, degree, major, skill), scope=scope,
                 period=period, degree=degree, major=major, skill=skill, in_group=in_group)


@bp.route("/overrides")
def overrides():
    scope, period = _scope_and_period()
    return _list("overrides", reports.overrides_rows(scope, period), scope=scope, period=period)
