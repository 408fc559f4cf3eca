"""Forms of the mentor blueprint: consultation notes and the academic grade."""
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField

from marketplace.forms import VersionField, max_length, optional
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.models import GRADES, ConsultationMode


class NoteForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[optional()])
    mode = SelectField(_l("How"), validate_choice=False)
    summary = TextAreaField(_l("Summary"), validators=[optional(), max_length(5000)], render_kw={"rows": 4})
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = [("", _l("Choose…"))] + [(m.value, label(m)) for m in ConsultationMode]


class GradeForm(FlaskForm):
    grade = SelectField(_l("Grade"), validate_choice=False,
                        choices=[("", _l("Choose…"))] + [(g, g) for g in GRADES])
    grade_comment = TextAreaField(_l("Comment"), validators=[optional(), max_length(2000)], render_kw={"rows": 3})
    version = VersionField()
