"""Placements of the caller's project groups (exchange managers and admins): list, read, approve, return.

Approve and return call the very functions the manager console calls (services/placements.py), so every rule
there (seats, overlaps, eligibility, suspended companies, and whatever rules are added to them later) holds
here too, with the same messages.
"""
from __future__ import annotations

from marketplace.api import auth
from marketplace.api.common import Blueprint, PageArgs, page_schema, paginate
from marketplace.api.schemas import DecisionArgs, DecisionResult, PlacementQuery, PlacementSchema, placement_dict
from marketplace.extensions import db
from marketplace.i18n import gettext as _
from marketplace.models import Placement, PlacementStatus
from marketplace.permissions import Permission, user_can
from marketplace.services import placements, seats
from marketplace.services.errors import DomainError

blp = Blueprint("api_placements", __name__, url_prefix="/api/v1",
                description="Placement requests and placements of the caller's project groups.")
blp.before_request(auth.authenticate)
blp.after_request(auth.cache_headers)

PlacementPage = page_schema(PlacementSchema, "PlacementPage")


def _reviewer():
    user = auth.caller()
    if not user_can(user, Permission.REVIEW_EXCHANGES):
        raise auth.ApiAuthError(403, _("Only exchange managers of a project group decide on placements."))
    return user


def _dicts(items: list[Placement]) -> list[dict]:
    taken = seats.seats_taken(p.opening_id for p in items)
    found = placements.conflicts_for(items, taken)
    left = placements.seats_left_for(items, taken)
    return [placement_dict(p, found[p.id], left[p.opening_id]) for p in items]


@blp.route("/placements")
@auth.require("read:placements")
@blp.etag
@blp.arguments(PlacementQuery, location="query", arg_name="filters")
@blp.arguments(PageArgs, location="query", arg_name="paging")
@blp.response(200, PlacementPage)
def list_placements(filters, paging):
    """Placements of my project groups

    By start date, each with the conflicts the console shows (full, overlap, eligibility, …).
    """
    statuses = filters.get("status") or list(PlacementStatus)
    query = placements.placements_query(_reviewer(), statuses)
    if paging["updated_since"] is not None:
        query = query.where(Placement.updated_at >= paging["updated_since"])
    body, headers = paginate(query, paging)
    body["items"] = _dicts(body["items"])
    return body, headers


@blp.route("/placements/<int:placement_id>")
@auth.require("read:placements")
@blp.etag
@blp.response(200, PlacementSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_placement(placement_id: int):
    """One placement of my project groups"""
    return _dicts([placements.get_placement_for_reviewer(_reviewer(), placement_id)])[0]


def _decide(action, placement_id: int, note: str, message) -> dict:
    actor = _reviewer()
    placements.get_placement_for_reviewer(actor, placement_id)  # another group's id: 404 before anything else
    try:
        placement = action(actor, placement_id, note)
        text = message(placement)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return {"message": text, "placement": _dicts([placements.get_placement_for_reviewer(actor, placement_id)])[0]}


@blp.route("/placements/<int:placement_id>/approve", methods=["POST"])
@auth.require("write:placements")
@blp.arguments(DecisionArgs)
@blp.response(200, DecisionResult)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="Decided already, the opening is full, the student holds "
                                                        "an overlapping placement or is no longer eligible: the "
                                                        "console's message.")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def approve(data, placement_id: int):
    """Approve a placement request"""
    return _decide(placements.approve_placement, placement_id, data["note"],
                   lambda p: _("The placement of %(name)s in “%(title)s” is approved.",
                               name=p.student.display_name, title=p.opening.title))


@blp.route("/placements/<int:placement_id>/return", methods=["POST"])
@auth.require("write:placements")
@blp.arguments(DecisionArgs)
@blp.response(200, DecisionResult)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(409, response="CONFLICT", description="Decided already.")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY", description="No reason given.")
def return_request(data, placement_id: int):
    """Return a placement request with a reason

    The student and the company read the reason.
    """
    return _decide(placements.return_placement, placement_id, data["note"],
                   lambda p: _("The request was returned; the student and the company see your note."))
