"""Translations found once per request (marketplace/i18n.py) still follow every change of language: the
request's own, `force_locale` for a mail in the recipient's language (and back), `refresh()` after a saved
choice, and code running outside any request."""
from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext, lazy_gettext, refresh

from marketplace.app import create_app

PAGE = ("{{ _('Skills') }}|{% trans %}Skills{% endtrans %}|"
        "{{ ngettext('%(num)d opening', '%(num)d openings', 3) }}|{{ pgettext('menu', 'Skills') }}")


@pytest.fixture(scope="module")
def app():
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def render(app, source: str = PAGE, **context) -> str:
    return app.jinja_env.from_string(source).render(**context)


def test_templates_and_code_speak_the_requests_language(app):
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        assert render(app) == "역량|역량|공고 3개|Skills"
        assert gettext("Skills") == str(lazy_gettext("Skills")) == "역량"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render(app) == "Skills|Skills|3 openings|Skills"
        assert gettext("Skills") == "Skills"


def test_a_mail_in_the_recipients_language_then_the_page_in_the_readers(app):
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        assert render(app).startswith("역량|")
        with force_locale("en"):
            assert render(app).startswith("Skills|")
            assert gettext("Skills") == "Skills"
            with force_locale("ko"):
                assert gettext("Skills") == "역량"
            assert render(app).startswith("Skills|")
        assert render(app).startswith("역량|")
        assert gettext("Skills") == "역량"


def test_refresh_after_a_saved_choice_switches_at_once(app):
    with app.test_request_context(headers={"Accept-Language": "ko"}) as ctx:
        assert gettext("Skills") == "역량"
        ctx.request.environ["HTTP_ACCEPT_LANGUAGE"] = "en"
        ctx.request.__dict__.pop("accept_languages", None)
        refresh()
        assert gettext("Skills") == "Skills"
        assert render(app).startswith("Skills|")


def test_outside_a_request_the_default_language_and_outside_an_app_the_source_text(app):
    with app.app_context():
        assert gettext("Skills") == "역량"  # BABEL_DEFAULT_LOCALE
        with force_locale("en"):
            assert gettext("Skills") == "Skills"
    assert gettext("Skills") == "Skills"


def test_template_strings_escape_their_variables_and_keep_percent_signs(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        out = render(app, "{{ _('%(name)s is approved.', name=name) }}|{{ _('100%% done') }}|{{ _('Skills') }}",
                     name="<b>X</b>")
    assert out == "&lt;b&gt;X&lt;/b&gt; is approved.|100% done|Skills"


def test_dates_are_remembered_per_language(app):
    from datetime import date, datetime, timezone

    day, moment = date(2026, 3, 1), datetime(2026, 3, 1, 5, 0, tzinfo=timezone.utc)
    source = "{{ day|date }} · {{ moment|datetime('short') }}"
    seen = {}
    for language in ("ko", "en", "ko"):
        with app.test_request_context(headers={"Accept-Language": language}):
            seen.setdefault(language, set()).add(render(app, source, day=day, moment=moment))
            with force_locale("en" if language == "ko" else "ko"):
                seen.setdefault("forced", set()).add(render(app, source, day=day, moment=moment))
    assert seen["ko"] == {"2026. 3. 1. · 2026. 3. 1. 오후 2:00"}  # 05:00 UTC is 14:00 in Seoul
    assert seen["en"] == {"Mar 1, 2026 · 3/1/26, 2:00\u202fPM"}
    assert seen["forced"] == seen["ko"] | seen["en"]
