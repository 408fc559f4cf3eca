"""Seats of openings: how many are held by placements, how many are left, how many are spoken for."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update

from marketplace.extensions import db
from marketplace.models import SEAT_HOLDING, Application, ApplicationStatus, Opening, Placement, PlacementStatus


def lock_opening(opening_id: int) -> None:
    """Take the opening's write lock (its row on PostgreSQL, the database on SQLite) until the commit, so
    seats are counted against every decision committed before (see services/placements.py)."""
    table = Opening.__table__
    db.session.execute(update(table).where(table.c.id == opening_id).values(updated_at=table.c.updated_at))


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


_SEAT_COUNTS = (select(Placement.opening_id, Placement.status, func.count())  # built once, the ids a parameter
                .where(Placement.opening_id.in_(bindparam("ids", expanding=True)),
                       Placement.status.in_((*SEAT_HOLDING, PlacementStatus.PENDING)))
                .group_by(Placement.opening_id, Placement.status))


def seat_counts(opening_ids: Iterable[int]) -> tuple[dict[int, int], dict[int, int]]:
    """(seats taken, placement requests waiting for an exchange manager) per opening id, in one query."""
    ids = list(set(opening_ids))
    taken, pending = dict.fromkeys(ids, 0), dict.fromkeys(ids, 0)
    if not ids:
        return taken, pending
    rows = db.session.execute(_SEAT_COUNTS, {"ids": ids})
    for opening_id, status, count in rows:
        if status == PlacementStatus.PENDING:
            pending[opening_id] += count
        else:
            taken[opening_id] += count
    return taken, pending


def seats_left(opening: Opening) -> int:
    return max(0, opening.seats - seats_taken([opening.id])[opening.id])


@dataclass(frozen=True)
class SeatUse:
    """Where an opening's seats stand for a new offer: seats − approved − requests waiting − offers open."""

    seats: int
    approved: int
    pending: int
    offered: int

    @property
    def free_for_offers(self) -> int:
        return max(0, self.seats - self.approved - self.pending - self.offered)


def seat_use(opening: Opening) -> SeatUse:
    """Every seat that is held, requested or promised in an outstanding offer (two small counts)."""
    offered = db.session.scalar(
        select(func.count()).select_from(Application)
        .where(Application.opening_id == opening.id, Application.status == ApplicationStatus.OFFERED)
    ) or 0
    taken, pending = seat_counts([opening.id])
    return SeatUse(opening.seats, taken[opening.id], pending[opening.id], offered)
