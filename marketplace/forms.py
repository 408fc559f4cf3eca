"""Shared form pieces: safe coercion, translated validator messages, mapping domain errors to fields."""
from __future__ import annotations

from flask import flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from marketplace.routing import MAX_DATABASE_ID
from marketplace.services.errors import DomainError


def required():
    return DataRequired(message=_l("This field is required."))


def input_required():
    """Like required() but accepts 0 (for numbers)."""
    return InputRequired(message=_l("This field is required."))


def max_length(n: int):
    return Length(max=n, message=_l("Use at most %(max)d characters."))


def number_range(low: int, high: int):
    return NumberRange(min=low, max=high, message=_l("Enter a number from %(min)s to %(max)s."))


def optional():
    return Optional()


def int_or_none(value):
    """Coerce for select fields: a tampered value becomes None, which services refuse politely. So does a
    number no id column can hold (it would reach the database as an out-of-range error)."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -MAX_DATABASE_ID <= number <= MAX_DATABASE_ID else None


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's error beside the field it names, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        if isinstance(field.errors, tuple):
            field.errors = list(field.errors)
        field.errors.append(error.message)
    else:
        flash(error.message, "danger")


MAX_PAGE = 10_000


def page_number(args) -> int:
    """The `page` query parameter as a page number in 1..MAX_PAGE, whatever was typed or forged."""
    try:
        page = int(args.get("page", 1))
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), MAX_PAGE)
