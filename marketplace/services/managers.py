"""Exchange managers' reach: who serves which groups, which records they may read, reassigning queues, the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, select
from werkzeug.routing import BuildError

from marketplace.extensions import db
from marketplace.models import (
    Application,
    AuditEvent,
    Company,
    Designation,
    Opening,
    Placement,
    ProjectGroup,
    Role,
    StudentProfile,
    User,
    designation_groups,
)
from marketplace.permissions import Permission, can_review_group, user_can
from marketplace.services import audit
from marketplace.services.errors import Conflict, DomainError, NotFound

SEOUL = ZoneInfo("Asia/Seoul")


def managers_of_groups(group_ids) -> list[User]:
    """Active exchange managers whose designation in force serves at least one of `group_ids`."""
    ids = {g for g in group_ids or () if g is not None}
    if not ids:
        return []
    return list(db.session.scalars(
        select(User)
        .where(
            User.role == Role.EXCHANGE_MANAGER,
            User.active.is_(True),
            exists().where(
                Designation.user_id == User.id,
                Designation.revoked_at.is_(None),
                designation_groups.c.designation_id == Designation.id,
                designation_groups.c.group_id.in_(ids),
            ),
        )
        .order_by(User.id)
    ))


def link_to(endpoint: str, **values) -> str:
    """A site-relative link for a notification; works in requests, the CLI and tests ("" if unknown)."""
    try:
        if has_request_context():
            return url_for(endpoint, **values)
        adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
        return adapter.build(endpoint, values)
    except (BuildError, RuntimeError):
        return ""


# -- which records a reviewer may read ---------------------------------------------------------------------

ENTITY_TYPES = ("company", "opening", "application", "placement")


def student_group_id(student_id: int) -> int | None:
    return db.session.scalar(select(StudentProfile.group_id).where(StudentProfile.user_id == student_id))


def can_read_record(actor: User | None, entity_type: str, entity_id: int) -> bool:
    """A reviewer reads the history of companies/openings of their groups and of their students' applications
    and placements (applications also when the opening is open to one of their groups)."""
    from marketplace.services.companies import can_review_company
    from marketplace.services.openings import can_review_opening

    if not user_can(actor, Permission.REVIEW_EXCHANGES):
        return False
    if entity_type == "company":
        record = db.session.get(Company, entity_id)
        return record is not None and can_review_company(actor, record)
    if entity_type == "opening":
        record = db.session.get(Opening, entity_id)
        return record is not None and can_review_opening(actor, record)
    if entity_type == "application":
        record = db.session.get(Application, entity_id)
        if record is None:
            return False
        group_id = student_group_id(record.student_id)
        return (group_id is not None and can_review_group(actor, group_id)) or can_review_opening(actor, record.opening)
    if entity_type == "placement":
        record = db.session.get(Placement, entity_id)
        if record is None:
            return False
        group_id = student_group_id(record.student_id)
        return user_can(actor, Permission.ADMINISTER) or (group_id is not None and can_review_group(actor, group_id))
    return False


def record_history(actor: User, entity_type: str, entity_id: int) -> Select:
    if entity_type not in ENTITY_TYPES or not can_read_record(actor, entity_type, entity_id):
        raise NotFound(str(_l("No such record.")))
    return audit.history_query(entity_type, entity_id)


# -- reassigning queues -------------------------------------------------------------------------------------


def reassign_groups(actor: User, designation: Designation, group_ids: list[int]) -> Designation:
    """The admin changes the project groups a designation serves (its queues move with it)."""
    if not user_can(actor, Permission.ADMINISTER):
        raise NotFound(str(_l("No such designation.")))
    if designation.revoked_at is not None:
        raise Conflict(str(_l("This designation was revoked; designate the person again instead.")))
    wanted = {g for g in group_ids or [] if g is not None}
    groups = list(db.session.scalars(select(ProjectGroup).where(ProjectGroup.id.in_(wanted)))) if wanted else []
    if not groups or len(groups) != len(wanted):
        raise DomainError(str(_l("Choose at least one of the listed project groups.")), field="group_ids")
    before = ", ".join(g.code for g in designation.groups)
    designation.groups = sorted(groups, key=lambda g: g.code)
    after = ", ".join(g.code for g in designation.groups)
    if before != after:
        audit.record(actor, "designation", designation.id, "groups_changed", "active", "active", f"{before} → {after}")
    return designation


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
            setattr(filters, attr, value)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["to"] = str(_l("The end of the period is before its start."))
        filters.date_to = None
    return filters, errors


def seoul_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SEOUL)


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
