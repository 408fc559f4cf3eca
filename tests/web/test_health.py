"""The health check answers for the app and its database; the readiness check for every shared service."""

from tests.services import test_throttle

redis_url = test_throttle.redis_url  # fixture: a throw-away redis-server


def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_readyz_is_ok_when_the_database_and_storage_answer_and_redis_is_not_configured(app, client):
    app.config.update(REDIS_URL="", RATELIMIT_STORAGE_URI="")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "not configured",
                                                              "storage": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_names_redis_when_the_configured_redis_does_not_answer(app, client):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_free_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    body = response.get_json()
    assert body["failed"] == ["redis"] and body["checks"]["database"] == "ok"
    assert client.get("/healthz").status_code == 200  # alive all the same: /healthz keeps its contract


def test_readyz_names_storage_when_the_upload_folder_cannot_be_written(app, client, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app.config.update(STORAGE_BACKEND="local", UPLOAD_FOLDER=str(blocker / "uploads"), REDIS_URL="")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["storage"]


def test_readyz_names_the_database_when_it_is_unreachable(tmp_path):
    from marketplace.app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/absent/db.sqlite",
                      "STORAGE_BACKEND": "database", "REDIS_URL": ""})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["database", "storage"]


def test_readyz_is_ok_with_a_configured_redis_that_answers(app, client, redis_url):
    app.config["REDIS_URL"] = redis_url
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["redis"] == "ok"
