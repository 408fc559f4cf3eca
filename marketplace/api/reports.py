"""Programme reports as JSON (exchange managers: their groups; admins: the whole programme or one group).

The figures are those of the report page (services/reports.py): the same scope rules (another group's id is 404),
the same periods (`2026`, `2026-1`, `2026-2`; empty: the current term), and the same year-on-year comparison.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from marketplace.api import auth
from marketplace.api.common import Blueprint
from marketplace.clock import today_in_seoul
from marketplace.i18n import gettext as _
from marketplace.permissions import Permission, user_can
from marketplace.services import reports

blp = Blueprint("api_reports", __name__, url_prefix="/api/v1",
                description="Programme reports: the figures the programme office sends the ministry.")
blp.before_request(auth.authenticate)
blp.after_request(auth.cache_headers)


class ReportQuery(Schema):
    period = fields.String(load_default="", validate=validate.Length(max=20), metadata={
        "description": "`2026` (calendar year), `2026-1` (1st term, 1 March – 31 August) or `2026-2` (2nd term, "
                       "1 September – end of February); empty: the current term (Asia/Seoul).",
        "example": "2026-1"})
    group = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1),
                           metadata={"description": "One project group's id (default: every group you review; "
                                                    "admins: the whole programme)."})


class FiguresSchema(Schema):
    class Meta:
        ordered = True

    period = fields.String(required=True)
    start = fields.String(required=True, metadata={"format": "date", "description": "First day (Asia/Seoul)."})
    end = fields.String(required=True, metadata={"format": "date", "description": "Last day, inclusive."})
    companies = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                            metadata={"description": "total, new, returning"})
    openings = fields.Dict(required=True, metadata={"description": "total and by_kind"})
    applications = fields.Dict(required=True, metadata={"description": "total and by_status"})
    students = fields.Dict(required=True, metadata={"description": "total, by_group, by_degree, by_major"})
    placements = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                             metadata={"description": "approved (any outcome), in_progress, completed, "
                                                      "not_completed, cancelled"})
    confirmed_hours = fields.Float(required=True, metadata={
        "description": "Hours the hosts confirmed in the weekly logs of the approved placements."})
    compliance_overrides = fields.Integer(required=True)
    median_days_to_approval = fields.Float(allow_none=True)
    satisfaction = fields.Dict(allow_none=True, metadata={
        "description": "Averages of the students' evaluations of their hosts; null while not available."})
    skills = fields.List(fields.Dict(), required=True, metadata={
        "description": "The skills the period's openings ask for most: skill, key, openings, students."})


class ReportSchema(Schema):
    class Meta:
        ordered = True

    scope = fields.Dict(required=True)
    made_at = fields.String(required=True)
    current = fields.Nested(FiguresSchema, required=True)
    previous = fields.Nested(FiguresSchema, required=True, metadata={
        "description": "The same figures for the same period one year earlier."})
    year_on_year = fields.Dict(required=True, metadata={
        "description": "Per figure: current, previous, change and change_pct (null without a base)."})


@blp.route("/reports")
@auth.require("read:reports")
@blp.etag
@blp.arguments(ReportQuery, location="query")
@blp.response(200, ReportSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No such project group, or not one of yours.")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="An unknown period or a malformed group id.")
def get_report(args):
    """The programme report of a term or year

    Every figure of the report page, for the period and the same period a year earlier. Exchange managers get
    their groups (or one of them); admins the whole programme (or one group).
    """
    user = auth.caller()
    if not user_can(user, Permission.REVIEW_EXCHANGES):
        raise auth.ApiAuthError(403, _("Only exchange managers and the programme office read reports."))
    period = reports.parse_period(args["period"], today_in_seoul())
    return reports.report(user, args["group"], period).as_dict()
