"""What the API reads and writes: marshmallow schemas (the OpenAPI description is generated from them) and the
functions that turn loaded records into the plain dicts those schemas dump.

Records are loaded by the services (with what the pages eager-load), so turning them into dicts never queries.
"""
from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate

from marketplace.clock import today_in_seoul
from marketplace.models import (
    ApplicationStatus,
    CompanySize,
    CompanyStatus,
    DegreeLevel,
    Importance,
    OpeningKind,
    OpeningStatus,
    PlacementStatus,
    Sector,
    WorkMode,
)
from marketplace.services.openings import SORTS


def _enum(cls, **kwargs):
    return fields.Enum(cls, by_value=True, **kwargs)


class StrictBoolean(fields.Boolean):
    """true or false as JSON booleans; "yes", 1 or "on" are wrong types (422)."""

    truthy = frozenset({True})
    falsy = frozenset({False})


# -- small references -----------------------------------------------------------------------------------------


class CompanyRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class OpeningRef(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    company = fields.Nested(CompanyRef, required=True)


class SkillRequirement(Schema):
    name = fields.String(required=True, metadata={"description": "As the company wrote it."})
    skill = fields.String(allow_none=True, metadata={"description": "The recognised canonical skill, if any."})
    importance = _enum(Importance, required=True)
    min_level = fields.Integer(required=True, metadata={"description": "Minimum proficiency, 1 to 5."})


# -- openings and companies -----------------------------------------------------------------------------------


class OpeningSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True, metadata={"description": "The opening's page."})
    title = fields.String(required=True)
    kind = _enum(OpeningKind, required=True)
    status = _enum(OpeningStatus, required=True)
    company = fields.Nested(CompanyRef, required=True)
    description = fields.String(required=True)
    seats = fields.Integer(required=True)
    seats_left = fields.Integer(required=True)
    work_mode = _enum(WorkMode, required=True)
    location = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    hours_per_week = fields.Integer(required=True)
    stipend_krw = fields.Integer(required=True, metadata={"description": "Monthly stipend in KRW; 0 is unpaid."})
    deadline = fields.Date(required=True, metadata={"description": "Applications accepted through this day "
                                                                  "(Asia/Seoul)."})
    accepting_applications = fields.Boolean(required=True)
    skills = fields.List(fields.Nested(SkillRequirement), required=True)
    eligible_groups = fields.List(fields.String(), required=True, metadata={"description": "Project group codes."})
    degree_levels = fields.List(_enum(DegreeLevel), required=True, metadata={"description": "Empty: every level."})
    majors = fields.List(fields.String(), required=True, metadata={"description": "Empty: every major."})
    published_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime(required=True)


def opening_dict(opening, seats_left: int, accepting: bool) -> dict:
    return {
        "id": opening.id, "url": url_for("openings.detail", opening_id=opening.id, _external=True),
        "title": opening.title, "kind": opening.kind, "status": opening.status,
        "company": {"id": opening.company.id, "name": opening.company.name},
        "description": opening.description or "", "seats": opening.seats, "seats_left": seats_left,
        "work_mode": opening.work_mode, "location": opening.location or "", "start_date": opening.start_date,
        "end_date": opening.end_date, "hours_per_week": opening.hours_per_week, "stipend_krw": opening.stipend_krw,
        "deadline": opening.deadline, "accepting_applications": accepting,
        "skills": [{"name": s.display_name or s.name, "skill": s.skill_id, "importance": s.importance,
                    "min_level": s.min_level} for s in opening.skills],
        "eligible_groups": [g.code for g in opening.eligible_groups],
        "degree_levels": opening.degree_level_list, "majors": opening.major_list,
        "published_at": opening.published_at, "updated_at": opening.updated_at,
    }


class OpeningQuery(Schema):
    """The public list's filters (the same parameters as /openings)."""

    q = fields.String(validate=validate.Length(max=200), metadata={"description": "Words, in Korean or English."})
    kind = _enum(OpeningKind)
    group = fields.String(validate=validate.Length(max=20), metadata={"description": "Project group code."})
    mode = _enum(WorkMode)
    location = fields.String(validate=validate.Length(max=100))
    skill = fields.String(validate=validate.Length(max=100))
    paid = fields.Boolean(metadata={"description": "true: paid only; false: unpaid only."})
    open = fields.Boolean(metadata={"description": "true: only openings still taking applications."})
    sort = fields.String(validate=validate.OneOf(SORTS))


class CompanySchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    name = fields.String(required=True)
    status = _enum(CompanyStatus, required=True)
    sector = _enum(Sector, required=True)
    size = _enum(CompanySize, required=True, metadata={"description": "Employees."})
    description = fields.String(required=True)
    website = fields.String(required=True)
    partner_groups = fields.List(fields.String(), required=True)
    updated_at = fields.AwareDateTime(required=True)


def company_dict(company) -> dict:
    return {
        "id": company.id, "url": url_for("companies.detail", company_id=company.id, _external=True),
        "name": company.name, "status": company.status, "sector": company.sector, "size": company.size,
        "description": company.description or "", "website": company.website or "",
        "partner_groups": [g.code for g in company.partner_groups], "updated_at": company.updated_at,
    }


# -- match explanations ---------------------------------------------------------------------------------------

KIND_LABELS = {"exact": "matched", "fuzzy": "matched (spelling variant)",
               "related": "related skill, partial credit", "missing": "missing"}


class MatchDetail(Schema):
    requirement = fields.String(required=True)
    importance = fields.String(required=True, validate=validate.OneOf([i.value for i in Importance]))
    min_level = fields.Integer(required=True)
    matched = fields.String(allow_none=True, metadata={"description": "The student's skill that met it."})
    canonical = fields.String(allow_none=True)
    similarity = fields.Float(required=True, metadata={"description": "0 to 1."})
    level = fields.Integer(allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(tuple(KIND_LABELS)))
    explanation = fields.String(required=True, metadata={"description": "The line the pages show, in the API's "
                                                                         "language."})


class MatchSchema(Schema):
    score = fields.Float(required=True, metadata={"description": "0 to 100."})
    has_all_musts = fields.Boolean(required=True)
    details = fields.List(fields.Nested(MatchDetail), required=True)


def _explained(detail: dict) -> dict:
    from marketplace.i18n import gettext as _

    kind = detail.get("kind")
    if kind == "missing":
        text = _("%(skill)s: missing must-have", skill=detail["requirement"]) if detail.get("importance") == "must" \
            else _("%(skill)s: missing", skill=detail["requirement"])
    elif kind == "related":
        text = _("%(skill)s: related skill %(matched)s, %(pct)s%% credit", skill=detail["requirement"],
                 matched=detail.get("matched"), pct=round(float(detail.get("similarity") or 0) * 100))
    else:
        text = _("%(skill)s: %(matched)s, level %(level)s (minimum %(min)s)", skill=detail["requirement"],
                 matched=detail.get("matched"), level=detail.get("level"), min=detail.get("min_level"))
    keys = ("requirement", "importance", "min_level", "matched", "canonical", "similarity", "level", "kind")
    return {**{k: detail.get(k) for k in keys}, "explanation": text}


def match_dict(score: float, has_all_musts: bool, details: list[dict]) -> dict:
    return {"score": round(float(score), 2), "has_all_musts": bool(has_all_musts),
            "details": [_explained(d) for d in details or []]}


# -- applications -----------------------------------------------------------------------------------------------


class PlacementRef(Schema):
    id = fields.Integer(required=True)
    status = _enum(PlacementStatus, required=True, metadata={"description": "As of today in Seoul."})
    outcome = fields.String(required=True, metadata={"description": "What the pages show, in the API's language."})


class ApplicationSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    opening = fields.Nested(OpeningRef, required=True)
    status = _enum(ApplicationStatus, required=True)
    statement = fields.String(required=True)
    consent_at = fields.AwareDateTime(required=True)
    consent_text = fields.String(required=True)
    match = fields.Nested(MatchSchema, required=True, metadata={"description": "The match as of applying."})
    company_message = fields.String(required=True)
    placement = fields.Nested(PlacementRef, allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


def _placement_ref(placement) -> dict | None:
    if placement is None:
        return None
    from marketplace.labels import placement_outcome

    return {"id": placement.id, "status": placement.status_on(today_in_seoul()),
            "outcome": str(placement_outcome(placement))}


def application_dict(application) -> dict:
    opening = application.opening
    return {
        "id": application.id,
        "url": url_for("students.application", application_id=application.id, _external=True),
        "opening": {"id": opening.id, "title": opening.title,
                    "company": {"id": opening.company.id, "name": opening.company.name}},
        "status": application.status, "statement": application.statement,
        "consent_at": application.consent_at, "consent_text": application.consent_text,
        "match": match_dict(application.match_score, application.match_has_all_musts, application.match_details),
        "company_message": application.company_message or "", "placement": _placement_ref(application.placement),
        "created_at": application.created_at, "updated_at": application.updated_at,
    }


class ApplyArgs(Schema):
    opening_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    statement = fields.String(required=True, validate=validate.Length(max=20_000),
                              metadata={"description": "Why this opening, and what you bring."})
    consent = StrictBoolean(required=True, metadata={
        "description": "true: you agree that the company may see your profile, skills and CV for this "
                       "application (Personal Information Protection Act). Required."})


class ApplicationQuery(Schema):
    status = fields.List(_enum(ApplicationStatus), metadata={"description": "Only these statuses (repeatable)."})


# -- applicants (company managers) -----------------------------------------------------------------------------


class StudentSummary(Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)
    group = fields.String(allow_none=True, metadata={"description": "Project group code."})
    degree_level = _enum(DegreeLevel, allow_none=True)
    major = fields.String(allow_none=True)


class ApplicantSchema(Schema):
    rank = fields.Integer(required=True, metadata={"description": "1 is the best fit; withdrawn applicants last."})
    application_id = fields.Integer(required=True)
    url = fields.String(required=True)
    status = _enum(ApplicationStatus, required=True)
    shared = fields.Boolean(required=True, metadata={
        "description": "false once the student withdrew: their profile, statement and match are no longer "
                       "shared with the company."})
    student = fields.Nested(StudentSummary, allow_none=True)
    statement = fields.String(allow_none=True)
    match = fields.Nested(MatchSchema, allow_none=True, metadata={"description": "The live match of the "
                                                                                "current profile."})
    applied_at = fields.AwareDateTime(required=True)


class ApplicantQuery(Schema):
    group = fields.String(validate=validate.Length(max=20), metadata={"description": "Project group code."})
    degree = _enum(DegreeLevel)
    musts = fields.Boolean(metadata={"description": "true: only applicants meeting every must-have."})
    status = _enum(ApplicationStatus)


def student_dict(user) -> dict:
    profile = user.student_profile
    return {"id": user.id, "display_name": user.display_name,
            "group": profile.group.code if profile and profile.group else None,
            "degree_level": profile.degree_level if profile else None, "major": profile.major if profile else None}


def applicant_dict(row) -> dict:
    application = row.application
    from marketplace.services import ranking

    return {
        "rank": row.rank, "application_id": application.id,
        "url": url_for("applicants.application", application_id=application.id, _external=True),
        "status": application.status, "shared": row.shared,
        "student": student_dict(application.student) if row.shared else None,
        "statement": application.statement if row.shared else None,
        "match": match_dict(row.match.score, row.match.has_all_musts, ranking.match_details(row.match))
        if row.shared else None,
        "applied_at": application.created_at,
    }


# -- placements (exchange managers) ----------------------------------------------------------------------------


class ConflictSchema(Schema):
    code = fields.String(required=True, metadata={"description": "full, overlap, group, degree, major, suspended, "
                                                                 "terms, closed, withdrawn, …"})
    message = fields.String(required=True)
    blocking = fields.Boolean(required=True, metadata={"description": "true: approval is refused while it holds."})


class PlacementSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    status = _enum(PlacementStatus, required=True, metadata={"description": "As of today in Seoul (an approved "
                                                                            "placement whose start date came "
                                                                            "is active)."})
    opening = fields.Nested(OpeningRef, required=True)
    student = fields.Nested(StudentSummary, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    seats_left = fields.Integer(required=True, metadata={"description": "Seats of the opening still free."})
    agreed_terms = fields.Dict(allow_none=True, metadata={"description": "The opening's terms when the student "
                                                                         "accepted."})
    conflicts = fields.List(fields.Nested(ConflictSchema), required=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    note = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


def placement_dict(placement, conflicts: list, seats_left: int) -> dict:
    opening = placement.opening
    return {
        "id": placement.id, "url": url_for("manager.placement", placement_id=placement.id, _external=True),
        "status": placement.status_on(today_in_seoul()),
        "opening": {"id": opening.id, "title": opening.title,
                    "company": {"id": opening.company.id, "name": opening.company.name}},
        "student": student_dict(placement.student), "start_date": placement.start_date,
        "end_date": placement.end_date, "seats_left": seats_left, "agreed_terms": placement.agreed_terms,
        "conflicts": [{"code": c.code, "message": c.message, "blocking": c.blocking} for c in conflicts],
        "decided_by": placement.decided_by.display_name if placement.decided_by else None,
        "decided_at": placement.decided_at, "note": placement.note or "",
        "created_at": placement.created_at, "updated_at": placement.updated_at,
    }


class PlacementQuery(Schema):
    status = fields.List(_enum(PlacementStatus), metadata={
        "description": "Only these statuses (repeatable); default: every status."})


class DecisionArgs(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=20_000), metadata={
        "description": "Approve: optional note. Return: the reason, required; the student and the company "
                       "read it."})


class DecisionResult(Schema):
    message = fields.String(required=True, metadata={"description": "What the console says after the decision."})
    placement = fields.Nested(PlacementSchema, required=True)


class TokenInfo(Schema):
    name = fields.String(required=True)
    scopes = fields.List(fields.String(), required=True)
    user = fields.Nested(type("TokenOwner", (Schema,), {
        "id": fields.Integer(required=True), "display_name": fields.String(required=True),
        "role": fields.String(required=True), "locale": fields.String(allow_none=True)}), required=True)
    created_at = fields.AwareDateTime(required=True)
    last_used_at = fields.AwareDateTime(allow_none=True)


class ProblemField(Schema):
    field = fields.String(allow_none=True)
    message = fields.String(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.List(fields.Nested(ProblemField))
    request_id = fields.String()

