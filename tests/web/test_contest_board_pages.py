"""A contest's board on the pages: linked from the contest, titled by it, announcements by its organisers only,
and 404 for its board, threads and replies to someone who cannot see the contest."""
from __future__ import annotations

import re

import pytest

from marketplace.extensions import db
from marketplace.models import ContestStatus
from marketplace.services import forum
from tests.factories import make_exchange_manager, make_group, make_student
from tests.factories_contests import make_contest


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def scene(app):
    app.config["FORUM_POST_RATE_LIMIT"] = "1000 per minute"
    pnu = make_group("PNU")
    contest, organiser = make_contest(groups=[pnu], title="Chest X-ray Challenge 2027")
    return {"contest": contest, "organiser": organiser, "student": make_student(group=pnu),
            "other_manager": make_exchange_manager(make_group("SNU"))}


def text(response) -> str:
    return response.get_data(as_text=True)


def test_contest_page_links_its_board_titled_by_the_contest(client, auth, scene):
    contest = scene["contest"]
    auth.login(scene["student"].email)
    page = text(client.get(f"/contests/{contest.id}"))
    assert f'href="/forum/contests/{contest.id}"' in page
    response = client.get(f"/forum/contests/{contest.id}")
    assert response.status_code == 302
    board_url = response.headers["Location"]
    assert re.fullmatch(r"/forum/boards/\d+", board_url)
    board = text(client.get(board_url))
    assert "<h1 class=\"h3 mb-0\">Chest X-ray Challenge 2027</h1>" in board
    assert f'href="/contests/{contest.id}"' in board and "Back to the contest" in board
    assert client.get(f"/forum/contests/{contest.id}").headers["Location"] == board_url  # one board


def test_announcements_on_a_contest_board_are_its_organisers(client, auth, scene):
    contest_id = scene["contest"].id
    auth.login(scene["student"].email)
    board_url = client.get(f"/forum/contests/{contest_id}").headers["Location"]
    new = f"{board_url}/new"
    assert 'value="announcement"' not in text(client.get(new))
    response = auth.post(new, {"kind": "announcement", "title": "Free GPUs", "body": "Come and get them"},
                         form_page=new)
    assert response.status_code == 400
    page = text(response)
    assert "Only the organisers post announcements here." in page and "Come and get them" in page
    auth.logout()
    auth.login(scene["other_manager"].email)  # announces on the general board, not on another group's contest
    assert 'value="announcement"' not in text(client.get(new))
    auth.logout()
    auth.login(scene["organiser"].email)
    assert 'value="announcement"' in text(client.get(new))
    response = auth.post(new, {"kind": "announcement", "title": "Registration is open", "body": "Form your teams."},
                         form_page=new)
    assert response.status_code == 302
    assert "Registration is open" in text(client.get(board_url))


def test_someone_who_cannot_see_the_contest_gets_404_for_its_board_threads_and_replies(client, auth, scene):
    draft, organiser = make_contest(organiser=scene["organiser"], groups=[make_group("PNU")],
                                    status=ContestStatus.DRAFT)
    board = forum.contest_board(organiser, draft.id)
    db.session.commit()
    thread = forum.create_thread(organiser, board.id, forum.ThreadData(kind="discussion", title="Draft rules",
                                                                       body="Rules to check"))
    db.session.commit()
    reply = forum.reply(organiser, thread.id, "Second thoughts")
    db.session.commit()
    auth.login(scene["student"].email)
    for path in (f"/contests/{draft.id}", f"/forum/contests/{draft.id}", f"/forum/boards/{board.id}",
                 f"/forum/boards/{board.id}/new", f"/forum/threads/{thread.id}", f"/forum/posts/{reply.id}/history"):
        assert client.get(path).status_code == 404, path
    response = auth.post(f"/forum/threads/{thread.id}", {"body": "Let me in"})
    assert response.status_code == 404
    assert forum.thread_page(organiser, thread.id).thread.reply_count == 1  # nothing was added
    auth.logout()
    auth.login(organiser.email)
    assert client.get(f"/forum/threads/{thread.id}").status_code == 200
