"""Failure modes: database down, unexpected errors, headers on every response."""
import logging

import pytest

from marketplace.app import create_app


def test_healthz_answers_503_with_retry_after_when_the_database_is_unreachable_and_recovers(tmp_path):
    missing_dir = tmp_path / "not-yet"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing_dir}/db.sqlite"})
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"
    assert response.headers["Retry-After"]
    missing_dir.mkdir()
    assert client.get("/healthz").status_code == 200


def test_pages_answer_503_not_500_when_the_database_is_down(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/absent/db.sqlite"})
    response = app.test_client().get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "temporarily unavailable" in response.get_data(as_text=True)


def test_unexpected_error_shows_a_friendly_page_without_traceback_and_logs_request_id(tmp_path, caplog):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/db.sqlite"})

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.logger.propagate = True
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/boom", headers={"Accept-Language": "en", "X-Request-ID": "req-123"})
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html and "req-123" in html
    assert "Traceback" not in html and "secret internals" not in html
    assert any("unhandled error" in r.getMessage() for r in caplog.records)


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    from marketplace.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "dev")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_sets_secure_cookies_and_hsts(monkeypatch, tmp_path):
    from marketplace.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/healthz")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_production_hashes_passwords_at_full_cost_whatever_the_environment_says(monkeypatch, tmp_path):
    from marketplace.config import Config, ProductionConfig
    from marketplace.services.passwords import hash_password

    monkeypatch.setattr(Config, "PASSWORD_HASH_FAST", True)  # as if PASSWORD_HASH_FAST=1 were set
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite")
    with create_app(ProductionConfig).app_context():
        assert hash_password("Correct-Horse-42").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@pytest.mark.parametrize("path", ["/", "/auth/login", "/healthz", "/no-such-page", "/static/css/app.css"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_signed_in_pages_are_not_cached(client, auth):
    from tests.factories import make_company_manager

    make_company_manager("cache@company.co.kr")
    auth.login("cache@company.co.kr")
    assert client.get("/auth/password").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite_lax(client, auth):
    from tests.factories import make_company_manager

    make_company_manager("cookie@company.co.kr")
    response = auth.login("cookie@company.co.kr")
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_in_pages(client):
    html = client.get("/").get_data(as_text=True) + client.get("/auth/login").get_data(as_text=True)
    import re

    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag
    assert "onclick=" not in html and "onsubmit=" not in html


def test_nul_characters_in_a_form_are_refused_with_400_on_every_backend(client):
    from tests.conftest import csrf_token

    token = csrf_token(client, "/auth/register/company")
    response = client.post("/auth/register/company", data={
        "csrf_token": token, "display_name": "Nul\x00Byte", "email": "nul@company.co.kr",
        "password": "Medical-AI-2026", "confirm": "Medical-AI-2026"})
    assert response.status_code == 400
    assert client.get("/openings?q=a%00b").status_code == 400


def test_a_signed_in_user_gets_the_same_503_page_as_visitors_when_the_database_goes_down(sqlite_template, tmp_path):
    import shutil

    from marketplace.extensions import db
    from tests.conftest import AuthActions
    from tests.factories import make_company_manager

    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "db.sqlite")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/db.sqlite"})
    client = app.test_client()
    with app.app_context():
        make_company_manager("down@company.co.kr")
        db.session.remove()
    assert AuthActions(client).login("down@company.co.kr").status_code == 302
    with app.app_context():
        db.engine.dispose()
    folder.rename(tmp_path / "moved")  # the database is gone
    for path in ("/", "/auth/password", "/notifications/"):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 503, path
        assert response.headers["Retry-After"]
        assert "temporarily unavailable" in response.get_data(as_text=True)
    (tmp_path / "moved").rename(folder)
    assert client.get("/auth/password").status_code == 200  # still signed in once it is back


def test_a_signed_in_user_gets_the_503_page_when_the_database_server_is_unreachable(app, client, auth):
    """Both backends: the session is made on the real database; the same cookie then reaches an app whose
    database server does not answer (a closed port for PostgreSQL, a missing folder for SQLite)."""
    from tests.factories import make_company_manager

    make_company_manager("down2@company.co.kr")
    assert auth.login("down2@company.co.kr").status_code == 302
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    dead = ("postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2" if url.startswith("postgresql")
            else "sqlite:////nonexistent-folder/db.sqlite")
    down = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": dead, "SECRET_KEY": app.config["SECRET_KEY"]})
    down_client = down.test_client()
    cookie = client.get_cookie("session")
    down_client.set_cookie("session", cookie.value)
    for path in ("/", "/notifications/"):
        response = down_client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        assert "temporarily unavailable" in response.get_data(as_text=True)


def test_sign_in_answers_503_not_500_when_the_configured_redis_is_down(sqlite_template, tmp_path):
    import shutil
    import socket

    database = tmp_path / "db.sqlite"
    shutil.copy(sqlite_template, database)
    with socket.socket() as probe:  # a loopback port with nothing listening: connections are refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}/0"})
    response = app.test_client().post("/auth/login", data={"email": "nobody@example.com", "password": "wrong-password"},
                                      headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "temporarily unavailable" in response.get_data(as_text=True)
