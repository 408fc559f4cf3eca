"""Run service calls in real threads released at the same moment, as concurrent requests would.

Each job runs in its own app context (its own session and connection). A job loads what its request would
load, calls `ready()` (every job waits there until all have loaded), then acts; the helper commits a job
that returns, rolls back one that raises, and reports ("ok" | "conflict" | "error", message) per job in
job order.
"""
from __future__ import annotations

import threading
from typing import Callable

from flask_babel import force_locale

from marketplace.extensions import db
from marketplace.services.errors import Conflict


def run_together(app, jobs: list[Callable[[Callable[[], None]], object]], timeout: float = 60):
    db.session.commit()
    barrier = threading.Barrier(len(jobs))
    results: list[tuple[str, str] | None] = [None] * len(jobs)

    def ready() -> None:
        barrier.wait(timeout=timeout)

    def work(index: int, job) -> None:
        with app.app_context(), force_locale("en"):
            try:
                job(ready)
                db.session.commit()
                results[index] = ("ok", "")
            except Conflict as error:
                db.session.rollback()
                results[index] = ("conflict", error.message)
            except Exception as error:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                results[index] = ("error", f"{error.__class__.__name__}: {error}")
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 2)
    assert not any(thread.is_alive() for thread in threads), "a job hung"
    db.session.expire_all()
    return results
