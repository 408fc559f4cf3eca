"""Writing and reading the audit trail."""
from __future__ import annotations

from sqlalchemy import Select, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, User


def record(
    actor: User | None,
    entity_type: str,
    entity_id: int,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    note: str = "",
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note or "",
    )
    db.session.add(event)
    return event


def history_query(entity_type: str | None = None, entity_id: int | None = None) -> Select:
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return query
