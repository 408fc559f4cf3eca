"""Translation look-ups at the speed pages need: the request's catalogue is found once, not once per string.

Flask-Babel finds the catalogue again for every string (five look-ups through `flask.g` and the locale's name
built anew each time, ~9 µs), and Jinja's i18n wrapper adds as much again: a page with 400 translated strings
spent 7 ms on it. Here the catalogue is kept beside the locale it belongs to in Flask-Babel's own per-context
slot (`g._flask_babel`), so whatever changes the locale (`refresh()`, `force_locale()` for a mail in the
recipient's language) is seen at once: the kept catalogue is used only while the locale is the very object it
was found for. Python code imports `gettext`, `ngettext` and `lazy_gettext` from here (Flask-Babel's own go
through the default domain, which uses it too, but with three look-ups more); templates (`_`, `gettext`,
`ngettext`, `pgettext`, `npgettext`, and `{% trans %}`) use it through the functions installed by `init_app`.
"""
from __future__ import annotations

from functools import lru_cache

import flask_babel
from babel import support
from flask import Flask
from flask.globals import _cv_app
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from markupsafe import Markup

_NULL = support.NullTranslations()
_MEMO = "marketplace_translations"


def current_translations() -> support.NullTranslations:
    """The catalogue of the locale in effect (English's empty catalogue outside an app context)."""
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return _NULL
    state = app_ctx.g.__dict__.get("_flask_babel")
    if state is not None:
        memo = state.__dict__.get(_MEMO)
        if memo is not None and memo[0] is state.__dict__.get("babel_locale"):
            return memo[1]
    translations = _DOMAIN.find_translations()  # finds the locale too, which sets g._flask_babel.babel_locale
    state = app_ctx.g._flask_babel
    setattr(state, _MEMO, (state.babel_locale, translations))
    return translations


def current_locale():
    """flask_babel.get_locale(), without its look-ups once the request's locale is known."""
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        state = app_ctx.g.__dict__.get("_flask_babel")
        if state is not None and (locale := state.__dict__.get("babel_locale")) is not None:
            return locale
    return flask_babel.get_locale()


# Babel takes 20-50 µs per date; a page of twenty openings shows sixty dates, many the same. Keyed by the locale
# (the time zone is always Asia/Seoul), so a page in another language never gets these words.
@lru_cache(maxsize=8192)
def _formatted_date(value, fmt: str, _locale) -> str:
    return flask_babel.format_date(value, fmt)


def format_date(value, fmt: str = "medium") -> str:
    """flask_babel.format_date, remembered per (date, format, locale) for the process."""
    return _formatted_date(value, fmt, current_locale())


def gettext(string: str, **variables) -> str:
    """flask_babel.gettext, from the kept catalogue."""
    text = current_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """flask_babel.ngettext, from the kept catalogue (`num` is always available to the format)."""
    variables.setdefault("num", num)
    return current_translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """flask_babel.lazy_gettext: translated when used as text, in the language in effect then."""
    return LazyString(gettext, string, **variables)


class RequestDomain(flask_babel.Domain):
    """The default domain, answering from `current_translations()`."""

    def find_translations(self):
        return super().get_translations()

    def get_translations(self):
        return current_translations()


_DOMAIN = RequestDomain()


def _format(context, text: str, variables: dict) -> str:
    """As Jinja's new-style gettext: the translation is trusted markup when autoescaping, the variables are
    escaped into it, and it is always a format string (so "%%" is a percent sign)."""
    if context.eval_ctx.autoescape:
        # The catalogue's own text is trusted markup, as in Jinja's i18n; the variables are escaped into it below.
        text = Markup(text)  # nosec B704
    if variables or "%" in text:
        return text % variables
    return text


@pass_context
def _gettext(__context, __string: str, **variables) -> str:
    return _format(__context, current_translations().ugettext(__string), variables)


@pass_context
def _ngettext(__context, __singular: str, __plural: str, __num: int, **variables) -> str:
    variables.setdefault("num", __num)
    return _format(__context, current_translations().ungettext(__singular, __plural, __num), variables)


@pass_context
def _pgettext(__context, __string_ctx: str, __string: str, **variables) -> str:
    variables.setdefault("context", __string_ctx)
    return _format(__context, current_translations().upgettext(__string_ctx, __string), variables)


@pass_context
def _npgettext(__context, __string_ctx: str, __singular: str, __plural: str, __num: int, **variables) -> str:
    variables.setdefault("context", __string_ctx)
    variables.setdefault("num", __num)
    return _format(__context, current_translations().unpgettext(__string_ctx, __singular, __plural, __num),
                   variables)


def init_app(app: Flask, babel: flask_babel.Babel) -> None:
    """After `babel.init_app`: the default domain and the templates' translation functions use the kept catalogue."""
    babel.domain_instance = _DOMAIN  # Flask-Babel's cached property; one domain for every app in the process
    app.jinja_env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext, pgettext=_pgettext,
                                 npgettext=_npgettext)
