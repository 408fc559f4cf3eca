"""gunicorn settings for `make run` / `make serve` (gunicorn --config gunicorn.conf.py ... wsgi:app).

Threaded workers (gthread): a client that sends its request slowly (a body a byte at a time, a dial-up phone, an
attack) holds one thread, not a whole worker, so the other threads keep answering. With the sync workers of old,
two slow clients held both workers of `make run` and the site stopped answering.

What this does not cover: WORKERS x THREADS slow clients at once still fill every thread. Put a buffering reverse
proxy in front in production (nginx buffers request bodies by default: `proxy_request_buffering on`) and set
TRUSTED_PROXIES=1 so the app sees the client's address (README, Security).
"""
import os

worker_class = "gthread"
workers = int(os.environ.get("WORKERS", "2"))  # `make run` passes --workers $(WORKERS), which wins
threads = int(os.environ.get("THREADS", "8"))  # per worker; each holds at most one database connection
timeout = int(os.environ.get("WORKER_TIMEOUT", "30"))  # a worker silent this long is restarted
graceful_timeout = 30  # on restart, requests in flight get this long to finish
keepalive = 5  # idle keep-alive connections are closed after 5 s (they wait in the poller, not in a thread)
limit_request_line = 8190
limit_request_fields = 100


# `make run` sets RUN_MAIL_WORKER=1: the mail worker (`flask --app wsgi mail-worker`) then runs beside the web
# server, started when gunicorn is ready and stopped when it exits, so mail leaves by itself in development. In
# production the worker is its own service (deploy/systemd/marketplace-mail-worker.service) and this stays off.
_mail_worker = None


def when_ready(server):
    global _mail_worker
    if os.environ.get("RUN_MAIL_WORKER", "") not in {"1", "true", "yes"}:
        return
    import subprocess
    import sys

    _mail_worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments, no shell
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail-worker", "--parent-pid", str(os.getpid())])
    server.log.info("mail worker started (pid %s)", _mail_worker.pid)


def on_exit(server):
    if _mail_worker is None or _mail_worker.poll() is not None:
        return
    _mail_worker.terminate()
    try:
        _mail_worker.wait(timeout=graceful_timeout)
    except Exception:  # noqa: BLE001 - it would not stop: do not leave it behind
        _mail_worker.kill()
    server.log.info("mail worker stopped")


def post_worker_init(worker):
    """Each worker compiles its templates, caches the public openings list and reads the matching inputs
    before its first visitor (marketplace/warmup.py); WARM_UP=0 skips it."""
    if os.environ.get("WARM_UP", "1") != "0":
        from marketplace.warmup import warm

        warm(worker.wsgi)
