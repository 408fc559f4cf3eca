"""Translated labels and badges of application statuses, for the `app_status` and `app_badge` filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.models import ApplicationStatus

APPLICATION_LABELS = {
    ApplicationStatus.SUBMITTED: _l("Submitted"),
    ApplicationStatus.SHORTLISTED: _l("Shortlisted"),
    ApplicationStatus.OFFERED: _l("Offer made"),
    ApplicationStatus.ACCEPTED: _l("Offer accepted"),
    ApplicationStatus.DECLINED: _l("Offer declined"),
    ApplicationStatus.REJECTED: _l("Not successful"),
    ApplicationStatus.WITHDRAWN: _l("Withdrawn"),
}

APPLICATION_BADGES = {
    ApplicationStatus.SUBMITTED: "text-bg-info",
    ApplicationStatus.SHORTLISTED: "text-bg-primary",
    ApplicationStatus.OFFERED: "text-bg-warning",
    ApplicationStatus.ACCEPTED: "text-bg-success",
    ApplicationStatus.DECLINED: "text-bg-secondary",
    ApplicationStatus.REJECTED: "text-bg-danger",
    ApplicationStatus.WITHDRAWN: "text-bg-light border",
}
