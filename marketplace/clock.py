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


# Period filters take dates the Seoul -> UTC conversion and the day-after arithmetic can hold: 0001-01-01 in
# Seoul is year 0 in UTC, and 9999-12-31 has no next day.
FILTER_DATE_MIN = date(1900, 1, 1)
FILTER_DATE_MAX = date(2999, 12, 31)
