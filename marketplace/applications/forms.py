"""Forms of the applications blueprint: applying to an opening."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField

from marketplace.forms import max_length, required
from marketplace.i18n import lazy_gettext as _l
from marketplace.services.applications import MAX_STATEMENT


class ApplyForm(FlaskForm):
    statement = TextAreaField(_l("Your statement"), validators=[required(), max_length(MAX_STATEMENT)],
                              render_kw={"rows": 6},
                              description=_l("Why this opening, and what you bring (at most 3,000 characters)."))
    consent = BooleanField(_l("I agree to share my profile and CV with this company"))
