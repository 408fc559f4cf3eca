"""Factory functions for matching rounds: applications built directly with the models, rounds through the service."""
from __future__ import annotations

from datetime import date, timedelta

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    MatchingRound,
    Opening,
    Placement,
    PlacementStatus,
    User,
)
from marketplace.models.base import utcnow
from marketplace.services import rounds
from tests.factories import make_exchange_manager, make_group, make_student, unique
from tests.factories_companies import make_company, make_opening


def make_application(student: User, opening: Opening, score: float = 50.0, days_ago: float = 10,
                     status: ApplicationStatus = ApplicationStatus.SUBMITTED) -> Application:
    """An application made `days_ago` days ago (so moving a round's deadlines into the past keeps it in)."""
    made = utcnow() - timedelta(days=days_ago)
    application = Application(
        opening_id=opening.id, student_id=student.id, statement="I would like to join.", consent_at=made,
        consent_text="I consent.", match_score=score, match_has_all_musts=True, match_details=[],
        status=status, created_at=made,
    )
    db.session.add(application)
    db.session.commit()
    return application


def make_round(manager: User, openings: list[Opening], group=None, name: str | None = None,
               application_deadline: date | None = None, ranking_deadline: date | None = None) -> MatchingRound:
    group = group or make_group("PNU")
    today = today_in_seoul()
    matching_round = rounds.create_round(manager, rounds.RoundData(
        name=name or "Summer practice " + unique(""), group_id=group.id,
        application_deadline=application_deadline or today + timedelta(days=7),
        ranking_deadline=ranking_deadline or today + timedelta(days=14),
        opening_ids=[o.id for o in openings],
    ))
    db.session.commit()
    return matching_round


def after_ranking(matching_round: MatchingRound) -> date:
    """The first day the round can be run."""
    return matching_round.ranking_deadline + timedelta(days=1)


def close_ranking(matching_round: MatchingRound) -> MatchingRound:
    """Move both deadlines into the past so the round can be run today."""
    today = today_in_seoul()
    matching_round.application_deadline = today - timedelta(days=2)
    matching_round.ranking_deadline = today - timedelta(days=1)
    db.session.commit()
    return matching_round


def take_seat(opening: Opening, group=None) -> Placement:
    """Another student, outside any round, holds an approved placement in `opening`."""
    student = make_student(group or make_group("PNU"))
    application = make_application(student, opening, status=ApplicationStatus.ACCEPTED)
    placement = Placement(application_id=application.id, opening_id=opening.id, student_id=student.id,
                          status=PlacementStatus.APPROVED, start_date=opening.start_date, end_date=opening.end_date)
    db.session.add(placement)
    db.session.commit()
    return placement


class RoundSetup:
    """The small hand-made case used by the service and page tests.

    Openings A and B have one seat each. Students s1 and s2 want A then B; s3 wants only B.
    A's applicants by match score: s2 (80) before s1 (60). B's: s1 (90), s3 (70), s2 (50).
    Student-proposing deferred acceptance: s2 → A (first choice), s1 → B (second choice), s3 unmatched.
    """

    def __init__(self, seats: int = 1):
        self.group = make_group("PNU")
        self.admin = None
        self.manager = make_exchange_manager(self.group)
        self.company = make_company(groups=[self.group], reviewer=self.manager)
        self.other_company = make_company(groups=[self.group], reviewer=self.manager)
        self.a = make_opening(self.company, reviewer=self.manager, title="Opening A", seats=seats)
        self.b = make_opening(self.other_company, reviewer=self.manager, title="Opening B", seats=seats)
        self.s1, self.s2, self.s3 = (make_student(self.group) for _ in range(3))
        self.s1_a = make_application(self.s1, self.a, 60, days_ago=10)
        self.s1_b = make_application(self.s1, self.b, 90, days_ago=9)
        self.s2_a = make_application(self.s2, self.a, 80, days_ago=8)
        self.s2_b = make_application(self.s2, self.b, 50, days_ago=7)
        self.s3_b = make_application(self.s3, self.b, 70, days_ago=6)
        self.round = make_round(self.manager, [self.a, self.b], self.group)
