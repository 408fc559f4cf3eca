"""Factory functions for course plans and weekly practice logs."""
from __future__ import annotations

from datetime import date, time, timedelta

from marketplace.extensions import db
from marketplace.models import CoursePlan, Placement, PlacementStatus, PracticeDay, PracticeWeek, WeekStatus
from marketplace.models.base import utcnow
from marketplace.services import practice_terms
from tests.factories import make_student
from tests.factories_companies import make_opening
from tests.factories_placements import make_placement


def make_plan(group=None, name: str = "Practice course", weeks: int = 15, required_hours: int = 120,
              is_default: bool = True, **overrides) -> CoursePlan:
    """A plan of `group` (None: programme-wide), the group's default unless told otherwise."""
    plan = CoursePlan(group_id=group.id if group is not None else None, name=name, weeks=weeks,
                      required_hours=required_hours, is_default=is_default, **overrides)
    db.session.add(plan)
    db.session.commit()
    return plan


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def make_practice_placement(student=None, opening=None, start: date = date(2027, 3, 1),
                            end: date = date(2027, 6, 11),
                            status: PlacementStatus = PlacementStatus.ACTIVE) -> Placement:
    """An active placement (set directly) of `student` running from `start` to `end`, whose agreed schedule is
    Monday to Friday 09:00–18:00 with a 60-minute break."""
    student = student or make_student()
    opening = opening or make_opening()
    placement = make_placement(student, opening, status=status, start=start, end=end)
    terms = practice_terms.terms_of(placement)
    terms["schedule"] = [{"day": d, "start": "09:00", "end": "18:00", "break_minutes": 60} for d in range(5)]
    placement.terms = terms
    db.session.commit()
    return placement


def make_week(placement: Placement, week_no: int = 1, status: WeekStatus = WeekStatus.DRAFT,
              days: tuple = (), starts_on: date | None = None) -> PracticeWeek:
    """A week set directly (no rule checks): days are (date, "HH:MM", "HH:MM", break minutes)."""
    starts_on = starts_on or (placement.start_date if week_no == 1
                              else monday(placement.start_date) + timedelta(weeks=week_no - 1))
    week = PracticeWeek(placement_id=placement.id, week_no=week_no, starts_on=starts_on, status=status)
    if status != WeekStatus.DRAFT:
        week.submitted_at = utcnow()
    for day, start, end, break_minutes in days:
        s, e = time.fromisoformat(start), time.fromisoformat(end)
        minutes = (e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) - break_minutes
        week.days.append(PracticeDay(day=day, start_time=s, end_time=e, break_minutes=break_minutes,
                                     minutes=minutes, education_minutes=0, did="Data cleaning", learned="pandas"))
    db.session.add(week)
    db.session.commit()
    return week
