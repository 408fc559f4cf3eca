"""Template globals and filters, registered in one place: permissions and ownership rules, locale, dates in Asia/Seoul, KRW, labels."""
from __future__ import annotations

import re
from functools import lru_cache, partial

from flask import Flask, request
from flask_babel import format_currency, format_datetime, get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from marketplace import labels
from marketplace.i18n import current_locale, format_date
from marketplace.forum_rules import TEMPLATE_RULES as FORUM_RULES
from marketplace.ownership import TEMPLATE_RULES
from marketplace.permissions import Permission, user_can
from marketplace.services.notifications import unread_count
from marketplace.services.search import highlight, snippet


MAIL_URL = re.compile(r"https?://[^\s<>\"']+")


# As i18n.format_date: Babel's 20-50 µs per value, once per (value, pattern, locale).
@lru_cache(maxsize=8192)
def _formatted_datetime(value, pattern: str, _locale) -> str:
    return format_datetime(value, pattern)


def register(app: Flask) -> None:
    @app.context_processor
    def inject() -> dict:
        signed_in = current_user and current_user.is_authenticated
        user = current_user._get_current_object() if signed_in else None
        return {
            "unread_notifications": unread_count(current_user) if signed_in else 0,
            "Permission": Permission,
            "can": lambda permission: user_can(current_user, permission),
            # The ownership rules, asked about the signed-in user: {{ can_review_company(company) }}.
            **{name: partial(rule, user) for name, rule in TEMPLATE_RULES.items()},
            **{name: partial(rule, user) for name, rule in FORUM_RULES.items()},
            "current_locale": str(get_locale() or "ko"),
            "languages": app.config["LANGUAGES"],
        }

    for name, function in labels.FILTERS.items():
        app.add_template_filter(function, name)
    # A global, not a context variable: macros imported without context see it too.
    app.add_template_global(labels.record_name, "record_name")
    # Practice terms: weekday names, the terms with computed hours, a compliance rule's name.
    from marketplace.forms import WEEKDAY_LABELS
    from marketplace.services import compliance, practice_terms

    app.add_template_global(WEEKDAY_LABELS, "weekday_labels")
    # The mentor section of a practice home, for the signed-in viewer (services/mentoring.py).
    from marketplace.services import mentoring

    app.add_template_global(
        lambda placement: mentoring.section_for(current_user._get_current_object() if current_user else None,
                                                placement), "mentor_section")
    app.add_template_filter(practice_terms.terms_view, "computed_terms")
    app.add_template_filter(lambda subject: practice_terms.terms_view(practice_terms.terms_of(subject)),
                            "opening_terms_view")
    app.add_template_filter(compliance.rule_title, "rule_title")
    from marketplace.services import reports

    app.add_template_filter(reports.placement_filter_label, "report_placement_filter")
    app.add_template_filter(practice_terms.terms_of, "placement_terms")

    @app.template_filter("paragraphs")
    def paragraphs_filter(text: str | None) -> Markup:
        """User text with its line breaks kept; everything else escaped."""
        return Markup("<br>\n").join(escape(line) for line in (text or "").splitlines())

    @app.template_filter("linkify")
    def linkify_filter(text: str | None) -> Markup:
        """A plain-text mail body: escaped, http(s) addresses made clickable (a demo follows a confirmation
        link from the admin's outbox page)."""
        out, last = [], 0
        for match in MAIL_URL.finditer(text or ""):
            url = match.group(0).rstrip(".,);:!?'\"")
            out += [escape(text[last:match.start()]),
                    Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(url)]
            last = match.start() + len(url)
        out.append(escape((text or "")[last:]))
        return Markup("").join(out)

    @app.template_filter("datetime")
    def datetime_filter(value, fmt: str = "medium"):
        return _formatted_datetime(value, labels.datetime_pattern(fmt), current_locale()) if value else ""

    @app.template_filter("date")
    def date_filter(value, fmt: str = "medium"):
        return format_date(value, fmt) if value else ""

    @app.template_filter("krw")
    def krw_filter(value):
        return format_currency(value or 0, "KRW") if value is not None else ""

    # User-written Markdown (forum posts, contest rules, problem statements): raw HTML off, links vetted.
    from marketplace.markdown import render as render_markdown

    app.add_template_filter(render_markdown, "markdown")

    # Search hits: the text HTML-escaped, matched terms in <mark> (safe: nothing the user typed is trusted).
    app.add_template_filter(highlight, "highlight")
    app.add_template_filter(snippet, "snippet")

    @app.template_filter("localized")
    def localized(obj, attr: str = "name"):
        """obj.name_ko / obj.name_en by the current locale."""
        if obj is None:
            return ""
        locale = str(get_locale() or "ko")
        return getattr(obj, f"{attr}_{'ko' if locale == 'ko' else 'en'}", "") or getattr(obj, f"{attr}_en", "")

    @app.template_global()
    def current_path() -> str:
        return request.full_path.rstrip("?") if request.query_string else request.path
