"""Forms of the admin blueprint."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, StringField, TextAreaField

from marketplace.forms import (
    LenientIntegerField,
    MoneyField,
    MultiCheckboxField,
    VersionField,
    input_required,
    max_length,
    number_range,
    optional,
    required,
)
from marketplace.i18n import lazy_gettext as _l


class GroupForm(FlaskForm):
    code = StringField(_l("Code"), validators=[required(), max_length(20)],
                       description=_l("Short code such as PNU or KHU."))
    name_en = StringField(_l("Name in English"), validators=[required(), max_length(200)])
    name_ko = StringField(_l("Name in Korean"), validators=[required(), max_length(200)])
    university_en = StringField(_l("University (English)"), validators=[optional(), max_length(200)])
    university_ko = StringField(_l("University (Korean)"), validators=[optional(), max_length(200)])
    email_domains = StringField(_l("E-mail domains"), validators=[optional(), max_length(500)],
                                description=_l("Comma-separated, e.g. pusan.ac.kr"))
    majors = TextAreaField(
        _l("Colleges and majors"), validators=[optional(), max_length(20000)],
        description=_l("One per line: college (English) | college (Korean) | major (English) | major (Korean)"),
    )
    tracks = TextAreaField(_l("Tracks"), validators=[optional(), max_length(5000)],
                           description=_l("One per line: track (English) | track (Korean)"))
    active = BooleanField(_l("Active (students can choose it)"), default=True)


class DesignationForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    display_name = StringField(_l("Full name (for a new account)"), validators=[optional(), max_length(100)])
    initial_password = PasswordField(
        _l("Temporary password (optional, for a new account)"), validators=[optional(), max_length(256)],
        description=_l("Leave it empty to send an invitation: the new manager chooses their own password through a "
                       "link mailed to them. A temporary password must be changed at first sign-in."))
    tenure_years = IntegerField(_l("Tenure in years"), validators=[input_required(), number_range(0, 60)])
    group_ids = MultiCheckboxField(_l("Project groups served"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[optional(), max_length(1000)])


class DesignationGroupsForm(FlaskForm):
    group_ids = MultiCheckboxField(_l("Project groups served"))


class RuleSetForm(FlaskForm):
    """One year's practice rules (figures an admin updates each year)."""

    year = LenientIntegerField(_l("Year"))
    min_hourly_wage_krw = MoneyField(_l("Hourly minimum wage (KRW)"), validators=[optional()],
                                     description=_l("The statutory hourly minimum wage of that year."))
    standard_share_pct = LenientIntegerField(_l("표준 practice: stipend per hour at least this share of it (%)"))
    autonomous_share_pct = LenientIntegerField(_l("자율 practice: stipend per hour at least this share of it (%)"))
    allow_unpaid_autonomous = BooleanField(_l("An unpaid (₩0) 자율 practice is allowed"))
    max_hours_per_day = LenientIntegerField(_l("Hours per day at most"))
    max_hours_per_week = LenientIntegerField(_l("Hours per week at most"))
    night_start = StringField(_l("No practice from"), description=_l("HH:MM, e.g. 22:00"))
    night_end = StringField(_l("… until"), description=_l("HH:MM the next morning, e.g. 06:00"))
    max_remote_pct = LenientIntegerField(_l("Remote share at most (%)"))
    min_host_employees = LenientIntegerField(_l("Host company: employees at least"))
    warning_lead_days = LenientIntegerField(_l("Warnings start this many days before the start"))
    acknowledgement_grace_days = LenientIntegerField(
        _l("The agreement is acknowledged at the latest this many days after the start"))
    note = TextAreaField(_l("Note (source of the figures)"), validators=[optional(), max_length(2000)],
                         render_kw={"rows": 2})
    version = VersionField()


class HolidaysForm(FlaskForm):
    holidays = TextAreaField(_l("Public holidays"), validators=[optional(), max_length(20000)],
                             description=_l("One per line: YYYY-MM-DD name, e.g. 2027-02-08 설날"),
                             render_kw={"rows": 14})
