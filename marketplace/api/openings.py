"""Openings and companies: public data that needs no token (a token with read:openings shows its owner what
the pages show them beyond it: their company's drafts, the openings waiting for their review)."""
from __future__ import annotations

from marketplace.api import auth
from marketplace.api.common import Blueprint, PageArgs, page_schema, paginate
from marketplace.api.schemas import CompanySchema, OpeningQuery, OpeningSchema, company_dict, opening_dict
from marketplace.models import Company, Opening
from marketplace.services import companies, openings, seats
from marketplace.clock import today_in_seoul

blp = Blueprint("api_openings", __name__, url_prefix="/api/v1",
                description="Openings and companies, with the public list's filters.")
blp.before_request(auth.authenticate)
blp.after_request(auth.cache_headers)

OpeningPage = page_schema(OpeningSchema, "OpeningPage")
CompanyPage = page_schema(CompanySchema, "CompanyPage")


def _opening_dicts(items: list[Opening]) -> list[dict]:
    taken = seats.seats_taken(o.id for o in items)
    today = today_in_seoul()
    return [opening_dict(o, max(0, o.seats - taken.get(o.id, 0)), openings.accepts_applications(o, today))
            for o in items]


@blp.route("/openings")
@auth.optional
@blp.etag
@blp.arguments(OpeningQuery, location="query", as_kwargs=True)
@blp.arguments(PageArgs, location="query", arg_name="paging")
@blp.response(200, OpeningPage)
def list_openings(paging, **filters):
    """Published openings of approved companies

    The same filters and order as the public /openings page (built by the same query).
    """
    args = {k: v for k, v in filters.items() if v is not None}
    for flag, name in (("paid", "paid"), ("open", "open")):
        if flag in args:
            args[name] = "1" if args[flag] else "0"
    for name in ("kind", "mode"):
        if name in args:
            args[name] = args[name].value
    query = openings.public_openings_query(openings.parse_filters(args))
    if paging["updated_since"] is not None:
        query = query.where(Opening.updated_at >= paging["updated_since"])
    body, headers = paginate(query, paging)
    body["items"] = _opening_dicts(body["items"])
    return body, headers


@blp.route("/openings/<int:opening_id>")
@auth.optional
@blp.etag
@blp.response(200, OpeningSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_opening(opening_id: int):
    """One opening

    Public openings for everyone; others only for their company's managers and reviewers (token with
    read:openings). Anything else is 404.
    """
    opening = openings.get_visible_opening(auth.viewer_with("read:openings"), opening_id)
    return _opening_dicts([opening])[0]


@blp.route("/companies")
@auth.optional
@blp.etag
@blp.arguments(PageArgs, location="query", arg_name="paging")
@blp.response(200, CompanyPage)
def list_companies(paging):
    """Approved partner companies"""
    query = companies.public_companies_query()
    if paging["updated_since"] is not None:
        query = query.where(Company.updated_at >= paging["updated_since"])
    body, headers = paginate(query, paging)
    body["items"] = [company_dict(c) for c in body["items"]]
    return body, headers


@blp.route("/companies/<int:company_id>")
@auth.optional
@blp.etag
@blp.response(200, CompanySchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_company(company_id: int):
    """One company

    Approved companies for everyone; others only for their managers and reviewers (token with read:openings).
    """
    return company_dict(companies.get_visible_company(auth.viewer_with("read:openings"), company_id))
