"""Contests, problems, teams, submissions and judges for tests, built through the services."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from functools import lru_cache

from marketplace.extensions import db
from marketplace.models import ContestStatus, User
from marketplace.models.base import utcnow
from marketplace.services import contests
from tests.factories import make_admin, make_exchange_manager, make_group, make_student, unique
from tests.factories_companies import make_company, manager_of


@lru_cache(maxsize=1)
def report_pdf() -> bytes:
    """A real one-page PDF (pypdf opens it)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Team report")
    page.save()
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def contest_data(groups, now: datetime | None = None, **overrides) -> contests.ContestData:
    now = now or utcnow()
    values = dict(
        title=unique("Medical AI Challenge "), theme="Chest X-ray triage", rules="Be fair.", prizes="1,000,000 KRW",
        tracks=["Imaging", "Clinical NLP"], awards=["Grand prize", "Excellence"], group_ids=[g.id for g in groups],
        allow_cross_group=False, registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=5), submission_deadline=now + timedelta(days=10),
        judging_ends_at=now + timedelta(days=15), results_at=now + timedelta(days=16))
    values.update(overrides)
    return contests.ContestData(**values)


def make_contest(organiser: User | None = None, groups=None, status: ContestStatus = ContestStatus.OPEN,
                 criteria=(("Clinical value", 3, 0, 10), ("Technical quality", 1, 0, 10)), **overrides):
    groups = groups or [make_group("PNU")]
    organiser = organiser or make_exchange_manager(*groups)
    contest = contests.create_contest(organiser, contest_data(groups, **overrides))
    for name, weight, low, high in criteria:
        contests.add_criterion(organiser, contest.id, contests.CriterionData(name=name, weight=weight, min_score=low,
                                                                             max_score=high))
    if status != ContestStatus.DRAFT:
        contests.move(organiser, contest.id, ContestStatus.OPEN)
    db.session.commit()
    return contest, organiser


def problem_data(**overrides) -> contests.ProblemData:
    values = dict(title=unique("Problem "), statement="Detect pneumothorax on chest X-rays.",
                  data_description="10,000 de-identified images.", data_source="public_dataset",
                  dua_status="not_needed", deidentification="anonymised", access="cloud")
    values.update(overrides)
    return contests.ProblemData(**values)


def make_problem(contest, company=None, accept: bool = True, organiser: User | None = None):
    company = company or make_company(groups=list(contest.groups))
    cm = manager_of(company)
    problem = contests.propose_problem(cm, contest.id, problem_data())
    if accept:
        contests.decide_problem(organiser or make_admin(), problem.id, True)
    db.session.commit()
    return problem, cm


def make_team(contest, members: int = 1, group=None, problem=None, name: str | None = None):
    """A team of `members` verified students of `group` (the contest's first group by default)."""
    group = group or contest.groups[0]
    students = [make_student(group=group) for _ in range(members)]
    team = contests.create_team(students[0], contest.id, name or unique("Team "),
                                problem_id=problem.id if problem else None)
    for student in students[1:]:
        row = contests.invite_member(students[0], team.id, student.email)
        contests.accept_invitation(student, row.id)
    db.session.commit()
    return team, students


def submit(team, student, when: datetime | None = None, report: bytes | None = None, archive: bytes | None = None):
    submission = contests.submit(student, team.id, contests.Upload(report_name="report.pdf",
                                                                   report=report or report_pdf(),
                                                                   archive_name="code.zip" if archive else None,
                                                                   archive=archive), now=when)
    db.session.commit()
    return submission


def to_judging(contest, organiser):
    contests.move(organiser, contest.id, ContestStatus.JUDGING, now=contest.submission_deadline + timedelta(seconds=1))
    db.session.commit()
