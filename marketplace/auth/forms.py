"""Forms of the auth blueprint."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo

from marketplace.forms import int_or_none, max_length, number_range, optional, required
from marketplace.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(256)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class _AccountFields(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[required(), max_length(100)])
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])
    password = PasswordField(_l("Password"), validators=[required(), max_length(256)],
                             description=_l("At least 8 characters; avoid common passwords."))
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[required(), EqualTo("password", message=_l("The two passwords do not match."))],
    )


class StudentRegistrationForm(_AccountFields):
    group_id = SelectField(_l("Project group"), coerce=int_or_none, validate_choice=False)
    major = StringField(_l("Major"), validators=[required(), max_length(200)])
    degree_level = SelectField(_l("Degree level"), validate_choice=False)
    year = IntegerField(_l("Year of study"), validators=[optional(), number_range(1, 10)])
    track_id = SelectField(_l("Track (if your group has tracks)"), coerce=int_or_none, validate_choice=False)


class CompanyManagerRegistrationForm(_AccountFields):
    pass


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[required(), max_length(256)])
    new_password = PasswordField(_l("New password"), validators=[required(), max_length(256)],
                                 description=_l("At least 8 characters; avoid common passwords."))
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[required(), EqualTo("new_password", message=_l("The two passwords do not match."))],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(254)])


class SetPasswordForm(FlaskForm):
    """Choosing a password through a link (reset, invitation): no current password to give."""

    new_password = PasswordField(_l("New password"), validators=[required(), max_length(256)],
                                 description=_l("At least 8 characters; avoid common passwords."))
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[required(), EqualTo("new_password", message=_l("The two passwords do not match."))],
    )
