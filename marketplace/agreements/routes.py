"""Routes of the agreements blueprint: the practice agreement of a placement (page, PDF, acknowledgement,
insurance, signed scans), clinical-data readiness of an opening, and the programme's standard clauses."""
from __future__ import annotations

import io

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_login import current_user

from marketplace import web
from marketplace.agreements.forms import AcknowledgeForm, ClauseForm, ClinicalForm, InsuranceForm, ScanForm
from marketplace.extensions import db, login_manager
from marketplace.clock import today_in_seoul
from marketplace.i18n import gettext as _
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import AgreementClause, AgreementParty, InsuranceKind
from marketplace.ownership import agreement_party, can_record_insurance
from marketplace.permissions import Permission, permission_required
from marketplace.services import agreement_pdf, agreements, clinical, documents

bp = Blueprint("agreements", __name__)
clauses_bp = Blueprint("clauses", __name__)

KINDS = {"industrial-accident": InsuranceKind.INDUSTRIAL_ACCIDENT,
         "university-accident": InsuranceKind.UNIVERSITY_ACCIDENT}
SLUGS = {kind: slug for slug, kind in KINDS.items()}
PARTY_NAMES = {AgreementParty.STUDENT: _l("Student"), AgreementParty.COMPANY: _l("Host company"),
               AgreementParty.UNIVERSITY: _l("University")}


@bp.before_request
def require_sign_in():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _kind(slug: str) -> InsuranceKind:
    if slug not in KINDS:
        abort(404)
    return KINDS[slug]


def _read(upload, limit: int) -> bytes:
    return upload.read(limit + 1) if upload else b""


# -- the agreement page ------------------------------------------------------------------------------------------


def _insurance_form(kind: InsuranceKind, record=None, formdata=None) -> InsuranceForm:
    data = {}
    if record is not None:
        data = dict(insurer=record.insurer, policy_number=record.policy_number, starts_on=record.starts_on,
                    ends_on=record.ends_on)
    if formdata is None:
        return InsuranceForm(prefix=SLUGS[kind], formdata=None, data=data)
    return InsuranceForm(prefix=SLUGS[kind])


def _render(placement_id: int, status: int = 200, ack_form=None, scan_form=None, insurance_forms=None):
    actor = web.actor()
    placement = agreements.get_placement_for_party(actor, placement_id)
    state = agreements.agreement_state(placement)
    forms = {kind: _insurance_form(kind, state.insurance.get(kind)) for kind in agreements.INSURANCE_KINDS}
    forms.update(insurance_forms or {})
    ack_form = ack_form or AcknowledgeForm(formdata=None)
    ack_form.document_hash.data = state.hash
    return render_template(
        "agreements/agreement.html", placement=placement, state=state, party=agreement_party(actor, placement),
        ack_form=ack_form, scan_form=scan_form or ScanForm(formdata=None), insurance_forms=forms,
        may_record={kind: can_record_insurance(actor, placement, kind) for kind in agreements.INSURANCE_KINDS},
        open_for_changes=placement.status in agreements.ACKNOWLEDGEABLE, slugs=SLUGS, today=today_in_seoul(),
        term_labels=agreements.TERM_LABELS, describe=agreements.describe, parties=agreements.PARTIES,
        kinds=agreements.INSURANCE_KINDS, party_names=PARTY_NAMES,
    ), status


@bp.route("/placements/<int:placement_id>/agreement")
def agreement(placement_id: int):
    return _render(placement_id)


@bp.route("/placements/<int:placement_id>/agreement.pdf")
def agreement_pdf_file(placement_id: int):
    placement = agreements.get_placement_for_party(web.actor(), placement_id)
    lang = request.args.get("lang") or str(get_locale() or "ko")
    lang = lang if lang in agreement_pdf.LANGUAGES else "ko"
    data = agreement_pdf.render(agreements.agreement_state(placement, with_scans=False), lang)
    return web.no_store(send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                                  download_name=f"agreement-{placement.id}-{lang}.pdf", max_age=0))


@bp.route("/placements/<int:placement_id>/agreement/acknowledge", methods=["POST"])
def acknowledge(placement_id: int):
    form = AcknowledgeForm()
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm you have read this version.")]
        elif web.run(agreements.acknowledge, web.actor(), placement_id, form.document_hash.data or "",
                     request.remote_addr or "", form=form,
                     success=_("Your acknowledgement was recorded.")):
            return redirect(url_for("agreements.agreement", placement_id=placement_id))
    return _render(placement_id, web.form_status(), ack_form=form)


@bp.route("/placements/<int:placement_id>/insurance/<kind>", methods=["POST"])
def record_insurance(placement_id: int, kind: str):
    insurance_kind = _kind(kind)
    form = _insurance_form(insurance_kind, formdata=True)
    if form.validate_on_submit():
        upload = form.document.data
        data = agreements.InsuranceData(
            insurer=form.insurer.data or "", policy_number=form.policy_number.data or "",
            starts_on=form.starts_on.data, ends_on=form.ends_on.data, filename=getattr(upload, "filename", None),
            document=_read(upload, documents.MAX_DOCUMENT_BYTES))
        if web.run(agreements.record_insurance, web.actor(), placement_id, insurance_kind, data, form=form,
                   success=_("The insurance was recorded."), committed=documents.FileChange.committed,
                   failed=documents.FileChange.failed):
            return redirect(url_for("agreements.agreement", placement_id=placement_id) + "#insurance")
    return _render(placement_id, web.form_status(), insurance_forms={insurance_kind: form})


@bp.route("/placements/<int:placement_id>/insurance/<kind>/document")
def insurance_document(placement_id: int, kind: str):
    data, name = agreements.insurance_file(web.actor(), placement_id, _kind(kind))
    return web.no_store(send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                                  mimetype="application/pdf", max_age=0))


@bp.route("/placements/<int:placement_id>/agreement/scans", methods=["POST"])
def upload_scan(placement_id: int):
    form = ScanForm()
    if form.validate_on_submit():
        upload = form.scan.data
        if web.run(agreements.upload_scan, web.actor(), placement_id, getattr(upload, "filename", None),
                   _read(upload, documents.MAX_DOCUMENT_BYTES), form=form,
                   success=_("The signed copy was uploaded."), committed=documents.FileChange.committed,
                   failed=documents.FileChange.failed):
            return redirect(url_for("agreements.agreement", placement_id=placement_id) + "#scans")
    return _render(placement_id, web.form_status(), scan_form=form)


@bp.route("/placements/<int:placement_id>/agreement/scans/<int:scan_id>")
def scan(placement_id: int, scan_id: int):
    data, name = agreements.scan_file(web.actor(), placement_id, scan_id)
    return web.no_store(send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                                  mimetype="application/pdf", max_age=0))


# -- clinical-data readiness of an opening -------------------------------------------------------------------------


def _clinical_form_data(record) -> dict:
    if record is None:
        return {}
    return dict(data_source=record.data_source.value,
                irb_status=record.irb_status.value if record.irb_status else "",
                irb_institution=record.irb_institution, irb_number=record.irb_number, irb_date=record.irb_date,
                dua_status=record.dua_status.value if record.dua_status else "", dua_reference=record.dua_reference,
                deidentification=record.deidentification.value if record.deidentification else "",
                access=record.access.value if record.access else "")


@bp.route("/company/openings/<int:opening_id>/clinical-data", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_COMPANY)
def clinical_data(opening_id: int):
    actor = web.actor()
    opening = clinical.get_opening_for_clinical_edit(actor, opening_id)
    record = clinical.get_clinical(opening)
    form = ClinicalForm() if request.method == "POST" else ClinicalForm(formdata=None, data=_clinical_form_data(record))
    if form.validate_on_submit():
        upload = form.irb_document.data
        data = clinical.ClinicalData(
            data_source=form.data_source.data or "", irb_status=form.irb_status.data or "",
            irb_institution=form.irb_institution.data or "", irb_number=form.irb_number.data or "",
            irb_date=form.irb_date.data, irb_filename=getattr(upload, "filename", None),
            irb_document=_read(upload, documents.MAX_DOCUMENT_BYTES), dua_status=form.dua_status.data or "",
            dua_reference=form.dua_reference.data or "", deidentification=form.deidentification.data or "",
            access=form.access.data or "")
        if web.run(clinical.save_clinical, actor, opening_id, data, form=form,
                   success=_("The clinical-data readiness was saved."), committed=documents.FileChange.committed,
                   failed=documents.FileChange.failed):
            return redirect(url_for("agreements.clinical_data", opening_id=opening_id))
        opening = clinical.get_opening_for_clinical_edit(actor, opening_id)
        record = clinical.get_clinical(opening)
    return render_template("agreements/clinical.html", opening=opening, record=record, form=form,
                           missing=clinical.missing_items(opening, record)), web.form_status()


@bp.route("/openings/<int:opening_id>/irb-document")
def irb_document(opening_id: int):
    data, name = clinical.irb_file(web.actor(), opening_id)
    return web.no_store(send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                                  mimetype="application/pdf", max_age=0))


# -- the programme's standard clauses (programme office) ---------------------------------------------------------------


@clauses_bp.before_request
@permission_required(Permission.ADMINISTER)
def require_admin():
    """Only the programme office edits the standard clauses."""


@clauses_bp.route("/")
def index():
    return render_template("agreements/clauses.html", clauses=agreements.clauses())


def _clause_form_page(clause: AgreementClause | None):
    form = ClauseForm() if request.method == "POST" else ClauseForm(
        formdata=None, data={} if clause is None else dict(title_ko=clause.title_ko, title_en=clause.title_en,
                                                           body_ko=clause.body_ko, body_en=clause.body_en))
    if form.validate_on_submit():
        data = agreements.ClauseData(title_ko=form.title_ko.data or "", title_en=form.title_en.data or "",
                                     body_ko=form.body_ko.data or "", body_en=form.body_en.data or "")
        if web.run(agreements.update_clause, web.actor(), clause.id if clause else None, data, form=form,
                   success=_("The clause was saved. Agreements show it from now on; acknowledgements of the old "
                             "text are void.")):
            return redirect(url_for("clauses.index"))
    return render_template("agreements/clause_form.html", form=form, clause=clause), web.form_status()


@clauses_bp.route("/new", methods=["GET", "POST"])
def new_clause():
    return _clause_form_page(None)


@clauses_bp.route("/<int:clause_id>", methods=["GET", "POST"])
def edit_clause(clause_id: int):
    clause = db.session.get(AgreementClause, clause_id)
    if clause is None:
        abort(404)
    return _clause_form_page(clause)
