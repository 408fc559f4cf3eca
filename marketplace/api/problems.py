"""Errors under /api/v1 in one shape: RFC 9457 `application/problem+json` (type, title, status, detail, errors).

The site's error handlers (marketplace/errors.py) call `problem()` for every path under /api/v1, so routing
errors (404, 405), the library's validation errors (422), domain errors (403/404/409/422), rate limits (429)
and crashes (500) all answer alike. Titles and details follow the API's locale (see `api/auth.py`).
"""
from __future__ import annotations

import json
from http import HTTPStatus

from flask import Response, g, request, url_for
from werkzeug.exceptions import UnprocessableEntity

from marketplace.i18n import lazy_gettext as _l

API_PREFIX = "/api/v1"
MEDIA_TYPE = "application/problem+json"

# status -> (slug of the problem type, title)
TYPES: dict[int, tuple[str, object]] = {
    400: ("bad-request", _l("Bad request")),
    401: ("unauthorized", _l("Authentication required")),
    403: ("forbidden", _l("Not allowed")),
    404: ("not-found", _l("Not found")),
    405: ("method-not-allowed", _l("Method not allowed")),
    409: ("conflict", _l("Conflict")),
    413: ("too-large", _l("Request too large")),
    415: ("unsupported-media-type", _l("Unsupported media type")),
    422: ("invalid-input", _l("Invalid input")),
    429: ("rate-limited", _l("Too many requests")),
    500: ("server-error", _l("Server error")),
    503: ("unavailable", _l("Service unavailable")),
}

DETAILS: dict[int, object] = {
    400: _l("The request could not be understood."),
    401: _l("Send a valid personal access token: Authorization: Bearer <token>."),
    403: _l("Your account or token may not do this."),
    404: _l("There is nothing at this address, or it is not yours to see."),
    405: _l("This address does not accept this method."),
    409: _l("This action no longer applies to the record's current state."),
    413: _l("The request body is too large."),
    415: _l("Send the body as application/json."),
    422: _l("Some input is not valid; see errors."),
    429: _l("Too many requests in a short time; wait for Retry-After seconds."),
    500: _l("An unexpected error occurred. It has been logged; please try again."),
    503: _l("The service is temporarily unavailable. Please try again shortly."),
}


DOCS_PATH = API_PREFIX + "/docs"  # the reference is a page of the site (session, language, HTML errors)


def in_api() -> bool:
    path = request.path
    return (path == API_PREFIX or path.startswith(API_PREFIX + "/")) and path != DOCS_PATH


def problem_type(slug: str) -> str:
    """An absolute URI naming the problem type: the reference page's section about it."""
    try:
        return url_for("api_reference.docs", _external=True) + f"#problem-{slug}"
    except RuntimeError:  # pragma: no cover - no request
        return f"about:blank#{slug}"


def field_errors(messages) -> list[dict]:
    """webargs/marshmallow messages ({location: {field: [msg]}}) or (field, message) pairs as a flat list."""
    out: list[dict] = []
    if isinstance(messages, list):
        for field, message in messages:
            out.append({"field": field, "message": str(message)})
        return out

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, (dict, list, tuple)):
                    walk(prefix, item)
                else:
                    out.append({"field": prefix or None, "message": str(item)})
        else:
            out.append({"field": prefix or None, "message": str(value)})

    for location, fields in (messages or {}).items():
        # "json"/"query" is where the input came from; the field path is what a client fixes.
        walk("" if location in ("json", "query", "view_args") else str(location), fields)
    return out


def refuse_field(name: str, message) -> None:
    """Raise a 422 naming one input field, in the shape the library's validation errors have."""
    error = UnprocessableEntity()
    error.data = {"messages": {"query": {name: [str(message)]}}}
    raise error


def problem(status: int, detail: str | None = None, errors: list[dict] | None = None,
            headers: dict | None = None, slug: str | None = None, title: str | None = None) -> Response:
    known_slug, known_title = TYPES.get(status, (None, None))
    body = {
        "type": problem_type(slug or known_slug or str(status)),
        "title": str(title or known_title or HTTPStatus(status).phrase),
        "status": status,
        "detail": str(detail or DETAILS.get(status, "")),
    }
    if errors:
        body["errors"] = errors
    if g.get("request_id"):
        body["request_id"] = g.request_id
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
