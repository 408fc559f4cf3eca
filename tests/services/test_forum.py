"""The forum service: threads of three kinds, replies, edits with history, answers, moderation, notifications."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent, ForumPostRevision, Notification, OutboxEmail, Role, ThreadKind
from marketplace.services import email_preferences, forum
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound
from tests.conftest import HOUR, within_one_window
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_student


def post_thread(user, kind="question", title="How do I get DICOM data?", body="Which hospital shares **CT**?"):
    board = forum.general_board()
    thread = forum.create_thread(user, board.id, forum.ThreadData(kind=kind, title=title, body=body))
    db.session.commit()
    return thread


def reply(user, thread, body="Ask the PNU hospital."):
    post = forum.reply(user, thread.id, body)
    db.session.commit()
    return post


@pytest.fixture
def people(app):
    app.config["FORUM_POST_RATE_LIMIT"] = "1000 per minute"
    return {
        "student": make_student(),
        "company": make_company_manager(),
        "manager": make_exchange_manager(),
        "admin": make_admin(),
    }


# -- threads and replies --------------------------------------------------------------------------------------


def test_student_asks_and_company_manager_replies(people):
    thread = post_thread(people["student"])
    post = reply(people["company"], thread)
    page = forum.thread_page(people["student"], thread.id)
    assert page.opening.body == "Which hospital shares **CT**?"
    assert [p.id for p in page.replies.items] == [post.id]
    assert page.thread.reply_count == 1
    assert page.thread.kind == ThreadKind.QUESTION


@pytest.mark.parametrize("role", ["student", "company"])
def test_only_organisers_post_announcements(people, role):
    with pytest.raises(DomainError) as refused:
        post_thread(people[role], kind="announcement")
    assert refused.value.field == "kind"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(forum.ForumThread)) == 0


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_exchange_managers_and_admin_announce_pinned(people, role):
    post_thread(people["student"], kind="discussion", title="Older")
    thread = post_thread(people[role], kind="announcement", title="Contest opens")
    assert thread.pinned
    board = forum.general_board()
    first = db.session.scalars(forum.threads_query(people["student"], board)).first()
    assert first.id == thread.id


def test_unconfirmed_student_cannot_post(app, people):
    student = make_student(confirmed=False, verified=False)
    with pytest.raises(Forbidden):
        post_thread(student)


@pytest.mark.parametrize(("body", "message"), [
    ("", "Write something first."),
    ("   \n  ", "Write something first."),
    ("x" * 20_000, "A post can be at most 10,000 characters; this one has 20,000."),
], ids=["empty", "blank", "20000-characters"])
def test_empty_or_huge_post_is_refused_beside_the_body(people, body, message):
    with pytest.raises(DomainError) as refused:
        post_thread(people["student"], body=body)
    assert refused.value.field == "body" and refused.value.message.startswith(message)
    thread = post_thread(people["student"])
    with pytest.raises(DomainError) as refused_reply:
        forum.reply(people["company"], thread.id, body)
    assert refused_reply.value.field == "body"


def test_all_field_errors_at_once(people):
    with pytest.raises(DomainError) as refused:
        post_thread(people["student"], kind="bogus", title="", body="")
    assert {field for field, _ in refused.value.field_messages()} == {"kind", "title", "body"}


def test_unknown_ids_are_not_found(people):
    with pytest.raises(NotFound):
        forum.reply(people["student"], 987654, "hi")
    with pytest.raises(NotFound):
        forum.edit_post(people["student"], 987654, "hi", 1)
    with pytest.raises(NotFound):
        forum.board_for(people["student"], 987654)
    with pytest.raises(NotFound):
        forum.hide_post(people["manager"], 987654, "spam")


def test_posting_is_throttled_per_person(app, people):
    app.config["FORUM_POST_RATE_LIMIT"] = "3 per hour"
    within_one_window(15, HOUR)
    thread = post_thread(people["student"])  # 1
    reply(people["student"], thread)  # 2
    reply(people["student"], thread)  # 3
    with pytest.raises(forum.PostingTooFast) as refused:
        forum.reply(people["student"], thread.id, "one more")
    assert refused.value.status == 429 and refused.value.field == "body"
    db.session.rollback()
    reply(people["company"], thread)  # someone else is not held back


# -- edits with history ---------------------------------------------------------------------------------------


def test_edit_keeps_every_version(people):
    thread = post_thread(people["student"])
    opening = forum.thread_page(people["student"], thread.id).opening
    forum.edit_post(people["student"], opening.id, "v2 text", 1, title="Better title")
    db.session.commit()
    forum.edit_post(people["student"], opening.id, "v3 text", 2, title="Better title")
    db.session.commit()
    post, revisions = forum.history(people["student"], opening.id)
    assert [r.version for r in revisions] == [3, 2, 1]
    assert [r.body for r in revisions] == ["v3 text", "v2 text", "Which hospital shares **CT**?"]
    assert revisions[1].title == "Better title" and revisions[2].title == "How do I get DICOM data?"
    assert post.edited_at is not None and post.thread.title == "Better title"


def test_history_for_author_and_moderators_only(people):
    thread = post_thread(people["student"])
    opening = forum.thread_page(people["student"], thread.id).opening
    forum.edit_post(people["student"], opening.id, "changed", 1, title=thread.title)
    db.session.commit()
    assert len(forum.history(people["manager"], opening.id)[1]) == 2
    assert len(forum.history(people["admin"], opening.id)[1]) == 2
    with pytest.raises(Forbidden):
        forum.history(people["company"], opening.id)


def test_edit_of_someone_elses_post_is_refused(people):
    thread = post_thread(people["student"])
    post = reply(people["company"], thread)
    with pytest.raises(Forbidden):
        forum.edit_post(people["student"], post.id, "mine now", 1)
    with pytest.raises(Forbidden):
        forum.edit_post(people["manager"], post.id, "moderators hide, they do not rewrite", 1)


def test_stale_edit_is_a_conflict(people):
    thread = post_thread(people["student"])
    post = reply(people["company"], thread)
    forum.edit_post(people["company"], post.id, "first edit", 1)
    db.session.commit()
    with pytest.raises(Conflict) as stale:
        forum.edit_post(people["company"], post.id, "from the old page", 1)
    assert "version 2" in stale.value.message and stale.value.field == "body"
    db.session.rollback()
    assert db.session.get(forum.ForumPost, post.id).body == "first edit"


def test_unchanged_edit_makes_no_version(people):
    thread = post_thread(people["student"])
    post = reply(people["company"], thread)
    forum.edit_post(people["company"], post.id, post.body, 1)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ForumPostRevision)
                             .where(ForumPostRevision.post_id == post.id)) == 1


# -- answers --------------------------------------------------------------------------------------------------


def test_author_marks_answered_and_the_answer_comes_first(people):
    thread = post_thread(people["student"])
    first = reply(people["manager"], thread, "first reply")
    accepted = reply(people["company"], thread, "the answer")
    forum.set_answer(people["student"], thread.id, accepted.id)
    db.session.commit()
    page = forum.thread_page(people["company"], thread.id)
    assert page.answer.id == accepted.id
    assert [p.id for p in page.replies.items] == [first.id]
    note = db.session.scalar(select(Notification).where(Notification.user_id == people["company"].id,
                                                        Notification.kind == "forum_answer_accepted"))
    assert note is not None and note.link.endswith(f"#post-{accepted.id}")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "forum_thread",
                                                      AuditEvent.action == "answered")) is not None


def test_only_asker_or_moderator_marks_answered(people):
    thread = post_thread(people["student"])
    post = reply(people["company"], thread)
    with pytest.raises(Forbidden):
        forum.set_answer(people["company"], thread.id, post.id)
    db.session.rollback()
    forum.set_answer(people["manager"], thread.id, post.id)
    db.session.commit()
    forum.set_answer(people["student"], thread.id, None)
    db.session.commit()
    assert db.session.get(forum.ForumThread, thread.id).answer_post_id is None


def test_discussion_cannot_be_answered_and_hidden_reply_cannot_be_the_answer(people):
    discussion = post_thread(people["student"], kind="discussion")
    post = reply(people["company"], discussion)
    with pytest.raises(DomainError):
        forum.set_answer(people["student"], discussion.id, post.id)
    db.session.rollback()
    question = post_thread(people["student"])
    hidden = reply(people["company"], question)
    forum.hide_post(people["manager"], hidden.id, "advertising")
    db.session.commit()
    with pytest.raises(Conflict):
        forum.set_answer(people["student"], question.id, hidden.id)
    db.session.rollback()
    with pytest.raises(NotFound):  # a reply of another thread
        forum.set_answer(people["student"], question.id, post.id)


# -- moderation -----------------------------------------------------------------------------------------------


def test_hide_needs_a_reason_and_is_audited(people):
    thread = post_thread(people["student"])
    post = reply(people["company"], thread)
    with pytest.raises(DomainError) as refused:
        forum.hide_post(people["manager"], post.id, "  ")
    assert refused.value.field == "reason"
    db.session.rollback()
    forum.hide_post(people["manager"], post.id, "Personal data of a patient")
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "forum_post",
                                                       AuditEvent.entity_id == post.id))
    assert (event.action, event.note, event.actor_id) == ("hidden", "Personal data of a patient",
                                                          people["manager"].id)
    forum.unhide_post(people["manager"], post.id)
    db.session.commit()
    assert db.session.get(forum.ForumPost, post.id).hidden_at is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.entity_type == "forum_post")) == 2


@pytest.mark.parametrize("role", ["student", "company"])
def test_only_moderators_hide(people, role):
    thread = post_thread(people["student"])
    post = reply(people["company"], thread)
    with pytest.raises(Forbidden):
        forum.hide_post(people[role], post.id, "I do not like it")
    with pytest.raises(Forbidden):
        forum.hide_thread(people[role], thread.id, "I do not like it")
    with pytest.raises(Forbidden):
        forum.lock_thread(people[role], thread.id)


def test_reply_to_hidden_or_locked_thread_is_refused(people):
    thread = post_thread(people["student"])
    forum.hide_thread(people["manager"], thread.id, "Off topic")
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        forum.reply(people["company"], thread.id, "Still answering")
    assert refused.value.field == "body" and "hidden" in refused.value.message
    db.session.rollback()
    forum.unhide_thread(people["manager"], thread.id)
    forum.lock_thread(people["admin"], thread.id)
    db.session.commit()
    with pytest.raises(Conflict) as locked:
        forum.reply(people["student"], thread.id, "me too")
    assert "locked" in locked.value.message
    db.session.rollback()
    with pytest.raises(Conflict):  # the author cannot edit a locked thread's posts either
        forum.edit_post(people["student"], forum.thread_page(people["student"], thread.id).opening.id, "x", 1,
                        title="t")


def test_hidden_post_cannot_be_edited_by_its_author(people):
    thread = post_thread(people["student"])
    post = reply(people["company"], thread)
    forum.hide_post(people["admin"], post.id, "Spam")
    db.session.commit()
    with pytest.raises(Conflict):
        forum.edit_post(people["company"], post.id, "sneaky", 1)


# -- notifications --------------------------------------------------------------------------------------------


def test_reply_notifies_the_thread_author_not_oneself(people):
    thread = post_thread(people["student"])
    reply(people["student"], thread, "bump")
    reply(people["company"], thread)
    notes = db.session.scalars(select(Notification).where(Notification.kind == "forum_reply")).all()
    assert [n.user_id for n in notes] == [people["student"].id]
    assert notes[0].params["thread"] == thread.title


def test_reply_mail_follows_the_email_preference(people):
    email_preferences.set_preferences(people["student"], {"forum_reply": email_preferences.OFF})
    db.session.commit()
    thread = post_thread(people["student"])
    reply(people["company"], thread)
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == "forum_reply")) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.to_address == people["student"].email)) == 0


def test_announcement_reaches_every_reader_once_with_their_email_choice(people):
    email_preferences.set_preferences(people["student"], {"forum_announcement": email_preferences.DIGEST})
    db.session.commit()
    thread = post_thread(people["manager"], kind="announcement", title="Contest rules")
    notes = db.session.scalars(select(Notification).where(Notification.kind == "forum_announcement")).all()
    readers = {people["student"].id, people["company"].id, people["admin"].id}
    # the factory's designating admin is a reader too; the author is not told
    assert readers <= {n.user_id for n in notes} and people["manager"].id not in {n.user_id for n in notes}
    assert len(notes) == len({n.user_id for n in notes})
    by_user = {n.user_id: n for n in notes}
    assert by_user[people["student"].id].email_mode == email_preferences.DIGEST
    assert by_user[people["company"].id].email_mode == email_preferences.IMMEDIATE
    mailed = set(db.session.scalars(select(OutboxEmail.to_address)
                                    .where(OutboxEmail.subject.contains("Contest rules"))))
    assert people["company"].email in mailed and people["student"].email not in mailed
    assert by_user[people["company"].id].link.endswith(f"/forum/threads/{thread.id}")


def test_announcement_fan_out_queries_are_constant_in_recipients(app, people, count_queries):
    def statements_for_announcement(title: str) -> list[str]:
        db.session.expire_all()
        author = db.session.get(type(people["manager"]), people["manager"].id)
        with count_queries() as statements:
            post_thread(author, kind="announcement", title=title)
        return statements

    within_one_window(15)  # all three posts in one minute of FORUM_POST_RATE_LIMIT: a new minute's first post
    statements_for_announcement("warm-up")  # (like this first one) also sweeps the expired counters
    few = statements_for_announcement("few readers")
    for _ in range(30):
        make_student()
    many = statements_for_announcement("many readers")
    assert len(many) == len(few), "\n".join(many)
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.params["thread"].as_string() == "many readers")) >= 34


def test_forum_kinds_are_choosable_for_every_role(people):
    for user in people.values():
        assert {"forum_reply", "forum_announcement", "forum_answer_accepted"} <= set(
            email_preferences.kinds_for(user))
    assert Role.STUDENT in email_preferences.CHOOSABLE_KINDS["forum_reply"][1]


def test_mentor_reads_asks_and_replies_but_neither_announces_nor_moderates(people):
    from tests.factories import make_mentor

    mentor = make_mentor()
    thread = post_thread(mentor, title="Practice logbook question")
    post = reply(people["student"], thread)
    reply(mentor, thread, "Thanks")
    forum.set_answer(mentor, thread.id, post.id)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        post_thread(mentor, kind="announcement")
    assert refused.value.field == "kind"
    db.session.rollback()
    with pytest.raises(Forbidden):
        forum.hide_post(mentor, post.id, "no")
    assert "forum_reply" in email_preferences.kinds_for(mentor)
