"""Forms of the manager blueprint."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, TextAreaField

from marketplace.forms import VersionField, int_or_none, max_length, optional
from marketplace.i18n import lazy_gettext as _l


class DecisionForm(FlaskForm):
    """The note goes to the company: required when rejecting, suspending or returning."""

    note = TextAreaField(_l("Note to the company"), validators=[optional(), max_length(2000)],
                         description=_l("Required when you reject, suspend or return; the company manager reads it."))


class PlacementDecisionForm(FlaskForm):
    """One note for every placement decision: required when returning or cancelling."""

    note = TextAreaField(_l("Note to the student and the company"), validators=[optional(), max_length(2000)],
                         description=_l("Required when you return or cancel; the student and the company "
                                        "manager read it."))


class ExportForm(FlaskForm):
    """The export's filters, sent with GET (a download changes nothing, so no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("What to export"), choices=[("placements", _l("Placements")),
                                                      ("applications", _l("Applications"))])
    fmt = SelectField(_l("File format"), choices=[("xlsx", _l("Excel (XLSX)")), ("csv", _l("CSV (UTF-8)"))])
    lang = SelectField(_l("Column headers"), choices=[("ko", _l("Korean")), ("en", _l("English"))])
    group_id = SelectField(_l("Project group"), coerce=int_or_none, validate_choice=False)
    company_id = SelectField(_l("Company"), coerce=int_or_none, validate_choice=False)
    date_from = DateField(_l("Period from"), validators=[optional()],
                          description=_l("Leave both dates empty to export all time."))
    date_to = DateField(_l("Period to"), validators=[optional()],
                        description=_l("Placements overlapping the period; applications submitted in it."))


class OverrideForm(FlaskForm):
    """An exchange manager lets the failing practice rules pass for these terms, saying why."""

    reason = TextAreaField(_l("Reason for the override"), validators=[optional(), max_length(2000)],
                           description=_l("Kept with the override and shown on the page and in the history."),
                           render_kw={"rows": 3})


class VerificationForm(FlaskForm):
    """One student's row of the verification queue (prefixed by the profile id, so every row is its own form).
    `version` is the profile as the manager saw it: a decision on a profile changed since is refused (409)."""

    version = VersionField()
    reason = TextAreaField(_l("Reason (when you decline)"), validators=[optional(), max_length(1000)],
                           render_kw={"rows": 2},
                           description=_l("The student reads it, e.g. “Not on our roster: send your student ID "
                                          "to the exchange office.”"))


class RosterForm(FlaskForm):
    roster = FileField(_l("Roster file (CSV or XLSX)"))
