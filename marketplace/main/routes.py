"""Routes of the main blueprint."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from marketplace import readiness, web
from marketplace.extensions import csrf, db
from marketplace.security import safe_next_url
from marketplace.services import accounts, groups

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html", groups=groups.list_groups())


@bp.route("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to answer means unhealthy
        db.session.rollback()
        current_app.logger.warning("health check: database unreachable")
        response = jsonify({"status": "unavailable", "database": "unreachable"})
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        return response
    return jsonify({"status": "ok"})


@bp.route("/readyz")
@csrf.exempt
def readyz():
    """Ready for traffic: the database, Redis (when configured) and the file storage all answer. A proxy or load
    balancer takes a server that answers 503 here out of rotation; /healthz (alive) stays for process monitors."""
    checks = readiness.check_all()
    failed = sorted(name for name, state in checks.items() if state not in {"ok", "not configured"})
    if failed:
        current_app.logger.warning("readiness: %s failing", ", ".join(failed))
        response = jsonify({"status": "unavailable", "failed": failed, "checks": checks})
        response.status_code = 503
        response.headers["Retry-After"] = "10"
    else:
        response = jsonify({"status": "ok", "checks": checks})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/language", methods=["POST"])
def set_language():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            web.run(accounts.set_locale, web.actor(), locale)
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))
