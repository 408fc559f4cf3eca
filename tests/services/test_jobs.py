"""Scheduled jobs run once per period across servers: two schedulers ticking at the same moment in real threads
(each its own connection, as two servers would be) claim each period once, and the job executes once, inline
without Redis and through the RQ queue and a worker with Redis."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace import jobs
from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import AuditEvent, JobRun, Placement, PlacementStatus
from tests.factories_agreements import make_ready
from tests.factories_placements import make_placement
from tests.services import test_throttle

SCHEDULE = {"send-mail": 60, "activate-placements": 300, "prune-job-runs": 0}

redis_url = test_throttle.redis_url  # fixture: a throw-away redis-server


def _two_schedulers_tick(app, now: float, count: int = 2) -> list[list[tuple[str, int]]]:
    """`count` schedulers (threads with their own app context and connection) tick at the same instant."""
    db.session.commit()
    barrier = threading.Barrier(count)
    claimed: list[list[tuple[str, int]] | str] = [[] for _ in range(count)]

    def scheduler(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                claimed[index] = jobs.tick(now=now, who=f"server-{index}")
            except Exception as error:  # noqa: BLE001 - reported to the test
                claimed[index] = f"{type(error).__name__}: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scheduler, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    return claimed


def _activations(placement) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "placement", AuditEvent.entity_id == placement.id,
        AuditEvent.action == "activated"))


def _runs() -> list[tuple[str, int, int, str]]:
    return [(r.job, r.slot, r.runs, r.result) for r in db.session.scalars(select(JobRun).order_by(JobRun.job))]


def test_two_schedulers_at_the_same_moment_run_each_job_once_without_redis(app):
    app.config.update(SCHEDULE=SCHEDULE, REDIS_URL="")
    today = today_in_seoul()
    placement = make_ready(make_placement(status=PlacementStatus.APPROVED, start=today, end=today + timedelta(days=30)))
    now = 1_800_000_000.0
    claimed = _two_schedulers_tick(app, now, count=3)
    assert all(isinstance(c, list) for c in claimed), claimed
    assert sorted(job for c in claimed for job, _ in c) == ["activate-placements", "send-mail"]
    assert _runs() == [("activate-placements", int(now // 300), 1, "activated 1"),
                       ("send-mail", int(now // 60), 1, "sent 3, failed 0")]  # the placement's e-mails
    db.session.refresh(placement)
    assert placement.status == PlacementStatus.ACTIVE and _activations(placement) == 1

    # Later in the same periods: nothing more; the next period of send-mail runs again, once.
    assert _two_schedulers_tick(app, now + 30) == [[], []]
    assert sorted(_two_schedulers_tick(app, now + 61), key=len) == [[], [("send-mail", int(now // 60) + 1)]]


def test_two_schedulers_with_redis_queue_each_job_once_and_the_worker_runs_it_once(app, redis_url):
    app.config.update(SCHEDULE=SCHEDULE, REDIS_URL=redis_url)
    today = today_in_seoul()
    placement = make_ready(make_placement(status=PlacementStatus.APPROVED, start=today, end=today + timedelta(days=30)))
    now = 1_800_000_100.0
    claimed = _two_schedulers_tick(app, now)
    assert all(isinstance(c, list) for c in claimed), claimed
    assert sorted(job for c in claimed for job, _ in c) == ["activate-placements", "send-mail"]
    assert jobs.queue().count == 2
    assert [r[2] for r in _runs()] == [0, 0]  # queued, not run: the schedulers never execute with Redis
    placement_id = placement.id
    jobs.run_worker(burst=True)  # in this process: each job ends with a fresh session, as in the worker
    assert [(job, runs, result) for job, _, runs, result in _runs()] == [
        ("activate-placements", 1, "activated 1"), ("send-mail", 1, "sent 3, failed 0")]
    placement = db.session.get(Placement, placement_id)
    assert placement.status == PlacementStatus.ACTIVE and _activations(placement) == 1
    assert jobs.queue().count == 0


def test_a_failing_job_is_recorded_and_the_next_period_tries_again(app, monkeypatch):
    app.config.update(SCHEDULE={"send-mail": 60}, REDIS_URL="")

    def broken(*_args, **_kwargs):
        raise RuntimeError("SMTP gone")

    monkeypatch.setattr("marketplace.services.notifications.send_pending_mail", broken)
    with pytest.raises(RuntimeError):
        jobs.tick(now=1_800_000_200.0)
    assert _runs() == [("send-mail", 1_800_000_200 // 60, 1, "failed: RuntimeError")]
    monkeypatch.undo()
    assert jobs.tick(now=1_800_000_260.0) == [("send-mail", 1_800_000_260 // 60)]


def test_old_job_runs_are_pruned(app):
    app.config.update(SCHEDULE={"prune-job-runs": 3600}, REDIS_URL="")
    assert jobs.claim("send-mail", 1, "old")
    db.session.execute(JobRun.__table__.update().values(claimed_at=jobs.utcnow() - timedelta(days=15)))
    db.session.commit()
    jobs.tick(now=time.time())
    assert [r[0] for r in _runs()] == ["prune-job-runs"]


def test_run_job_command_runs_the_digest_job_once_the_hour_has_come(app, runner):
    app.config["DIGEST_HOUR"] = 0
    result = runner.invoke(args=["run-job", "send-digest"])
    assert result.exit_code == 0 and "digest of" in result.output and "0 queued" in result.output
    unknown = runner.invoke(args=["run-job", "make-coffee"])
    assert unknown.exit_code != 0 and "unknown job" in unknown.output


def test_the_scheduler_carries_on_through_a_database_outage(app, backend, monkeypatch, caplog):
    """One tick's connection is cut after its last statement (so closing its transaction fails too), the next tick
    meets the outage: both are logged, and the loop goes on ticking once the database is back."""
    if backend != "postgresql":
        pytest.skip("a database server outage: PostgreSQL (SQLite is a file beside the scheduler)")
    from tests.dbproxy import app_behind

    scheduler_app, proxy = app_behind(app)
    real_tick = jobs.tick
    ticks: list[str] = []

    def tick(**kwargs):
        ticks.append("tick")
        if len(ticks) == 1:
            claimed = real_tick(**kwargs)
            db.session.execute(select(func.count()).select_from(JobRun))  # the session's transaction is open
            proxy.cut()  # after the tick's statements, before its session is given back
            return claimed
        if len(ticks) == 3:
            proxy.start()
        claimed = real_tick(**kwargs)
        ticks[-1] = "ticked"
        return claimed

    monkeypatch.setattr(jobs, "tick", tick)
    with scheduler_app.app_context():
        jobs.run_scheduler(stop=lambda: len(ticks) >= 3, interval=0.05)
        db.engine.dispose()
    assert ticks == ["tick", "tick", "ticked"]  # the second met the outage, the third the database again
    assert "scheduler tick failed; retrying" in caplog.text
