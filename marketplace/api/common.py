"""Pieces every API resource shares: the Blueprint class, page arguments, page envelopes and Link headers."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, request
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.arguments import ArgumentsMixin
from marshmallow import Schema, fields, validate
from webargs.flaskparser import FlaskParser, abort
from werkzeug.exceptions import HTTPException

from marketplace.extensions import db

MAX_PER_PAGE = 100
MAX_PAGE = 10_000


class Parser(FlaskParser):
    """Malformed JSON is invalid input (422, problem+json), like a wrong type: one status for 'fix your body'."""

    DEFAULT_VALIDATION_STATUS = 422

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(422, exc=error, messages={"json": {"_body": ["The body is not valid JSON."]}})


class NotModified(HTTPException):
    """304 that repeats the ETag it matched (RFC 9110 asks a 304 to carry the validator)."""

    code = 304

    def __init__(self, etag: str):
        super().__init__()
        self.etag = etag

    def get_response(self, environ=None, scope=None):
        response = Response(status=304)
        response.set_etag(self.etag)
        return response


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()

    def _check_not_modified(self, etag):
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and etag in request.if_none_match:
            raise NotModified(etag)


assert issubclass(Blueprint, ArgumentsMixin)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                          metadata={"description": "Page number, from 1."})
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE),
                              metadata={"description": f"Items per page, 1 to {MAX_PER_PAGE}."})
    updated_since = fields.AwareDateTime(
        load_default=None, default_timezone=None,
        metadata={"description": "Only records changed at or after this instant (ISO 8601 with a zone), "
                                 "for sync jobs."})


class LinksSchema(Schema):
    self_ = fields.String(data_key="self")
    first = fields.String()
    prev = fields.String(allow_none=True)
    next = fields.String(allow_none=True)
    last = fields.String()


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """An envelope {items, page, per_page, total, pages, links} around a list of `item_schema`."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
        "pages": fields.Integer(required=True),
        "links": fields.Nested(LinksSchema, required=True),
        "Meta": type("Meta", (), {"ordered": True}),
    })


def _url(page: int, per_page: int) -> str:
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "per_page")]
    args += [("page", page), ("per_page", per_page)]
    return f"{request.base_url}?{urlencode(args)}"


def envelope(items: list, total: int, page: int, per_page: int) -> tuple[dict, dict]:
    """(body, headers): the page of items, with links to first/prev/next/last both in the body and in `Link`."""
    pages = max(1, -(-total // per_page))
    links = {
        "self": _url(page, per_page),
        "first": _url(1, per_page),
        "prev": _url(page - 1, per_page) if 1 < page <= pages + 1 else None,
        "next": _url(page + 1, per_page) if page < pages else None,
        "last": _url(pages, per_page),
    }
    header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self")
    body = {"items": items, "page": page, "per_page": per_page, "total": total, "pages": pages,
            "links": {"self_" if k == "self" else k: v for k, v in links.items()}}
    return body, {"Link": header, "X-Total-Count": str(total)}


def paginate(query, args: dict) -> tuple[dict, dict]:
    """Run a select() one page at a time (one count query, one page query)."""
    result = db.paginate(query, page=args["page"], per_page=args["per_page"], max_per_page=MAX_PER_PAGE,
                         error_out=False)
    return envelope(list(result.items), result.total or 0, args["page"], args["per_page"])
