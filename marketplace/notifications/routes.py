"""Routes of the notifications blueprint."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from marketplace import web
from marketplace.extensions import db
from marketplace.forms import page_number
from marketplace.security import safe_next_url
from marketplace.services import notifications

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
