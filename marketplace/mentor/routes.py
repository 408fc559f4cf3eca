"""Routes of the mentor blueprint: a mentor professor's students, their consultation notes and academic grades."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.routing import BuildError

from marketplace import web
from marketplace.i18n import gettext as _
from marketplace.mentor.forms import GradeForm, NoteForm
from marketplace.permissions import Permission, permission_required
from marketplace.services import mentoring

bp = Blueprint("mentor", __name__)


@bp.before_request
@permission_required(Permission.MENTOR_STUDENTS)
def require_mentor():
    """Mentor professors only; each sees only the students allocated to them."""


def practice_url(placement_id: int) -> str | None:
    """The practice home of the placement (its weekly logs), when the practice pages exist."""
    try:
        return url_for("practice.home", placement_id=placement_id)
    except BuildError:
        return None


@bp.route("/")
def index():
    mentor = web.actor()
    assignments = mentoring.mentor_students(mentor)
    placements = [a.placement for a in assignments]
    return render_template("mentor/index.html", assignments=assignments,
                           progress=mentoring.progress_for(placements),
                           notes=mentoring.note_counts(p.id for p in placements),
                           practice_urls={p.id: practice_url(p.id) for p in placements})


def _student_page(placement_id: int, note_form: NoteForm | None = None, grade_form: GradeForm | None = None):
    file = mentoring.student_file(web.actor(), placement_id)
    if file.role != "mentor":
        from flask import abort

        abort(404)
    note_form = note_form or NoteForm(formdata=None)
    if grade_form is None:
        grade_form = GradeForm(formdata=None)
        grade_form.grade.data = file.assignment.grade or ""
        grade_form.grade_comment.data = file.assignment.grade_comment
        grade_form.version.data = file.assignment.version
    return render_template("mentor/student.html", file=file, note_form=note_form, grade_form=grade_form,
                           practice_url=practice_url(placement_id)), web.form_status()


@bp.route("/students/<int:placement_id>")
def student(placement_id: int):
    return _student_page(placement_id)


@bp.route("/students/<int:placement_id>/notes", methods=["POST"])
def add_note(placement_id: int):
    form = NoteForm()
    if form.validate_on_submit() and web.run(
        mentoring.add_note, web.actor(), placement_id,
        mentoring.NoteData(form.held_on.data, form.mode.data or "", form.summary.data or ""), form=form,
        success=_("The consultation is recorded."),
    ):
        return redirect(url_for("mentor.student", placement_id=placement_id) + "#notes")
    return _student_page(placement_id, note_form=form)


@bp.route("/notes/<int:note_id>", methods=["GET", "POST"])
def edit_note(note_id: int):
    actor = web.actor()
    note = mentoring.get_own_note(actor, note_id)
    form = NoteForm(obj=note) if request.method == "GET" else NoteForm()
    if request.method == "GET":
        form.mode.data = note.mode.value
    if form.validate_on_submit() and web.run(
        mentoring.edit_note, actor, note_id, form.version.data,
        mentoring.NoteData(form.held_on.data, form.mode.data or "", form.summary.data or ""), form=form,
        success=_("The note is saved."),
    ):
        return redirect(url_for("mentor.student", placement_id=note.placement_id) + "#notes")
    return render_template("mentor/note_form.html", form=form, note=note), web.form_status()


@bp.route("/students/<int:placement_id>/grade", methods=["POST"])
def grade(placement_id: int):
    form = GradeForm()
    if form.validate_on_submit() and web.run(
        mentoring.set_grade, web.actor(), placement_id, form.version.data, form.grade.data or "",
        form.grade_comment.data or "", form=form,
        success=lambda a: _("The grade %(grade)s is saved.", grade=a.grade),
    ):
        return redirect(url_for("mentor.student", placement_id=placement_id) + "#grade")
    return _student_page(placement_id, grade_form=form)
