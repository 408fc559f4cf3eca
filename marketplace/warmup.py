"""Start-up warming of a serving process: templates compiled, translations and the skill vocabulary loaded,
the public openings list cached in both languages, the matching inputs of every open record read once.

gunicorn calls `warm(app)` in each worker before it takes requests (gunicorn.conf.py, post_worker_init), so
no visitor pays for the first request of a worker. Warming never stops a start: a failure is logged.
"""
from __future__ import annotations

import gc
import threading
import time

from flask import Flask

from marketplace.extensions import db


def warm_pages(app: Flask) -> None:
    client = app.test_client()
    for locale in app.config["LANGUAGES"]:
        for path in ("/", "/openings"):
            client.get(path, headers={"Accept-Language": locale})


def warm_matching(app: Flask) -> tuple[int, int]:
    from marketplace.matching import vocabulary
    from marketplace.services import ranking

    with app.app_context():
        vocabulary()
        try:
            return ranking.warm()
        finally:
            db.session.remove()


def settle_heap() -> None:
    """Move what start-up built (modules, compiled templates, the matching caches: hundreds of thousands of
    objects at scale) out of the garbage collector's sight. They live as long as the process, yet every full
    collection walked them all: at scale that was a 100-250 ms pause in one request of every few dozen, the pages'
    p99. Objects made later are collected as before (gc.freeze, as large Python web services do)."""
    gc.collect()
    gc.freeze()


def warm(app: Flask, background: bool = True) -> None:
    """The pages now (a second or so); the matching caches in a background thread (large at scale, and the
    pages that need them read what is missing anyway)."""
    started = time.perf_counter()
    try:
        warm_pages(app)
    except Exception:  # noqa: BLE001 - a warm-up failure must never keep the server from starting
        app.logger.exception("warming the public pages failed")
    app.logger.info("public pages warmed in %.1f s", time.perf_counter() - started)

    def matching() -> None:
        began = time.perf_counter()
        try:
            openings, profiles = warm_matching(app)
        except Exception:  # noqa: BLE001
            app.logger.exception("warming the matching caches failed")
            return
        app.logger.info("matching caches warmed: %d openings, %d profiles in %.1f s", openings, profiles,
                        time.perf_counter() - began)
        settle_heap()

    if background:
        threading.Thread(target=matching, name="warm-matching", daemon=True).start()
    else:
        matching()
