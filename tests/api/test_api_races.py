"""API calls racing for one thing: real threads, each with its own client, on SQLite and PostgreSQL."""
from __future__ import annotations

import threading

from marketplace.extensions import db
from marketplace.models import Application, Placement, PlacementStatus
from marketplace.services import applications
from tests.api.conftest import bearer, make_token
from tests.factories import make_exchange_manager, make_group
from tests.factories_applications import make_application, make_skilled_student, move
from tests.factories_companies import make_company, make_opening, manager_of


def _race(calls) -> list:
    db.session.commit()
    barrier = threading.Barrier(len(calls))
    responses: list = [None] * len(calls)

    def work(index: int) -> None:
        barrier.wait(timeout=30)
        responses[index] = calls[index]()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    db.session.expire_all()
    return responses


def _pending(opening) -> Placement:
    student = make_skilled_student()
    application = make_application(student, opening)
    move(manager_of(opening.company), application, "shortlist")
    applications.make_offer(manager_of(opening.company), application, "", confirm_over_seats=True)
    db.session.commit()
    move(student, application, "accept")
    return db.session.query(Placement).filter_by(application_id=application.id).one()


def test_two_managers_approving_the_last_seat_at_once_give_one_approval_and_one_409(app):
    pnu = make_group("PNU")
    opening = make_opening(make_company(groups=[pnu]), degree_levels=[], majors=[], seats=1)
    first, second = _pending(opening), _pending(opening)
    opening_id = opening.id
    tokens = [make_token(make_exchange_manager(pnu)), make_token(make_exchange_manager(pnu))]
    urls = [f"/api/v1/placements/{p.id}/approve" for p in (first, second)]
    calls = [lambda t=t, url=url: app.test_client().post(url, json={}, headers=bearer(t, **{"Accept-Language": "en"}))
             for t, url in zip(tokens, urls)]
    responses = _race(calls)
    assert sorted(r.status_code for r in responses) == [200, 409], [r.get_data(as_text=True) for r in responses]
    refused = next(r for r in responses if r.status_code == 409)
    assert "The opening is full" in refused.get_json()["detail"]
    approved = db.session.query(Placement).filter_by(opening_id=opening_id, status=PlacementStatus.APPROVED).count()
    assert approved == 1


def test_one_student_applying_twice_at_once_gets_one_application_and_one_409(app):
    opening = make_opening(make_company(), degree_levels=[], majors=[])
    token = make_token(make_skilled_student())
    opening_id = opening.id
    body = {"opening_id": opening_id, "statement": "I segment CT scans.", "consent": True}
    responses = _race([lambda: app.test_client().post("/api/v1/applications", json=body, headers=bearer(token))
                       for _ in range(3)])
    assert sorted(r.status_code for r in responses) == [201, 409, 409]
    assert db.session.query(Application).filter_by(opening_id=opening_id).count() == 1
