"""Factory functions for mentor professors: a group with approved placements and mentors, ready to allocate."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Placement, PlacementStatus, User
from tests.factories import make_admin, make_exchange_manager, make_group, make_mentor, make_student
from tests.factories_companies import make_company, make_opening
from tests.factories_placements import make_placement


def term_dates(today: date | None = None) -> tuple[date, date]:
    """A practice that started last week and runs for 15 weeks (inside the current term's start range)."""
    from marketplace.services.mentoring import default_term

    today = today or today_in_seoul()
    start_from, _ = default_term(today)
    start = max(start_from, today - timedelta(days=7))
    return start, start + timedelta(weeks=15)


def approved_placement(group, company=None, reviewer: User | None = None, skills=("Python", "PyTorch"),
                       status: PlacementStatus = PlacementStatus.APPROVED) -> Placement:
    """An approved placement of a new student of `group` at `company`, starting within the current term."""
    company = company or make_company(groups=[group], reviewer=reviewer)
    from marketplace.services.openings import SkillRequirement

    opening = make_opening(company, reviewer=reviewer, degree_levels=[], majors=[], seats=20,
                           skills=[SkillRequirement(name, "must", 1) for name in skills])
    start, end = term_dates()
    return make_placement(make_student(group=group), opening, status=status, start=start, end=end,
                          decided_by=reviewer)


@dataclass
class MentorWorld:
    group: object
    manager: User
    admin: User
    placements: list[Placement]
    mentors: list[User]


def mentor_world(students: int = 3, mentors: int = 2, group_code: str = "PNU", max_load: int | None = None,
                 same_company: bool = True) -> MentorWorld:
    group = make_group(group_code)
    admin = make_admin()
    manager = make_exchange_manager(group, admin=admin)
    company = make_company(groups=[group], reviewer=manager)
    placements = [approved_placement(group, company if same_company else None, reviewer=manager)
                  for _ in range(students)]
    mentor_users = [make_mentor(group, admin=admin, fields="Deep Learning, PyTorch", majors="Computer Science",
                                max_load=max_load) for _ in range(mentors)]
    db.session.commit()
    return MentorWorld(group, manager, admin, placements, mentor_users)
