"""Real threads approving at the same moment: seats are never exceeded, a student never double-booked.

Each thread has its own app context, hence its own session and connection, as concurrent requests on
several app servers would. Runs on SQLite (a file database in WAL mode) and on PostgreSQL.
"""
from __future__ import annotations

import threading
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import func, select

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import SEAT_HOLDING, Placement, PlacementStatus, User
from marketplace.services import placements
from marketplace.services.errors import Conflict
from tests.factories import make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening
from tests.factories_placements import make_placement


def _approve_all_at_once(app, approvals: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """Run approve_placement(actor_id, placement_id) for each pair in its own thread, released together."""
    db.session.commit()
    barrier = threading.Barrier(len(approvals))
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def work(actor_id: int, placement_id: int) -> None:
        with app.app_context(), force_locale("en"):
            actor = db.session.get(User, actor_id)
            _ = actor.designations  # load before the race
            db.session.commit()
            barrier.wait(timeout=30)
            try:
                placements.approve_placement(actor, placement_id)
                db.session.commit()
                outcome = ("approved", "")
            except Conflict as error:
                db.session.rollback()
                outcome = ("conflict", error.message)
            except Exception as error:  # noqa: BLE001 - reported to the test below
                db.session.rollback()
                outcome = ("error", f"{error.__class__.__name__}: {error}")
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=work, args=pair) for pair in approvals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an approval hung"
    db.session.expire_all()
    return results


def test_ten_managers_approving_three_seats_at_once_approve_exactly_three(app):
    pnu = make_group("PNU")
    opening = make_opening(make_company(groups=[pnu]), seats=3)
    requests = [make_placement(make_student(pnu), opening) for _ in range(10)]
    managers = [make_exchange_manager(pnu) for _ in range(10)]

    results = _approve_all_at_once(app, [(m.id, p.id) for m, p in zip(managers, requests)])

    assert [r for r in results if r[0] == "error"] == []
    assert sum(1 for r in results if r[0] == "approved") == 3
    refused = [message for outcome, message in results if outcome == "conflict"]
    assert len(refused) == 7 and all("opening is full" in message for message in refused)
    held = db.session.scalar(select(func.count()).select_from(Placement).where(
        Placement.opening_id == opening.id, Placement.status.in_(SEAT_HOLDING)))
    assert held == 3


def test_two_managers_approving_the_same_request_approve_it_once(app):
    pnu = make_group("PNU")
    placement = make_placement(make_student(pnu), make_opening(make_company(groups=[pnu]), seats=3))
    managers = [make_exchange_manager(pnu) for _ in range(4)]

    results = _approve_all_at_once(app, [(m.id, placement.id) for m in managers])

    assert sorted(outcome for outcome, _ in results) == ["approved", "conflict", "conflict", "conflict"]
    assert all("already approved" in message for outcome, message in results if outcome == "conflict")
    assert db.session.get(Placement, placement.id).status == PlacementStatus.APPROVED


def test_a_student_with_two_overlapping_requests_gets_exactly_one(app):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu])
    student = make_student(pnu)
    today = today_in_seoul()
    a = make_placement(student, make_opening(company), start=today + timedelta(days=60),
                       end=today + timedelta(days=120))
    b = make_placement(student, make_opening(company), start=today + timedelta(days=90),
                       end=today + timedelta(days=150))

    results = _approve_all_at_once(app, [(make_exchange_manager(pnu).id, a.id), (make_exchange_manager(pnu).id, b.id)])

    assert sorted(outcome for outcome, _ in results) == ["approved", "conflict"]
    assert "overlaps" in next(message for outcome, message in results if outcome == "conflict")
    statuses = sorted(db.session.get(Placement, p.id).status.value for p in (a, b))
    assert statuses == ["approved", "pending"]
