"""Cache stamps: one row per cached area, rewritten in the transaction of every change the area shows."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db


class CacheStamp(db.Model):
    """A cached page is stored under its area's current token, so a change committed anywhere (any worker,
    any server) makes every copy made before it unreachable at once; no message has to reach the caches."""

    __tablename__ = "cache_stamp"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
