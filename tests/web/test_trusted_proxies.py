"""Per-address limits see the client's address behind a trusted proxy, and forged headers are ignored without one."""
from flask import request

from marketplace.app import create_app
from marketplace.extensions import limiter


def _app(tmp_path, **config):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite",
                      "RATELIMIT_STORAGE_URI": "memory://", **config})

    @app.route("/probe")
    @limiter.limit("2 per minute")  # the key the app's per-address limits use (the client address)
    def probe():
        return f"{request.remote_addr} {request.scheme}"

    return app


def _get(client, forwarded_for: str):
    return client.get("/probe", headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
                      environ_base={"REMOTE_ADDR": "10.0.0.1"})  # every request arrives from the proxy


def test_trusted_proxies_are_off_by_default_so_forged_forwarded_headers_are_ignored(tmp_path):
    app = _app(tmp_path)
    assert app.config["TRUSTED_PROXIES"] == 0
    client = app.test_client()
    assert _get(client, "203.0.113.7").get_data(as_text=True) == "10.0.0.1 http"
    assert _get(client, "203.0.113.8").status_code == 200
    assert _get(client, "203.0.113.9").status_code == 429  # a new forged address does not buy a new budget


def test_behind_one_trusted_proxy_each_client_has_its_own_limit(tmp_path):
    app = _app(tmp_path, TRUSTED_PROXIES=1)
    client = app.test_client()
    assert _get(client, "203.0.113.7").get_data(as_text=True) == "203.0.113.7 https"
    assert _get(client, "203.0.113.7").status_code == 200
    assert _get(client, "203.0.113.7").status_code == 429
    assert _get(client, "198.51.100.4").status_code == 200  # another client behind the same proxy
    # A client cannot pick its address by sending its own header: the proxy appends the real one last.
    assert _get(client, "1.2.3.4, 203.0.113.7").status_code == 429

