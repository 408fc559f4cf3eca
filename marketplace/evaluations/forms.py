"""Forms of the evaluation pages: the supervisor's evaluation (one score per competency), the student's evaluation of
the host, revoking a certificate, the public code check, a competency of the rubric."""
from __future__ import annotations

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from marketplace.forms import LenientIntegerField, max_length, optional
from marketplace.i18n import lazy_gettext as _l
from marketplace.services.evaluations import GRADES, MAX_TEXT

class ChoiceField(SelectField):
    """A select whose value the service checks (a tampered value gets the service's message beside the field, with
    every other field's message at once)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "SelectField"  # drawn as a select by the form macros

    def pre_validate(self, form):
        pass


SCORE_CHOICES = [("", _l("— choose —")), ("5", _l("5 · excellent")), ("4", _l("4 · good")),
                 ("3", _l("3 · adequate")), ("2", _l("2 · weak")), ("1", _l("1 · poor"))]


def item_name(item) -> str:
    """A competency's name in the reader's language."""
    return item.name_ko if str(get_locale() or "ko") == "ko" else item.name_en


def supervisor_form(items, final: bool, formdata=None):
    """A form with one score field per active competency (score_<item id>), built for the rubric of today."""

    class SupervisorEvaluationForm(FlaskForm):
        strengths = TextAreaField(_l("Strengths"), validators=[optional(), max_length(MAX_TEXT)],
                                  render_kw={"rows": 4})
        improvements = TextAreaField(_l("What to improve"), validators=[optional(), max_length(MAX_TEXT)],
                                     render_kw={"rows": 4})
        recommended_grade = ChoiceField(
            _l("Recommended grade"), validators=[optional()],
            choices=[("", _l("— choose —") if final else _l("— none —"))] + [(g, g) for g in GRADES],
            description=_l("Your recommendation; the mentor professor gives the academic grade."))

    for item in items:
        setattr(SupervisorEvaluationForm, f"score_{item.id}", ChoiceField(
            item_name(item), validators=[optional()], choices=SCORE_CHOICES, coerce=str, description=item.description))
    form = SupervisorEvaluationForm() if formdata else SupervisorEvaluationForm(formdata=None)
    form.score_fields = [getattr(form, f"score_{item.id}") for item in items]
    return form


SATISFACTION_CHOICES = [("", _l("— choose —")), ("5", _l("5 · very satisfied")), ("4", _l("4 · satisfied")),
                        ("3", _l("3 · neutral")), ("2", _l("2 · dissatisfied")), ("1", _l("1 · very dissatisfied"))]


class HostEvaluationForm(FlaskForm):
    learning = ChoiceField(_l("What I learned"), validators=[optional()], choices=SATISFACTION_CHOICES)
    supervision = ChoiceField(_l("Supervision and feedback"), validators=[optional()], choices=SATISFACTION_CHOICES)
    environment = ChoiceField(_l("Working environment"), validators=[optional()], choices=SATISFACTION_CHOICES)
    would_recommend = ChoiceField(_l("Would you recommend this host to other students?"), validators=[optional()],
                                  choices=[("", _l("— choose —")), ("yes", _l("Yes")), ("no", _l("No"))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[optional(), max_length(MAX_TEXT)],
                            render_kw={"rows": 4},
                            description=_l("The company never sees who wrote what: it reads averages of at least "
                                           "three students. Exchange managers read your answers."))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[optional(), max_length(2000)],
                           render_kw={"rows": 2})


class CodeForm(FlaskForm):
    class Meta:
        csrf = False  # a look-up changes nothing (GET)

    code = StringField(_l("Verification code"), validators=[optional(), max_length(100)],
                       description=_l("12 characters, printed on the certificate, e.g. 7K2M-9XQD-4HRT."))


class RubricItemForm(FlaskForm):
    name_ko = StringField(_l("Name (Korean)"), validators=[optional(), max_length(200)])
    name_en = StringField(_l("Name (English)"), validators=[optional(), max_length(200)])
    description = TextAreaField(_l("What it means (shown to supervisors)"), validators=[optional(), max_length(1000)],
                                render_kw={"rows": 2})
    position = LenientIntegerField(_l("Order"), description=_l("Competencies are asked in this order (smallest first)."))
    active = BooleanField(_l("Asked in new evaluations"), default=True)
