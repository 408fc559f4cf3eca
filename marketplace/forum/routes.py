"""Routes of the forum blueprint: thin, every rule is in services/forum.py and forum_rules.py."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import login_required

from marketplace import forum_rules, web
from marketplace.extensions import db
from marketplace.forms import page_number
from marketplace.forum.forms import KIND_LABELS, EditForm, ReasonForm, ReplyForm, thread_form
from marketplace.i18n import gettext as _
from marketplace.services import forum
from marketplace.services.errors import Conflict

bp = Blueprint("forum", __name__)


@bp.route("/")
@login_required
def index():
    board = forum.general_board()
    db.session.commit()  # made on first use
    return redirect(url_for("forum.board", board_id=board.id))


@bp.route("/contests/<int:contest_id>")
@login_required
def contest_board(contest_id: int):
    board = forum.contest_board(web.actor(), contest_id)  # 404 for someone who does not see the contest
    db.session.commit()  # made on first visit
    return redirect(url_for("forum.board", board_id=board.id))


@bp.route("/boards/<int:board_id>")
@login_required
def board(board_id: int):
    user = web.actor()
    found = forum.board_for(user, board_id)
    pagination = db.paginate(forum.threads_query(user, found), page=page_number(request.args),
                             per_page=forum.THREADS_PER_PAGE, error_out=False)
    return render_template("forum/board.html", board=found, title=forum.board_title(found), pagination=pagination,
                           kind_labels=KIND_LABELS)


@bp.route("/boards/<int:board_id>/new", methods=["GET", "POST"])
@login_required
def new_thread(board_id: int):
    user = web.actor()
    found = forum.board_for(user, board_id)
    if not forum_rules.can_post_on_board(user, found):
        abort(403)
    form = thread_form(forum_rules.thread_kinds_for(user, found))
    if form.validate_on_submit():
        data = forum.ThreadData(kind=form.kind.data or "", title=form.title.data or "", body=form.body.data or "")
        done = web.run(forum.create_thread, user, found.id, data, form=form, success=_("Your thread is posted."))
        if done:
            return redirect(url_for("forum.thread", thread_id=done.value.id))
    return render_template("forum/new_thread.html", board=found, title=forum.board_title(found),
                           form=form), web.form_status()


def _thread_page(thread_id: int, reply_form: ReplyForm | None = None):
    user = web.actor()
    page = forum.thread_page(user, thread_id, page_number(request.args))
    return render_template("forum/thread.html", view=page, thread=page.thread,
                           board_title=forum.board_title(page.thread.board), kind_labels=KIND_LABELS,
                           reply_form=reply_form or ReplyForm(formdata=None))


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
@login_required
def thread(thread_id: int):
    if request.method == "GET":
        return _thread_page(thread_id)
    form = ReplyForm()
    if form.validate_on_submit():
        done = web.run(forum.reply, web.actor(), thread_id, form.body.data or "", form=form,
                       success=_("Your reply is posted."))
        if done:
            post = done.value
            pages = max(1, -(-forum.thread_for(web.actor(), thread_id).reply_count // forum.REPLIES_PER_PAGE))
            return redirect(url_for("forum.thread", thread_id=thread_id, page=pages) + f"#post-{post.id}")
    return _thread_page(thread_id, form), web.form_status()


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    user = web.actor()
    post = forum.post_for(user, post_id)
    if not forum_rules.is_author(user, post):
        abort(403)
    form = EditForm()
    if request.method == "GET":
        form.version.data = post.version
        form.body.data = post.body
        form.title.data = post.thread.title
    saved = None
    if form.validate_on_submit():
        done = web.run(forum.edit_post, user, post_id, form.body.data or "", form.version.data,
                       form.title.data if post.opening else None, form=form, success=_("Your changes are saved."))
        if done:
            return redirect(url_for("forum.thread", thread_id=post.thread_id) + f"#post-{post_id}")
        if isinstance(done.error, Conflict):
            # Saved meanwhile: keep what was typed, show the saved version beside it, and move the form to the
            # saved version so saving again keeps this text knowingly.
            saved = forum.post_for(user, post_id)
            db.session.refresh(saved)
            if saved.version != form.version.data and not saved.hidden:
                form.version.data = saved.version
                form.version.raw_data = [str(saved.version)]
            else:
                saved = None
    return render_template("forum/edit.html", post=post, form=form, saved=saved), web.form_status()


@bp.route("/posts/<int:post_id>/history")
@login_required
def history(post_id: int):
    post, revisions = forum.history(web.actor(), post_id)
    return render_template("forum/history.html", post=post, revisions=revisions)


@bp.route("/posts/<int:post_id>/accept", methods=["POST"])
@login_required
def accept(post_id: int):
    web.require_form()
    post = forum.post_for(web.actor(), post_id)
    web.run(forum.set_answer, web.actor(), post.thread_id, post_id, success=_("The question is marked answered."))
    return redirect(url_for("forum.thread", thread_id=post.thread_id))


@bp.route("/threads/<int:thread_id>/answer/clear", methods=["POST"])
@login_required
def clear_answer(thread_id: int):
    web.require_form()
    web.run(forum.set_answer, web.actor(), thread_id, None, success=_("The question is open again."))
    return redirect(url_for("forum.thread", thread_id=thread_id))


@bp.route("/posts/<int:post_id>/hide", methods=["GET", "POST"])
@login_required
def hide_post(post_id: int):
    user = web.actor()
    post = forum.post_for(user, post_id)
    if not forum_rules.can_moderate(user, post.thread):
        abort(403)
    form = ReasonForm()
    if form.validate_on_submit():
        action = forum.hide_thread if post.opening else forum.hide_post
        target = post.thread_id if post.opening else post_id
        done = web.run(action, user, target, form.reason.data or "", form=form,
                       success=_("Hidden. The author sees why; everyone else sees a placeholder."))
        if done:
            return redirect(url_for("forum.thread", thread_id=post.thread_id) + f"#post-{post_id}")
    return render_template("forum/hide.html", post=post, form=form), web.form_status()


@bp.route("/posts/<int:post_id>/unhide", methods=["POST"])
@login_required
def unhide_post(post_id: int):
    web.require_form()
    user = web.actor()
    post = forum.post_for(user, post_id)
    if post.opening:
        web.run(forum.unhide_thread, user, post.thread_id, success=_("The thread is shown again."))
    else:
        web.run(forum.unhide_post, user, post_id, success=_("The reply is shown again."))
    return redirect(url_for("forum.thread", thread_id=post.thread_id) + f"#post-{post_id}")


@bp.route("/threads/<int:thread_id>/lock", methods=["POST"])
@login_required
def lock(thread_id: int):
    web.require_form()
    web.run(forum.lock_thread, web.actor(), thread_id, success=_("The thread is locked: no more replies."))
    return redirect(url_for("forum.thread", thread_id=thread_id))


@bp.route("/threads/<int:thread_id>/unlock", methods=["POST"])
@login_required
def unlock(thread_id: int):
    web.require_form()
    web.run(forum.unlock_thread, web.actor(), thread_id, success=_("The thread takes replies again."))
    return redirect(url_for("forum.thread", thread_id=thread_id))
