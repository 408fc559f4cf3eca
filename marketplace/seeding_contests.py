"""The demo contest and forum threads (seeds/demo_contest.json): a contest of the demo groups taking registrations,
with a track, a rubric and the demo company's accepted problem; its board with an organiser's announcement and an
answered question; and threads on the general board. Made through the services, as the people would. Idempotent:
records are found by their titles."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Contest, ContestStatus, ForumBoard, ForumThread
from marketplace.models.base import utcnow
from marketplace.services import accounts, contests, forum, groups

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _load() -> dict:
    return json.loads((SEEDS / "demo_contest.json").read_text(encoding="utf-8"))


def _user(email: str):
    return accounts.find_user_by_email(email)


def _contest(spec: dict) -> tuple[Contest, int]:
    contest = db.session.scalar(select(Contest).where(Contest.title == spec["title"]))
    if contest is not None:
        return contest, 0
    now = utcnow()
    office, organiser = _user(spec["created_by"]), _user(spec["organiser"])
    contest = contests.create_contest(office, contests.ContestData(
        title=spec["title"], theme=spec["theme"], rules=spec["rules"], prizes=spec["prizes"], tracks=spec["tracks"],
        awards=spec["awards"], group_ids=[groups.find_group_by_code(code).id for code in spec["groups"]],
        allow_cross_group=spec["allow_cross_group"],
        **{name: now + timedelta(days=days) for name, days in spec["days"].items()}))
    for criterion in spec["rubric"]:
        contests.add_criterion(organiser, contest.id, contests.CriterionData(**criterion))
    contests.move(organiser, contest.id, ContestStatus.OPEN)
    problem_spec = dict(spec["problem"])
    company_manager = _user(problem_spec.pop("proposed_by"))
    problem = contests.propose_problem(company_manager, contest.id, contests.ProblemData(**problem_spec))
    contests.decide_problem(organiser, problem.id, accept=True)
    return contest, 2 + len(spec["rubric"])


def _threads(board: ForumBoard, specs: list[dict]) -> int:
    created = 0
    for spec in specs:
        if db.session.scalar(select(ForumThread.id).where(ForumThread.board_id == board.id,
                                                          ForumThread.title == spec["title"])):
            continue
        author = _user(spec["author"])
        thread = forum.create_thread(author, board.id, forum.ThreadData(kind=spec["kind"], title=spec["title"],
                                                                        body=spec["body"]), throttled=False)
        created += 1
        if "reply" in spec:
            post = forum.reply(_user(spec["reply"]["author"]), thread.id, spec["reply"]["body"], throttled=False)
            created += 1
            if spec["reply"].get("accepted"):
                forum.set_answer(author, thread.id, post.id)
    return created


def seed_demo_contest() -> int:
    """After the demo accounts and companies (the authors post with confirmed addresses, the company is approved).
    Commits once before the boards: a board is made in its own short transaction (services/forum.py), which needs
    the contest committed and, on SQLite, no write lock held by this one; both boards are made before any post."""
    spec = _load()
    contest, created = _contest(spec["contest"])
    db.session.commit()
    contest_board = forum.contest_board(_user(spec["contest"]["organiser"]), contest.id)
    general_board = forum.general_board()
    created += _threads(contest_board, spec["contest_board"])
    created += _threads(general_board, spec["general_board"])
    return created
