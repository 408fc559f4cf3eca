"""Per-address limits see the client's address behind a trusted proxy, and forged headers are ignored without one."""
import itertools

from flask import request

from marketplace.app import create_app
from marketplace.services import accounts
from tests.conftest import HOUR, within_one_window

_emails = itertools.count()


def _app(app_config, **config):
    # Tests take `app` too: it empties the PostgreSQL database, so no counter is left from an earlier test.
    # Per hour, and all in one clock hour: windows are fixed, and one that ended between two requests (it did, in
    # CI, with a per-minute limit) would give every address a fresh budget.
    within_one_window(10, HOUR)
    app = create_app({**app_config, "LOGIN_RATE_LIMIT": "2 per hour", **config})

    @app.route("/probe")
    def probe():
        # A wrong sign-in for a new e-mail each time, keyed by the address exactly as the sign-in form does:
        # only the per-address limit can refuse it.
        accounts.authenticate(f"probe{next(_emails)}@company.co.kr", "Wrong-Pass-123",
                              client_address=request.remote_addr or "")
        return f"{request.remote_addr} {request.scheme}"

    return app


def _get(client, forwarded_for: str):
    return client.get("/probe", headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
                      environ_base={"REMOTE_ADDR": "10.0.0.1"})  # every request arrives from the proxy


def test_trusted_proxies_are_off_by_default_so_forged_forwarded_headers_are_ignored(app, app_config):
    app = _app(app_config)
    assert app.config["TRUSTED_PROXIES"] == 0
    client = app.test_client()
    assert _get(client, "203.0.113.7").get_data(as_text=True) == "10.0.0.1 http"
    assert _get(client, "203.0.113.8").status_code == 200
    assert _get(client, "203.0.113.9").status_code == 429  # a new forged address does not buy a new budget


def test_behind_one_trusted_proxy_each_client_has_its_own_limit(app, app_config):
    app = _app(app_config, TRUSTED_PROXIES=1)
    client = app.test_client()
    assert _get(client, "203.0.113.7").get_data(as_text=True) == "203.0.113.7 https"
    assert _get(client, "203.0.113.7").status_code == 200
    assert _get(client, "203.0.113.7").status_code == 429
    assert _get(client, "198.51.100.4").status_code == 200  # another client behind the same proxy
    # A client cannot pick its address by sending its own header: the proxy appends the real one last.
    assert _get(client, "1.2.3.4, 203.0.113.7").status_code == 429

