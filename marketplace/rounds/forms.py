"""Forms of the rounds blueprint: a new round and excluding a pair (buttons use marketplace.forms.ActionForm)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField

from marketplace.forms import MultiCheckboxField, int_or_none, max_length, optional, required
from marketplace.i18n import lazy_gettext as _l


class RoundForm(FlaskForm):
    name = StringField(_l("Name of the round"), validators=[required(), max_length(200)],
                       description=_l("e.g. “Summer practice course 2026”"))
    group_id = SelectField(_l("Project group"), coerce=int_or_none, validate_choice=False,
                           description=_l("Only students of this group take part; every opening must be open to it."))
    opening_ids = MultiCheckboxField(_l("Openings in the round"))
    application_deadline = DateField(
        _l("Application deadline"), validators=[optional()],
        description=_l("Applications made through this day (Korea time) take part."))
    ranking_deadline = DateField(
        _l("Ranking deadline"), validators=[optional()],
        description=_l("Students and companies can change their order through this day; you can run the round "
                       "the day after."))


class ExcludeForm(FlaskForm):
    application_id = HiddenField()
    reason = TextAreaField(_l("Reason for excluding this pair"), validators=[optional(), max_length(2000)],
                           render_kw={"rows": 2})
