"""Every API list asks the database a fixed number of statements, whatever the number of records."""
from __future__ import annotations

from marketplace.extensions import db
from marketplace.services import applications
from tests.api.conftest import bearer, make_token
from tests.factories import make_exchange_manager, make_group
from tests.factories_applications import make_application, make_skilled_student, move
from tests.factories_companies import make_company, make_opening, manager_of


def statements(client, count_queries, path: str, headers: dict | None = None) -> int:
    """Statements of one call, leaving out the bookkeeping that is the same for any list: the rate-limit
    counter (whose first hit in a window also sweeps old windows) and the token's once-a-minute last-used time."""
    with count_queries() as found:
        response = client.get(path, headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return len([s for s in found if "attempt_counter" not in s and not s.startswith("UPDATE api_token")])


def _placement(opening):
    student = make_skilled_student()
    application = make_application(student, opening)
    move(manager_of(opening.company), application, "shortlist")
    applications.make_offer(manager_of(opening.company), application, "", confirm_over_seats=True)
    db.session.commit()
    move(student, application, "accept")


def test_public_lists_cost_the_same_for_2_and_12_records(api, count_queries):
    company = make_company()
    for _ in range(2):
        make_opening(company)
    few_openings = statements(api, count_queries, "/api/v1/openings?per_page=50")
    few_companies = statements(api, count_queries, "/api/v1/companies?per_page=50")
    for _ in range(10):
        make_opening(make_company())
    assert statements(api, count_queries, "/api/v1/openings?per_page=50") == few_openings
    assert statements(api, count_queries, "/api/v1/companies?per_page=50") == few_companies


def test_private_lists_cost_the_same_for_2_and_12_records(api, count_queries):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu])
    opening = make_opening(company, degree_levels=[], majors=[], seats=30)
    student = make_skilled_student(group=pnu)
    manager = make_exchange_manager(pnu)
    cm_token, student_token, xm_token = make_token(manager_of(company)), make_token(student), make_token(manager)

    def measure() -> tuple[int, int, int]:
        return (
            statements(api, count_queries, f"/api/v1/openings/{opening.id}/applicants?per_page=50", bearer(cm_token)),
            statements(api, count_queries, "/api/v1/applications?per_page=50", bearer(student_token)),
            statements(api, count_queries, "/api/v1/placements?per_page=50", bearer(xm_token)),
        )

    for _ in range(2):
        make_application(student, make_opening(company, degree_levels=[], majors=[]))
        _placement(opening)
    few = measure()
    for _ in range(10):
        make_application(student, make_opening(company, degree_levels=[], majors=[]))
        _placement(opening)
    assert measure() == few


def test_practice_logs_cost_the_same_for_2_and_12_practices_with_their_weeks(api, count_queries):
    from datetime import date

    from marketplace.models import WeekStatus
    from tests.factories_practice import make_practice_placement, make_week

    pnu = make_group("PNU")
    manager = make_exchange_manager(pnu)
    token = make_token(manager, "read:practice")

    def practice() -> None:
        """A practice at a company of its own, whose host returned week 2 (a different decider every time)."""
        company = make_company(groups=[pnu], reviewer=manager)
        placement = make_practice_placement(make_skilled_student(group=pnu), make_opening(company, reviewer=manager),
                                            start=date(2027, 3, 1))
        make_week(placement, 1, WeekStatus.CONFIRMED, days=((date(2027, 3, 1), "09:00", "18:00", 60),))
        week = make_week(placement, 2, WeekStatus.RETURNED, days=((date(2027, 3, 8), "09:00", "17:00", 60),))
        week.decided_by_id = manager_of(company).id
        db.session.commit()

    for _ in range(2):
        practice()
    few = statements(api, count_queries, "/api/v1/practice-logs?per_page=50", bearer(token))
    for _ in range(10):
        practice()
    assert statements(api, count_queries, "/api/v1/practice-logs?per_page=50", bearer(token)) == few
