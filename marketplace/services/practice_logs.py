"""Weekly practice logs (실습일지): days recorded by the student, weeks submitted and confirmed or returned by the
host supervisor, and the totals that count toward the course plan."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import PracticeDay, PracticeWeek, WeekStatus

__all__ = ["confirmed_hours", "confirmed_minutes", "awaiting_confirmation"]


def confirmed_minutes(placement_ids: Iterable[int]) -> dict[int, int]:
    """Minutes of the confirmed weeks per placement (0 for none), in one query."""
    ids = set(placement_ids)
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    rows = db.session.execute(
        select(PracticeWeek.placement_id, func.coalesce(func.sum(PracticeDay.minutes), 0))
        .join(PracticeDay, PracticeDay.week_id == PracticeWeek.id)
        .where(PracticeWeek.placement_id.in_(ids), PracticeWeek.status == WeekStatus.CONFIRMED)
        .group_by(PracticeWeek.placement_id)
    ).all()
    for placement_id, minutes in rows:
        result[placement_id] = int(minutes)
    return result


def confirmed_hours(placement_ids: Iterable[int]) -> dict[int, float]:
    """Hours of the confirmed weeks per placement (what counts toward the plan's required hours), in one query."""
    return {pid: minutes / 60 for pid, minutes in confirmed_minutes(placement_ids).items()}


def awaiting_confirmation(placement_ids: Iterable[int]) -> dict[int, int]:
    """Weeks submitted and not yet confirmed (nor returned) per placement (0 for none), in one query."""
    ids = set(placement_ids)
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    rows = db.session.execute(
        select(PracticeWeek.placement_id, func.count())
        .where(PracticeWeek.placement_id.in_(ids), PracticeWeek.status == WeekStatus.SUBMITTED)
        .group_by(PracticeWeek.placement_id)
    ).all()
    for placement_id, count in rows:
        result[placement_id] = int(count)
    return result
