"""Shared form pieces: safe coercion, translated validator messages, shared fields and forms, domain errors on fields."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import flash
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, Field, FieldList, Form, IntegerField, FormField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from marketplace.i18n import lazy_gettext as _l
from marketplace.routing import MAX_DATABASE_ID
from marketplace.services.applications import MAX_MESSAGE
from marketplace.services.errors import DomainError


def required():
    return DataRequired(message=_l("This field is required."))


def input_required():
    """Like required() but accepts 0 (for numbers)."""
    return InputRequired(message=_l("This field is required."))


def max_length(n: int):
    return Length(max=n, message=_l("Use at most %(max)d characters."))


def number_range(low: int, high: int):
    return NumberRange(min=low, max=high, message=_l("Enter a number from %(min)s to %(max)s."))


def optional():
    return Optional()


def int_or_none(value):
    """Coerce for select fields: a tampered value becomes None, which services refuse politely. So does a
    number no id column can hold (it would reach the database as an out-of-range error)."""
    if value in (None, "", "None"):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -MAX_DATABASE_ID <= number <= MAX_DATABASE_ID else None


# -- shared fields and forms ----------------------------------------------------------------------------------

# Thousands separators and currency marks a person may type in a won amount: "1,200,000", "₩1,200,000",
# "1 200 000원", full-width commas and narrow/no-break spaces.
_MONEY_NOISE = str.maketrans("", "", ",， \u202f\u00a0₩￦원")


class MoneyField(IntegerField):
    """Whole won, for every stipend input: a text box (a number box refuses "1,200,000" in the browser) with a
    numeric keyboard on phones; accepts thousands separators, ₩ and 원, and shows the amount grouped."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        render_kw = {"inputmode": "numeric", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(v).translate(_MONEY_NOISE).strip() for v in valuelist]
        super().process_formdata(valuelist)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:,}" if isinstance(self.data, int) else ""


class StringCheckboxField(SelectMultipleField):
    """Checkboxes whose values are strings (enum values); the service checks them, with a clear message."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass


class MultiCheckboxField(StringCheckboxField):
    """Checkboxes of record ids; a tampered value is dropped and the service refuses what is left politely."""

    def __init__(self, *args, coerce=int, **kwargs):
        # Ids are ints: saved values (data=...) are coerced like posted ones, so the saved boxes show ticked.
        super().__init__(*args, coerce=coerce, **kwargs)

    def process_formdata(self, valuelist):
        self.data = [v for v in (int_or_none(x) for x in valuelist) if v is not None]


class ActionForm(FlaskForm):
    """Buttons that only need the CSRF token."""


class ApplicationActionForm(FlaskForm):
    """Workflow buttons of an application: the CSRF token and, for a decline, a message to the student."""

    message = TextAreaField(_l("Message with the decline (optional)"),
                            validators=[optional(), max_length(MAX_MESSAGE)], render_kw={"rows": 3})
    # Only on the company's offer: every seat is already spoken for, and the company offers knowingly.
    confirm_over_seats = BooleanField(_l("Offer anyway: I know every seat is spoken for, and a request beyond the "
                                         "seats will be returned"))


class NoteForm(FlaskForm):
    """For actions that only need the CSRF token and an optional note."""

    note = TextAreaField(_l("Note"), validators=[optional(), max_length(2000)])


# -- domain errors beside their fields ------------------------------------------------------------------------


def _field_at(form, path: str):
    """The field a service names: 'title', or a row of a list such as 'skills-3-name'; None if there is none."""
    name, _sep, rest = path.partition("-")
    field = getattr(form, name, None)
    while rest and isinstance(field, FieldList):
        index, _sep, rest = rest.partition("-")
        if not index.isdigit() or int(index) >= len(field.entries):
            return None
        field = field.entries[int(index)]
        if rest:
            name, _sep, rest = rest.partition("-")
            field = getattr(getattr(field, "form", None), name, None)
    return None if rest else field


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Put every reason of a service's error beside the field it names (a row of a list too), or at the top."""
    for path, message in error.field_messages():
        field = _field_at(form, path) if path else None
        if isinstance(field, FieldList):
            # Messages about the list as a whole ("at most 30 skills") sit above its rows.
            setattr(form, f"{path}_errors", [*getattr(form, f"{path}_errors", []), message])
        elif field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            if message not in field.errors:
                field.errors.append(message)
        else:
            flash(message, "danger")


MAX_PAGE = 10_000


def page_number(args, name: str = "page") -> int:
    """The `page` (or `name`) query parameter as a page number in 1..MAX_PAGE, whatever was typed or forged."""
    try:
        page = int(args.get(name, 1))
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), MAX_PAGE)


# -- saving from a stale page --------------------------------------------------------------------------------


class VersionField(HiddenField):
    """The version of the record the form was opened on; services refuse a save from an older one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, filters=[lambda value: int_or_none(value)], **kwargs)


@dataclass(frozen=True)
class Change:
    label: str
    theirs: str
    saved: str


def _shown(field: Field) -> str:
    """A field's value as a person reads it: choice labels, dates in ISO form, rows joined, whitespace collapsed."""
    if isinstance(field, FieldList):
        rows = []
        for entry in field.entries:
            parts = [_shown(sub) for sub in (entry.form if isinstance(entry, FormField) else [entry])
                     if not isinstance(sub, (HiddenField, SubmitField))]
            if parts and parts[0]:  # a row without its first value (a skill name) is ignored on save
                rows.append(parts[0] + (f" ({', '.join(p for p in parts[1:] if p)})" if parts[1:] else ""))
        return "; ".join(rows)
    data = field.data
    choices = getattr(field, "choices", None)
    if choices and isinstance(field, SelectFieldBase):
        labels = {str(value): str(label) for value, label, *_ in (c if isinstance(c, (list, tuple)) else (c, c)
                                                                   for c in choices)}
        if isinstance(data, (list, tuple)):
            wanted = {str(v) for v in data}
            return ", ".join(label for value, label in labels.items() if value in wanted)
        return labels.get(str(data), "" if data in (None, "") else str(data))
    if data is None:
        return ""
    if isinstance(data, (date, datetime)):
        return data.isoformat()
    if isinstance(field, TextAreaField):
        return " / ".join(" ".join(line.split()) for line in str(data).splitlines() if line.strip())
    return " ".join(str(data).split())


def changes_against(posted: FlaskForm, saved: FlaskForm) -> list[Change]:
    """(label, what the user typed, what is saved now) for every field where the two differ."""
    out = []
    for field in posted:
        if isinstance(field, (HiddenField, SubmitField, CSRFTokenField)) or field.name not in saved:
            continue
        theirs, now = _shown(field), _shown(saved[field.name])
        if theirs != now:
            out.append(Change(str(field.label.text), theirs, now))
    return out


def show_stale_edit(posted: FlaskForm, saved: FlaskForm, version: int) -> list[Change]:
    """After a StaleEdit: keep what the user typed, move the form to the saved version (saving again now
    keeps theirs, knowingly) and list what differs from the saved values."""
    posted.version.data = version
    posted.version.raw_data = [str(version)]
    return changes_against(posted, saved)


# -- practice terms (openings and placements) ------------------------------------------------------------------

WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday"))


class LenientIntegerField(IntegerField):
    """A whole number; a bad entry stays in the box as typed and reaches the service as the text it is, which
    refuses it with its message beside the field (empty reads as None)."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and str(valuelist[0]).strip():
            text = str(valuelist[0]).strip()
            try:
                self.data = int(text)
            except ValueError:
                self.data = text[:20]

    def pre_validate(self, form):
        pass


class ScheduleDayForm(Form):
    """One weekday of the weekly schedule; both times empty = a day off."""

    start = StringField(_l("From"), render_kw={"placeholder": "09:00", "inputmode": "numeric", "size": 5})
    end = StringField(_l("To"), render_kw={"placeholder": "18:00", "inputmode": "numeric", "size": 5})
    break_minutes = LenientIntegerField(_l("Break (minutes)"), render_kw={"inputmode": "numeric", "size": 4})


def schedule_field():
    return FieldList(FormField(ScheduleDayForm), min_entries=7, max_entries=7)


def schedule_rows_of(form_list) -> list[dict]:
    """The schedule rows as the services take them (day = the row's index, 0 = Monday)."""
    return [{"day": index, "start": row.form.start.data or "", "end": row.form.end.data or "",
             "break_minutes": row.form.break_minutes.data}
            for index, row in enumerate(form_list) if index < 7]


def schedule_form_data(schedule: list[dict] | None) -> list[dict]:
    """Seven rows for a form from a stored schedule."""
    by_day = {row["day"]: row for row in schedule or []}
    return [{"start": by_day[d]["start"], "end": by_day[d]["end"], "break_minutes": by_day[d]["break_minutes"]}
            if d in by_day else {"start": "", "end": "", "break_minutes": None} for d in range(7)]


class PlacementTermsForm(FlaskForm):
    """A pending placement's practice terms (the company's managers and the placement's reviewers)."""

    practice_type = SelectField(_l("Practice type"), validate_choice=False)
    start_date = DateField(_l("Start date"), validators=[InputRequired(message=_l("This field is required."))])
    end_date = DateField(_l("End date"), validators=[InputRequired(message=_l("This field is required."))])
    schedule = schedule_field()
    stipend_krw = MoneyField(_l("Monthly stipend (KRW)"), validators=[Optional()])
    education_share_pct = LenientIntegerField(_l("Education share of the time (%)"))
    remote_share_pct = LenientIntegerField(_l("Remote share of the period (%)"))
    holiday_exception = BooleanField(_l("Work on Sundays or public holidays is an agreed exception"))
    work_mode = SelectField(_l("Work mode"), validate_choice=False)
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200, message=_l(
        "Use at most %(max)d characters."))])
    supervisor_name = StringField(_l("Supervisor"))
    supervisor_contact = StringField(_l("Supervisor's contact"))
    version = VersionField()
