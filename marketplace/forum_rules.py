"""Who may read, post, announce, moderate and see the edit history on the forum's boards, declared once.

Services ask these before they read or write; templates get them bound to the signed-in user (templating.py).

- The general board: every signed-in, active account reads it (students, company managers, mentors, exchange
  managers, the admin). Posting needs a confirmed e-mail address for self-registered accounts (students,
  company managers), so a throw-away registration cannot post.
- A contest's board: whoever sees the contest reads it (services/contests.can_see_contest: every signed-in,
  active account once it is open; its organisers only while it is a draft). Someone else gets 404 for the board,
  its threads and its posts, whatever the path.
- Announcements and moderation (hide/unhide with a reason, lock/unlock) on the general board: exchange managers
  with a designation in force and the admin. On a contest's board: its organisers (services/contests.can_organise:
  the admin and the exchange managers of one of its project groups).
- Edits: only a post's author, while the post is not hidden and its thread is not hidden or locked.
- Edit history (every earlier version): the author and moderators. Everyone else sees that a post was edited
  and when, not what it said before: an author who removed something (a phone number, a wrong figure) by editing
  has it gone for the readers, while moderators can still check what was written.
- Hidden posts and threads: the author and moderators read them with the reason; everyone else sees a
  "hidden by a moderator" placeholder.
"""
from __future__ import annotations

from marketplace.models import ForumBoard, ForumPost, ForumThread, Role, ThreadKind, User
from marketplace.permissions import Permission, user_can
from marketplace.services.contests import can_organise, can_see_contest

GENERAL_SLUG = "general"

# Accounts people make for themselves; staff accounts (exchange managers, the admin, mentors) are made by the
# programme office.
SELF_REGISTERED = frozenset({Role.STUDENT, Role.COMPANY_MANAGER})


def _signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and bool(user.active)


def can_read_board(user: User | None, board: ForumBoard) -> bool:
    if not _signed_in(user):
        return False
    if board.contest_id is not None:
        return can_see_contest(user, board.contest)
    return board.slug == GENERAL_SLUG


def can_moderate_board(user: User | None, board: ForumBoard) -> bool:
    if not can_read_board(user, board):
        return False
    if board.contest_id is not None:
        return can_organise(user, board.contest)
    return user_can(user, Permission.REVIEW_EXCHANGES)


def can_post_on_board(user: User | None, board: ForumBoard) -> bool:
    if not can_read_board(user, board):
        return False
    return user.role not in SELF_REGISTERED or user.email_confirmed_at is not None


def can_announce(user: User | None, board: ForumBoard) -> bool:
    return can_post_on_board(user, board) and can_moderate_board(user, board)


def thread_kinds_for(user: User | None, board: ForumBoard) -> list[ThreadKind]:
    kinds = [ThreadKind.QUESTION, ThreadKind.DISCUSSION]
    return ([ThreadKind.ANNOUNCEMENT] + kinds) if can_announce(user, board) else kinds


def can_moderate(user: User | None, thread: ForumThread) -> bool:
    return can_moderate_board(user, thread.board)


def is_author(user: User | None, record: ForumThread | ForumPost) -> bool:
    return _signed_in(user) and record.author_id is not None and record.author_id == user.id


def can_see_hidden(user: User | None, record: ForumThread | ForumPost) -> bool:
    """The content of a hidden thread or post (with the reason): its author and moderators."""
    thread = record if isinstance(record, ForumThread) else record.thread
    return is_author(user, record) or can_moderate(user, thread)


def can_see_history(user: User | None, post: ForumPost) -> bool:
    return is_author(user, post) or can_moderate(user, post.thread)


def can_edit_post(user: User | None, post: ForumPost) -> bool:
    thread = post.thread
    return (is_author(user, post) and not post.hidden and not thread.hidden and not thread.locked
            and can_read_board(user, thread.board))


def can_reply(user: User | None, thread: ForumThread) -> bool:
    return can_post_on_board(user, thread.board) and not thread.hidden and not thread.locked


def can_mark_answered(user: User | None, thread: ForumThread) -> bool:
    return (thread.kind == ThreadKind.QUESTION and not thread.hidden
            and (is_author(user, thread) or can_moderate(user, thread)))


TEMPLATE_RULES = {
    "can_post_on_board": can_post_on_board,
    "can_announce": can_announce,
    "can_moderate_thread": can_moderate,
    "can_see_hidden": can_see_hidden,
    "can_see_history": can_see_history,
    "can_edit_post": can_edit_post,
    "can_reply": can_reply,
    "can_mark_answered": can_mark_answered,
}
