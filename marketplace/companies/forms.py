"""Forms of the companies blueprint: company profile, join request, opening with its skill rows."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from marketplace.forms import (
    LenientIntegerField,
    MoneyField,
    schedule_field,
    MultiCheckboxField,
    VersionField,
    StringCheckboxField,
    input_required,
    max_length,
    number_range,
    optional,
    required,
)
from marketplace.i18n import lazy_gettext as _l
from marketplace.services.openings import MAX_SKILLS


class CompanyForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[required(), max_length(200)])
    business_number = StringField(
        _l("Business registration number"), validators=[required(), max_length(20)],
        description=_l("10 digits, with or without hyphens, e.g. 123-45-67891."),
    )
    sector = SelectField(_l("Sector"), validators=[required()], validate_choice=False)
    size = SelectField(_l("Size (employees)"), validators=[required()], validate_choice=False)
    description = TextAreaField(_l("About the company"), validators=[optional(), max_length(10000)],
                                description=_l("What the company does and what students would work on."),
                                render_kw={"rows": 6})
    website = StringField(_l("Website"), validators=[optional(), max_length(300)])
    address = StringField(_l("Address"), validators=[optional(), max_length(300)])
    group_ids = MultiCheckboxField(_l("Project groups you want to partner with"))
    version = VersionField()


class JoinCompanyForm(FlaskForm):
    business_number = StringField(
        _l("Business registration number of your company"), validators=[required(), max_length(20)],
        description=_l("A manager of the company or an exchange manager will accept your request."),
    )


class SkillRowForm(Form):
    """One requirement row; a row with no skill name is ignored."""

    name = StringField(_l("Skill"), validators=[optional(), max_length(100)])
    importance = SelectField(_l("Importance"), validate_choice=False, default="must")
    min_level = SelectField(_l("Minimum level"), validate_choice=False, default="3")


class OpeningForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[required()], validate_choice=False)
    title = StringField(_l("Title"), validators=[required(), max_length(200)])
    description = TextAreaField(_l("Description"), validators=[optional(), max_length(20000)],
                                description=_l("What the student will do, learn and deliver."),
                                render_kw={"rows": 8})
    skills = FieldList(FormField(SkillRowForm), min_entries=3, max_entries=MAX_SKILLS + 1)
    add_skill = SubmitField(_l("Add a skill row"))
    group_ids = MultiCheckboxField(_l("Project groups whose students may apply"))
    degree_levels = StringCheckboxField(_l("Degree levels (none checked = all)"))
    majors = TextAreaField(_l("Majors (one per line; empty = all)"), validators=[optional(), max_length(6000)],
                           render_kw={"rows": 3})
    seats = IntegerField(_l("Seats"), validators=[input_required(), number_range(1, 1000)])
    work_mode = SelectField(_l("Work mode"), validators=[required()], validate_choice=False)
    location = StringField(_l("Location"), validators=[optional(), max_length(200)],
                           description=_l("City and site, e.g. Busan, Centum Science Park. Optional if remote."))
    start_date = DateField(_l("Start date"), validators=[input_required()])
    end_date = DateField(_l("End date"), validators=[input_required()])
    deadline = DateField(_l("Application deadline"), validators=[input_required()],
                         description=_l("Applications are accepted through this day (Korea time)."))
    practice_type = SelectField(_l("Practice type"), validate_choice=False,
                                description=_l("표준 (standard) or 자율 (autonomous) field practice under the "
                                               "Ministry of Education's rules."))
    schedule = schedule_field()
    # Shorthand for clients posting no schedule rows (scripts, older pages): Mon–Fri from 09:00 (see
    # practice_terms.default_schedule). The page always posts the schedule, which then rules.
    hours_per_week = LenientIntegerField(_l("Hours per week"))
    education_share_pct = LenientIntegerField(_l("Education share of the time (%)"), default=0,
                                              description=_l("Training, mentoring and study within the hours."))
    remote_share_pct = LenientIntegerField(_l("Remote share of the period (%)"),
                                           description=_l("The share of the practice period worked away from the host's site."))
    holiday_exception = BooleanField(_l("Work on Sundays or public holidays is an agreed exception"))
    supervisor_contact = StringField(_l("Supervisor's contact"), validators=[optional(), max_length(200)],
                                     description=_l("E-mail or phone, for the university and the agreement."))
    check_terms = SubmitField(_l("Check the terms"))
    stipend_krw = MoneyField(_l("Monthly stipend (KRW)"), validators=[input_required(), number_range(0, 100_000_000)],
                             description=_l("0 if unpaid."))
    supervisor_name = StringField(_l("Supervisor"), validators=[required(), max_length(100)],
                                  description=_l("The person who guides the student at the company."))
    version = VersionField()


class InviteColleagueForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    display_name = StringField(_l("Full name"), validators=[required(), max_length(100)])
