"""URL converters shared by every blueprint."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

# Primary keys are `Integer` columns: 32-bit signed on PostgreSQL. SQLite would take 64 bits, but an id
# beyond PostgreSQL's range never exists on either backend, so one bound serves both.
MAX_DATABASE_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` bounded to the id column's range: a longer number does not match, so the route 404s
    instead of sending an out-of-range value to the database (500 on SQLite, 503 on PostgreSQL)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        bound = MAX_DATABASE_ID if max is None or max > MAX_DATABASE_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)
