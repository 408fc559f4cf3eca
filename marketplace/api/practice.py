"""Practice courses, read only: a placement's weekly log (실습일지) and its evaluations, for every party with a part in it.

Who reads what is decided by the services the practice and evaluation pages call (services/practice_logs.get_practice
and practices_query over services/practice_access; services/evaluations.view_for): the student, the host company's
managers, the student's mentor, the exchange managers of the student's group and the programme office. Anyone else,
and any id that is not (yet) a practice, gets 404, as on the pages.
"""
from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from marketplace.api import auth
from marketplace.api.common import Blueprint, PageArgs, page_schema, paginate
from marketplace.api.schemas import OpeningRef, StudentSummary, _enum, student_dict
from marketplace.clock import today_in_seoul
from marketplace.models import EvaluationKind, PlacementStatus, WeekStatus
from marketplace.services import evaluations, practice_logs

SCOPE = "read:practice"

blp = Blueprint("api_practice", __name__, url_prefix="/api/v1",
                description="Weekly practice logs and evaluations of the practices the caller takes part in (read).")
blp.before_request(auth.authenticate)
blp.after_request(auth.cache_headers)


# -- practice logs ----------------------------------------------------------------------------------------------------


class PracticeDaySchema(Schema):
    date = fields.Date(required=True)
    start = fields.String(required=True, metadata={"description": "HH:MM (Asia/Seoul)."})
    end = fields.String(required=True, metadata={"description": "HH:MM (Asia/Seoul)."})
    break_minutes = fields.Integer(required=True)
    minutes = fields.Integer(required=True, metadata={"description": "Practice time: end − start − break."})
    education_minutes = fields.Integer(required=True)
    did = fields.String(required=True)
    learned = fields.String(required=True)


class LateSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "unsubmitted (the student's turn) or unconfirmed "
                                                                 "(the host supervisor's turn)."})
    due = fields.Date(required=True, metadata={"description": "The last day it was on time (Asia/Seoul)."})


class PracticeWeekSchema(Schema):
    week_no = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "The week's page."})
    first_day = fields.Date(required=True)
    last_day = fields.Date(required=True)
    status = _enum(WeekStatus, allow_none=True, metadata={"description": "null: nothing saved for this week yet."})
    minutes = fields.Integer(required=True, metadata={"description": "Minutes logged (confirmed or not)."})
    hours = fields.Float(required=True)
    education_minutes = fields.Integer(required=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True, metadata={"description": "When it was confirmed or returned."})
    decided_by = fields.String(allow_none=True, metadata={"description": "The host supervisor who decided."})
    comment = fields.String(required=True, metadata={"description": "The host supervisor's comment."})
    late = fields.Nested(LateSchema, allow_none=True)
    days = fields.List(fields.Nested(PracticeDaySchema), required=True)
    updated_at = fields.AwareDateTime(allow_none=True)


class CoursePlanRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    weeks = fields.Integer(required=True)
    required_hours = fields.Integer(required=True)
    min_education_share = fields.Integer(required=True, metadata={"description": "Percent of the hours."})


class PracticeTotals(Schema):
    weeks_total = fields.Integer(required=True)
    weeks_confirmed = fields.Integer(required=True)
    weeks_awaiting_confirmation = fields.Integer(required=True)
    weeks_late = fields.Integer(required=True)
    confirmed_minutes = fields.Integer(required=True)
    confirmed_hours = fields.Float(required=True, metadata={"description": "What counts toward the plan."})
    required_hours = fields.Integer(allow_none=True)
    percent = fields.Integer(required=True, metadata={"description": "Of the required hours, 0 to 100."})
    hours_met = fields.Boolean(required=True)


class PracticeLogSchema(Schema):
    class Meta:
        ordered = True

    placement_id = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "The practice's page."})
    status = _enum(PlacementStatus, required=True, metadata={"description": "As of today in Seoul."})
    student = fields.Nested(StudentSummary, required=True)
    opening = fields.Nested(OpeningRef, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    plan = fields.Nested(CoursePlanRef, allow_none=True)
    totals = fields.Nested(PracticeTotals, required=True)
    weeks = fields.List(fields.Nested(PracticeWeekSchema), required=True)
    updated_at = fields.AwareDateTime(required=True, metadata={
        "description": "The last change of the placement or of one of its weeks."})


PracticeLogPage = page_schema(PracticeLogSchema, "PracticeLogPage")


def _week_dict(placement_id: int, view: practice_logs.WeekView) -> dict:
    row = view.row
    days = row.days if row is not None else []
    return {
        "week_no": view.week_no,
        "url": url_for("practice.week", placement_id=placement_id, week_no=view.week_no, _external=True),
        "first_day": view.first, "last_day": view.last,
        "status": row.status if row is not None else None, "minutes": view.minutes,
        "hours": round(view.minutes / 60, 2), "education_minutes": sum(d.education_minutes for d in days),
        "submitted_at": row.submitted_at if row is not None else None,
        "decided_at": row.decided_at if row is not None else None,
        "decided_by": row.decided_by.display_name if row is not None and row.decided_by is not None else None,
        "comment": (row.comment or "") if row is not None else "",
        "late": {"kind": view.late.kind, "due": view.late.due} if view.late is not None else None,
        "days": [{"date": d.day, "start": d.start_time.strftime("%H:%M"), "end": d.end_time.strftime("%H:%M"),
                  "break_minutes": d.break_minutes, "minutes": d.minutes, "education_minutes": d.education_minutes,
                  "did": d.did, "learned": d.learned} for d in days],
        "updated_at": row.updated_at if row is not None else None,
    }


def _log_dict(log: practice_logs.PracticeLog, today) -> dict:
    placement, progress, plan = log.placement, log.progress, log.progress.plan
    opening = placement.opening
    return {
        "placement_id": placement.id,
        "url": url_for("practice.home", placement_id=placement.id, _external=True),
        "status": placement.status_on(today), "student": student_dict(placement.student),
        "opening": {"id": opening.id, "title": opening.title,
                    "company": {"id": opening.company.id, "name": opening.company.name}},
        "start_date": placement.start_date, "end_date": placement.end_date,
        "plan": {"id": plan.id, "name": plan.name, "weeks": plan.weeks, "required_hours": plan.required_hours,
                 "min_education_share": plan.min_education_share} if plan is not None else None,
        "totals": {"weeks_total": progress.weeks_total, "weeks_confirmed": progress.weeks_done,
                   "weeks_awaiting_confirmation": progress.awaiting, "weeks_late": len(progress.late),
                   "confirmed_minutes": progress.confirmed_minutes,
                   "confirmed_hours": round(progress.confirmed_hours, 2), "required_hours": progress.required_hours,
                   "percent": progress.percent, "hours_met": progress.hours_met},
        "weeks": [_week_dict(placement.id, w) for w in log.weeks],
        "updated_at": log.updated_at,
    }


def _logs(placements: list) -> list[dict]:
    today = today_in_seoul()
    logs = practice_logs.logs_for(placements, today)
    return [_log_dict(logs[p.id], today) for p in placements]


@blp.route("/practice-logs")
@auth.require(SCOPE)
@blp.etag
@blp.arguments(PageArgs, location="query", arg_name="paging")
@blp.response(200, PracticeLogPage)
def list_practice_logs(paging):
    """Weekly logs of the practices I take part in

    The practices the caller follows, newest start first, as the practice course list shows them: a student their
    own, a host company's managers their company's, a mentor their students', exchange managers their groups', the
    programme office every one. `updated_since` keeps the logs whose placement or any week changed since then.
    """
    query = practice_logs.practices_query(auth.caller())
    if paging["updated_since"] is not None:
        query = practice_logs.changed_since(query, paging["updated_since"])
    body, headers = paginate(query, paging)
    body["items"] = _logs(body["items"])
    return body, headers


@blp.route("/placements/<int:placement_id>/practice-log")
@auth.require(SCOPE)
@blp.etag
@blp.response(200, PracticeLogSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No such practice, not (yet) a practice, or not one you "
                                                         "take part in.")
def get_practice_log(placement_id: int):
    """The weekly log of one practice

    Every week of the placement with its days, status (draft, submitted, confirmed, returned), the host
    supervisor's decision and comment, whether it is late, and the totals of confirmed hours against the plan.
    """
    return _logs([practice_logs.get_practice(auth.caller(), placement_id)])[0]


# -- evaluations --------------------------------------------------------------------------------------------------------


class WindowSchema(Schema):
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True, metadata={"description": "Included (Asia/Seoul)."})
    state = fields.String(required=True, metadata={"description": "upcoming, open or closed (today in Seoul)."})


class ScoreSchema(Schema):
    item_id = fields.Integer(allow_none=True)
    name_ko = fields.String(required=True)
    name_en = fields.String(required=True)
    score = fields.Integer(allow_none=True, metadata={"description": "1 to 5."})


class SupervisorContents(Schema):
    scores = fields.List(fields.Nested(ScoreSchema), required=True, metadata={
        "description": "Per competency, with its names as they were when the evaluation was given."})
    average = fields.Float(allow_none=True)
    strengths = fields.String(required=True)
    improvements = fields.String(required=True)
    recommended_grade = fields.String(allow_none=True)


class HostContents(Schema):
    learning = fields.Integer(required=True, metadata={"description": "1 to 5."})
    supervision = fields.Integer(required=True)
    environment = fields.Integer(required=True)
    would_recommend = fields.Boolean(required=True)
    comment = fields.String(required=True)


class EvaluationItem(Schema):
    class Meta:
        ordered = True

    kind = _enum(EvaluationKind, required=True)
    name = fields.String(required=True, metadata={"description": "In the API's language."})
    window = fields.Nested(WindowSchema, allow_none=True, metadata={
        "description": "null: the course plan has no such evaluation."})
    given = fields.Boolean(required=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    author = fields.String(allow_none=True, metadata={
        "description": "The supervisor who evaluated: named to the host, mentors, managers and the office; never to "
                       "the student, and never for the student's anonymous evaluation of the host."})
    visible = fields.Boolean(required=True, metadata={
        "description": "Whether the caller may read its contents (as on the evaluations page: the student reads "
                       "their own evaluation of the host, not the host's of them; the host and the mentor read the "
                       "host's; managers and the office read both)."})
    supervisor = fields.Nested(SupervisorContents, allow_none=True, metadata={
        "description": "The contents of a mid-term or final evaluation, when given and visible."})
    host = fields.Nested(HostContents, allow_none=True, metadata={
        "description": "The contents of the student's evaluation of the host, when given and visible."})


class EvaluationsSchema(Schema):
    class Meta:
        ordered = True

    placement_id = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "The evaluations page."})
    status = _enum(PlacementStatus, required=True, metadata={"description": "As of today in Seoul."})
    role = fields.String(required=True, metadata={
        "description": "The caller's part: student, supervisor, mentor, manager or admin."})
    evaluations = fields.List(fields.Nested(EvaluationItem), required=True)


def _evaluation_item(view: evaluations.EvaluationsView, kind: EvaluationKind) -> dict:
    window, given = view.windows.get(kind), view.given.get(kind)
    shown = given is not None and kind in view.visible
    supervisor = host = None
    if shown and kind == EvaluationKind.STUDENT_HOST:
        host = {"learning": given.learning, "supervision": given.supervision, "environment": given.environment,
                "would_recommend": bool(given.would_recommend), "comment": given.comment or ""}
    elif shown:
        supervisor = {"scores": [{k: row.get(k) for k in ("item_id", "name_ko", "name_en", "score")}
                                 for row in given.scores or []],
                      "average": given.average_score, "strengths": given.strengths or "",
                      "improvements": given.improvements or "", "recommended_grade": given.recommended_grade}
    return {
        "kind": kind, "name": str(evaluations.KIND_NAMES[kind]),
        "window": {"opens_on": window.opens_on, "closes_on": window.closes_on, "state": window.state(view.today)}
        if window is not None else None,
        "given": given is not None, "submitted_at": given.submitted_at if given is not None else None,
        "author": given.author.display_name if given is not None and given.author is not None
        and view.shows_author(kind) else None,
        "visible": kind in view.visible, "supervisor": supervisor, "host": host,
    }


@blp.route("/placements/<int:placement_id>/evaluations")
@auth.require(SCOPE)
@blp.etag
@blp.response(200, EvaluationsSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No such placement, or not one you take part in.")
def get_evaluations(placement_id: int):
    """The evaluations of one practice

    Each evaluation (the host's mid-term and final evaluations of the student, the student's evaluation of the
    host) with its window and whether it was given; its contents only for those the evaluations page shows them to.
    """
    view = evaluations.view_for(auth.caller(), placement_id)
    return {"placement_id": view.placement.id,
            "url": url_for("evaluations.placement", placement_id=view.placement.id, _external=True),
            "status": view.placement.status_on(view.today), "role": view.role,
            "evaluations": [_evaluation_item(view, kind) for kind in EvaluationKind]}
