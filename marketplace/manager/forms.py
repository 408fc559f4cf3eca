"""Forms of the manager blueprint."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from marketplace.forms import max_length, optional


class DecisionForm(FlaskForm):
    """The note goes to the company: required when rejecting, suspending or returning."""

    note = TextAreaField(_l("Note to the company"), validators=[optional(), max_length(2000)],
                         description=_l("Required when you reject, suspend or return; the company manager reads it."))
