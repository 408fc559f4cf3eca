"""One label registry: every status the pages show has its own words, whichever blueprint renders it."""
from __future__ import annotations

import pytest

from marketplace import labels
from marketplace.models import (
    ApplicationStatus,
    CompanyStatus,
    MembershipStatus,
    OpeningStatus,
    PlacementStatus,
    ProposalStatus,
    RoundStatus,
)

STATUS_ENUMS = [ApplicationStatus, CompanyStatus, MembershipStatus, OpeningStatus, PlacementStatus, ProposalStatus,
                RoundStatus]


@pytest.mark.parametrize("enum_cls", STATUS_ENUMS, ids=lambda e: e.__name__)
def test_every_status_has_a_label_and_a_badge_of_its_own(app, enum_cls):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for member in enum_cls:
            assert (enum_cls, member.value) in labels.LABELS, member
            assert (enum_cls, member.value) in labels.BADGES, member


def test_equal_values_of_different_enums_keep_their_own_words(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert labels.label(ApplicationStatus.REJECTED) == "Not successful"
        assert labels.label(CompanyStatus.REJECTED) == "Rejected"
        assert labels.application_status("rejected") == "Not successful"  # as audit events store it
        assert labels.label(PlacementStatus.PENDING) == "Awaiting approval"
        assert labels.label(CompanyStatus.PENDING) == "Pending review"


def test_the_filters_are_registered_without_importing_any_blueprint(app):
    for name in ("label", "badge", "app_status", "app_badge", "round_outcome", "paragraphs"):
        assert name in app.jinja_env.filters
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        rendered = app.jinja_env.from_string("{{ status|label }}").render(status=PlacementStatus.PENDING)
        assert rendered and rendered != "pending"
