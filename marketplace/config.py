"""Settings read from the environment, one class per deployment kind."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _dev_secret_key() -> str:
    """A per-checkout random key kept in instance/ so restarts and gunicorn workers agree."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        INSTANCE.mkdir(exist_ok=True)
        return f"sqlite:///{INSTANCE / 'marketplace.db'}"
    # Heroku-style URLs name the old driver; we ship psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = ""
    # hide_parameters: a failed statement's log line never carries its values (password hashes, session
    # tokens, personal data). create_app enforces it whatever a deployment sets here.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    BABEL_DEFAULT_LOCALE = "ko"
    BABEL_DEFAULT_TIMEZONE = "Asia/Seoul"
    LANGUAGES = ("ko", "en")

    # Passwords are hashed with argon2id at its RFC 9106 cost (~0.25 s of CPU a hash here). PASSWORD_HASH_FAST=1
    # lowers the cost for throw-away development servers (the browser suite's live server signs in ~60 times);
    # production ignores it.
    PASSWORD_HASH_FAST = os.environ.get("PASSWORD_HASH_FAST", "").lower() in {"1", "true", "yes"}

    # Programme rule: exchange managers are designated only with long tenure.
    MIN_MANAGER_TENURE_YEARS = int(os.environ.get("MIN_MANAGER_TENURE_YEARS", "10"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60")))

    WTF_CSRF_TIME_LIMIT = None  # the session lifetime already bounds the token
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE / "uploads"))
    # Where uploaded files live (marketplace/storage.py): database | s3 | local. Unset: the database with
    # PostgreSQL, the local disk (UPLOAD_FOLDER) with SQLite. Several servers: database or s3, never local.
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_PREFIX = os.environ.get("S3_PREFIX", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")  # for MinIO, Ceph and other non-AWS services
    S3_REGION = os.environ.get("S3_REGION", "")

    # Redis (optional): attempt counters, the background job queue (RQ) and /readyz's check when set.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Scheduled jobs (marketplace/jobs.py): period in seconds, 0 = off. `flask scheduler` runs them once per
    # period across every server; on the RQ queue when REDIS_URL is set (`flask worker`), else inline.
    SCHEDULE = {
        "send-mail": int(os.environ.get("SCHEDULE_SEND_MAIL", "60")),
        "send-digest": int(os.environ.get("SCHEDULE_SEND_DIGEST", "3600")),
        "activate-placements": int(os.environ.get("SCHEDULE_ACTIVATE_PLACEMENTS", "900")),
        "practice-reminders": int(os.environ.get("SCHEDULE_PRACTICE_REMINDERS", "3600")),
        "prune-job-runs": int(os.environ.get("SCHEDULE_PRUNE_JOB_RUNS", "86400")),
    }
    JOB_TIMEOUT = int(os.environ.get("JOB_TIMEOUT", "600"))  # seconds before the worker gives a job up

    # Attempt counters (services/throttle.py): unset = in the database, shared by every worker and
    # server; redis://host:6379/0 = in Redis. Per-worker memory is refused: it multiplies the limits.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "") or os.environ.get("REDIS_URL", "")
    RATELIMIT_ENABLED = True
    # Failed sign-ins per account and per address (wrong current passwords per account, too).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # Registration attempts per address (each answer tells whether an e-mail has an account).
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "20 per hour")
    # "Send the confirmation link again" per account, and "forgot password" per e-mail address typed and per
    # client address: each sends a mail, so none may flood a mailbox or the outbox.
    CONFIRMATION_RATE_LIMIT = os.environ.get("CONFIRMATION_RATE_LIMIT", "5 per hour")
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per hour")
    PASSWORD_RESET_CLIENT_RATE_LIMIT = os.environ.get("PASSWORD_RESET_CLIENT_RATE_LIMIT", "30 per hour")
    # Colleague invitations a company manager sends (each mails an address they typed).
    INVITATION_RATE_LIMIT = os.environ.get("INVITATION_RATE_LIMIT", "20 per day")
    # New forum threads and replies per person (services/forum.py): enough to converse, not to flood a board.
    FORUM_POST_RATE_LIMIT = os.environ.get("FORUM_POST_RATE_LIMIT", "10 per minute")
    # Public look-ups of certificate codes that do not exist, per client address (codes cannot be guessed at speed).
    CERTIFICATE_LOOKUP_RATE_LIMIT = os.environ.get("CERTIFICATE_LOOKUP_RATE_LIMIT", "20 per minute")

    # Behind N reverse proxies that set X-Forwarded-For/-Proto/-Host, set TRUSTED_PROXIES=N so the
    # per-address limits and logs see the client, not the proxy. Off (0) by default: without a proxy
    # these headers are typed by the client and must not be believed.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "no-reply@medai-exchange.kr")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in {"1", "true", "yes", "on"}  # STARTTLS
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in {"1", "true", "yes", "on"}  # TLS from the start
    # Admin -> E-mail delivery shows mail bodies: by default only without MAIL_SERVER (development, demos).
    MAIL_SHOW_BODIES = os.environ.get("MAIL_SHOW_BODIES", "")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    # The mail worker looks for due mail this often (seconds); it sleeps less when a retry comes due sooner.
    MAIL_WORKER_INTERVAL = float(os.environ.get("MAIL_WORKER_INTERVAL", "2"))
    # The daily digest goes out from this hour, Seoul time (0-23).
    DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "8"))
    # A mail that fails this many times is marked failed and shown to the programme office.
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
    # The first retry waits this long (seconds); each further one twice as long, at most a day.
    MAIL_RETRY_BASE_SECONDS = float(os.environ.get("MAIL_RETRY_BASE_SECONDS", "120"))
    # Links in e-mails are absolute: the address users reach the site at.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

    PAGE_SIZE = 20
    CONSOLE_PAGE_SIZE = 25  # rows of each list on the exchange manager's console (each paged on its own)
    # JSON API calls per token (per address without one) and window, shared by every worker like the others.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")

    # Results kept under stamps (marketplace/services/stamps.py: public pages for anonymous visitors, dashboard
    # figures, rankings): per-process memory by default, Redis when CACHE_REDIS_URL (or REDIS_URL) is set. Either
    # way a change shows at once: the key carries a stamp that every change rewrites in the database.
    PUBLIC_PAGE_CACHE = os.environ.get("PUBLIC_PAGE_CACHE", "1") != "0"
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "") or os.environ.get("REDIS_URL", "")
    CACHE_TYPE = "RedisCache" if CACHE_REDIS_URL else "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_TIMEOUT", "600"))
    CACHE_THRESHOLD = 2000  # SimpleCache: entries per process before the oldest go
    CACHE_KEY_PREFIX = "marketplace:"
    HSTS = False

    @classmethod
    def init(cls) -> None:
        cls.SQLALCHEMY_DATABASE_URI = _database_url()
        cls.SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()


class ProductionConfig(Config):
    PASSWORD_HASH_FAST = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True

    @classmethod
    def init(cls) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32 or key in {"change-me", "dev", "secret"}:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        cls.SECRET_KEY = key
        cls.SQLALCHEMY_DATABASE_URI = _database_url()


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-0123456789"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = True
    PASSWORD_HASH_FAST = True  # argon2 with tiny cost so the suite stays quick
    CACHE_REDIS_URL = ""
    CACHE_TYPE = "SimpleCache"

    @classmethod
    def init(cls) -> None:
        pass


def config_for_env() -> type[Config]:
    name = os.environ.get("APP_ENV", os.environ.get("FLASK_ENV", "development")).lower()
    return ProductionConfig if name == "production" else Config
