"""A board per contest: made once (also when two first visitors race), read by whoever sees the contest, announced
on and moderated by its organisers; everyone else gets 404 for the board, its threads and its posts."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import ContestStatus, ForumBoard, Notification, Role, User
from marketplace.services import contests, forum
from marketplace.services.errors import DomainError, NotFound
from tests.concurrency import run_together
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_contests import make_contest


@pytest.fixture
def scene(app):
    app.config["FORUM_POST_RATE_LIMIT"] = "1000 per minute"
    pnu, snu = make_group("PNU"), make_group("SNU")
    contest, organiser = make_contest(groups=[pnu])
    return {"contest": contest, "organiser": organiser, "student": make_student(group=pnu),
            "company": make_company_manager(), "other_manager": make_exchange_manager(snu), "admin": make_admin()}


def post(user, board, kind="question", title="May we use pretrained weights?", body="ImageNet ones?"):
    thread = forum.create_thread(user, board.id, forum.ThreadData(kind=kind, title=title, body=body))
    db.session.commit()
    return thread


def boards_of(contest_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(ForumBoard).where(ForumBoard.contest_id == contest_id))


def test_a_contests_board_is_made_on_first_visit_once_and_titled_by_the_contest(scene):
    contest = scene["contest"]
    board = forum.contest_board(scene["student"], contest.id)
    db.session.commit()
    again = forum.contest_board(scene["organiser"], contest.id)
    assert again.id == board.id and boards_of(contest.id) == 1
    assert forum.board_title(board) == contest.title
    assert board.id != forum.general_board().id


def test_two_first_visitors_racing_make_one_board(app, scene):
    contest_id, people = scene["contest"].id, [scene["student"].id, scene["company"].id]

    def visit(user_id: int):
        def job(ready):
            user = db.session.get(User, user_id)
            contests.get_contest(user, contest_id)
            ready()
            return forum.contest_board(user, contest_id)
        return job

    results = run_together(app, [visit(i) for i in people])
    assert results == [("ok", ""), ("ok", "")]
    assert boards_of(contest_id) == 1


def test_organiser_announces_student_and_other_groups_manager_are_refused(scene):
    board = forum.contest_board(scene["organiser"], scene["contest"].id)
    db.session.commit()
    thread = post(scene["organiser"], board, kind="announcement", title="Registration is open")
    assert thread.pinned
    for refused in ("student", "other_manager"):
        with pytest.raises(DomainError) as error:
            post(scene[refused], board, kind="announcement", title="Not mine to announce")
        assert error.value.field_messages() == [
            ("kind", "Only the organisers post announcements here. Post a question or a discussion.")]
        db.session.rollback()
    # The general board keeps its rule: an exchange manager of any group announces there.
    assert post(scene["other_manager"], forum.general_board(), kind="announcement", title="Office hours").pinned


def test_organisers_moderate_their_contests_board_others_do_not(scene):
    board = forum.contest_board(scene["student"], scene["contest"].id)
    db.session.commit()
    thread = post(scene["student"], board)
    with pytest.raises(DomainError):
        forum.hide_thread(scene["other_manager"], thread.id, "Not his contest")
    db.session.rollback()
    forum.hide_thread(scene["organiser"], thread.id, "Duplicate of the FAQ")
    db.session.commit()
    assert thread.hidden


def test_replies_and_announcements_reach_the_same_people_as_on_the_general_board(scene):
    board = forum.contest_board(scene["student"], scene["contest"].id)
    db.session.commit()
    question = post(scene["student"], board)
    forum.reply(scene["company"], question.id, "Yes, name the source.")
    db.session.commit()
    told = db.session.scalars(select(Notification.kind).where(Notification.user_id == scene["student"].id)).all()
    assert "forum_reply" in told
    assert forum.audience_ids(board) == forum.audience_ids(forum.general_board())


def test_someone_who_cannot_see_a_draft_contest_gets_404_for_its_board_threads_and_posts(scene):
    draft, organiser = make_contest(organiser=scene["organiser"], groups=list(scene["contest"].groups),
                                    status=ContestStatus.DRAFT)
    board = forum.contest_board(organiser, draft.id)
    db.session.commit()
    thread = post(organiser, board, kind="announcement", title="Draft rules")
    reply = forum.reply(scene["admin"], thread.id, "Looks right.")
    db.session.commit()
    # A draft's announcement reaches its organisers only (those who see the board): the admins and its managers.
    admins = set(db.session.scalars(select(User.id).where(User.role == Role.ADMIN)))
    assert set(forum.audience_ids(board)) == admins | {organiser.id}
    for outsider in ("student", "company", "other_manager"):
        user = scene[outsider]
        for call, args in ((forum.contest_board, (draft.id,)), (forum.board_for, (board.id,)),
                           (forum.thread_for, (thread.id,)), (forum.thread_page, (thread.id,)),
                           (forum.post_for, (reply.id,)), (forum.reply, (thread.id, "Let me in"))):
            with pytest.raises(NotFound):
                call(user, *args)
            db.session.rollback()
    # Opened, the contest and its board are everyone's.
    contests.move(organiser, draft.id, ContestStatus.OPEN)
    db.session.commit()
    assert forum.thread_for(scene["student"], thread.id).id == thread.id
    assert forum.contest_board(scene["student"], draft.id).id == board.id
