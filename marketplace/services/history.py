"""Reading the record: the history of one company, opening, application or placement, and the admin's audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select

from marketplace.clock import FILTER_DATE_MAX, FILTER_DATE_MIN, seoul_day_start
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import AuditEvent, User
from marketplace.ownership import can_read_record
from marketplace.services import audit
from marketplace.services.errors import NotFound

ENTITY_TYPES = ("company", "opening", "application", "placement")


def record_history(actor: User, entity_type: str, entity_id: int) -> Select:
    if entity_type not in ENTITY_TYPES or not can_read_record(actor, entity_type, entity_id):
        raise NotFound(str(_l("No such record.")))
    return audit.history_query(entity_type, entity_id)


# -- the admin's audit log ------------------------------------------------------------------------------------


@dataclass
class AuditFilters:
    entity_type: str = ""
    actor_email: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict:
        args = {
            "entity_type": self.entity_type or None, "actor": self.actor_email or None, "action": self.action or None,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }
        return {k: v for k, v in args.items() if v is not None}


def filter_date_problem(day: date | None) -> str | None:
    """The message for a period-filter date outside the supported range (None when it is usable)."""
    if day is None or FILTER_DATE_MIN <= day <= FILTER_DATE_MAX:
        return None
    return str(_l("Enter a date between %(first)s and %(last)s.", first=FILTER_DATE_MIN.isoformat(),
                  last=FILTER_DATE_MAX.isoformat()))


def parse_date(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip()[:10]) if raw else None
    except ValueError:
        return None


def parse_audit_filters(args) -> tuple[AuditFilters, dict[str, str]]:
    """Filters from query parameters, and messages for the ones that could not be used (shown beside them)."""
    errors: dict[str, str] = {}
    filters = AuditFilters(
        entity_type=" ".join(str(args.get("entity_type", "")).split())[:40],
        actor_email=" ".join(str(args.get("actor", "")).split())[:254].casefold(),
        action=" ".join(str(args.get("action", "")).split())[:60],
    )
    for name, attr in (("from", "date_from"), ("to", "date_to")):
        raw = str(args.get(name, "") or "").strip()
        if raw:
            value = parse_date(raw)
            if value is None:
                errors[name] = str(_l("Enter a date as YYYY-MM-DD."))
            elif filter_date_problem(value):
                errors[name] = filter_date_problem(value)
                value = None
            setattr(filters, attr, value)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["to"] = str(_l("The end of the period is before its start."))
        filters.date_to = None
    return filters, errors


def audit_log_query(filters: AuditFilters) -> Select:
    query = audit.history_query(filters.entity_type or None)
    if filters.actor_email:
        query = query.where(AuditEvent.actor_id.in_(
            select(User.id).where(User.email.icontains(filters.actor_email, autoescape=True))
        ))
    if filters.action:
        query = query.where(AuditEvent.action.icontains(filters.action, autoescape=True))
    if filters.date_from:
        query = query.where(AuditEvent.created_at >= seoul_day_start(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEvent.created_at < seoul_day_start(filters.date_to + timedelta(days=1)))
    return query
