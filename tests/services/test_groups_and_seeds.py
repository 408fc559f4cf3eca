"""Project groups are data: seeded from seeds/, added and edited by admins."""
import pytest

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    Contest,
    ContestProblem,
    ContestStatus,
    ForumBoard,
    ForumPost,
    ForumThread,
    Notification,
    ProblemStatus,
    ProjectGroup,
    ThreadKind,
    User,
)
from marketplace.seeding import seed_demo, seed_groups
from marketplace.services import accounts, contests, forum, groups
from marketplace.services.errors import DomainError
from tests.factories import make_admin


def test_seed_loads_the_five_groups_with_korean_names_and_skku_tracks(app):
    seed_groups()
    db.session.commit()
    codes = {g.code: g for g in groups.list_groups()}
    assert set(codes) == {"PNU", "SNU", "SKKU", "AJOU", "HALLYM"}
    assert codes["PNU"].name_ko.startswith("부산대학교")
    assert [t.name_en for t in codes["SKKU"].tracks] == [
        "Common", "AI-based Future Medical Specialist", "Future Medical AI Specialist"]
    assert any(m.name_en == "Nursing" for m in codes["PNU"].majors)


def _counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, ProjectGroup, Contest, ContestProblem, ForumBoard, ForumThread, ForumPost, Notification)}


def test_seeding_twice_adds_nothing_twice(app):
    first = seed_groups() + seed_demo()
    db.session.commit()
    before = _counts()
    second = seed_groups() + seed_demo()
    db.session.commit()
    assert first > 0 and second == 0
    assert _counts() == before
    _assert_demo_contest_and_forum()


def _assert_demo_contest_and_forum() -> None:
    """The demo contest takes registrations for the demo groups, with a track, a rubric and the demo company's
    accepted problem; its board has an organiser's announcement and an answered question; the general board has
    threads of its own."""
    student = accounts.find_user_by_email("student@demo.medai-exchange.kr")
    organiser = accounts.find_user_by_email("manager@demo.medai-exchange.kr")
    (contest,) = contests.visible_contests(student)
    assert contest.status == ContestStatus.OPEN and contests.registration_open(contest)
    assert {g.code for g in contest.groups} == {"PNU", "SNU", "SKKU"} and contests.can_organise(organiser, contest)
    assert contest.tracks and len(contest.criteria) == 3
    (problem,) = contests.problems_of(contest, student)
    assert problem.status == ProblemStatus.ACCEPTED and problem.company.name.startswith("메디비전랩")
    board = forum.contest_board(student, contest.id)
    announcement, question = db.session.scalars(forum.threads_query(student, board)).all()
    assert (announcement.kind, announcement.author_id, announcement.pinned) == (ThreadKind.ANNOUNCEMENT, organiser.id,
                                                                                True)
    assert question.kind == ThreadKind.QUESTION and question.author_id == student.id
    assert question.reply_count == 1 and question.answer_post_id is not None
    general = db.session.scalars(forum.threads_query(student, forum.general_board())).all()
    assert len(general) == 2


def test_admin_adds_a_new_group_like_kyung_hee(app):
    admin = make_admin()
    group = groups.create_group(admin, groups.GroupData(
        code="khu", name_en="Kyung Hee University Project Group", name_ko="경희대학교 사업단",
        email_domains=["khu.ac.kr"], majors=[("College of Korean Medicine", "한의과대학", "Korean Medicine", "한의학")],
    ))
    db.session.commit()
    assert group.code == "KHU" and group.domains == ["khu.ac.kr"]
    assert groups.find_group_by_code("KHU").majors[0].name_ko == "한의학"


def test_duplicate_group_code_and_bad_domain_are_refused(app):
    admin = make_admin()
    groups.create_group(admin, groups.GroupData(code="CAU", name_en="Chung-Ang", name_ko="중앙대학교"))
    with pytest.raises(DomainError) as error:
        groups.create_group(admin, groups.GroupData(code="cau", name_en="Again", name_ko="다시"))
    assert error.value.field == "code"
    with pytest.raises(DomainError) as error:
        groups.create_group(admin, groups.GroupData(code="XYZ", name_en="X", name_ko="엑스", email_domains=["not a domain"]))
    assert error.value.field == "email_domains"
