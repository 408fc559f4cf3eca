"""Two parties acting on one practice-log week at the same moment (real threads, SQLite and PostgreSQL)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Notification, PracticeWeek, User, WeekStatus
from marketplace.services import companies, practice_logs
from tests.concurrency import run_together
from tests.factories import make_company_manager
from tests.factories_practice import make_practice_placement, make_week

MON = date(2027, 3, 1)


def _second_supervisor(company) -> User:
    other = make_company_manager()
    membership = companies.request_to_join(other, company.business_number)
    companies.accept_member(companies.active_managers(company)[0], membership)
    db.session.commit()
    return other


def _decide(action, placement_id: int, user_id: int, comment: str):
    def job(ready):
        actor = db.session.get(User, user_id)
        ready()
        action(actor, placement_id, 1, comment)
    return job


def test_two_supervisors_confirming_and_returning_at_once_give_one_decision_and_a_clear_409(app):
    placement = make_practice_placement(start=MON)
    make_week(placement, 1, WeekStatus.SUBMITTED, days=[(MON, "09:00", "18:00", 60)])
    first = companies.active_managers(placement.opening.company)[0]
    second = _second_supervisor(placement.opening.company)

    results = run_together(app, [_decide(practice_logs.confirm_week, placement.id, first.id, ""),
                                 _decide(practice_logs.return_week, placement.id, second.id, "Fix Monday")])

    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    loser = next(message for kind, message in results if kind == "conflict")
    # The loser is told either that the week changed under it (it read the week before the winner committed) or,
    # having read it after, the week's new state and that it cannot move from there: both name what happened.
    assert ("changed meanwhile" in loser and "Nothing was changed" in loser) or re.fullmatch(
        r"This practice log week is “(Confirmed|Returned for correction)” and cannot become “(Confirmed|Returned for "
        r"correction)”\.", loser), loser
    week = db.session.scalar(select(PracticeWeek).where(PracticeWeek.placement_id == placement.id))
    assert week.status in (WeekStatus.CONFIRMED, WeekStatus.RETURNED)
    decisions = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "practice_week", AuditEvent.entity_id == week.id))
    assert decisions == 1
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == placement.student_id, Notification.kind.like("practice_week_%")))
    assert told == 1


def test_two_supervisors_confirming_at_once_confirm_once(app):
    placement = make_practice_placement(start=MON)
    make_week(placement, 1, WeekStatus.SUBMITTED, days=[(MON, "09:00", "18:00", 60)])
    first = companies.active_managers(placement.opening.company)[0]
    second = _second_supervisor(placement.opening.company)

    results = run_together(app, [_decide(practice_logs.confirm_week, placement.id, first.id, ""),
                                 _decide(practice_logs.confirm_week, placement.id, second.id, "")])

    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert practice_logs.confirmed_hours([placement.id]) == {placement.id: 8.0}


def test_two_reminder_runs_at_once_remind_each_late_item_once(app):
    placement = make_practice_placement(start=MON)
    week = make_week(placement, 2, WeekStatus.SUBMITTED, days=[(date(2027, 3, 8), "09:00", "18:00", 60)])
    week.submitted_at = datetime(2027, 3, 8, 3, 0, tzinfo=timezone.utc)
    db.session.commit()

    def remind(ready):
        ready()
        practice_logs.send_reminders(date(2027, 3, 20))

    results = run_together(app, [remind, remind])
    assert all(kind in ("ok", "conflict") for kind, _ in results), results
    kinds = list(db.session.scalars(select(Notification.kind).where(
        Notification.kind.in_(["practice_week_late", "practice_confirmation_late"]))))
    # week 1 never submitted (the student), week 2 unconfirmed (the supervisor): once each
    assert sorted(kinds) == ["practice_confirmation_late", "practice_week_late"]
