"""Both sides see what became of an accepted offer wherever the application appears: the student's list and
page, the company's ranked applicants and applicant page. "Offer accepted" stops being the last word."""
from __future__ import annotations

from datetime import timedelta

import pytest

from marketplace.clock import today_in_seoul
from marketplace.models import PlacementStatus
from tests.factories_agreements import make_ready
from tests.factories_companies import make_opening, manager_of
from tests.factories_placements import make_placement

EN = {"Accept-Language": "en"}


def pages(placement) -> dict[str, list[str]]:
    application = placement.application
    return {
        placement.student.email: ["/student/applications", f"/student/applications/{application.id}"],
        manager_of(placement.opening.company).email: [f"/company/openings/{placement.opening_id}/applicants",
                                                      f"/company/applications/{application.id}"],
    }


@pytest.mark.parametrize("status, start_in_days, ready, shown", [
    (PlacementStatus.PENDING, 30, False, "Placement awaiting approval"),
    (PlacementStatus.APPROVED, 30, False, "Placement approved"),
    # started with its agreement acknowledged and insured: active before the nightly job records it
    (PlacementStatus.APPROVED, -1, True, "Placement active"),
    (PlacementStatus.APPROVED, -1, False, "Placement approved"),  # the agreement is missing: it cannot start
    (PlacementStatus.RETURNED, 30, False, "Placement returned"),
    (PlacementStatus.COMPLETED, -60, False, "Placement completed"),
])
def test_student_and_company_see_the_placement_status_of_an_application(client, auth, status, start_in_days, ready,
                                                                         shown):
    today = today_in_seoul()
    opening = make_opening()
    placement = make_placement(opening=opening, status=status, start=today + timedelta(days=start_in_days),
                               end=today + timedelta(days=start_in_days + 30))
    if ready:
        make_ready(placement)
    for email, paths in pages(placement).items():
        auth.login(email)
        for path in paths:
            html = client.get(path, headers=EN).get_data(as_text=True)
            assert shown in html, (email, path)
            if not path.endswith("/applicants"):  # the ranked list's legend counts applications by status
                assert 'badge-status text-bg-success">Offer accepted' not in html, (email, path)
        auth.logout()
