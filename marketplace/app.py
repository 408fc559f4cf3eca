"""The application factory: create_app() wires config, extensions, blueprints, errors and CLI."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

from flask import Flask, abort, current_app, g, has_request_context, request, session
from flask_login import current_user, logout_user
from sqlalchemy import event

from marketplace import models  # noqa: F401  (register every table on the metadata)
from marketplace import i18n, sessions, storage, templating
from marketplace.api import registry as api_registry
from marketplace.api import auth as api_auth
from marketplace.api.problems import in_api, refuse_field
from marketplace.admin.routes import bp as admin_bp
from marketplace.agreements.routes import bp as agreements_bp
from marketplace.agreements.routes import clauses_bp
from marketplace.i18n import lazy_gettext as _l
from marketplace.practice.routes import bp as practice_bp
from marketplace.applicants.routes import bp as applicants_bp
from marketplace.applications.routes import bp as applications_bp
from marketplace.auth.routes import bp as auth_bp
from marketplace.cli import register as register_commands
from marketplace.companies.routes import bp as companies_bp
from marketplace.contests.routes import bp as contests_bp
from marketplace.config import ROOT, Config, TestConfig, config_for_env
from marketplace.errors import register as register_error_handlers
from marketplace.evaluations.routes import bp as evaluations_bp
from marketplace.evaluations.routes import public_bp as certificates_bp
from marketplace.evaluations.routes import rubric_bp
from marketplace.extensions import babel, cache, csrf, db, end_read_only_transaction, login_manager, migrate
from marketplace.main.routes import bp as main_bp
from marketplace.manager.routes import bp as manager_bp
from marketplace.mentor.routes import bp as mentor_bp
from marketplace.mentors.routes import bp as mentors_bp
from marketplace.reports.routes import bp as reports_bp
from marketplace.notifications.routes import bp as notifications_bp
from marketplace.forum.routes import bp as forum_bp
from marketplace.openings.routes import bp as openings_bp
from marketplace.rounds.routes import bp as rounds_bp
from marketplace.routing import DatabaseIdConverter
from marketplace.security import apply_security_headers
from marketplace.services.accounts import get_user_by_session_token
from marketplace.services import agreement_rules  # noqa: F401  (registers the agreement's compliance rules)
from marketplace.services import verification  # noqa: F401  (connects the email_confirmed receiver)
from marketplace.services.throttle import storage_for
from marketplace.students.routes import bp as students_bp
from marketplace.tokens.routes import bp as tokens_bp


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    if isinstance(config, dict):
        base = TestConfig if config.get("TESTING") else config_for_env()
        base.init()
        app.config.from_object(base)
        app.config.update(config)
    else:
        cls = config or config_for_env()
        cls.init()
        app.config.from_object(cls)

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
                                               "hide_parameters": True}
    register_proxy_fix(app)
    register_url_converters(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    register_template_helpers(app)
    configure_logging(app)
    return app


def register_proxy_fix(app: Flask) -> None:
    """Believe X-Forwarded-* only from as many proxies as TRUSTED_PROXIES says (0: none, the default)."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_url_converters(app: Flask) -> None:
    """`<int:...>` accepts only ids the database can hold, so a huge id is a 404, never a database error.
    Registered before any blueprint so every route uses it."""
    app.url_map.converters["int"] = DatabaseIdConverter


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    if app.config.get("CACHE_TYPE") == "RedisCache" and not app.config.get("CACHE_REDIS_URL"):
        app.config["CACHE_TYPE"] = "SimpleCache"  # a test or deployment that cleared the URL
    cache.init_app(app)
    from marketplace.services import stamps  # noqa: F401  (its session hooks rewrite the stamps on every change)
    # Attempt counters: checked here so a setting that would not hold across workers stops the start.
    app.extensions["attempt_counters"] = storage_for(app)
    storage.init_app(app)  # a misspelt STORAGE_BACKEND stops the start, not the first upload

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    login_manager.login_message = _l("Please sign in to open this page.")

    @login_manager.user_loader
    def load_user(value: str):
        token = sessions.token_from_id(value)  # None once a remember-me cookie has outlived its days
        return get_user_by_session_token(token) if token else None

    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Seoul")
    i18n.init_app(app, babel)


def configure_sqlite(engine) -> None:
    """SQLite as a real multi-user database: foreign keys enforced, WAL so readers never block the
    writer, and a busy timeout so concurrent writers queue instead of failing. Once per engine (apps may share one)."""
    if engine.dialect.name != "sqlite" or event.contains(engine, "connect", _sqlite_pragmas):
        return
    event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")  # an in-memory database keeps its "memory" journal
    cursor.close()


def select_locale() -> str:
    """The user's saved choice, else the session's choice, else Accept-Language, else Korean."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, seeds, jobs
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if in_api():  # the token owner's choice, else Accept-Language; never the cookie's
        return api_auth.locale_for_api(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


SESSION_TOUCH_SECONDS = 60  # how often a signed-in session's "last seen" time is written (the idle limit's grain)


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex

    app.before_request(api_auth.ignore_cookies)  # before anything reads current_user

    @app.before_request
    def enforce_session_lifetime() -> None:
        if not current_user.is_authenticated:
            return
        now = datetime.now(timezone.utc).timestamp()
        idle = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        absolute = app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
        last_seen = session.get("last_seen", now)
        started = session.get("signed_in_at", now)
        if now - last_seen > idle or now - started > absolute:
            logout_user()
            session.clear()
            return
        # Written at most once a minute, so a response that changes nothing else sends no cookie. When every
        # response rewrote the session, a background request (the skill suggestions fetched as a field is typed)
        # that left with the cookie of a form's redirect came back after the next page and restored that cookie:
        # the form's "saved" message, already shown, showed again on the page after.
        if now - last_seen >= SESSION_TOUCH_SECONDS or "last_seen" not in session:
            session["last_seen"] = now
        session.setdefault("signed_in_at", now)

    @app.before_request
    def refuse_nul_characters() -> None:
        # No field of ours takes a NUL; PostgreSQL cannot store one in text, so refuse it up front.
        for values in (request.args, request.form):
            for name, value in values.items():
                if "\x00" in value:
                    if in_api():
                        refuse_field(name, _l("No field takes a NUL character."))
                    abort(400)

    sessions.register(app)  # after the lifetime check: staff areas need a recent password
    app.after_request(apply_security_headers)
    app.teardown_request(end_read_only_transaction)  # before Flask-SQLAlchemy's session.remove()


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(companies_bp)
    app.register_blueprint(openings_bp)
    app.register_blueprint(manager_bp, url_prefix="/manager")
    app.register_blueprint(reports_bp, url_prefix="/manager/reports")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(forum_bp, url_prefix="/forum")
    app.register_blueprint(rounds_bp, url_prefix="/rounds")
    app.register_blueprint(students_bp, url_prefix="/student")
    app.register_blueprint(applications_bp)
    app.register_blueprint(applicants_bp)
    app.register_blueprint(tokens_bp, url_prefix="/account/tokens")
    api_registry.register(app)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(clauses_bp, url_prefix="/admin/agreement-clauses")
    app.register_blueprint(practice_bp, url_prefix="/practice")
    app.register_blueprint(contests_bp, url_prefix="/contests")
    app.register_blueprint(mentors_bp, url_prefix="/manager/mentors")
    app.register_blueprint(mentor_bp, url_prefix="/mentor")
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(certificates_bp, url_prefix="/certificates")
    app.register_blueprint(rubric_bp, url_prefix="/admin/evaluation-rubric")


def register_errors(app: Flask) -> None:
    register_error_handlers(app)


def register_cli(app: Flask) -> None:
    register_commands(app)


def register_template_helpers(app: Flask) -> None:
    templating.register(app)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.request_id = g.get("request_id", "-")
        except RuntimeError:
            record.request_id = "-"
        return True


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    handler.addFilter(RequestIdFilter())
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)
