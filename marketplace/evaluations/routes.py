"""Routes of the evaluations blueprint: a practice's evaluations page (every party with a part in it), the two
evaluation forms, the certificate PDF and its revocation, the company's feedback from students, the public
certificate check, and the rubric the programme office edits."""
from __future__ import annotations

import io

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user

from marketplace import web
from marketplace.clock import today_in_seoul
from marketplace.evaluations.forms import CodeForm, HostEvaluationForm, RevokeForm, RubricItemForm, item_name, \
    supervisor_form
from marketplace.extensions import db, login_manager
from marketplace.i18n import gettext as _
from marketplace.models import EvaluationKind, RubricItem
from marketplace.permissions import Permission, permission_required
from marketplace.services import certificate_pdf, certificates, completion, evaluations
from marketplace.services.companies import company_of
from marketplace.services.errors import DomainError
from marketplace.services.notifications import public_url

bp = Blueprint("evaluations", __name__)
public_bp = Blueprint("certificates", __name__)
rubric_bp = Blueprint("rubric", __name__)

SLUGS = {"midterm": EvaluationKind.SUPERVISOR_MIDTERM, "final": EvaluationKind.SUPERVISOR_FINAL,
         "host": EvaluationKind.STUDENT_HOST}
SLUG_OF = {kind: slug for slug, kind in SLUGS.items()}


@bp.before_request
def require_sign_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _kind(slug: str) -> EvaluationKind:
    if slug not in SLUGS:
        abort(404)
    return SLUGS[slug]


# -- a practice's evaluations, completion and certificate ------------------------------------------------------------


def _page(placement_id: int, status: int = 200, revoke_form: RevokeForm | None = None):
    view = evaluations.view_for(web.actor(), placement_id)
    placement, role = view.placement, view.role
    certificate = certificates.certificate_for(placement.id)
    reviewer = role in ("manager", "admin")
    return render_template(
        "evaluations/placement.html", placement=placement, role=role, today=view.today, windows=view.windows,
        given=view.given, visible=view.visible, shows_author=view.shows_author, kinds=list(EvaluationKind),
        slug_of=SLUG_OF,
        kind_names=evaluations.KIND_NAMES,
        missing=completion.missing_for(placement) if reviewer else None,
        certificate=certificate, code=certificates.display_code(certificate.code) if certificate else "",
        revoke_form=revoke_form or RevokeForm(formdata=None), may_download=role in ("student", "manager", "admin"),
        reviewer=reviewer, item_name=item_name,
    ), status


@bp.route("/placements/<int:placement_id>/evaluations")
def placement(placement_id: int):
    return _page(placement_id)


def _form_page(placement_id: int, kind: EvaluationKind, form, status: int = 200):
    actor = web.actor()
    placement, role = evaluations.get_placement(actor, placement_id)
    author = "student" if kind == EvaluationKind.STUDENT_HOST else "supervisor"
    if role != author:
        abort(403)
    today = today_in_seoul()
    window = evaluations.windows_for(placement, evaluations._plan_for(placement)).get(kind)
    given = evaluations.evaluations_for([placement.id])[placement.id].get(kind)
    return render_template(
        "evaluations/form.html", placement=placement, kind=kind, kind_name=evaluations.KIND_NAMES[kind], form=form,
        window=window, closed_message=evaluations.window_message(kind, window, today), given=given, today=today,
        slug=SLUG_OF[kind],
    ), status


def _score(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@bp.route("/placements/<int:placement_id>/evaluations/<slug>", methods=["GET", "POST"])
def evaluate(placement_id: int, slug: str):
    kind = _kind(slug)
    actor = web.actor()
    evaluations.get_placement(actor, placement_id)  # no part in it: 404 before anything else
    posted = request.method == "POST"
    if kind == EvaluationKind.STUDENT_HOST:
        form = HostEvaluationForm() if posted else HostEvaluationForm(formdata=None)
    else:
        form = supervisor_form(evaluations.active_items(), kind == EvaluationKind.SUPERVISOR_FINAL, formdata=posted)
    if posted and form.validate_on_submit():
        if kind == EvaluationKind.STUDENT_HOST:
            recommend = {"yes": True, "no": False}.get(form.would_recommend.data or "")
            data = evaluations.HostEvaluationData(
                learning=_score(form.learning.data), supervision=_score(form.supervision.data),
                environment=_score(form.environment.data), would_recommend=recommend, comment=form.comment.data or "")
            done = web.run(evaluations.submit_host_evaluation, actor, placement_id, data, form=form,
                           success=_("Thank you: your evaluation of the host was submitted."))
        else:
            data = evaluations.SupervisorEvaluationData(
                scores={int(f.name.split("_", 1)[1]): _score(f.data) for f in form.score_fields},
                strengths=form.strengths.data or "", improvements=form.improvements.data or "",
                recommended_grade=form.recommended_grade.data or None)
            done = web.run(evaluations.submit_supervisor_evaluation, actor, placement_id, kind, data, form=form,
                           success=_("Your evaluation of the student was submitted."))
        if done:
            return redirect(url_for("evaluations.placement", placement_id=placement_id))
    return _form_page(placement_id, kind, form, web.form_status())


@bp.route("/placements/<int:placement_id>/certificate.pdf")
def certificate_file(placement_id: int):
    placement, certificate = certificates.get_for_download(web.actor(), placement_id)
    lang = request.args.get("lang") or str(get_locale() or "ko")
    lang = lang if lang in certificate_pdf.LANGUAGES else "ko"
    verify_url = public_url(url_for("certificates.verify", code=certificates.display_code(certificate.code)))
    data = certificate_pdf.render(certificate, verify_url, lang)
    return web.no_store(send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                                  download_name=f"certificate-{placement.id}-{lang}.pdf", max_age=0))


@bp.route("/placements/<int:placement_id>/certificate/revoke", methods=["POST"])
def revoke_certificate(placement_id: int):
    form = RevokeForm()
    if form.validate_on_submit() and web.run(
            certificates.revoke, web.actor(), placement_id, form.reason.data or "", form=form,
            success=_("The certificate was revoked; its code now shows as revoked.")):
        return redirect(url_for("evaluations.placement", placement_id=placement_id))
    return _page(placement_id, web.form_status(), revoke_form=form)


@bp.route("/company/host-feedback")
@permission_required(Permission.MANAGE_COMPANY)
def company_feedback():
    actor = web.actor()
    company = company_of(actor)
    rows = [(company, evaluations.company_feedback(actor, company))] if company is not None else []
    return render_template("evaluations/company_feedback.html", rows=rows,
                           minimum=evaluations.MIN_ANSWERS_FOR_COMPANY)


# -- the public check of a certificate --------------------------------------------------------------------------------


@public_bp.route("/")
def check():
    form = CodeForm(request.args)
    if request.args.get("code") is not None:
        try:
            code = certificates.normalise(form.code.data)
        except DomainError as error:
            form.code.errors = [error.message]
            return render_template("evaluations/check.html", form=form, lookup=None), 400
        return redirect(url_for("certificates.verify", code=certificates.display_code(code)))
    return render_template("evaluations/check.html", form=form, lookup=None)


@public_bp.route("/<path:code>")
def verify(code: str):
    form = CodeForm(data={"code": code})
    try:
        found = certificates.lookup(code, request.remote_addr or "")
    except DomainError as error:
        form.code.errors = [error.message]
        return render_template("evaluations/check.html", form=form, lookup=None), 400
    form.code.data = certificates.display_code(found.code)
    status = 404 if found.state == "unknown" else 200
    return render_template("evaluations/check.html", form=form, lookup=found,
                           display=certificates.display_code(found.code)), status


# -- the rubric (programme office) -------------------------------------------------------------------------------


@rubric_bp.before_request
@permission_required(Permission.ADMINISTER)
def require_admin():
    """Only the programme office edits the evaluation rubric."""


def _item_data(form: RubricItemForm) -> evaluations.RubricItemData:
    return evaluations.RubricItemData(name_ko=form.name_ko.data or "", name_en=form.name_en.data or "",
                                      description=form.description.data or "", position=form.position.data,
                                      active=bool(form.active.data))


@rubric_bp.route("/", methods=["GET", "POST"])
def index():
    form = RubricItemForm() if request.method == "POST" else RubricItemForm(formdata=None)
    if request.method == "POST" and form.validate_on_submit():
        if web.run(evaluations.save_rubric_item, web.actor(), None, _item_data(form), form=form,
                   success=_("The competency was added; new evaluations ask it.")):
            return redirect(url_for("rubric.index"))
    return render_template("evaluations/rubric.html", rubric=evaluations.rubric(), form=form), web.form_status()


@rubric_bp.route("/<int:item_id>", methods=["GET", "POST"])
def edit_item(item_id: int):
    item = db.session.get(RubricItem, item_id)
    if item is None:
        abort(404)
    if request.method == "POST":
        form = RubricItemForm()
    else:
        form = RubricItemForm(formdata=None, data=dict(name_ko=item.name_ko, name_en=item.name_en,
                                                       description=item.description, position=item.position,
                                                       active=item.active))
    if request.method == "POST" and form.validate_on_submit():
        if web.run(evaluations.save_rubric_item, web.actor(), item_id, _item_data(form), form=form,
                   success=_("The competency was saved. Evaluations already given keep the names they were given "
                             "with.")):
            return redirect(url_for("rubric.index"))
    return render_template("evaluations/rubric_item.html", item=item, form=form), web.form_status()
