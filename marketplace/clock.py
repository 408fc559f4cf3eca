"""The Seoul clock: deadlines, start dates and date filters are calendar days in Korea (stdlib only)."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def today_in_seoul() -> date:
    """Deadlines are calendar days in Korea: an opening accepts applications through its deadline day."""
    return datetime.now(SEOUL).date()


def seoul_day_start(day: date) -> datetime:
    """The first instant of `day` in Seoul (an aware datetime; compare it with stored UTC times)."""
    return datetime.combine(day, time.min, tzinfo=SEOUL)
