"""Template globals and filters: permissions, locale, dates in Asia/Seoul, KRW."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import format_currency, format_date, format_datetime, get_locale
from flask_login import current_user

from marketplace.permissions import Permission, can_review_group, user_can


def register(app: Flask) -> None:
    @app.context_processor
    def inject() -> dict:
        from marketplace.services.notifications import unread_count

        signed_in = current_user and current_user.is_authenticated
        return {
            "unread_notifications": unread_count(current_user) if signed_in else 0,
            "Permission": Permission,
            "can": lambda permission: user_can(current_user, permission),
            "can_review_group": lambda group_id: can_review_group(current_user, group_id),
            "current_locale": str(get_locale() or "ko"),
            "languages": app.config["LANGUAGES"],
        }

    @app.template_filter("datetime")
    def datetime_filter(value, fmt: str = "medium"):
        return format_datetime(value, fmt) if value else ""

    @app.template_filter("date")
    def date_filter(value, fmt: str = "medium"):
        return format_date(value, fmt) if value else ""

    @app.template_filter("krw")
    def krw_filter(value):
        return format_currency(value or 0, "KRW") if value is not None else ""

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
