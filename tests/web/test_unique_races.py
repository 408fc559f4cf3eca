"""Requests racing for one unique thing: the loser gets a 409 or the usual "already" message, never a 503/500.

Real threads, each with its own test client (its own cookies, app context, session and connection), released
together by a barrier; on SQLite (a file database in WAL mode) and on PostgreSQL.
"""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Application, ApplicationStatus, Placement, User
from marketplace.models.notifications import OutboxEmail
from tests.conftest import AuthActions, csrf_token
from tests.factories import PASSWORD, make_group
from tests.factories_applications import make_application, move
from tests.factories_companies import manager_of

RACERS = 4


def _race(requests) -> list:
    """Run each zero-argument callable in its own thread at the same moment; return their responses."""
    db.session.commit()
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)

    def work(index: int) -> None:
        barrier.wait(timeout=30)
        responses[index] = requests[index]()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    db.session.expire_all()
    return responses


def test_parallel_registrations_of_one_email_create_one_account_and_answer_all_alike(app):
    group = make_group("PNU")
    email = "same.person@pusan.ac.kr"
    posts = []
    for n in range(RACERS):
        client = app.test_client()
        token = csrf_token(client, "/auth/register/student")
        data = {"csrf_token": token, "email": email, "password": PASSWORD, "confirm": PASSWORD,
                "display_name": f"Racer {n}", "group_id": str(group.id), "major": "Medicine",
                "degree_level": "master", "year": "1", "track_id": ""}
        posts.append(lambda c=client, d=data: c.post("/auth/register/student", data=d,
                                                     headers={"Accept-Language": "en"}))

    responses = _race(posts)

    # Every racer reads "check your e-mail", winner or not: no answer tells whether the address has an account.
    assert {(r.status_code, r.headers.get("Location")) for r in responses} == {(302, "/auth/register/student/sent")}
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == email)) == 1
    mails = db.session.scalars(select(OutboxEmail.body).where(OutboxEmail.to_address == email)).all()
    assert sum("/auth/confirm-email/" in body for body in mails) == 1  # the winner's confirmation link


def test_parallel_accepts_of_one_offer_make_one_placement_request_and_a_409(app):
    application = make_application()
    move(manager_of(application.opening.company), application, "shortlist", "offer")
    path = f"/student/applications/{application.id}/accept"
    posts = []
    for _ in range(RACERS):
        client = app.test_client()
        auth = AuthActions(client)
        assert auth.login(application.student.email).status_code == 302
        token = csrf_token(client, f"/student/applications/{application.id}")
        posts.append(lambda c=client, t=token: c.post(path, data={"csrf_token": t}, headers={"Accept-Language": "en"}))

    responses = _race(posts)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [409] * (RACERS - 1), statuses
    assert db.session.get(Application, application.id).status == ApplicationStatus.ACCEPTED
    assert db.session.scalar(select(func.count()).select_from(Placement)
                             .where(Placement.application_id == application.id)) == 1
