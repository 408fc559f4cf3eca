"""Forum writes at the same moment, in real threads on SQLite and PostgreSQL: every write on a thread takes its
lock and reads what is committed now, so two edits from one version never both save, and nothing is answered
or replied to after a moderator hid the thread."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, ForumPost, ForumPostRevision, ForumThread, User
from marketplace.services import forum
from tests.concurrency import run_together
from tests.factories import make_company_manager, make_exchange_manager, make_student


@pytest.fixture
def scene(app):
    app.config["FORUM_POST_RATE_LIMIT"] = "1000 per minute"
    student, company, manager = make_student(), make_company_manager(), make_exchange_manager()
    board = forum.general_board()
    thread = forum.create_thread(student, board.id, forum.ThreadData(kind="question", title="Where is the data?",
                                                                     body="Which hospital?"))
    db.session.commit()
    post = forum.reply(company, thread.id, "Ours.")
    db.session.commit()
    return {"student": student.id, "company": company.id, "manager": manager.id, "thread": thread.id,
            "post": post.id}


def test_two_edits_from_the_same_version_one_wins_one_is_a_409(app, scene):
    def edit(text: str):
        def job(ready):
            author = db.session.get(User, scene["company"])
            forum.post_for(author, scene["post"])
            ready()
            forum.edit_post(author, scene["post"], text, 1)
        return job

    results = run_together(app, [edit("from tab one"), edit("from tab two")])
    assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"]
    loser = next(message for outcome, message in results if outcome == "conflict")
    assert "it is now version 2" in loser
    post = db.session.get(ForumPost, scene["post"])
    winner = ["from tab one", "from tab two"][[outcome for outcome, _ in results].index("ok")]
    assert (post.version, post.body) == (2, winner)
    assert db.session.scalar(select(func.count()).select_from(ForumPostRevision)
                             .where(ForumPostRevision.post_id == post.id)) == 2


def _events(action: str) -> list[int]:
    return list(db.session.scalars(select(AuditEvent.id).where(AuditEvent.entity_type == "forum_thread",
                                                               AuditEvent.action == action)))


def test_marking_answered_while_a_moderator_hides_the_thread(app, scene):
    def mark(ready):
        asker = db.session.get(User, scene["student"])
        forum.thread_for(asker, scene["thread"])
        ready()
        forum.set_answer(asker, scene["thread"], scene["post"])

    def hide(ready):
        moderator = db.session.get(User, scene["manager"])
        forum.thread_for(moderator, scene["thread"])
        ready()
        forum.hide_thread(moderator, scene["thread"], "Patient data in the question")

    results = run_together(app, [mark, hide])
    thread = db.session.get(ForumThread, scene["thread"])
    assert results[1] == ("ok", "") and thread.hidden
    if results[0][0] == "ok":  # answered first, then hidden: the audit trail says so
        assert thread.answer_post_id == scene["post"]
        assert _events("answered")[0] < _events("hidden")[0]
    else:
        assert results[0] == ("conflict", "A moderator hid this thread: it cannot be marked answered.")
        assert thread.answer_post_id is None and _events("answered") == []


def test_a_reply_racing_a_hide_is_either_before_it_or_refused(app, scene):
    def write(ready):
        author = db.session.get(User, scene["company"])
        forum.thread_for(author, scene["thread"])
        ready()
        forum.reply(author, scene["thread"], "A second answer")

    def hide(ready):
        moderator = db.session.get(User, scene["manager"])
        ready()
        forum.hide_thread(moderator, scene["thread"], "Off topic")

    results = run_together(app, [write, hide])
    thread = db.session.get(ForumThread, scene["thread"])
    replies = db.session.scalar(select(func.count()).select_from(ForumPost).where(
        ForumPost.thread_id == thread.id, ForumPost.opening.is_(False)))
    assert results[1] == ("ok", "")
    if results[0][0] == "ok":
        assert replies == thread.reply_count == 2
        newest = db.session.scalar(select(func.max(ForumPost.created_at)).where(ForumPost.thread_id == thread.id))
        assert newest <= thread.hidden_at
    else:
        assert results[0][0] == "conflict" and "hidden by a moderator" in results[0][1]
        assert replies == thread.reply_count == 1
