"""Wiring of the JSON API under /api/v1: OpenAPI 3.1 generated from the code by flask-smorest (marshmallow).

register(app) builds one `Api` per application (tests build many apps), registers the resource blueprints,
exempts them from Flask-WTF's automatic CSRF check (api/auth.py checks cookie-carrying writes itself) and
serves the reference page (Swagger UI from static/vendor/swagger-ui, no CDN) at /api/v1/docs.
"""
from __future__ import annotations

import http
import threading

from flask import Blueprint, Flask, render_template
from flask_smorest import Api as SmorestApi
from flask_smorest.utils import prepare_response

from marketplace.api import applications, auth, me, openings, placements, practice, reports
from marketplace.api.problems import API_PREFIX, DETAILS, DOCS_PATH, MEDIA_TYPE, TYPES
from marketplace.api.schemas import ProblemSchema
from marketplace.extensions import csrf

RESOURCES = (openings.blp, applications.blp, placements.blp, practice.blp, reports.blp, me.blp)

DESCRIPTION = """\
The medical-AI exchange marketplace's API for university systems (student information systems, LMS, the
programme office's tools). It calls the same services as the web pages and gives the same answers.

**Authentication.** Create a personal access token on your account page (*API tokens*), choose its scopes and
send it as `Authorization: Bearer <token>`. A token acts with its owner's permissions and no more. Public data
(published openings, approved companies) needs no token.

**Pages.** Lists take `page` (from 1) and `per_page` (1–100); the body's `links` and the `Link` header point to
the first, previous, next and last pages; `X-Total-Count` gives the total. `updated_since` (ISO 8601 with a time
zone) keeps records changed at or after that instant, for sync jobs.

**Caching.** Reads carry an `ETag`; send it back as `If-None-Match` to get `304 Not Modified`.

**Errors** are `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail` and, for invalid input,
`errors` (`field`, `message`). 401: no valid token (unknown, revoked, or its owner is deactivated). 403: the token
lacks the scope, or the account may not do this. 404: nothing there, or not yours to see. 409: the record moved
on (decided already, full, not eligible). 422: invalid input (malformed JSON, wrong types, out-of-range page
sizes). 429: too many calls; wait `Retry-After` seconds. Messages follow the token owner's language (Korean or
English), else `Accept-Language`, else Korean.

**Problem types:** """ + ", ".join(f"`#problem-{slug}` ({status})" for status, (slug, _t) in sorted(TYPES.items()))


class Api(SmorestApi):
    """flask-smorest's Api with RFC 9457 problem documents as the documented error responses, and an OpenAPI
    document built when first asked for (the reference page, `openapi.json`, `flask openapi`), not at start-up.

    Describing every operation's schemas is two thirds of create_app (~50 ms): each worker paid it when it started
    and each test when it built its app, though the document is read rarely. The routes are registered at once;
    only their description waits. Nothing at request time reads the document."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app=None, **kwargs):
        self._spec = None
        self._spec_options: dict | None = None  # set until the document is built
        self._undocumented: list[tuple] = []  # (blueprint, name, parameters) registered before it was built
        self._spec_lock = threading.Lock()
        self._builder: int | None = None  # the thread building the document (it reads the part built so far)
        super().__init__(app, **kwargs)

    @property
    def spec(self):
        if self._spec_options is not None and self._builder != threading.get_ident():
            with self._spec_lock:  # threads asking while it is built wait for the whole document
                if self._spec_options is not None:
                    self._builder = threading.get_ident()
                    try:
                        self._build_spec()
                    finally:
                        self._builder = None
        return self._spec

    @spec.setter
    def spec(self, value) -> None:
        self._spec = value

    def _init_spec(self, **options) -> None:
        self._spec_options = options
        from flask_smorest.spec import openapi_cli

        self._app.cli.add_command(openapi_cli)

    def _build_spec(self) -> None:
        SmorestApi._init_spec(self, **self._spec_options)
        for blueprint, name, parameters in self._undocumented:
            blueprint.register_views_in_doc(self, self._app, self._spec, name=name, parameters=parameters)
            self._spec.tag({"name": name, "description": blueprint.description})
        self._undocumented.clear()
        self._spec_options = None  # last: other threads read the document only once it is whole

    def register_blueprint(self, blp, *, parameters=None, **options):
        if self._spec_options is None:
            return super().register_blueprint(blp, parameters=parameters, **options)
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))
        return None

    def register_converter(self, converter, func):
        self._converters.append((converter, func))  # applied when the document is built
        if self._spec_options is None and self._spec is not None:
            self._register_converter(converter, func)

    def register_field(self, field, *args):
        self._fields.append((field, *args))
        if self._spec_options is None and self._spec is not None:
            self._register_field(field, *args)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": str(DETAILS.get(status.value, status.phrase))}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, MEDIA_TYPE if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Any other error, as problem+json.", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


reference = Blueprint("api_reference", __name__)


@reference.route(DOCS_PATH)
def docs():
    """The browsable reference: Swagger UI shipped under static/vendor/swagger-ui (Apache-2.0, see LICENSE)."""
    return render_template("api/docs.html")


def register(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Medical-AI exchange marketplace API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": DESCRIPTION},
        "components": {"securitySchemes": {auth.SCHEME: {
            "type": "http", "scheme": "bearer", "bearerFormat": "mkt_… personal access token",
            "description": "A personal access token from the account page's API tokens."}}},
        "servers": [{"url": "/", "description": "This site"}],
    })
    auth.rate_limit_configured(app)
    api = Api(app)
    for blueprint in RESOURCES:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(reference)
    app.extensions["marketplace_api"] = api
