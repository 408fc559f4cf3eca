"""Forms of the practice pages: course plans, a week of the practice log, the supervisor's decision."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, TextAreaField

from marketplace.forms import LenientIntegerField, VersionField, int_or_none, max_length, optional
from marketplace.i18n import lazy_gettext as _l


class PlanForm(FlaskForm):
    version = VersionField()
    group_id = SelectField(_l("Project group"), coerce=int_or_none, validate_choice=False)
    name = StringField(_l("Name"), validators=[optional(), max_length(200)])
    weeks = LenientIntegerField(_l("Weeks"), validators=[optional()])
    required_hours = LenientIntegerField(_l("Required hours"), validators=[optional()],
                                         description=_l("For example 15 weeks × 8 hours = 120."))
    min_education_share = LenientIntegerField(_l("Required share of education time (percent)"), validators=[optional()])
    midterm_week = LenientIntegerField(_l("Mid-term evaluation in week"), validators=[optional()],
                                       description=_l("Leave empty for no mid-term evaluation."))
    final_week = LenientIntegerField(_l("Final evaluation in week"), validators=[optional()],
                                     description=_l("Leave empty for the last week."))
    evaluation_window_days = LenientIntegerField(_l("Evaluation window (days)"), validators=[optional()])
    mentor_min_load = LenientIntegerField(_l("Least students per mentor"), validators=[optional()])
    mentor_max_load = LenientIntegerField(_l("Most students per mentor"), validators=[optional()])
    is_default = BooleanField(_l("The group's default plan (placements follow it unless their manager chooses "
                                 "another)"))
    active = BooleanField(_l("In use"), default=True)


class DayForm(Form):
    day = StringField(_l("Date"))
    start = StringField(_l("Start"))
    end = StringField(_l("End"))
    break_minutes = StringField(_l("Break (min)"))
    education_minutes = StringField(_l("Education (min)"))
    did = TextAreaField(_l("What I did"))
    learned = TextAreaField(_l("What I learned"))


class WeekForm(FlaskForm):
    version = VersionField()
    days = FieldList(FormField(DayForm), min_entries=0, max_entries=7)


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment to the student"), validators=[optional(), max_length(4000)],
                            description=_l("Needed when you return the week: say what to fix."))


class ChoosePlanForm(FlaskForm):
    course_plan_id = SelectField(_l("Course plan"), coerce=int_or_none, validate_choice=False)
