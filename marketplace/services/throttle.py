"""Attempt limits that every worker and server shares: failed sign-ins, registrations, password checks.

An attempt first *reserves* a slot under each of its keys (the account, the address) with one atomic
increment; a key already at its limit answers "too many" and the reservation is given back. A
successful attempt releases its slots afterwards, so only failures (and attempts still running) count.
Because the increment and the check are one statement, N threads, workers or servers hammering one key
get exactly `amount` slots per window, never more.

Counters live in the database by default (table `attempt_counter`, an upsert that SQLite and
PostgreSQL both run atomically) and in Redis when RATELIMIT_STORAGE_URI (or REDIS_URL) names one.
Windows are fixed: "10 per minute" allows 10 in each clock minute.
"""
from __future__ import annotations

import hashlib
import math
import re
import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from marketplace.extensions import db
from marketplace.models import AttemptCounter

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_LIMIT = re.compile(r"\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Limit:
    amount: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """"10 per minute", "20 per hour", "5 per 15 minutes", "3/second"."""
        match = _LIMIT.fullmatch(text or "")
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"not a rate limit: {text!r} (write e.g. '10 per minute')")
        return cls(int(match.group(1)), int(match.group(2) or 1) * _UNITS[match.group(3).lower()])


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"too many attempts; retry after {retry_after} s")
        self.retry_after = retry_after


def _hashed(key: str) -> str:
    # Counters never hold an e-mail address or an IP address, only a digest of them.
    kind, _, value = key.partition(":")
    return f"{kind[:30]}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


class DatabaseCounters:
    """Counters in the application's database, changed by one atomic upsert each."""

    def add(self, key: str, window_start: int, expires_at: int, delta: int) -> int:
        insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(AttemptCounter).values(key=key, window_start=window_start, expires_at=expires_at,
                                                  hits=delta)
        statement = statement.on_conflict_do_update(
            index_elements=[AttemptCounter.key, AttemptCounter.window_start],
            set_={"hits": AttemptCounter.hits + statement.excluded.hits},
        ).returning(AttemptCounter.hits)
        # Its own short transaction, committed at once: every worker sees it, whatever the request does.
        with db.engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
            if hits == delta == 1:  # the first attempt of a key's new window sweeps every expired window
                connection.execute(delete(AttemptCounter).where(AttemptCounter.expires_at < window_start))
        return hits


class RedisCounters:
    """Counters in Redis: INCRBY and EXPIREAT in one MULTI block."""

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)

    def add(self, key: str, window_start: int, expires_at: int, delta: int) -> int:
        name = f"marketplace:attempts:{key}:{window_start}"
        pipe = self.client.pipeline(transaction=True)
        pipe.incrby(name, delta)
        pipe.expireat(name, expires_at)
        hits, _ = pipe.execute()
        return int(hits)


def storage_for(app) -> DatabaseCounters | RedisCounters:
    """The counter store the configuration names; refuses per-worker memory, which never holds."""
    uri = (app.config.get("RATELIMIT_STORAGE_URI") or app.config.get("REDIS_URL") or "database").strip()
    if uri == "database":
        return DatabaseCounters()
    if uri.split("://", 1)[0] in {"redis", "rediss", "unix"}:
        return RedisCounters(uri)
    raise RuntimeError(
        f"RATELIMIT_STORAGE_URI={uri!r} is not supported: leave it unset (counters in the database, shared "
        "by every worker) or point it at Redis (redis://host:6379/0). In-memory counters are per worker, "
        "so each gunicorn worker would allow the full limit."
    )


def _storage():
    store = current_app.extensions.get("attempt_counters")
    if store is None:
        store = current_app.extensions["attempt_counters"] = storage_for(current_app)
    return store


@dataclass
class Reservation:
    """Slots taken by one attempt; `release()` gives them back (the attempt succeeded)."""

    slots: list[tuple[str, int, int]] = field(default_factory=list)

    def release(self) -> None:
        store = _storage()
        while self.slots:
            key, window_start, expires_at = self.slots.pop()
            store.add(key, window_start, expires_at, -1)


def reserve(limit: Limit, *keys: str, now: float | None = None) -> Reservation:
    """Take one slot under each key, or raise TooManyAttempts (nothing kept) if any key is full."""
    reservation = Reservation()
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return reservation
    now = time.time() if now is None else now
    window_start = int(now // limit.seconds * limit.seconds)
    expires_at = window_start + limit.seconds
    store = _storage()
    for key in keys:
        hashed = _hashed(key)
        hits = store.add(hashed, window_start, expires_at, 1)
        reservation.slots.append((hashed, window_start, expires_at))
        if hits > limit.amount:
            reservation.release()
            raise TooManyAttempts(max(1, math.ceil(expires_at - now)))
    return reservation


def configured(name: str) -> Limit:
    """The limit a setting names (LOGIN_RATE_LIMIT, REGISTRATION_RATE_LIMIT, ...)."""
    return Limit.parse(current_app.config[name])
