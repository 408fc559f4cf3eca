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
