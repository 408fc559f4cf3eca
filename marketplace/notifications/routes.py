"""Routes of the notifications blueprint."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace import web
from marketplace.extensions import db
from marketplace.forms import page_number
from marketplace.i18n import gettext as _
from marketplace.notifications.forms import chosen_modes, preferences_form
from marketplace.security import safe_next_url
from marketplace.services import email_preferences, notifications

bp = Blueprint("notifications", __name__)


@bp.route("/")
@login_required
def index():
    page = page_number(request.args)
    pagination = db.paginate(notifications.notifications_query(current_user), page=page, per_page=20, error_out=False)
    return render_template("notifications/list.html", pagination=pagination, render=notifications.render)


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    link = web.run(notifications.mark_read, web.actor(), notification_id).value.link
    return redirect(safe_next_url(link) or url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    web.run(notifications.mark_all_read, web.actor())
    return redirect(url_for("notifications.index"))


@bp.route("/email", methods=["GET", "POST"])
@login_required
def preferences():
    """Which notifications also come by e-mail, per kind; in-app notifications always stay."""
    user = web.actor()
    kinds = email_preferences.kinds_for(user)
    form = preferences_form(kinds, email_preferences.preferences(user))
    if form.validate_on_submit() and web.run(
        email_preferences.set_preferences, user, chosen_modes(form), form=form,
        success=_("Your e-mail choices are saved."),
    ):
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form,
                           digest_hour=current_app.config.get("DIGEST_HOUR", 8)), web.form_status()
