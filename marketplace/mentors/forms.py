"""Forms of the mentors blueprint (the managers' side)."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TextAreaField

from marketplace.forms import LenientIntegerField, VersionField, int_or_none, max_length, optional, required
from marketplace.i18n import lazy_gettext as _l

LOAD_HELP = _l("Leave empty to follow the course plan (1–3 students by default).")


class MentorProfileForm(FlaskForm):
    group_id = SelectField(_l("Project group"), coerce=int_or_none, validate_choice=False)
    department = StringField(_l("Department"), validators=[optional(), max_length(200)])
    majors = TextAreaField(_l("Majors they supervise"), validators=[optional(), max_length(3000)],
                           description=_l("Comma-separated, e.g. Computer Science, 의공학"), render_kw={"rows": 2})
    fields = TextAreaField(_l("Fields and skills they supervise"), validators=[optional(), max_length(3000)],
                           description=_l("Comma-separated, e.g. deep learning, medical imaging, 자연어처리"),
                           render_kw={"rows": 2})
    min_load = LenientIntegerField(_l("Minimum students"), description=LOAD_HELP)
    max_load = LenientIntegerField(_l("Maximum students"), description=LOAD_HELP)
    active = BooleanField(_l("Takes new students"), default=True)
    version = VersionField()


class InviteMentorForm(MentorProfileForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    display_name = StringField(_l("Full name"), validators=[required(), max_length(100)])


class TermForm(FlaskForm):
    """The term of the allocation: placements starting within these dates (read from the query string)."""

    class Meta:
        csrf = False

    start_from = DateField(_l("Placements starting from"), validators=[optional()])
    start_to = DateField(_l("until"), validators=[optional()])
