"""The forum's pages: asking, replying, answering, editing with history, moderation, bad input, query counts."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, ForumPost, ForumThread
from marketplace.services import forum
from tests.conftest import HOUR, within_one_window
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_student


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def people(app):
    app.config["FORUM_POST_RATE_LIMIT"] = "1000 per minute"
    return {"student": make_student(), "company": make_company_manager(), "manager": make_exchange_manager(),
            "admin": make_admin(), "other": make_student()}


def board_id() -> int:
    board = forum.general_board()
    db.session.commit()
    return board.id


def ask(user, title="CT 데이터는 어디서?", body="Which hospital shares **CT**?", kind="question") -> ForumThread:
    thread = forum.create_thread(user, board_id(), forum.ThreadData(kind=kind, title=title, body=body))
    db.session.commit()
    return thread


def answer(user, thread, body="PNU hospital, with an IRB.") -> ForumPost:
    post = forum.reply(user, thread.id, body)
    db.session.commit()
    return post


def opening_of(thread) -> ForumPost:
    return db.session.scalar(select(ForumPost).where(ForumPost.thread_id == thread.id, ForumPost.opening.is_(True)))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_student_asks_company_replies_student_marks_answered(client, auth, people):
    bid = board_id()
    auth.login(people["student"].email)
    response = auth.post(f"/forum/boards/{bid}/new", {"kind": "question", "title": "Where is ECG data?",
                                                      "body": "Looking for *ECG* sets."},
                         form_page=f"/forum/boards/{bid}/new")
    assert response.status_code == 302
    thread = db.session.scalar(select(ForumThread).where(ForumThread.title == "Where is ECG data?"))
    auth.logout()
    auth.login(people["company"].email)
    response = auth.post(f"/forum/threads/{thread.id}", {"body": "We have **12-lead** ECG."},
                         form_page=f"/forum/threads/{thread.id}")
    assert response.status_code == 302
    reply = db.session.scalar(select(ForumPost).where(ForumPost.thread_id == thread.id, ForumPost.opening.is_(False)))
    auth.logout()
    auth.login(people["student"].email)
    page = text(client.get(f"/forum/threads/{thread.id}"))
    assert f'/forum/posts/{reply.id}/accept' in page and "<strong>12-lead</strong>" in page
    response = auth.post(f"/forum/posts/{reply.id}/accept", form_page=f"/forum/threads/{thread.id}")
    assert response.status_code == 302
    page = text(client.get(f"/forum/threads/{thread.id}"))
    assert page.index("Accepted answer") < page.index("12-lead")
    assert "Answered" in text(client.get(f"/forum/boards/{bid}"))


def test_announcement_is_not_offered_to_students_and_a_forged_one_is_refused(client, auth, people):
    bid = board_id()
    auth.login(people["student"].email)
    form = text(client.get(f"/forum/boards/{bid}/new"))
    assert 'value="announcement"' not in form
    response = auth.post(f"/forum/boards/{bid}/new", {"kind": "announcement", "title": "Free pizza",
                                                      "body": "Everyone come"}, form_page=f"/forum/boards/{bid}/new")
    assert response.status_code == 400
    page = text(response)
    assert "Only the organisers post announcements here." in page and "Everyone come" in page
    auth.logout()
    auth.login(people["manager"].email)
    assert 'value="announcement"' in text(client.get(f"/forum/boards/{bid}/new"))


@pytest.mark.parametrize(("body", "message"), [
    ("", "Write something first."),
    ("가" * 20_000, "A post can be at most 10,000 characters; this one has 20,000."),
], ids=["empty", "20000-characters"])
def test_bad_post_keeps_the_text_and_says_why_beside_the_field(client, auth, people, body, message):
    thread = ask(people["student"])
    auth.login(people["company"].email)
    response = auth.post(f"/forum/threads/{thread.id}", {"body": body}, form_page=f"/forum/threads/{thread.id}")
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="body-error">[^<]*' + re.escape(message), page)
    if body:
        assert body in page  # the textarea keeps all 20,000 characters
    bid = board_id()
    response = auth.post(f"/forum/boards/{bid}/new", {"kind": "discussion", "title": "", "body": body},
                         form_page=f"/forum/boards/{bid}/new")
    assert response.status_code == 400
    assert "Give the thread a title." in text(response) and message in text(response)


def test_reply_to_a_thread_hidden_meanwhile_is_refused_and_the_text_kept(client, auth, people):
    thread = ask(people["student"])
    auth.login(people["company"].email)
    token_page = f"/forum/threads/{thread.id}"
    forum.hide_thread(people["manager"], thread.id, "Shares patient data")
    db.session.commit()
    response = auth.post(f"/forum/threads/{thread.id}", {"body": "My carefully written answer"},
                         form_page=token_page)
    assert response.status_code == 409
    page = text(response)
    assert "it takes no replies" in page and "My carefully written answer" in page
    assert db.session.scalar(select(ForumThread.reply_count).where(ForumThread.id == thread.id)) == 0


def test_stale_edit_is_a_409_with_both_versions(client, auth, people):
    thread = ask(people["student"])
    post = answer(people["company"], thread, "first text")
    auth.login(people["company"].email)
    edit_page = text(client.get(f"/forum/posts/{post.id}/edit"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', edit_page).group(1)
    forum.edit_post(people["company"], post.id, "saved from another tab", 1)
    db.session.commit()
    response = client.post(f"/forum/posts/{post.id}/edit", data={"csrf_token": token, "version": "1",
                                                                  "body": "typed on the old page"})
    assert response.status_code == 409
    page = text(response)
    assert "Someone saved this post meanwhile (it is now version 2)" in page
    assert "typed on the old page" in page and "saved from another tab" in page
    assert 'name="version" type="hidden" value="2"' in page  # saving again now keeps this text, knowingly
    response = client.post(f"/forum/posts/{post.id}/edit", data={"csrf_token": token, "version": "2",
                                                                  "body": "typed on the old page"})
    assert response.status_code == 302
    assert db.session.get(ForumPost, post.id).body == "typed on the old page"


def test_edit_of_someone_elses_post_is_refused(client, auth, people):
    thread = ask(people["student"])
    post = answer(people["company"], thread)
    auth.login(people["student"].email)
    assert client.get(f"/forum/posts/{post.id}/edit").status_code == 403
    response = auth.post(f"/forum/posts/{post.id}/edit", {"version": "1", "body": "hijack"})
    assert response.status_code == 403
    assert db.session.get(ForumPost, post.id).body != "hijack"


def test_edited_marker_for_everyone_history_for_author_and_moderators(client, auth, people):
    thread = ask(people["student"])
    post = answer(people["company"], thread, "phone 010-1234-5678")
    forum.edit_post(people["company"], post.id, "call the office", 1)
    db.session.commit()
    auth.login(people["other"].email)
    page = text(client.get(f"/forum/threads/{thread.id}"))
    assert "edited" in page and "call the office" in page and "010-1234-5678" not in page
    assert f"/forum/posts/{post.id}/history" not in page
    assert client.get(f"/forum/posts/{post.id}/history").status_code == 403
    auth.logout()
    for who in ("company", "manager"):
        auth.login(people[who].email)
        history = text(client.get(f"/forum/posts/{post.id}/history"))
        assert "010-1234-5678" in history and "Version 2" in history and "Version 1" in history
        auth.logout()


def test_hidden_reply_placeholder_for_others_reason_for_author_content_for_moderators(client, auth, people):
    thread = ask(people["student"])
    post = answer(people["company"], thread, "Buy our product now")
    auth.login(people["manager"].email)
    response = auth.post(f"/forum/posts/{post.id}/hide", {"reason": ""}, form_page=f"/forum/posts/{post.id}/hide")
    assert response.status_code == 400 and "Say why: the author sees the reason." in text(response)
    response = auth.post(f"/forum/posts/{post.id}/hide", {"reason": "Advertising"},
                         form_page=f"/forum/posts/{post.id}/hide")
    assert response.status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "forum_post",
                                                       AuditEvent.entity_id == post.id))
    assert (event.action, event.note) == ("hidden", "Advertising")
    page = text(client.get(f"/forum/threads/{thread.id}"))
    assert "Buy our product now" in page and "Advertising" in page and "Show again" in page
    auth.logout()
    auth.login(people["other"].email)
    page = text(client.get(f"/forum/threads/{thread.id}"))
    assert "Buy our product now" not in page and "Advertising" not in page
    assert "Hidden by a moderator." in page
    auth.logout()
    auth.login(people["company"].email)
    page = text(client.get(f"/forum/threads/{thread.id}"))
    assert "Buy our product now" in page and "Hidden by a moderator: Advertising" in page
    assert f"/forum/posts/{post.id}/edit" not in page


def test_hidden_thread_is_a_placeholder_for_others(client, auth, people):
    thread = ask(people["student"], title="Secret title")
    forum.hide_thread(people["admin"], thread.id, "Duplicate")
    db.session.commit()
    auth.login(people["other"].email)
    assert "Secret title" not in text(client.get(f"/forum/boards/{board_id()}"))
    page = text(client.get(f"/forum/threads/{thread.id}"))
    assert "Secret title" not in page and "A moderator hid this thread." in page
    auth.logout()
    auth.login(people["student"].email)
    page = text(client.get(f"/forum/threads/{thread.id}"))
    assert "Secret title" in page and "Duplicate" in page


@pytest.mark.parametrize("role", ["student", "company"])
def test_non_moderators_cannot_hide_or_lock(client, auth, people, role):
    thread = ask(people["other"])
    post = answer(people["manager"], thread)
    auth.login(people[role].email)
    assert client.get(f"/forum/posts/{post.id}/hide").status_code == 403
    assert auth.post(f"/forum/posts/{post.id}/hide", {"reason": "x"}).status_code == 403
    assert auth.post(f"/forum/threads/{thread.id}/lock").status_code == 403
    assert db.session.get(ForumPost, post.id).hidden_at is None


def test_unknown_ids_are_404(client, auth, people):
    auth.login(people["student"].email)
    for path in ("/forum/boards/999999", "/forum/threads/999999", "/forum/posts/999999/edit",
                 "/forum/posts/999999/history", "/forum/posts/999999/hide"):
        assert client.get(path).status_code == 404, path
    assert auth.post("/forum/threads/999999", {"body": "hi"}).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, people):
    thread = ask(people["student"])
    response = client.get(f"/forum/threads/{thread.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


XSS = ['<script>alert("t")</script>', '[click](javascript:alert(1))', '<img src=x onerror=alert(1)>',
       '"><svg onload=alert(1)>']


def test_markdown_on_the_page_is_safe(client, auth, people):
    thread = ask(people["student"], title='<script>alert("title")</script>', body="\n\n".join(XSS))
    auth.login(people["other"].email)
    page = text(client.get(f"/forum/threads/{thread.id}"))
    assert "<script>alert" not in page and "<img src=x" not in page and "<svg" not in page
    assert 'href="javascript' not in page
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page or "&lt;script&gt;" in page
    assert "<script>alert" not in text(client.get(f"/forum/boards/{board_id()}"))


def test_thread_page_queries_do_not_grow_with_replies(app, client, auth, people, count_queries):
    def thread_with(replies: int) -> int:
        """A question with `replies` replies by three authors: every fourth hidden, every fifth edited, the last
        one accepted (the same kinds of author and state, only more of them)."""
        thread = ask(people["student"])
        for i in range(replies):
            author = [people["company"], people["other"], people["admin"]][i % 3]
            post = answer(author, thread, f"reply {i}")
            if i % 4 == 0:
                forum.hide_post(people["manager"], post.id, "spam")
                db.session.commit()
            if i % 5 == 1:
                forum.edit_post(author, post.id, f"edited reply {i}", 1)
                db.session.commit()
        forum.set_answer(people["student"], thread.id, post.id)
        db.session.commit()
        return thread.id

    small, big = thread_with(3), thread_with(15)
    auth.login(people["manager"].email)
    few = count_queries.page(client, f"/forum/threads/{small}")
    many = count_queries.page(client, f"/forum/threads/{big}")
    assert many == few


def test_board_page_queries_do_not_grow_with_threads(app, client, auth, people, count_queries):
    from marketplace.models import User

    ask(people["student"])
    ask(people["manager"], kind="announcement")  # an exchange manager's designation loads with its author
    ids = {role: user.id for role, user in people.items()}
    bid = board_id()
    auth.login(people["other"].email)
    few = count_queries.page(client, f"/forum/boards/{bid}")
    authors = [db.session.get(User, ids[role]) for role in ("company", "manager", "admin", "other")]
    for i, author in enumerate(authors * 3):
        thread = ask(author, title=f"thread {i}", kind="announcement" if author.id in (ids["manager"], ids["admin"])
                     else "discussion")
        if i == 3:
            forum.hide_thread(authors[1], thread.id, "duplicate")
            db.session.commit()
    many = count_queries.page(client, f"/forum/boards/{bid}")
    assert many == few


def test_posting_too_fast_is_a_429_with_the_text_kept(app, client, auth, people):
    thread = ask(people["student"])
    app.config["FORUM_POST_RATE_LIMIT"] = "2 per hour"
    auth.login(people["company"].email)
    within_one_window(15, HOUR)
    statuses = [auth.post(f"/forum/threads/{thread.id}", {"body": f"reply {i}"}).status_code for i in range(2)]
    assert statuses == [302, 302]
    response = auth.post(f"/forum/threads/{thread.id}", {"body": "one too many"})
    assert response.status_code == 429
    assert "You are posting too fast" in text(response) and "one too many" in text(response)
