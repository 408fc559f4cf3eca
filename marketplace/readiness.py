"""What /readyz asks: each shared service a request may need, with a short timeout, never raising."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from marketplace import storage
from marketplace.extensions import db


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure to answer is "unreachable"
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001
            pass
        return f"unreachable ({type(error).__name__})"


def check_redis() -> str:
    url = current_app.config.get("REDIS_URL") or ""
    limits = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    if not url and limits.startswith(("redis://", "rediss://", "unix://")):
        url = limits
    if not url:
        return "not configured"
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    except Exception as error:  # noqa: BLE001
        return f"unreachable ({type(error).__name__})"


def check_storage() -> str:
    try:
        backend = storage.current()
        backend.check()
        return "ok"
    except Exception as error:  # noqa: BLE001
        return f"unreachable ({type(error).__name__})"


def check_all() -> dict[str, str]:
    return {"database": check_database(), "redis": check_redis(), "storage": check_storage()}
