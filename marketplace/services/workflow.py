"""State machines: one transition table per status enum; every accepted move is conditional and audited.

A move is a compare-and-set: `UPDATE <table> SET status = :target WHERE id = :id AND status = :current`,
where :current is the state the caller read. Two requests racing (a withdrawal and an offer, two managers
approving and rejecting) both pass the table check on what they read, but only one UPDATE finds the row
still in that state: PostgreSQL makes the second wait for the first's row lock and then re-checks the
condition on the committed row (READ COMMITTED); SQLite lets one writer in at a time. The loser changes
nothing, writes no audit event and gets a Conflict (409) saying what the record became meanwhile.
"""
from __future__ import annotations

import enum
from typing import Generic, Mapping, TypeVar

from sqlalchemy import inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label, record_type
from marketplace.models import User
from marketplace.models.base import utcnow
from marketplace.services import audit
from marketplace.services.errors import Conflict

S = TypeVar("S", bound=enum.Enum)


class ChangedMeanwhile(Conflict):
    """Another request moved the record first; `now` is the state it is in."""

    def __init__(self, message: str, now):
        super().__init__(message)
        self.now = now


def compare_and_set(record, attribute: str, expected, value, **also) -> bool:
    """UPDATE record's row SET attribute = value (and `also`) WHERE attribute = expected; True if it changed.

    The ORM object follows: on success its attributes hold the new values without a second UPDATE at flush;
    on failure the attribute holds what the database has now. Pending changes are flushed first.
    """
    model = type(record)
    mapper = inspect(model)
    condition = [column == key for column, key in zip(mapper.primary_key, inspect(record).identity)]
    values = {attribute: value, **also}
    if "updated_at" in mapper.columns and "updated_at" not in values:
        values["updated_at"] = utcnow()
    column = getattr(model, attribute)
    matches = column.is_(None) if expected is None else column == expected
    statement = update(model).where(*condition, matches).values(values).execution_options(
        synchronize_session=False)
    changed = db.session.execute(statement).rowcount == 1
    if changed:
        for key, new in values.items():
            set_committed_value(record, key, new)
    else:
        now = db.session.scalar(select(column).where(*condition))
        set_committed_value(record, attribute, now)
    return changed


class StateMachine(Generic[S]):
    """Allowed moves of one status enum, e.g. StateMachine({Status.DRAFT: {Status.IN_REVIEW}, ...})."""

    def __init__(self, entity_type: str, table: Mapping[S, set[S] | frozenset[S]]):
        self.entity_type = entity_type
        self.table = {state: frozenset(targets) for state, targets in table.items()}

    def allowed(self, current: S, target: S) -> bool:
        return target in self.table.get(current, frozenset())

    def targets(self, current: S) -> frozenset[S]:
        return self.table.get(current, frozenset())

    @property
    def record_name(self) -> str:
        """The record's kind in the reader's language, lower-cased as it sits mid-sentence in English."""
        name = record_type(self.entity_type)
        return name.lower() if name.isascii() else name

    def move(self, actor: User | None, record, target: S, action: str | None = None, note: str = "",
             attribute: str = "status") -> None:
        """Move record.<attribute> from the state it was read in to target, if the table allows it.

        Raises Conflict when the table forbids the move, and ChangedMeanwhile (a Conflict) when another
        request changed the state since it was read. The audit event is written only for the move made.
        """
        current = getattr(record, attribute)
        if not self.allowed(current, target):
            raise Conflict(str(_l(
                "This %(record)s is “%(current)s” and cannot become “%(target)s”.",
                record=self.record_name, current=label(current), target=label(target),
            )))
        if not compare_and_set(record, attribute, current, target):
            now = getattr(record, attribute)
            if now is None:
                raise ChangedMeanwhile(str(_l("This %(record)s was removed meanwhile; nothing was changed.",
                                              record=self.record_name)), None)
            raise ChangedMeanwhile(str(_l(
                "This %(record)s was changed meanwhile by someone else: it is “%(now)s” now, so it cannot "
                "become “%(target)s”. Nothing was changed; reload the page to see its current state.",
                record=self.record_name, now=label(now), target=label(target),
            )), now)
        audit.record(actor, self.entity_type, record.id, action or target.value, current.value, target.value, note)


# -- edits: one version per editable record ----------------------------------------------------------------------


class StaleEdit(Conflict):
    """The record was saved by someone else after the form was opened; `record` now holds what is saved."""

    def __init__(self, record):
        super().__init__(str(_l(
            "Someone saved this page after you opened it, so your changes were not saved. Compare them with the "
            "saved values below, then save again to keep yours.")))
        self.record = record


def claim_for_edit(record, expected_version: int | None) -> None:
    """Start an edit of record: take its row's write lock and bump its version, in one conditional UPDATE.

    `UPDATE <table> SET version = version + 1 WHERE id = :id [AND version = :expected]`: the lock (PostgreSQL's
    row lock; SQLite's database write lock, as the first write) is held until the caller commits, so two saves
    of one record run one after the other, and a save made from a form of an older version (two tabs, two
    managers) raises StaleEdit with the record refreshed to its saved values. Without expected_version
    (scripts, seeds) the edit is only serialised. Call it before reading the record for the edit's checks and
    before changing any of its attributes: it refreshes the record to what is saved now.
    """
    model = type(record)
    mapper = inspect(model)
    condition = [column == key for column, key in zip(mapper.primary_key, inspect(record).identity)]
    if expected_version is not None:
        condition.append(model.version == expected_version)
    changed = db.session.execute(
        update(model).where(*condition).values(version=model.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(record)  # under the lock: what is saved now (collections reload when next read)
    if not changed:
        raise StaleEdit(record)
