"""Friendly error pages; no traceback ever reaches the user."""
from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from marketplace.api import problems
from marketplace.api.auth import ApiAuthError
from marketplace.extensions import db, login_manager
from marketplace.i18n import gettext as _
from marketplace.storage import StorageError
from marketplace.security import log_refusal
from marketplace.services.errors import DomainError
from marketplace.services.throttle import TooManyAttempts


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please go back and try again.")),
        403: (_("Not allowed"), _("You do not have permission to open this page.")),
        404: (_("Page not found"), _("There is no page at this address. It may have been removed.")),
        405: (_("Method not allowed"), _("This address does not accept this kind of request.")),
        409: (_("Conflict"), _("This action no longer applies to the record's current state.")),
        413: (_("File too large"), _("The upload is larger than the limit. Please choose a smaller file.")),
        429: (_("Too many attempts"), _("Too many attempts in a short time. Please wait a minute and try again.")),
        500: (_("Something went wrong"), _("An unexpected error occurred. It has been logged; please try again.")),
        503: (_("Service unavailable"), _("The service is temporarily unavailable. Please try again shortly.")),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def render_error(status: int, message: str | None = None, errors=None, headers: dict | None = None):
    """The error page, a JSON error for /api/skills, or under /api/v1 an application/problem+json document."""
    if problems.in_api():
        return problems.problem(status, message, errors=errors, headers=headers), status
    title, default = _titles().get(status, (_("Error"), ""))
    text = message or default
    if _wants_json():
        response = jsonify({"error": title, "message": text, "request_id": g.get("request_id")})
    else:
        response = render_template("errors/error.html", status=status, title=title, message=text)
    return response, status


REFUSALS = {403: "forbidden", 429: "rate_limited"}


def register(app: Flask) -> None:
    @app.errorhandler(ApiAuthError)
    def api_auth_error(error: ApiAuthError):
        db.session.rollback()
        if error.status == 403:
            log_refusal("forbidden")
        return render_error(error.status, error.detail, headers=error.headers())

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        if error.status == 403:
            log_refusal("forbidden")
        if problems.in_api():
            # Input a rule refused (a missing reason, too long a note) is 422 in the API, beside its field.
            status = 422 if error.status == 400 else error.status
            fields = [(field, message) for field, message in error.field_messages()]
            return render_error(status, error.message, errors=problems.field_errors(fields) if status == 422 else None)
        return render_error(error.status, error.message)

    @app.errorhandler(TooManyAttempts)
    def too_many_attempts(error: TooManyAttempts):
        db.session.rollback()
        log_refusal(REFUSALS[429])
        response = app.make_response(render_error(429))
        response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error_api_aware(error):
        if problems.in_api():
            return render_error(400, _("A call that carries cookies must also send the page's CSRF token "
                                       "(X-CSRFToken). Scripts: send only the Authorization header, no cookies."))
        return render_error(400, _("The form expired or was tampered with. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code in REFUSALS:
            log_refusal(REFUSALS[error.code])
        if problems.in_api():
            data = getattr(error, "data", None) or {}
            if "messages" in data:  # the library's input validation (webargs): every field's reason
                return render_error(422, None, errors=problems.field_errors(data["messages"]))
            headers = {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
            return render_error(error.code, None, headers=headers)
        response, status = render_error(error.code)
        if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response = app.make_response((response, status))
            response.headers["Allow"] = ", ".join(error.valid_methods)
            return response
        return response, status

    @app.errorhandler(IntegrityError)
    def lost_race(error):
        # Two requests wrote the same unique thing at once (two accepts of one offer, ...): the database kept
        # the first; the second is a conflict with the record's new state, not an outage.
        db.session.rollback()
        app.logger.warning("unique constraint race on %s %s", request.method, request.path)
        return render_error(409, _("Someone else changed this at the same moment. Reload the page to see "
                                   "where things stand now."))

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    @app.errorhandler(RedisError)  # the attempt counters, when RATELIMIT_STORAGE_URI names a Redis that is down
    @app.errorhandler(StorageError)  # the configured file storage (S3, the database) did not answer
    def database_unavailable(error):
        # The page is drawn for an anonymous visitor: loading the signed-in user (or their unread count)
        # would ask the database again and turn this 503 into a bare 500.
        g._login_user = login_manager.anonymous_user()
        try:
            db.session.rollback()
        except (OperationalError, DBAPIError):
            pass
        app.logger.error("shared service error: %s", error.__class__.__name__, exc_info=error)
        response = app.make_response(render_error(503, headers={"Retry-After": "30"}))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500)
