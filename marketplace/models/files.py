"""Shared state that several application servers must agree on: uploaded files kept in the database, and the
claims that make a scheduled job run once per period whichever server's scheduler asks first."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models.base import UTCDateTime, utcnow


class StoredFile(db.Model):
    """An uploaded file (CV, agreement, insurance document) when STORAGE_BACKEND=database.

    Written and removed on connections of their own (marketplace/storage.py), like files on a disk, so the
    upload code behaves the same whichever backend is configured."""

    __tablename__ = "stored_file"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class JobRun(db.Model):
    """One period of one scheduled job, claimed by the first scheduler that inserts it (the primary key makes
    every other scheduler's insert fail), then marked started and finished by the worker that ran it."""

    __tablename__ = "job_run"

    job: Mapped[str] = mapped_column(String(60), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # period number: epoch seconds // interval
    claimed_by: Mapped[str] = mapped_column(String(120), nullable=False)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    runs: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # executions; exactly-once means 1
    result: Mapped[str] = mapped_column(String(200), default="", nullable=False)
