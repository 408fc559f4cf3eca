"""Background jobs: scheduled periodically, run once per period across every server, executed by a worker.

The pieces:
- SCHEDULE (config): each job's period in seconds.
- `flask scheduler` (one per application server, or anywhere): every second it computes each job's current
  period number (epoch seconds // period) and tries to claim it by inserting a `job_run` row. The primary key
  (job, period) lets exactly one insert succeed whichever scheduler and server tries first, so running a
  scheduler on every server is safe and survives the loss of any one of them. This is the lock; it lives in
  the database every server already shares, so it holds without Redis too.
- The claimed run goes to the RQ queue `marketplace` on Redis when REDIS_URL is set (`flask worker` executes
  it: a slow SMTP server then never holds a scheduler or a web request), and runs inline in the scheduler when
  Redis is not configured (one small server).
- `run()` counts each execution on the `job_run` row (`runs`), so "exactly once" is checked, not assumed.

Every job is also safe to run twice (each mail and each placement is claimed with a conditional update), so a
worker killed in the middle and the next period picking up the rest lose nothing.
"""
from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db, forget_transaction, release_session
from marketplace.models.base import utcnow
from marketplace.models.files import JobRun

QUEUE = "marketplace"
KEEP_RUNS = timedelta(days=14)


def _send_mail() -> str:
    from marketplace.services.notifications import send_pending_mail

    delivery = send_pending_mail(int(current_app.config.get("MAIL_BATCH", 200)))
    sent, failed = delivery
    server_error = getattr(delivery, "server_error", None)
    return f"sent {sent}, failed {failed}" + (f"; mail server unreachable: {server_error}" if server_error else "")


def _send_digest() -> str:
    from marketplace.services import digests

    day = digests.due_day()
    if day is None:
        return "not yet (before DIGEST_HOUR, Seoul)"
    return f"digest of {day.isoformat()}: {digests.send_digests(day)} queued"


def _activate_placements() -> str:
    from marketplace.services.placements import activate_due_placements

    moved = activate_due_placements()
    db.session.commit()
    return f"activated {moved}"


def _practice_reminders() -> str:
    from marketplace.services.practice_logs import send_reminders

    sent = send_reminders()
    db.session.commit()
    return f"reminded {sent}"


def _prune_job_runs() -> str:
    with db.engine.begin() as conn:
        gone = conn.execute(delete(JobRun).where(JobRun.claimed_at < utcnow() - KEEP_RUNS)).rowcount
    return f"pruned {gone}"


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], str]
    doc: str


JOBS: dict[str, Job] = {job.name: job for job in (
    Job("send-mail", _send_mail, "deliver due e-mails of the outbox"),
    Job("send-digest", _send_digest, "queue the daily digest once DIGEST_HOUR (Seoul) has come; once per user and day"),
    Job("activate-placements", _activate_placements, "approved placements whose start date came become active"),
    Job("practice-reminders", _practice_reminders,
        "remind late practice-log weeks (not submitted 3 days after the week, not confirmed 5 days after); once each"),
    Job("prune-job-runs", _prune_job_runs, "forget job_run rows older than 14 days"),
)}


def schedule(config) -> dict[str, int]:
    """{job: period in seconds}; a period of 0 switches a job off."""
    return {name: int(seconds) for name, seconds in config["SCHEDULE"].items() if name in JOBS and int(seconds) > 0}


def whoami() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(job: str, slot: int, who: str | None = None) -> bool:
    """True for the one caller whose insert of (job, slot) succeeds, on every server; False for all others."""
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(JobRun).values(job=job, slot=slot, claimed_by=who or whoami(), claimed_at=utcnow(),
                                               runs=0, result=""))
        return True
    except IntegrityError:
        return False


def tick(now: float | None = None, who: str | None = None) -> list[tuple[str, int]]:
    """Claim every job whose current period nobody claimed yet and hand it on; returns what this call claimed."""
    now = time.time() if now is None else now
    claimed = []
    for name, period in schedule(current_app.config).items():
        slot = int(now // period)
        if claim(name, slot, who):
            claimed.append((name, slot))
            dispatch(name, slot)
    return claimed


def queue():
    """The RQ queue on REDIS_URL, or None when Redis is not configured."""
    url = current_app.config.get("REDIS_URL") or ""
    if not url:
        return None
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE, connection=Redis.from_url(url))


def dispatch(name: str, slot: int) -> None:
    jobs = queue()
    if jobs is None:
        run(name, slot)
        return
    try:
        jobs.enqueue(run_queued, name, slot, job_id=f"{name}-{slot}", result_ttl=3600, failure_ttl=7 * 24 * 3600,
                     job_timeout=int(current_app.config.get("JOB_TIMEOUT", 600)))
    except Exception:
        # Redis away: give the period back so the next tick (here or on another server) claims it again.
        with db.engine.begin() as conn:
            conn.execute(delete(JobRun).where(JobRun.job == name, JobRun.slot == slot))
        raise


def run(name: str, slot: int | None = None) -> str:
    """Execute one job (in the worker, or inline); the job_run row counts the execution and keeps the result."""
    job = JOBS[name]
    if slot is not None:
        with db.engine.begin() as conn:
            conn.execute(update(JobRun).where(JobRun.job == name, JobRun.slot == slot)
                         .values(runs=JobRun.runs + 1, started_at=utcnow()))
    try:
        result = job.func()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        result = f"failed: {type(error).__name__}"
        current_app.logger.exception("job %s (period %s) failed", name, slot)
        _finish(name, slot, result)
        raise
    _finish(name, slot, result)
    current_app.logger.info("job %s (period %s): %s", name, slot, result)
    return result


def run_queued(name: str, slot: int | None = None) -> str:
    """What the worker executes: run() with a fresh database session each time (the worker lives for days)."""
    try:
        return run(name, slot)
    finally:
        release_session()


def _finish(name: str, slot: int | None, result: str) -> None:
    if slot is None:
        return
    with db.engine.begin() as conn:
        conn.execute(update(JobRun).where(JobRun.job == name, JobRun.slot == slot)
                     .values(finished_at=utcnow(), result=result[:200]))


def run_scheduler(stop: Callable[[], bool] = lambda: False, interval: float = 1.0) -> None:
    """Tick once a second until stop() says so; a database outage is logged and retried, never fatal."""
    who = whoami()
    while not stop():
        try:
            for name, slot in tick(who=who):
                current_app.logger.info("scheduler %s claimed %s period %s", who, name, slot)
        except Exception:  # noqa: BLE001 - the database or Redis away for a moment: try again next tick
            forget_transaction()
            current_app.logger.exception("scheduler tick failed; retrying")
        finally:
            release_session()
        time.sleep(interval - time.time() % interval)


def run_worker(burst: bool = False) -> bool:
    """Execute queued jobs in this process (RQ SimpleWorker: the app context stays pushed, no fork per job)."""
    from rq import SimpleWorker

    jobs = queue()
    if jobs is None:
        raise RuntimeError("REDIS_URL is not set: without Redis the scheduler runs jobs itself (no worker needed)")
    worker = SimpleWorker([jobs], connection=jobs.connection)
    return worker.work(burst=burst, with_scheduler=False, logging_level="INFO")
