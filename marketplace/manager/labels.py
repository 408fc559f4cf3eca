"""Labels and badges of the placement and application states, added to the shared `label`/`badge` filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.companies.labels import register
from marketplace.models import PlacementStatus
from marketplace.students.labels import APPLICATION_BADGES, APPLICATION_LABELS

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

register({**PLACEMENT_LABELS, **APPLICATION_LABELS}, {**PLACEMENT_BADGES, **APPLICATION_BADGES})
