"""Seats of openings: how many are held by placements, how many are left."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import SEAT_HOLDING, Opening, Placement


def seats_taken(opening_ids: Iterable[int]) -> dict[int, int]:
    """Seats held (approved, active or completed placements) per opening id, in one query."""
    ids = list(set(opening_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Placement.opening_id, func.count())
        .where(Placement.opening_id.in_(ids), Placement.status.in_(SEAT_HOLDING))
        .group_by(Placement.opening_id)
    )
    taken = dict.fromkeys(ids, 0)
    taken.update({opening_id: count for opening_id, count in rows})
    return taken


def seats_left(opening: Opening) -> int:
    return max(0, opening.seats - seats_taken([opening.id])[opening.id])
