"""Forms of the forum blueprint. Lengths and emptiness are checked by services/forum.py (every path), whose
messages go beside the field; the forms only carry the text and the CSRF token."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField

from marketplace.forms import VersionField
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import ThreadKind

KIND_LABELS = {
    ThreadKind.ANNOUNCEMENT: _l("Announcement"),
    ThreadKind.QUESTION: _l("Question"),
    ThreadKind.DISCUSSION: _l("Discussion"),
}
BODY_HELP = _l("Markdown: **bold**, _italic_, lists, `code`, [links](https://example.com). No HTML, no images.")


class ThreadForm(FlaskForm):
    kind = SelectField(_l("Kind"), validate_choice=False)
    title = StringField(_l("Title"), render_kw={"maxlength": 400})
    body = TextAreaField(_l("Text"), description=BODY_HELP, render_kw={"rows": 10})


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), description=BODY_HELP, render_kw={"rows": 6})


class EditForm(FlaskForm):
    version = VersionField()
    title = StringField(_l("Title"), render_kw={"maxlength": 400})
    body = TextAreaField(_l("Text"), description=BODY_HELP, render_kw={"rows": 10})


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason (the author sees it)"), render_kw={"rows": 3})


def thread_form(kinds: list[ThreadKind]) -> ThreadForm:
    form = ThreadForm()
    form.kind.choices = [(kind.value, KIND_LABELS[kind]) for kind in kinds]
    if not form.kind.data:
        form.kind.data = ThreadKind.QUESTION.value
    return form
