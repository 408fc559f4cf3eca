"""Where uploaded files live (CVs, agreements, insurance documents), chosen by configuration.

STORAGE_BACKEND:
  database  every file is a row of `stored_file` in the application's database. The default when the database is
            PostgreSQL: every application server sees the same files and nothing else needs running; the files
            are in the database backup too.
  s3        an S3-compatible bucket (S3_BUCKET, S3_ENDPOINT_URL for a non-AWS service, S3_PREFIX, S3_REGION;
            credentials the boto3 way: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or an instance role).
  local     files under UPLOAD_FOLDER on this server's disk. The default with SQLite (development, one server);
            never right for several servers, since each would see only its own uploads.

Every backend behaves the same for the callers: `put` is complete or absent (never a partial file), `get` gives
the bytes or None, `delete` of a missing key is not an error, and each works outside the request's transaction,
so the services keep files and rows consistent the same way whatever the backend (write the new file before the
commit, remove the old one after it).

Files already on a server's disk move with `flask --app wsgi copy-uploads` (see cli.py); nothing moves by itself.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, insert, select, text

from marketplace.extensions import db
from marketplace.models.base import utcnow
from marketplace.models.files import StoredFile

BACKENDS = ("database", "s3", "local")
KEY = re.compile(r"[a-z0-9_-]{1,40}/[A-Za-z0-9_-]{1,100}\.[a-z0-9]{1,8}")


class StorageError(Exception):
    """The backend did not answer or refused the operation (the caller tells the user to try again)."""


def check_key(key: str) -> str:
    """Keys are `folder/generated-name.ext`: no path parts a user could have chosen."""
    if not KEY.fullmatch(key or ""):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    name = "local"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        """Write to a temp file in the same folder, fsync, then rename into place: never a partial file."""
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".tmp")
        except OSError as error:
            raise StorageError(str(error)) from error
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException as error:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            if isinstance(error, OSError):
                raise StorageError(str(error)) from error
            raise

    def get(self, key: str) -> bytes | None:
        path = self.path(key)
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError as error:
            raise StorageError(str(error)) from error

    def delete(self, key: str) -> None:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise StorageError(f"{type(error).__name__}: {error}") from error

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and KEY.fullmatch(key):
                yield key

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise StorageError(f"{self.root} is not writable")


class DatabaseStorage:
    """Rows of `stored_file`, each write on a connection of its own (committed at once, like a file)."""

    name = "database"

    def put(self, key: str, data: bytes) -> None:
        row = {"key": check_key(key), "data": data, "size": len(data), "created_at": utcnow()}
        try:
            with db.engine.begin() as conn:
                conn.execute(delete(StoredFile).where(StoredFile.key == key))
                conn.execute(insert(StoredFile).values(**row))
        except Exception as error:  # noqa: BLE001 - any database failure means "not stored"
            raise StorageError(type(error).__name__) from error

    def get(self, key: str) -> bytes | None:
        try:
            with db.engine.connect() as conn:
                return conn.scalar(select(StoredFile.data).where(StoredFile.key == check_key(key)))
        except ValueError:
            raise
        except Exception as error:  # noqa: BLE001
            raise StorageError(type(error).__name__) from error

    def delete(self, key: str) -> None:
        try:
            with db.engine.begin() as conn:
                conn.execute(delete(StoredFile).where(StoredFile.key == check_key(key)))
        except ValueError:
            raise
        except Exception as error:  # noqa: BLE001
            raise StorageError(type(error).__name__) from error

    def keys(self) -> Iterator[str]:
        with db.engine.connect() as conn:
            yield from conn.scalars(select(StoredFile.key).order_by(StoredFile.key))

    def check(self) -> None:
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1 FROM stored_file WHERE 1 = 0"))
        except Exception as error:  # noqa: BLE001
            raise StorageError(type(error).__name__) from error


class S3Storage:
    """An S3-compatible bucket through boto3 (AWS, MinIO, Ceph RGW, a university's object store)."""

    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, region: str | None = None):
        if not bucket:
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            config=BotoConfig(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}),
        )

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        name = self._key(key)
        try:
            self.client.put_object(Bucket=self.bucket, Key=name, Body=data)
        except Exception as error:  # noqa: BLE001 - botocore raises many kinds; all mean "not stored"
            raise StorageError(type(error).__name__) from error

    def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        name = self._key(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise StorageError(type(error).__name__) from error
        except Exception as error:  # noqa: BLE001
            raise StorageError(type(error).__name__) from error

    def delete(self, key: str) -> None:
        name = self._key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)  # a missing key is not an error
        except Exception as error:  # noqa: BLE001
            raise StorageError(type(error).__name__) from error

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):]

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as error:  # noqa: BLE001
            raise StorageError(type(error).__name__) from error


def backend_name(config) -> str:
    """The configured backend, or the default: the database with PostgreSQL, the local disk with SQLite."""
    name = (config.get("STORAGE_BACKEND") or "").strip().lower()
    if not name:
        return "local" if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite") else "database"
    if name not in BACKENDS:
        raise RuntimeError(f"STORAGE_BACKEND={name!r} is not one of {', '.join(BACKENDS)}")
    return name


def build(config, name: str | None = None):
    name = name or backend_name(config)
    if name == "local":
        return LocalStorage(config["UPLOAD_FOLDER"])
    if name == "database":
        return DatabaseStorage()
    return S3Storage(config.get("S3_BUCKET", ""), config.get("S3_PREFIX", ""), config.get("S3_ENDPOINT_URL"),
                     config.get("S3_REGION"))


def init_app(app: Flask) -> None:
    """Check the setting at start-up, so a wrong name stops the server instead of the first upload."""
    if backend_name(app.config) == "local" and app.config.get("SESSION_COOKIE_SECURE"):
        app.logger.warning("STORAGE_BACKEND is local: uploads stay on this server's disk, invisible to any other "
                           "server. With several servers set STORAGE_BACKEND=database or s3 (README).")


def current():
    """The configured backend (the S3 client is made once per application and kept)."""
    app = current_app
    name = backend_name(app.config)
    if name == "local":
        return LocalStorage(app.config["UPLOAD_FOLDER"])  # read each time: tests point it elsewhere
    if name == "database":
        return DatabaseStorage()
    cached = app.extensions.get("storage")
    if cached is None:
        cached = app.extensions["storage"] = build(app.config, "s3")
    return cached


def remove_quietly(key: str | None) -> None:
    """Remove a file nobody points at any more; a failure is logged (an orphan file, no user harm)."""
    if not key:
        return
    try:
        current().delete(key)
    except StorageError as error:
        current_app.logger.warning("could not remove the stored file %s: %s", key, error)
