"""Forms of the agreement pages: acknowledgement, insurance, signed scans, clinical-data readiness, clauses."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField

from marketplace.forms import max_length, optional
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import choices
from marketplace.models import DataAccess, DataSource, Deidentification, DuaStatus, IrbStatus


class AcknowledgeForm(FlaskForm):
    document_hash = HiddenField()
    confirm = BooleanField(_l("I have read this version of the agreement and acknowledge it."))


class InsuranceForm(FlaskForm):
    insurer = StringField(_l("Insurer"), validators=[optional(), max_length(200)])
    policy_number = StringField(_l("Policy number"), validators=[optional(), max_length(100)])
    starts_on = DateField(_l("Cover starts"), validators=[optional()])
    ends_on = DateField(_l("Cover ends"), validators=[optional()])
    document = FileField(_l("Policy document (PDF, at most 10 MB)"),
                         description=_l("Needed the first time; leave empty to keep the document on file."))


class ScanForm(FlaskForm):
    scan = FileField(_l("Signed copy (PDF, at most 10 MB)"))


def _with_blank(enum_cls) -> list[tuple[str, str]]:
    return [("", _l("— not declared —"))] + choices(enum_cls)


class ClinicalForm(FlaskForm):
    data_source = SelectField(_l("Data source"), validators=[optional()])
    irb_status = SelectField(_l("IRB approval"), validators=[optional()])
    irb_institution = StringField(_l("IRB of (institution)"), validators=[optional(), max_length(200)])
    irb_number = StringField(_l("IRB approval number"), validators=[optional(), max_length(100)])
    irb_date = DateField(_l("IRB approval date"), validators=[optional()])
    irb_document = FileField(_l("IRB approval document (PDF, at most 10 MB)"),
                             description=_l("Leave empty to keep the document on file."))
    dua_status = SelectField(_l("Data-use agreement"), validators=[optional()])
    dua_reference = StringField(_l("Data-use agreement reference"), validators=[optional(), max_length(200)],
                                description=_l("e.g. the agreement's number, or the public data set's licence."))
    deidentification = SelectField(_l("De-identification"), validators=[optional()])
    access = SelectField(_l("Where the student accesses the data"), validators=[optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_source.choices = [("", _l("— choose —"))] + choices(DataSource)
        self.irb_status.choices = _with_blank(IrbStatus)
        self.dua_status.choices = _with_blank(DuaStatus)
        self.deidentification.choices = _with_blank(Deidentification)
        self.access.choices = _with_blank(DataAccess)


class ClauseForm(FlaskForm):
    title_ko = StringField(_l("Title (Korean)"), validators=[optional(), max_length(200)])
    title_en = StringField(_l("Title (English)"), validators=[optional(), max_length(200)])
    body_ko = TextAreaField(_l("Text (Korean)"), validators=[optional(), max_length(5000)], render_kw={"rows": 5})
    body_en = TextAreaField(_l("Text (English)"), validators=[optional(), max_length(5000)], render_kw={"rows": 5})
