"""Labels and badges of the placement and application states, added to the shared `label`/`badge` filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.companies.labels import BADGES, LABELS
from marketplace.models import ApplicationStatus, PlacementStatus

PLACEMENT_LABELS = {
    PlacementStatus.PENDING: _l("Awaiting approval"),
    PlacementStatus.APPROVED: _l("Approved"),
    PlacementStatus.RETURNED: _l("Returned"),
    PlacementStatus.ACTIVE: _l("Active"),
    PlacementStatus.COMPLETED: _l("Completed"),
    PlacementStatus.CANCELLED: _l("Cancelled"),
}
PLACEMENT_BADGES = {
    PlacementStatus.PENDING: "text-bg-warning",
    PlacementStatus.APPROVED: "text-bg-success",
    PlacementStatus.RETURNED: "text-bg-danger",
    PlacementStatus.ACTIVE: "text-bg-primary",
    PlacementStatus.COMPLETED: "text-bg-secondary",
    PlacementStatus.CANCELLED: "text-bg-dark",
}
APPLICATION_LABELS = {
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.SHORTLISTED: _l("Shortlisted"),
    ApplicationStatus.OFFERED: _l("Offered"),
    ApplicationStatus.ACCEPTED: _l("Accepted"),
    ApplicationStatus.DECLINED: _l("Declined"),
    ApplicationStatus.REJECTED: _l("Not successful"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}

# setdefault: labels another module registered first win, so the pages agree.
for _key, _text in {**PLACEMENT_LABELS, **APPLICATION_LABELS}.items():
    LABELS.setdefault(_key, _text)
for _key, _badge in PLACEMENT_BADGES.items():
    BADGES.setdefault(_key, _badge)
