"""Attempt counters shared by every worker and server (sign-ins, registrations, password checks)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db


class AttemptCounter(db.Model):
    """Attempts under one key (a hashed account or address) in one fixed time window.

    Rows are only ever changed by one atomic upsert (see services/throttle.py); expired windows are
    purged when a key opens a new one.
    """

    __tablename__ = "attempt_counter"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Unix seconds
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)  # Unix seconds
    hits: Mapped[int] = mapped_column(Integer, default=0)
