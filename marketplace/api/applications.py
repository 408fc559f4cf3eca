"""The caller's own applications (students) and the ranked applicants of the caller's openings (company managers).

Every call goes through the services the pages use (eligibility, consent, the workflow's transitions), so the
API and the pages give the same answers.
"""
from __future__ import annotations

from flask import url_for

from marketplace.api import auth
from marketplace.api.common import Blueprint, PageArgs, envelope, page_schema, paginate
from marketplace.api.schemas import (
    ApplicantQuery,
    ApplicantSchema,
    ApplicationQuery,
    ApplicationSchema,
    ApplyArgs,
    applicant_dict,
    application_dict,
)
from marketplace.extensions import db
from marketplace.i18n import gettext as _
from marketplace.models import Application
from marketplace.permissions import Permission, user_can
from marketplace.services import applications, openings
from marketplace.services.errors import DomainError

blp = Blueprint("api_applications", __name__, url_prefix="/api/v1",
                description="Students' own applications; company managers' ranked applicants.")
blp.before_request(auth.authenticate)
blp.after_request(auth.cache_headers)

ApplicationPage = page_schema(ApplicationSchema, "ApplicationPage")
ApplicantPage = page_schema(ApplicantSchema, "ApplicantPage")


class PageOnly(PageArgs):
    class Meta:
        exclude = ("updated_since",)


def _student():
    """The caller, who must be a student (with a profile) to have applications."""
    user = auth.caller()
    if not user_can(user, Permission.APPLY):
        raise auth.ApiAuthError(403, _("Only students have applications."))
    return user


def _commit(action, *args):
    """One commit point, like web.run: a refused call is rolled back and raised (the error handlers answer)."""
    try:
        value = action(*args)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return value


@blp.route("/applications")
@auth.require("read:applications")
@blp.etag
@blp.arguments(ApplicationQuery, location="query", arg_name="filters")
@blp.arguments(PageArgs, location="query", arg_name="paging")
@blp.response(200, ApplicationPage)
def list_applications(filters, paging):
    """My applications (students)

    Newest first, each with the match as of applying and the placement's outcome.
    """
    query = applications.student_applications_query(_student())
    if filters.get("status"):
        query = query.where(Application.status.in_(filters["status"]))
    if paging["updated_since"] is not None:
        query = query.where(Application.updated_at >= paging["updated_since"])
    body, headers = paginate(query, paging)
    body["items"] = [application_dict(a) for a in body["items"]]
    return body, headers


@blp.route("/applications/<int:application_id>")
@auth.require("read:applications")
@blp.etag
@blp.response(200, ApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_application(application_id: int):
    """One of my applications"""
    return application_dict(applications.get_student_application(_student(), application_id))


@blp.route("/applications", methods=["POST"])
@auth.require("write:applications")
@blp.arguments(ApplyArgs)
@blp.response(201, ApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="Already applied, or not eligible (closed, full, "
                                                        "another group, …): the reasons as the page says them.")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def apply(data):
    """Apply to an opening

    Consent to share the profile with the company is required (`consent: true`), as on the apply page.
    """
    student = _student()
    opening = applications.get_opening_to_apply(student, data["opening_id"])
    application = _commit(applications.apply, student, opening, data["statement"], data["consent"])
    loaded = applications.get_student_application(student, application.id)
    return application_dict(loaded), 201, {"Location": url_for("api_applications.get_application",
                                                               application_id=application.id)}


@blp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@auth.require("write:applications")
@blp.response(200, ApplicationSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="The application cannot be withdrawn in its state.")
def withdraw(application_id: int):
    """Withdraw one of my applications

    The company no longer sees the profile, statement or match from then on.
    """
    student = _student()
    application = applications.get_student_application(student, application_id)
    _commit(applications.withdraw, student, application)
    return application_dict(applications.get_student_application(student, application_id))


@blp.route("/openings/<int:opening_id>/applicants")
@auth.require("read:applications")
@blp.etag
@blp.arguments(ApplicantQuery, location="query", arg_name="filters")
@blp.arguments(PageOnly, location="query", arg_name="paging")
@blp.response(200, ApplicantPage)
@blp.alt_response(404, response="NOT_FOUND")
def list_applicants(filters, paging, opening_id: int):
    """Ranked applicants of one of my company's openings (company managers)

    Ranked by how well each applicant's current skill profile fits, with the match explanation the page
    shows. Withdrawn applicants come last, without their profile.
    """
    actor = auth.caller()
    if not user_can(actor, Permission.MANAGE_COMPANY):
        raise auth.ApiAuthError(403, _("Only company managers see applicants."))
    opening = openings.get_company_opening(actor, opening_id)
    args = {"group": filters.get("group"), "degree": filters["degree"].value if filters.get("degree") else None,
            "musts": "1" if filters.get("musts") else None,
            "status": filters["status"].value if filters.get("status") else None}
    parsed = applications.parse_applicant_filters({k: v for k, v in args.items() if v is not None})
    result = applications.ranked_applicants(actor, opening, parsed, page=paging["page"],
                                            per_page=paging["per_page"])
    if paging["page"] != result.page:  # past the last page: an empty page, as for every other list
        return envelope([], result.total, paging["page"], paging["per_page"])
    return envelope([applicant_dict(row) for row in result.items], result.total, result.page, result.per_page)

