"""How a route calls a service: one commit point, success flashed, errors beside their fields or as 404/403/409.

    if form.validate_on_submit():
        done = run(companies.create_company, actor(), data, form=form,
                   success=lambda company: _("%(name)s was registered.", name=company.name))
        if done:
            return redirect(url_for("companies.dashboard"))
    return render_template("companies/company_form.html", form=form), form_status()

A failed call is rolled back and every reason goes beside its field (the form is re-rendered with what the user
typed); without a form the message is flashed. NotFound and Forbidden are not a user's mistake to correct on
the page: they propagate to the error handler (404/403 page). form_status() then answers 400, or the error's
own status (409 for a Conflict).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import sqlalchemy as sa
from flask import abort, flash, g, request
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from flask_wtf import FlaskForm

from marketplace.extensions import db
from marketplace.forms import ActionForm, attach_error
from marketplace.services.errors import DomainError, Forbidden, NotFound


def actor():
    """The signed-in user as a plain model object, for services (which never read current_user)."""
    return current_user._get_current_object()


@dataclass
class Outcome:
    """What run() did: true when the call succeeded and was committed."""

    value: Any = None
    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is None


def run(action: Callable, *args, form: FlaskForm | None = None, success=None, category: str = "success",
        report: bool = True, committed: Callable | None = None, failed: Callable | None = None,
        **kwargs) -> Outcome:
    """Run one service call as the request's single commit point.

    success: a message, or a function of the call's result returning one (computed before the commit, so it
    reads what the call just wrote without reloading it). report=False leaves a failed call's message to the
    route. committed/failed: called with the result after the commit succeeded or failed (files kept outside
    the database follow the transaction).
    """
    try:
        value = action(*args, **kwargs)
    except (NotFound, Forbidden):
        db.session.rollback()
        raise
    except DomainError as error:
        db.session.rollback()
        g.service_error_status = error.status
        if report:
            if form is not None:
                attach_error(form, error)
            else:
                flash(error.message, "warning")
        return Outcome(error=error)
    message = success(value) if callable(success) else success
    try:
        db.session.commit()
    except Exception:
        if failed is not None:
            failed(value)
        raise
    if committed is not None:
        committed(value)
    if message:
        flash(message, category)
    return Outcome(value=value)


def form_status() -> int:
    """The status of a page that shows a form: 200 on GET, else the failed call's status (400 by default)."""
    if request.method == "GET":
        return 200
    return g.get("service_error_status", 400)


def require_form(form_class: type[FlaskForm] = ActionForm) -> FlaskForm:
    """The posted button's form, or 400 when its CSRF token (or its own fields) do not validate."""
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    return form


def no_store(response):
    """Keep a private download (a CV) out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


class ListPagination(Pagination):
    """A page of a list already in memory, with the same attributes as db.paginate's (for the same pager)."""

    def _query_items(self) -> list:
        return self._query_args["rows"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def count_all(queries: dict[str, Any], *rows) -> dict[str, int]:
    """The number of rows of each select(), all in one statement (a page of several lists, each paged on its own,
    counts them together instead of one round trip each); `rows` are one-row subqueries of further counts, read in
    the same statement under their columns' names."""
    return counts_of(count_statement(queries, *rows)) if queries or rows else {}


def count_statement(queries: dict[str, Any], *rows) -> sa.Select:
    """count_all's statement, for a page that builds it once and keeps it (counts_of runs it)."""
    columns = [sa.select(sa.func.count()).select_from(query.order_by(None).subquery()).scalar_subquery().label(name)
               for name, query in queries.items()]
    columns += [column for row in rows for column in row.c]
    return sa.select(*columns)


def counts_of(statement: sa.Select) -> dict[str, int]:
    return dict(db.session.execute(statement).one()._mapping)


def page_of(query, page: int, per_page: int, rows: list | None = None, load=None,
            total: int | None = None) -> Pagination:
    """Page `page` of a select() (or of `rows` when given); a number past the end shows the last page, so a
    decision that empties the last page comes back to the one before it rather than to an empty list.
    With `load`, the select() gives ids and `load(ids)` the page's rows, in that order; with `total`, the caller
    has counted the rows already (no count query, and no query at all for an empty list)."""
    def paginate(number: int) -> Pagination:
        if rows is not None:
            return ListPagination(page=number, per_page=per_page, max_per_page=per_page, error_out=False, rows=rows)
        if total == 0:  # counted empty already: no query for the rows
            return ListPagination(page=1, per_page=per_page, max_per_page=per_page, error_out=False, rows=[])
        if total is not None:  # past the end: the last page, in one query
            number = min(number, -(-total // per_page))
        found = db.paginate(query, page=number, per_page=per_page, max_per_page=per_page, error_out=False,
                            count=total is None)
        if total is not None:
            found.total = total
        return found

    pagination = paginate(page)
    if not pagination.items and pagination.page > 1 and pagination.total:
        pagination = paginate(pagination.pages)
    if load is not None:
        pagination.items = load(list(pagination.items))
    return pagination
