"""Forms of the contest pages: the contest, problems, teams, invitations, submissions, rubric, judges, scores."""
from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField

from marketplace.clock import SEOUL
from marketplace.forms import int_or_none, max_length, optional
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import choices
from marketplace.models import DataAccess, DataSource, Deidentification, DuaStatus, IrbStatus

SEOUL_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def seoul_to_utc(value: datetime | None) -> datetime | None:
    """A datetime-local value typed in Korea as an aware instant."""
    return value.replace(tzinfo=SEOUL) if value is not None else None


def for_input(value: datetime | None) -> datetime | None:
    return value.astimezone(SEOUL).replace(tzinfo=None) if value is not None else None


def _moment(label):
    return DateTimeLocalField(label, format=SEOUL_FORMAT, validators=[optional()],
                              description=_l("Korean time (KST)."))


class ContestForm(FlaskForm):
    title = StringField(_l("Title"), validators=[optional(), max_length(200)])
    theme = TextAreaField(_l("Theme"), validators=[optional(), max_length(20000)])
    tracks = TextAreaField(_l("Tracks"), validators=[optional(), max_length(5000)],
                           description=_l("One track per line."))
    group_ids = SelectMultipleField(_l("Project groups"), coerce=int, validate_choice=False)
    allow_cross_group = BooleanField(_l("Teams may mix students of different project groups"))
    registration_opens_at = _moment(_l("Registration opens"))
    registration_closes_at = _moment(_l("Registration closes"))
    submission_deadline = _moment(_l("Submission deadline"))
    judging_ends_at = _moment(_l("Judging ends"))
    results_at = _moment(_l("Results announced"))
    rules = TextAreaField(_l("Rules"), validators=[optional(), max_length(20000)])
    prizes = TextAreaField(_l("Prizes"), validators=[optional(), max_length(20000)])
    awards = TextAreaField(_l("Awards by rank"), validators=[optional(), max_length(5000)],
                           description=_l("One award per line: the first line is the first place's award."))


def _with_blank(enum_cls) -> list[tuple[str, str]]:
    return [("", _l("— not declared —"))] + choices(enum_cls)


class ProblemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[optional(), max_length(200)])
    statement = TextAreaField(_l("Problem statement"), validators=[optional(), max_length(20000)])
    data_description = TextAreaField(_l("Data description"), validators=[optional(), max_length(20000)])
    data_source = SelectField(_l("Data source"), validators=[optional()], validate_choice=False)
    irb_status = SelectField(_l("IRB approval"), validators=[optional()], validate_choice=False)
    irb_institution = StringField(_l("IRB of (institution)"), validators=[optional(), max_length(200)])
    irb_number = StringField(_l("IRB approval number"), validators=[optional(), max_length(100)])
    irb_date = DateField(_l("IRB approval date"), validators=[optional()])
    dua_status = SelectField(_l("Data-use agreement"), validators=[optional()], validate_choice=False)
    dua_reference = StringField(_l("Agreement reference or data licence"), validators=[optional(), max_length(200)])
    deidentification = SelectField(_l("De-identification"), validators=[optional()], validate_choice=False)
    access = SelectField(_l("Where teams access the data"), validators=[optional()], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_source.choices = [("", _l("— choose —"))] + choices(DataSource)
        self.irb_status.choices = _with_blank(IrbStatus)
        self.dua_status.choices = _with_blank(DuaStatus)
        self.deidentification.choices = _with_blank(Deidentification)
        self.access.choices = _with_blank(DataAccess)


class DecisionForm(FlaskForm):
    note = TextAreaField(_l("Note to the company"), validators=[optional(), max_length(2000)])


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[optional(), max_length(100)])
    track_id = SelectField(_l("Track"), coerce=int_or_none, validate_choice=False)
    problem_id = SelectField(_l("Problem"), coerce=int_or_none, validate_choice=False)


class ChoiceForm(FlaskForm):
    track_id = SelectField(_l("Track"), coerce=int_or_none, validate_choice=False)
    problem_id = SelectField(_l("Problem"), coerce=int_or_none, validate_choice=False)


class InviteForm(FlaskForm):
    email = StringField(_l("Student's e-mail address"), validators=[optional(), max_length(254)])


class SubmissionForm(FlaskForm):
    report = FileField(_l("Report (PDF, at most 10 MB)"))
    archive = FileField(_l("Code and results (ZIP, optional, at most 20 MB)"),
                        description=_l("Checked by content and never run: no programs, no paths outside the archive."))
    note = TextAreaField(_l("Note to the judges"), validators=[optional(), max_length(2000)])


class CriterionForm(FlaskForm):
    name = StringField(_l("Criterion"), validators=[optional(), max_length(200)])
    description = TextAreaField(_l("What the judges look for"), validators=[optional(), max_length(2000)])
    weight = IntegerField(_l("Weight"), validators=[optional()], default=1)
    min_score = IntegerField(_l("Lowest score"), validators=[optional()], default=0)
    max_score = IntegerField(_l("Highest score"), validators=[optional()], default=10)


class JudgeForm(FlaskForm):
    email = StringField(_l("Judge's e-mail address"), validators=[optional(), max_length(254)])
    display_name = StringField(_l("Name (for a new account)"), validators=[optional(), max_length(100)])


class ConflictForm(FlaskForm):
    team_id = SelectField(_l("Team"), coerce=int_or_none, validate_choice=False)
    reason = TextAreaField(_l("Why you cannot judge this team fairly"), validators=[optional(), max_length(1000)])


class AssignForm(FlaskForm):
    per_team = IntegerField(_l("Judges per team"), validators=[optional()], default=2)


class OpeningInviteForm(FlaskForm):
    opening_id = SelectField(_l("Opening"), coerce=int_or_none, validate_choice=False)
