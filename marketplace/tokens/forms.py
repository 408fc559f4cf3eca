"""Form of the token page: a name and the scopes the account's role may hold."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField

from marketplace.forms import StringCheckboxField, max_length
from marketplace.i18n import lazy_gettext as _l


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), validators=[max_length(100)],
                       description=_l("What will use it, e.g. “SNU student information system”."))
    scopes = StringCheckboxField(_l("Scopes"))
