"""A request that wrote nothing ends its transaction with COMMIT (psycopg keeps its prepared statements then; a
ROLLBACK makes it forget them); anything written without a commit, anything changed in memory, and any error still
end in ROLLBACK, so nothing a request did not commit is ever kept."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Company
from tests.factories_companies import make_company


@pytest.fixture
def ends(app):
    """How each request's transaction ended, as the database connection saw it."""
    seen: list[str] = []
    listeners = {"commit": lambda conn: seen.append("commit"), "rollback": lambda conn: seen.append("rollback")}
    for name, listener in listeners.items():
        sa.event.listen(db.engine, name, listener)
    yield seen
    for name, listener in listeners.items():
        sa.event.remove(db.engine, name, listener)


def _routes(app):
    @app.route("/probe/read/<int:company_id>")
    def read(company_id):
        return db.session.get(Company, company_id).name

    @app.route("/probe/flush/<int:company_id>")
    def flush_only(company_id):
        db.session.get(Company, company_id).name = "Flushed, never committed"
        db.session.flush()
        return "ok"

    @app.route("/probe/update/<int:company_id>")
    def bulk_update(company_id):
        db.session.execute(sa.update(Company).where(Company.id == company_id).values(name="Updated, never committed"))
        return "ok"

    @app.route("/probe/memory/<int:company_id>")
    def in_memory(company_id):
        db.session.get(Company, company_id).name = "Changed in memory only"
        return "ok"

    @app.route("/probe/error/<int:company_id>")
    def error(company_id):
        db.session.get(Company, company_id).name
        raise RuntimeError("a bug")

    @app.route("/probe/flush-then-fail/<int:company_id>")
    def flush_then_fail(company_id):
        db.session.get(Company, company_id).name = "Flushed before a bug"
        db.session.flush()
        raise RuntimeError("a bug")


def _name(company_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Company.name).where(Company.id == company_id))


def _probed_company(app, ends, name: str):
    """The probe routes, a saved company to read and change, and no transaction endings recorded yet."""
    _routes(app)
    company = make_company(name=name)
    db.session.commit()
    ends.clear()
    return company


def test_a_request_that_only_read_ends_with_commit(app, client, ends):
    company = _probed_company(app, ends, "Read Only Co")
    assert client.get(f"/probe/read/{company.id}").get_data(as_text=True) == "Read Only Co"
    # (the test client first ends the test's own transaction, as any request would find it ended)
    assert ends[-1] == "commit" and ends.count("commit") == 1


@pytest.mark.parametrize("route", ["flush", "update", "memory"])
def test_a_request_that_changed_anything_without_committing_is_rolled_back(app, client, ends, route):
    company = _probed_company(app, ends, "Untouched Co")
    assert client.get(f"/probe/{route}/{company.id}").status_code == 200
    assert "commit" not in ends
    assert _name(company.id) == "Untouched Co"


def test_a_request_that_failed_is_rolled_back(app, client, ends):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    company = _probed_company(app, ends, "Failing Co")
    assert client.get(f"/probe/error/{company.id}").status_code == 500
    assert "commit" not in ends
    assert client.get(f"/probe/flush-then-fail/{company.id}").status_code == 500
    assert "commit" not in ends and _name(company.id) == "Failing Co"


def test_signed_in_pages_that_only_read_end_with_commit(app, client, auth, ends):
    from tests.factories import make_exchange_manager, make_group

    manager = make_exchange_manager(make_group("PNU"))
    db.session.commit()
    auth.login(manager.email)
    ends.clear()
    assert client.get("/manager/").status_code == 200
    assert ends[-1] == "commit"
