"""Routes of the openings blueprint: /openings, /openings/<id> and /api/skills."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from sqlalchemy.orm import defer

from marketplace import ownership, page_cache
from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.forms import NoteForm, page_number
from marketplace.labels import choices
from marketplace.models import Opening, OpeningKind, WorkMode
from marketplace.permissions import Permission, user_can
from marketplace.services import applications, compliance, groups, openings, seats, skills
from marketplace.services import clinical

bp = Blueprint("openings", __name__)


@bp.route("/openings")
def index():
    locale = str(get_locale())
    today = today_in_seoul()

    def render(**extra) -> str:
        filters = openings.parse_filters(request.args)
        query = openings.public_openings_query(filters)
        if not filters.highlights:
            query = query.options(defer(Opening.description))  # the cards show a snippet only for a search
        pagination = db.paginate(query, page=max(page_number(request.args), 1),
                                 per_page=current_app.config["PAGE_SIZE"], error_out=False, max_per_page=100)
        return render_template(
            "openings/index.html", pagination=pagination, filters=filters, groups=groups.filter_groups(),
            kinds=choices(OpeningKind), modes=choices(WorkMode), today=today,
            common_skills=skills.common_skill_names(locale), **extra,
        )

    # The deadline badges change with the day (Seoul), so the day is part of the key.
    return page_cache.cached_page("openings", locale, today.isoformat(), render)


@bp.route("/openings/<int:opening_id>")
def detail(opening_id: int):
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    opening = openings.get_visible_opening(viewer, opening_id)
    manages = viewer is not None and ownership.manages_company(viewer, opening.company)
    public = ownership.is_public_opening(opening)
    # Why this student may not apply (full, closed to their group, ...) is said before any Apply button.
    eligibility = applications.eligibility(viewer, opening) if public and user_can(viewer, Permission.APPLY) else None
    reviews = viewer is not None and ownership.can_review_opening(viewer, opening)
    return render_template(
        "openings/detail.html", opening=opening, manages=manages, eligibility=eligibility,
        # The practice-rules check, for the company drafting it and its reviewers (not the public).
        check=compliance.check(opening) if manages or reviews else None,
        seats_left=seats.seats_left(opening) if public else None,
        reviews=reviews,
        is_public=ownership.is_public_opening(opening), accepting=openings.accepts_applications(opening),
        today=today_in_seoul(), note_form=NoteForm() if manages else None, clinical=clinical.get_clinical(opening),
    )


@bp.route("/api/skills")
def skill_suggestions():
    q = request.args.get("q", "")
    return jsonify({"q": q[:skills.MAX_QUERY], "skills": skills.suggestions(q, str(get_locale()))})
