"""Forms of the students blueprint: profile with skill rows and CV upload."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, FieldList, Form, FormField, IntegerField, SelectField, StringField, SubmitField, TextAreaField

from marketplace.forms import VersionField, int_or_none, max_length, number_range, optional, required
from marketplace.i18n import lazy_gettext as _l
from marketplace.services.students import MAX_BIO, MAX_SKILLS


class SkillRowForm(Form):
    """One skill of the profile; a row with no name is ignored."""

    name = StringField(_l("Skill"), validators=[optional(), max_length(100)])
    level = SelectField(_l("Level"), validate_choice=False, default="3")


class ProfileForm(FlaskForm):
    group_id = SelectField(_l("Project group"), coerce=int_or_none, validate_choice=False,
                           description=_l("Changing your project group or degree level needs an exchange "
                                          "manager to verify you again before you can apply."))
    major = StringField(_l("Major"), validators=[required(), max_length(200)],
                        description=_l("For example: Medicine, Nursing, Biomedical Engineering."))
    degree_level = SelectField(_l("Degree level"), validators=[required()], validate_choice=False)
    year = IntegerField(_l("Year of study"), validators=[optional(), number_range(1, 10)])
    track_id = SelectField(_l("Track"), validate_choice=False, coerce=int_or_none)
    bio = TextAreaField(_l("About you"), validators=[optional(), max_length(MAX_BIO)], render_kw={"rows": 4},
                        description=_l("A few sentences companies read first: interests, projects, goals."))
    hours_per_week = IntegerField(_l("Available hours per week"), validators=[optional(), number_range(1, 40)])
    available_from = DateField(_l("Available from"), validators=[optional()])
    # More rows than allowed are kept (up to a hard cap) so the user sees the message and loses nothing.
    skills = FieldList(FormField(SkillRowForm), min_entries=3, max_entries=MAX_SKILLS * 5)
    add_skill = SubmitField(_l("Add a skill row"))
    version = VersionField()


class CvForm(FlaskForm):
    cv = FileField(_l("CV (PDF, at most 5 MB)"))
