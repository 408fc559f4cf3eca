"""Forms of the notifications blueprint."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from marketplace.services import email_preferences


def preferences_form(kinds: list[str], current: dict[str, str], formdata=None) -> FlaskForm:
    """One select per notification kind the user can choose (immediately / daily digest / not by e-mail).
    An unknown value is refused beside its field by the select itself, and the page keeps the other choices."""

    class EmailPreferencesForm(FlaskForm):
        pass

    choices = [(mode, email_preferences.MODE_LABELS[mode]) for mode in email_preferences.MODES]
    for kind in kinds:
        label = email_preferences.CHOOSABLE_KINDS[kind][0]
        setattr(EmailPreferencesForm, f"mode_{kind}",
                SelectField(label, choices=choices, default=current.get(kind, email_preferences.IMMEDIATE)))
    form = EmailPreferencesForm() if formdata is None else EmailPreferencesForm(formdata=formdata)
    form.kinds = kinds
    return form


def chosen_modes(form: FlaskForm) -> dict[str, str]:
    return {kind: getattr(form, f"mode_{kind}").data for kind in form.kinds}
