"""The forum: boards, threads (announcements, questions, discussions), replies, edits with history, moderation.

Every write on a thread (a reply, an edit, hiding, locking, marking answered) first takes the thread's write lock
(a no-op UPDATE of its row: the row on PostgreSQL, the database on SQLite) and then reads the thread and post as
committed now, so two requests never both act on what they read before the other's change: a reply to a thread
hidden a moment earlier is refused, and of two edits made from the same version only the first is saved.
Who may do what is in marketplace/forum_rules.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from marketplace import forum_rules
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import (
    ContestStatus,
    ForumBoard,
    ForumPost,
    ForumPostRevision,
    ForumThread,
    Role,
    ThreadKind,
    User,
)
from marketplace.models.base import utcnow
from marketplace.services import audit, contests, notifications, throttle
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound, Reasons

MAX_TITLE = 200
MAX_BODY = 10_000
MAX_REASON = 500
THREADS_PER_PAGE = 20
REPLIES_PER_PAGE = 20
# Announcements reach a board's whole audience: recipients are loaded and written this many at a time.
ANNOUNCEMENT_BATCH = 500


class PostingTooFast(DomainError):
    status = 429


# -- boards ----------------------------------------------------------------------------------------------------


def _board_where(condition) -> ForumBoard | None:
    return db.session.scalar(select(ForumBoard).where(condition).options(joinedload(ForumBoard.contest)))


def _made_board(condition, **values) -> ForumBoard:
    """The board matching `condition`, made on first use by one conditional insert in its own short transaction:
    its unique slug (and contest_id) keep it one board when two first visitors race (the second insert waits for
    the first and then does nothing), and the request's own transaction takes no write lock for it (on SQLite a
    later post's rate-limit counter, which commits on its own connection, would wait for that lock). A contest's
    board therefore needs the contest committed first."""
    board = _board_where(condition)
    if board is not None:
        return board
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    with db.engine.begin() as connection:
        connection.execute(insert(ForumBoard).values(**values, created_at=utcnow()).on_conflict_do_nothing())
    return _board_where(condition)


def general_board() -> ForumBoard:
    return _made_board(ForumBoard.slug == forum_rules.GENERAL_SLUG, slug=forum_rules.GENERAL_SLUG)


def contest_board(actor: User, contest_id: int) -> ForumBoard:
    """The contest's board, if `actor` sees the contest (otherwise, or unknown: NotFound, like the contest);
    made on first visit."""
    contest = contests.get_contest(actor, contest_id)
    return _made_board(ForumBoard.contest_id == contest.id, slug=f"contest-{contest.id}", contest_id=contest.id)


def board_for(actor: User, board_id: int) -> ForumBoard:
    """The board, if `actor` may read it; otherwise (or unknown) NotFound."""
    board = db.session.get(ForumBoard, board_id)
    if board is None or not forum_rules.can_read_board(actor, board):
        raise NotFound(str(_l("No such board.")))
    return board


def board_title(board: ForumBoard) -> str:
    """"General board", or the contest's title for a contest's board."""
    if board.contest_id is not None:
        return board.contest.title
    return str(_l("General board")) if board.slug == forum_rules.GENERAL_SLUG else board.slug


def threads_query(actor: User, board: ForumBoard) -> Select:
    """The board's threads, announcements pinned on top, then by latest activity; authors loaded with them."""
    board_for(actor, board.id)
    return (select(ForumThread).where(ForumThread.board_id == board.id)
            .options(joinedload(ForumThread.author), joinedload(ForumThread.board))
            .order_by(ForumThread.pinned.desc(), ForumThread.last_activity_at.desc(), ForumThread.id.desc()))


# -- validation ------------------------------------------------------------------------------------------------


def _count(n: int) -> str:
    return format_decimal(n)


def _check_body(problems: Reasons, body: str, field_name: str = "body") -> str:
    text = (body or "").strip()
    if not text:
        problems.add(field_name, _l("Write something first."))
    elif len(text) > MAX_BODY:
        problems.add(field_name, _l("A post can be at most %(max)s characters; this one has %(n)s. Shorten it or "
                                    "split it into two posts.", max=_count(MAX_BODY), n=_count(len(text))))
    return text


def _check_title(problems: Reasons, title: str) -> str:
    text = " ".join((title or "").split())
    if not text:
        problems.add("title", _l("Give the thread a title."))
    elif len(text) > MAX_TITLE:
        problems.add("title", _l("A title can be at most %(max)s characters; this one has %(n)s.",
                                 max=_count(MAX_TITLE), n=_count(len(text))))
    return text


def _check_reason(reason: str) -> str:
    text = " ".join((reason or "").split())
    if not text:
        raise DomainError(str(_l("Say why: the author sees the reason.")), field="reason")
    if len(text) > MAX_REASON:
        raise DomainError(str(_l("A reason can be at most %(max)s characters; this one has %(n)s.",
                                 max=_count(MAX_REASON), n=_count(len(text)))), field="reason")
    return text


def _throttle(actor: User) -> None:
    """Posting is limited per person (FORUM_POST_RATE_LIMIT, shared by every worker): a flood stops here.
    Called before the call's first write (the counter commits on its own connection, which on SQLite must not
    wait for this transaction's write lock)."""
    try:
        throttle.reserve(throttle.configured("FORUM_POST_RATE_LIMIT"), f"forum-post:{actor.id}")
    except throttle.TooManyAttempts as error:
        raise PostingTooFast(str(_l("You are posting too fast. Wait %(seconds)s seconds and send it again; your "
                                    "text is kept.", seconds=error.retry_after)), field="body") from None


# -- reading ---------------------------------------------------------------------------------------------------


def _lock_thread(thread_id: int) -> None:
    table = ForumThread.__table__
    db.session.execute(update(table).where(table.c.id == thread_id).values(reply_count=table.c.reply_count))


def _load_thread(thread_id: int, fresh: bool = False) -> ForumThread | None:
    query = (select(ForumThread).where(ForumThread.id == thread_id)
             .options(joinedload(ForumThread.board), joinedload(ForumThread.author),
                      joinedload(ForumThread.hidden_by)))
    if fresh:
        query = query.execution_options(populate_existing=True)
    return db.session.scalar(query)


def thread_for(actor: User, thread_id: int) -> ForumThread:
    thread = _load_thread(thread_id)
    if thread is None or not forum_rules.can_read_board(actor, thread.board):
        raise NotFound(str(_l("No such thread.")))
    return thread


def _locked_thread(actor: User, thread_id: int) -> ForumThread:
    """Take the thread's write lock, then read it as committed now (NotFound if absent or not readable)."""
    _lock_thread(thread_id)
    thread = _load_thread(thread_id, fresh=True)
    if thread is None or not forum_rules.can_read_board(actor, thread.board):
        raise NotFound(str(_l("No such thread.")))
    return thread


def _post_ids(post_id: int) -> int:
    thread_id = db.session.scalar(select(ForumPost.thread_id).where(ForumPost.id == post_id))
    if thread_id is None:
        raise NotFound(str(_l("No such post.")))
    return thread_id


def _fresh_post(post_id: int) -> ForumPost:
    return db.session.scalar(select(ForumPost).where(ForumPost.id == post_id)
                             .options(joinedload(ForumPost.author))
                             .execution_options(populate_existing=True))


def post_for(actor: User, post_id: int) -> ForumPost:
    post = db.session.scalar(select(ForumPost).where(ForumPost.id == post_id)
                             .options(joinedload(ForumPost.thread).joinedload(ForumThread.board),
                                      joinedload(ForumPost.author)))
    if post is None or not forum_rules.can_read_board(actor, post.thread.board):
        raise NotFound(str(_l("No such post.")))
    return post


@dataclass
class ThreadPage:
    thread: ForumThread
    opening: ForumPost
    answer: ForumPost | None
    replies: object  # a Flask-SQLAlchemy Pagination of the other replies, oldest first


def thread_page(actor: User, thread_id: int, page: int = 1) -> ThreadPage:
    """What the thread's page shows, in a fixed number of queries: the opening post, the accepted answer first,
    then a page of the other replies (authors and moderators loaded with them)."""
    thread = thread_for(actor, thread_id)
    posts_of = (select(ForumPost).where(ForumPost.thread_id == thread.id)
                .options(joinedload(ForumPost.author), joinedload(ForumPost.hidden_by)))
    opening = db.session.scalar(posts_of.where(ForumPost.opening.is_(True)))
    answer = None
    if thread.answer_post_id is not None:
        answer = db.session.scalar(posts_of.where(ForumPost.id == thread.answer_post_id))
    replies = posts_of.where(ForumPost.opening.is_(False)).order_by(ForumPost.created_at, ForumPost.id)
    if answer is not None:
        replies = replies.where(ForumPost.id != answer.id)
    pagination = db.paginate(replies, page=page, per_page=REPLIES_PER_PAGE, error_out=False)
    return ThreadPage(thread=thread, opening=opening, answer=answer, replies=pagination)


def history(actor: User, post_id: int) -> tuple[ForumPost, list[ForumPostRevision]]:
    """Every version of a post, newest first: for its author and moderators (others: Forbidden)."""
    post = post_for(actor, post_id)
    if not forum_rules.can_see_history(actor, post):
        raise Forbidden(str(_l("Only the author and moderators see earlier versions of a post.")))
    revisions = list(db.session.scalars(
        select(ForumPostRevision).where(ForumPostRevision.post_id == post.id)
        .options(joinedload(ForumPostRevision.editor))
        .order_by(ForumPostRevision.version.desc())))
    return post, revisions


# -- writing ---------------------------------------------------------------------------------------------------


@dataclass
class ThreadData:
    kind: str
    title: str
    body: str


def _new_post(actor: User, thread: ForumThread, body: str, opening: bool, title: str = "") -> ForumPost:
    now = utcnow()
    post = ForumPost(thread=thread, author_id=actor.id, opening=opening, body=body, version=1, created_at=now,
                     hidden_reason="")
    db.session.add(post)
    db.session.flush()
    db.session.add(ForumPostRevision(post_id=post.id, version=1, title=title, body=body, editor_id=actor.id,
                                     created_at=now))
    return post


def create_thread(actor: User, board_id: int, data: ThreadData, throttled: bool = True) -> ForumThread:
    """A new thread; `throttled=False` only for the demo seed, which is no person flooding the board (and whose
    transaction has written already: on SQLite the counter's own connection would wait for it)."""
    board = board_for(actor, board_id)
    if not forum_rules.can_post_on_board(actor, board):
        raise Forbidden(str(_l("Confirm your e-mail address before you post on the forum.")))
    problems = Reasons()
    kind = problems.choice(ThreadKind, data.kind, "kind", _l("Choose what kind of thread this is."))
    if kind == ThreadKind.ANNOUNCEMENT and not forum_rules.can_announce(actor, board):
        problems.add("kind", _l("Only the organisers post announcements here. Post a question or a discussion."))
    title = _check_title(problems, data.title)
    body = _check_body(problems, data.body)
    problems.raise_if_any()
    if throttled:
        _throttle(actor)
    now = utcnow()
    thread = ForumThread(board=board, author_id=actor.id, kind=kind, title=title,
                         pinned=kind == ThreadKind.ANNOUNCEMENT, created_at=now, last_activity_at=now,
                         reply_count=0, hidden_reason="")
    db.session.add(thread)
    db.session.flush()
    _new_post(actor, thread, body, opening=True, title=title)
    audit.record(actor, "forum_thread", thread.id, "created", None, kind.value)
    if kind == ThreadKind.ANNOUNCEMENT:
        announce(thread, actor)
    return thread


def reply(actor: User, thread_id: int, body: str, throttled: bool = True) -> ForumPost:
    """A reply; refused (the text kept on the page) when the thread is hidden or locked, whatever the path.
    `throttled=False` only for the demo seed (see create_thread)."""
    problems = Reasons()
    text = _check_body(problems, body)
    thread = thread_for(actor, thread_id)
    if not forum_rules.can_post_on_board(actor, thread.board):
        raise Forbidden(str(_l("Confirm your e-mail address before you post on the forum.")))
    problems.raise_if_any()
    if throttled:
        _throttle(actor)
    thread = _locked_thread(actor, thread_id)  # what is committed now: hidden or locked a moment ago counts
    if thread.hidden:
        raise Conflict(str(_l("This thread was hidden by a moderator: it takes no replies. Your text is kept "
                              "below.")), field="body")
    if thread.locked:
        raise Conflict(str(_l("This thread is locked: it takes no more replies. Your text is kept below.")),
                       field="body")
    post = _new_post(actor, thread, text, opening=False)
    thread.reply_count += 1
    thread.last_activity_at = post.created_at
    if thread.author is not None and thread.author_id != actor.id:
        notifications.notify(thread.author, "forum_reply", link=_post_link(thread, post.id),
                             name=actor.display_name, thread=thread.title)
    return post


def edit_post(actor: User, post_id: int, body: str, version: int | None, title: str | None = None) -> ForumPost:
    """The author's new version (title too, for a thread's opening post), kept beside every earlier one.
    A save from an older version than the one saved now is refused with a 409 (the typed text stays on the page)."""
    if not forum_rules.is_author(actor, post_for(actor, post_id)):
        raise Forbidden(str(_l("Only its author can edit a post.")))
    _throttle(actor)
    thread = _locked_thread(actor, _post_ids(post_id))
    post = _fresh_post(post_id)
    if post.hidden or thread.hidden:
        raise Conflict(str(_l("A moderator hid this post: it can no longer be edited.")), field="body")
    if thread.locked:
        raise Conflict(str(_l("This thread is locked: its posts can no longer be edited.")), field="body")
    problems = Reasons()
    text = _check_body(problems, body)
    new_title = _check_title(problems, title) if post.opening else ""
    problems.raise_if_any()
    if version is None or version != post.version:
        raise Conflict(str(_l("Someone saved this post meanwhile (it is now version %(version)s). Your text is kept "
                              "below: compare it with the saved version and save again.",
                              version=post.version)), field="body")
    if text == post.body and (not post.opening or new_title == thread.title):
        return post  # nothing changed: no new version
    now = utcnow()
    post.body = text
    post.version += 1
    post.edited_at = now
    if post.opening:
        thread.title = new_title
    db.session.add(ForumPostRevision(post_id=post.id, version=post.version, title=new_title, body=text,
                                     editor_id=actor.id, created_at=now))
    audit.record(actor, "forum_post", post.id, "edited", str(post.version - 1), str(post.version))
    return post


def set_answer(actor: User, thread_id: int, post_id: int | None) -> ForumThread:
    """Mark a reply as the question's answer (post_id) or clear the mark (None): the asker or a moderator.
    Refused while the thread is hidden; the chosen reply must be a visible reply of this thread."""
    thread = _locked_thread(actor, thread_id)
    if thread.kind != ThreadKind.QUESTION:
        raise DomainError(str(_l("Only a question can be marked answered.")))
    if not (forum_rules.is_author(actor, thread) or forum_rules.can_moderate(actor, thread)):
        raise Forbidden(str(_l("Only the person who asked and moderators mark a question answered.")))
    if thread.hidden:
        raise Conflict(str(_l("A moderator hid this thread: it cannot be marked answered.")))
    previous = thread.answer_post_id
    if post_id is None:
        thread.answer_post_id = None
        thread.answered_at = None
        audit.record(actor, "forum_thread", thread.id, "answer_cleared", "answered", "open")
        return thread
    post = _fresh_post(post_id)
    if post is None or post.thread_id != thread.id or post.opening:
        raise NotFound(str(_l("No such reply in this thread.")))
    if post.hidden:
        raise Conflict(str(_l("A moderator hid this reply: it cannot be the answer.")))
    if previous == post.id:
        return thread
    thread.answer_post_id = post.id
    thread.answered_at = utcnow()
    audit.record(actor, "forum_thread", thread.id, "answered", "answered" if previous else "open", "answered",
                 note=f"post {post.id}")
    if post.author is not None and post.author_id != actor.id:
        notifications.notify(post.author, "forum_answer_accepted", link=_post_link(thread, post.id),
                             thread=thread.title)
    return thread


# -- moderation ------------------------------------------------------------------------------------------------


def _moderated_thread(actor: User, thread_id: int) -> ForumThread:
    thread = _locked_thread(actor, thread_id)
    if not forum_rules.can_moderate(actor, thread):
        raise Forbidden(str(_l("Only moderators do this.")))
    return thread


def hide_thread(actor: User, thread_id: int, reason: str) -> ForumThread:
    thread = _moderated_thread(actor, thread_id)
    text = _check_reason(reason)
    if thread.hidden:
        raise Conflict(str(_l("This thread is already hidden.")))
    thread.hidden_at, thread.hidden_by_id, thread.hidden_reason = utcnow(), actor.id, text
    audit.record(actor, "forum_thread", thread.id, "hidden", "visible", "hidden", note=text)
    return thread


def unhide_thread(actor: User, thread_id: int) -> ForumThread:
    thread = _moderated_thread(actor, thread_id)
    if not thread.hidden:
        raise Conflict(str(_l("This thread is not hidden.")))
    thread.hidden_at, thread.hidden_by_id, thread.hidden_reason = None, None, ""
    audit.record(actor, "forum_thread", thread.id, "unhidden", "hidden", "visible")
    return thread


def hide_post(actor: User, post_id: int, reason: str) -> ForumPost:
    thread = _moderated_thread(actor, _post_ids(post_id))
    post = _fresh_post(post_id)
    if post.opening:  # the opening post is the thread: hiding it hides the thread
        hide_thread(actor, thread.id, reason)
        return post
    text = _check_reason(reason)
    if post.hidden:
        raise Conflict(str(_l("This reply is already hidden.")))
    post.hidden_at, post.hidden_by_id, post.hidden_reason = utcnow(), actor.id, text
    audit.record(actor, "forum_post", post.id, "hidden", "visible", "hidden", note=text)
    return post


def unhide_post(actor: User, post_id: int) -> ForumPost:
    thread = _moderated_thread(actor, _post_ids(post_id))
    post = _fresh_post(post_id)
    if post.opening:
        unhide_thread(actor, thread.id)
        return post
    if not post.hidden:
        raise Conflict(str(_l("This reply is not hidden.")))
    post.hidden_at, post.hidden_by_id, post.hidden_reason = None, None, ""
    audit.record(actor, "forum_post", post.id, "unhidden", "hidden", "visible")
    return post


def lock_thread(actor: User, thread_id: int) -> ForumThread:
    thread = _moderated_thread(actor, thread_id)
    if thread.locked:
        raise Conflict(str(_l("This thread is already locked.")))
    thread.locked_at, thread.locked_by_id = utcnow(), actor.id
    audit.record(actor, "forum_thread", thread.id, "locked", "open", "locked")
    return thread


def unlock_thread(actor: User, thread_id: int) -> ForumThread:
    thread = _moderated_thread(actor, thread_id)
    if not thread.locked:
        raise Conflict(str(_l("This thread is not locked.")))
    thread.locked_at, thread.locked_by_id = None, None
    audit.record(actor, "forum_thread", thread.id, "unlocked", "locked", "open")
    return thread


# -- notifications ---------------------------------------------------------------------------------------------


def _post_link(thread: ForumThread, post_id: int) -> str:
    link = notifications.link_to("forum.thread", thread_id=thread.id)
    return f"{link}#post-{post_id}" if link else ""


def audience_ids(board: ForumBoard) -> list[int]:
    """Ids of the accounts that read the board (for announcements), in id order: every active account for the
    general board and for an open contest's board (the same people); a draft contest's board, its organisers."""
    everyone = select(User.id).where(User.active.is_(True)).order_by(User.id)
    if board.contest_id is None:
        return list(db.session.scalars(everyone)) if board.slug == forum_rules.GENERAL_SLUG else []
    if board.contest.status != ContestStatus.DRAFT:
        return list(db.session.scalars(everyone))
    staff = db.session.scalars(select(User).where(
        User.active.is_(True), User.role.in_([Role.ADMIN, Role.EXCHANGE_MANAGER])).order_by(User.id))
    return [user.id for user in staff if forum_rules.can_read_board(user, board)]


def announce(thread: ForumThread, actor: User) -> int:
    """Tell the board's audience (but the author) of a new announcement, ANNOUNCEMENT_BATCH accounts at a time:
    a fixed number of queries per batch, whatever the audience's size. Returns how many were told."""
    link = notifications.link_to("forum.thread", thread_id=thread.id)
    ids = [i for i in audience_ids(thread.board) if i != actor.id]
    for start in range(0, len(ids), ANNOUNCEMENT_BATCH):
        chunk = ids[start:start + ANNOUNCEMENT_BATCH]
        users = db.session.scalars(select(User).where(User.id.in_(chunk)).order_by(User.id)).all()
        notifications.notify_many(users, "forum_announcement", link=link, board=board_title(thread.board),
                                  thread=thread.title)
    return len(ids)


def thread_counts(board_ids) -> dict[int, int]:
    """Visible threads per board, in one query."""
    rows = db.session.execute(select(ForumThread.board_id, func.count()).where(
        ForumThread.board_id.in_(list(board_ids)), ForumThread.hidden_at.is_(None)).group_by(ForumThread.board_id))
    return dict(rows.all())

