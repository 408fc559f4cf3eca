"""The mail worker (`flask --app wsgi mail-worker`): sends the outbox continuously and the daily digest once a day.

One loop: deliver what is due, build the day's digests once DIGEST_HOUR (Seoul) has come, then sleep until the
next poll (MAIL_WORKER_INTERVAL) or until a retry comes due, whichever is sooner. SIGTERM/SIGINT end the sleep
at once and the loop after the mail in hand. A database or SMTP outage is logged and waited out with growing
pauses (1, 2, 4, ... seconds, at most MAX_BACKOFF), then the loop carries on. Several workers may run at once
(one per server): each mail is claimed with a conditional update before it is sent, and each digest with a
unique (user, day) row, so nothing is sent twice.
"""
from __future__ import annotations

import os
import signal
import threading

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from marketplace.extensions import forget_transaction, release_session
from marketplace.models.base import utcnow
from marketplace.services import digests, notifications

MAX_BACKOFF = 300.0


class MailWorker:
    def __init__(self, app: Flask, interval: float | None = None, limit: int = 200,
                 parent_pid: int | None = None) -> None:
        self.app = app
        self.interval = float(interval if interval is not None else app.config.get("MAIL_WORKER_INTERVAL", 2))
        self.limit = limit
        self.parent_pid = parent_pid
        self.stop_event = threading.Event()
        self.failures = 0
        self.digest_done_for = None  # the Seoul day this worker last built digests for
        self.log = app.logger

    # -- control ---------------------------------------------------------------------------------------------

    def stop(self, *_args) -> None:
        self.stop_event.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def backoff(self) -> float:
        """The pause after `self.failures` failed rounds in a row: 1, 2, 4, ... seconds, at most MAX_BACKOFF."""
        return min(2.0 ** max(self.failures - 1, 0), MAX_BACKOFF)

    # -- the loop --------------------------------------------------------------------------------------------

    def run(self) -> None:
        self.log.info("mail worker started (pid %s, poll every %ss, digest from %s:00 Seoul)", os.getpid(),
                      self.interval, self.app.config.get("DIGEST_HOUR", 8))
        while not self.stop_event.is_set():
            if self.parent_pid and os.getppid() != self.parent_pid:
                self.log.info("mail worker: the process that started it is gone; stopping")
                break
            pause = self.run_once()
            self.stop_event.wait(pause)
        self.log.info("mail worker stopped")

    def run_once(self) -> float:
        """One round; returns how long to sleep before the next."""
        with self.app.app_context():
            try:
                delivery = notifications.send_pending_mail(self.limit, stop=self.stop_event)
                self._digests_if_due()
                wait = notifications.next_due_in()
            except SQLAlchemyError as error:
                forget_transaction()
                self.failures += 1
                pause = self.backoff()
                self.log.warning("mail worker: database unavailable (%s); trying again in %.0fs",
                                 error.__class__.__name__, pause)
                return pause
            except Exception:  # noqa: BLE001 - a bug in one round must not end the delivery of all mail
                forget_transaction()
                self.failures += 1
                pause = self.backoff()
                self.log.exception("mail worker: round failed; trying again in %.0fs", pause)
                return pause
            finally:
                release_session()
        if delivery.server_error:
            self.failures += 1
            pause = self.backoff()
            self.log.warning("mail worker: mail server unavailable; trying again in %.0fs", pause)
            return pause
        self.failures = 0
        if delivery.sent + delivery.failed >= self.limit:
            return 0.0  # more may be due right now
        if wait is None:
            return self.interval
        return min(self.interval, max(wait.total_seconds(), 0.0))

    def _digests_if_due(self) -> None:
        now = utcnow()
        day = digests.due_day(now)
        if day is None or day == self.digest_done_for:
            return
        digests.send_digests(day, now, stop=self.stop_event)
        if not self.stop_event.is_set():
            self.digest_done_for = day


def run_worker(app: Flask, interval: float | None = None, limit: int = 200, parent_pid: int | None = None) -> None:
    worker = MailWorker(app, interval=interval, limit=limit, parent_pid=parent_pid)
    worker.install_signal_handlers()
    worker.run()

