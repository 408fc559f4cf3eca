"""The storage backends keep one contract (complete or absent, None for a missing key, delete of a missing key
is fine); the S3 backend runs against an S3-compatible server on loopback (moto's server, real HTTP through
boto3); `flask copy-uploads` moves files from a server's disk into the configured backend, and only copies."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest

from marketplace import storage
from marketplace.extensions import db
from marketplace.services import students
from tests.factories import make_student
from tests.factories_applications import PDF, upload_cv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint(monkeypatch_module=None):
    """An S3-compatible server on loopback (moto's, spoken to over HTTP like MinIO or AWS)."""
    moto_server = pytest.importorskip("moto.server")
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_config(app, s3_endpoint, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    bucket = f"uploads-{_free_port()}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    app.config.update(STORAGE_BACKEND="s3", S3_BUCKET=bucket, S3_ENDPOINT_URL=s3_endpoint, S3_REGION="us-east-1",
                      S3_PREFIX="marketplace")
    app.extensions.pop("storage", None)
    return bucket


def _contract(backend) -> None:
    key = "cv/" + "a" * 32 + ".pdf"
    assert backend.get(key) is None
    backend.put(key, PDF)
    assert backend.get(key) == PDF
    backend.put(key, PDF + b"2")  # a key written again holds the new content, once
    assert backend.get(key) == PDF + b"2"
    assert list(backend.keys()) == [key]
    backend.delete(key)
    backend.delete(key)  # already gone: not an error
    assert backend.get(key) is None and list(backend.keys()) == []
    backend.check()
    for bad in ("../etc/passwd", "cv/../../x.pdf", "/abs/x.pdf", "cv/a b.pdf", ""):
        with pytest.raises(ValueError):
            backend.put(bad, b"x")


def test_local_backend_keeps_the_contract(app, tmp_path):
    _contract(storage.LocalStorage(tmp_path / "files"))
    assert not [p for p in (tmp_path / "files").rglob("*") if p.is_file()]


def test_database_backend_keeps_the_contract(app):
    _contract(storage.DatabaseStorage())


def test_database_storage_outlives_a_rolled_back_request_like_a_file(app):
    """A put is committed at once on its own connection, as a file write is: the service removes it on failure."""
    backend = storage.DatabaseStorage()
    backend.put("cv/" + "b" * 32 + ".pdf", PDF)
    db.session.rollback()
    assert backend.get("cv/" + "b" * 32 + ".pdf") == PDF


def test_s3_backend_keeps_the_contract(app, s3_config):
    backend = storage.current()
    assert backend.name == "s3"
    _contract(backend)


def test_cv_upload_and_download_through_s3(app, s3_config, client, auth):
    student = make_student()
    auth.login(student.email)
    upload_cv(student)
    profile = students.get_profile(student)
    import boto3

    stored = boto3.client("s3", endpoint_url=app.config["S3_ENDPOINT_URL"], region_name="us-east-1").get_object(
        Bucket=s3_config, Key=f"marketplace/cv/{profile.cv_storage_name}")["Body"].read()
    assert stored == PDF
    response = client.get("/student/cv")
    assert response.status_code == 200 and response.data == PDF


def test_unreachable_s3_makes_the_upload_say_try_again_and_the_download_a_503(app, client, auth):
    app.config.update(STORAGE_BACKEND="s3", S3_BUCKET="nowhere", S3_ENDPOINT_URL=f"http://127.0.0.1:{_free_port()}",
                      S3_REGION="us-east-1")
    app.extensions.pop("storage", None)
    student = make_student()
    with pytest.raises(students.DomainError) as error:
        students.store_cv(student, students.get_profile(student), "cv.pdf", PDF)
    assert "could not be stored" in error.value.message
    db.session.rollback()
    assert students.get_profile(student).cv_storage_name is None


def test_unknown_backend_name_stops_the_start(app_config):
    from marketplace.app import create_app

    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        create_app({**app_config, "STORAGE_BACKEND": "ftp"})


def test_copy_uploads_moves_local_files_into_the_configured_backend_and_keeps_the_originals(app, runner, tmp_path):
    app.config["STORAGE_BACKEND"] = "local"
    student = make_student()
    upload_cv(student)
    key = students.cv_key(students.get_profile(student))
    local_file = Path(app.config["UPLOAD_FOLDER"]) / key
    assert local_file.is_file()
    (Path(app.config["UPLOAD_FOLDER"]) / "cv" / ".upload-x.tmp").write_bytes(b"half")  # never copied

    refused = runner.invoke(args=["copy-uploads"])
    assert refused.exit_code != 0 and "nothing to copy" in refused.output

    app.config["STORAGE_BACKEND"] = "database"
    assert storage.current().get(key) is None
    dry = runner.invoke(args=["copy-uploads", "--dry-run"])
    assert "Would copy 1 files" in dry.output and storage.current().get(key) is None
    result = runner.invoke(args=["copy-uploads"])
    assert result.exit_code == 0, result.output
    assert "Copied 1 files" in result.output
    assert storage.current().get(key) == PDF and local_file.is_file()
    assert list(storage.current().keys()) == [key]
    again = runner.invoke(args=["copy-uploads"])
    assert "Copied 0 files" in again.output and "1 were already there" in again.output
    # The CV is now served from the database even with the disk copy gone.
    local_file.unlink()
    assert students.read_cv(students.get_profile(student)) == PDF
