"""Every role's main pages run a fixed number of SQL statements whatever the data size: the same pinned count
on the scale data set at two sizes (small, and twice that), so no page loads rows one by one."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from marketplace.extensions import db
from marketplace.models import (
    Application,
    Company,
    CompanyMembership,
    CompanyStatus,
    MembershipStatus,
    Opening,
    OpeningStatus,
    Placement,
    User,
    company_groups,
    opening_groups,
)
from marketplace.clock import today_in_seoul
from marketplace.models.base import utcnow
from marketplace.services import placements
from marketplace.seeding import load_json, seed_demo, seed_groups
from marketplace.seeding_scale import ScaleSize, seed_scale

SIZES = {
    "small": ScaleSize(students=30, companies=3, openings=12, applications=90, placements=6, flagship_applicants=12,
                       skills_per_student=6),
    "double": ScaleSize(students=60, companies=6, openings=24, applications=180, placements=12,
                        flagship_applicants=24, skills_per_student=6),
}

# Statements per page (a warm process: the second request of each page). A change here is a change in how a
# page loads its data: keep it independent of the number of rows.
EXPECTED = {
    "anonymous /openings (cached)": 1,
    "anonymous /openings (cache miss)": 5,  # the groups' filter reads the groups alone (not majors and tracks)
    "anonymous /openings?q=python (cache miss)": 5,
    "anonymous opening detail": 6,  # + the opening's clinical-data readiness; its company joined
    # Signed in: the user with their designations and groups is one statement.
    "student recommendations": 11,  # the ranking from the cache (a change adds eligible openings, majors,
    # requirements)
    "student applications": 5,
    "company ranked applicants": 13,  # order and counts per status from the cache (a change adds the reads)
    # + compliance and agreement states (clauses, insurance, acks); the four other lists' counts and the placements
    # per status in one statement; the requests paged by id, their related rows joined in one statement. Every
    # queue holds a row, and a request shown has a failing rule and an earlier acknowledgement (fill_the_review_queues):
    # without those, the overrides and the agreement clauses are not read (two fewer)
    "manager console": 23,
    # its figures from the cache (the groups and the dashboard's stamp); after a change see test_dashboard.py:
    # skills, one aggregate per side; median days by window functions
    "manager dashboard": 4,
    "admin audit log": 6,  # + the groups of the designations of exchange managers among the actors (one query)
}


# The console with its three other queues empty (companies waiting, openings in review, join requests): counted
# in the statement that counts every list, and not read (one statement for each of the first and the last, three for
# the openings with their skills and groups).
CONSOLE_WITH_EMPTY_QUEUES = EXPECTED["manager console"] - 5


def build(size: ScaleSize, queues: bool = True) -> dict:
    seed_groups()
    seed_demo()
    db.session.commit()
    seed_scale(size, seed=7)
    db.session.commit()
    flagship = db.session.scalar(sa.select(Application.opening_id).group_by(Application.opening_id)
                                 .order_by(sa.func.count().desc(), Application.opening_id).limit(1))
    student = db.session.scalar(
        sa.select(User.email).join(Application, Application.student_id == User.id)
        .where(User.email.like("scale.student%")).group_by(User.email)
        .order_by(sa.func.count().desc(), User.email).limit(1))
    other = db.session.scalar(sa.select(Opening.id).where(Opening.id != flagship).order_by(Opening.id.desc()).limit(1))
    fill_the_review_queues(load_json("demo.json"), keep={flagship, other}, queues=queues)
    return {"flagship": flagship, "student": student, "opening": other, "demo": load_json("demo.json")}


def fill_the_review_queues(demo: dict, keep: set[int], queues: bool = True) -> None:
    """A row in each of the demo exchange manager's queues (unless `queues` is false), so the console's count is
    that of a full page (an empty queue is counted and not read: test_an_empty_queue_is_counted_and_not_read)."""
    manager = db.session.scalar(sa.select(User).where(User.email == demo["exchange_managers"][0]["email"]))
    group_ids = {group.id for designation in manager.designations for group in designation.groups}
    if queues:
        add_a_row_to_each_queue(group_ids, keep)
    # The first request shown has been acknowledged once (its document is gathered: the clauses are read) and starts
    # in three days without insurance (a rule fails: the overrides are read).
    request = db.session.get(Placement, db.session.scalar(placements.placement_request_ids_query(manager).limit(1)))
    start = today_in_seoul() + timedelta(days=3)
    request.start_date, request.end_date = start, start + timedelta(days=60)
    request.terms = {**(request.terms or {}), "start_date": start.isoformat(),
                     "end_date": request.end_date.isoformat()} if request.terms else None
    request.agreement_terms = {"opening_title": "as acknowledged before a change"}
    db.session.commit()


def add_a_row_to_each_queue(group_ids: set[int], keep: set[int]) -> None:
    in_groups = sa.select(company_groups.c.company_id).where(company_groups.c.group_id.in_(group_ids))
    company = db.session.scalar(sa.select(Company).where(Company.id.in_(in_groups)).order_by(Company.id.desc())
                                .limit(1))
    company.status = CompanyStatus.PENDING
    opening = db.session.scalar(sa.select(Opening).join(opening_groups, opening_groups.c.opening_id == Opening.id)
                                .where(opening_groups.c.group_id.in_(group_ids), Opening.id.not_in(keep))
                                .order_by(Opening.id).limit(1))
    opening.status, opening.submitted_at = OpeningStatus.IN_REVIEW, utcnow()
    membership = db.session.scalar(sa.select(CompanyMembership).where(CompanyMembership.company_id.in_(in_groups))
                                   .order_by(CompanyMembership.id.desc()).limit(1))
    membership.status = MembershipStatus.REQUESTED


def page_counts(app, client, auth, count_queries, data: dict) -> dict[str, int]:
    demo = data["demo"]
    password = demo["password"]

    def warm_count(path: str) -> int:
        count_queries.page(client, path)  # fills the process caches (ranking inputs, templates)
        return count_queries.page(client, path)

    counts = {"anonymous /openings (cached)": warm_count("/openings")}
    app.config["PUBLIC_PAGE_CACHE"] = False
    counts["anonymous /openings (cache miss)"] = warm_count("/openings")
    counts["anonymous /openings?q=python (cache miss)"] = warm_count("/openings?q=python")
    app.config["PUBLIC_PAGE_CACHE"] = True
    counts["anonymous opening detail"] = warm_count(f"/openings/{data['opening']}")
    for email, pages in [
        (data["student"], [("student recommendations", "/student/recommendations"),
                           ("student applications", "/student/applications")]),
        (demo["company_managers"][0]["email"],
         [("company ranked applicants", f"/company/openings/{data['flagship']}/applicants")]),
        (demo["exchange_managers"][0]["email"], [("manager console", "/manager/"),
                                                 ("manager dashboard", "/manager/dashboard")]),
        (demo["admin"]["email"], [("admin audit log", "/admin/audit")]),
    ]:
        assert auth.login(email, password).status_code == 302, email
        for name, path in pages:
            counts[name] = warm_count(path)
        auth.logout()
    return counts


@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_roles_main_pages_run_a_fixed_number_of_statements(app, client, auth, count_queries, size):
    app.config["RATELIMIT_ENABLED"] = False
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    data = build(SIZES[size])
    assert page_counts(app, client, auth, count_queries, data) == EXPECTED


def test_an_empty_queue_is_counted_and_not_read(app, client, auth, count_queries):
    app.config["RATELIMIT_ENABLED"] = False
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    demo = build(SIZES["small"], queues=False)["demo"]
    assert auth.login(demo["exchange_managers"][0]["email"], demo["password"]).status_code == 302
    count_queries.page(client, "/manager/")
    assert count_queries.page(client, "/manager/") == CONSOLE_WITH_EMPTY_QUEUES
    page = client.get("/manager/").get_data(as_text=True)
    assert "No company is waiting." in page and "No opening is waiting for review." in page
    assert "No join requests." in page
    assert "Practice rules:" in page  # the request that starts in three days without insurance
