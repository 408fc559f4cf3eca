"""State machines: one transition table per status enum; every accepted move is audited."""
from __future__ import annotations

import enum
from typing import Generic, Mapping, TypeVar

from flask_babel import lazy_gettext as _l

from marketplace.models import User
from marketplace.services import audit
from marketplace.services.errors import Conflict

S = TypeVar("S", bound=enum.Enum)


class StateMachine(Generic[S]):
    """Allowed moves of one status enum, e.g. StateMachine({Status.DRAFT: {Status.IN_REVIEW}, ...})."""

    def __init__(self, entity_type: str, table: Mapping[S, set[S] | frozenset[S]]):
        self.entity_type = entity_type
        self.table = {state: frozenset(targets) for state, targets in table.items()}

    def allowed(self, current: S, target: S) -> bool:
        return target in self.table.get(current, frozenset())

    def targets(self, current: S) -> frozenset[S]:
        return self.table.get(current, frozenset())

    def move(self, actor: User | None, record, target: S, action: str | None = None, note: str = "",
             attribute: str = "status") -> None:
        """Set record.<attribute> to target if the table allows it; raise Conflict otherwise."""
        current = getattr(record, attribute)
        if not self.allowed(current, target):
            raise Conflict(str(_l(
                "This %(record)s is %(current)s and cannot become %(target)s.",
                record=self.entity_type.replace("_", " "), current=current.value, target=target.value,
            )))
        setattr(record, attribute, target)
        audit.record(actor, self.entity_type, record.id, action or target.value, current.value, target.value, note)
