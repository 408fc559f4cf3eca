"""Course plans: which plan a placement follows (chosen, group default, programme-wide default)."""
from datetime import date

from marketplace.models import WeekStatus
from marketplace.services import course_plans, practice_logs
from tests.factories import make_group, make_student
from tests.factories_practice import make_plan, make_practice_placement, make_week


def test_placement_follows_its_groups_default_plan_then_the_programme_wide_one(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    programme = make_plan(None, name="Programme course", weeks=10, required_hours=80)
    pnu_plan = make_plan(pnu, name="PNU course")
    make_plan(pnu, name="PNU short course", weeks=4, required_hours=32, is_default=False)
    pnu_placement = make_practice_placement(make_student(pnu))
    snu_placement = make_practice_placement(make_student(snu))

    assert course_plans.plan_for(pnu_placement) == pnu_plan
    assert course_plans.plan_for(snu_placement) == programme


def test_a_chosen_plan_wins_over_the_groups_default(app):
    pnu = make_group("PNU")
    make_plan(pnu, name="PNU course")
    short = make_plan(pnu, name="PNU short course", weeks=4, required_hours=32, is_default=False)
    placement = make_practice_placement(make_student(pnu))
    placement.course_plan_id = short.id

    assert course_plans.plan_for(placement) == short


def test_no_plan_at_all_is_none(app):
    placement = make_practice_placement()
    assert course_plans.plan_for(placement) is None


def test_an_inactive_default_is_not_followed(app):
    pnu = make_group("PNU")
    make_plan(pnu, name="Old course", active=False)
    programme = make_plan(None, name="Programme course")
    assert course_plans.plan_for(make_practice_placement(make_student(pnu))) == programme


def test_plans_for_many_placements_takes_two_queries(app, count_queries):
    pnu, snu = make_group("PNU"), make_group("SNU")
    make_plan(pnu, name="PNU course")
    make_plan(None, name="Programme course")
    few = [make_practice_placement(make_student(pnu))]
    many = few + [make_practice_placement(make_student(g)) for g in (pnu, snu, snu)]
    for placement in many:
        placement.student_id  # loaded before counting (commits expired them)
    with count_queries() as statements:
        course_plans.plans_for(few)
    with count_queries() as more:
        plans = course_plans.plans_for(many)
    assert len(statements) == len(more) == 2
    assert {plan.name for plan in plans.values()} == {"PNU course", "Programme course"}


def test_final_week_defaults_to_the_last_week(app):
    assert make_plan(None, weeks=15).final_week == 15


def test_confirmed_hours_count_only_confirmed_weeks(app):
    placement = make_practice_placement(start=date(2027, 3, 1))
    make_week(placement, 1, WeekStatus.CONFIRMED, days=[(date(2027, 3, 2), "09:00", "18:00", 60),
                                                        (date(2027, 3, 3), "09:00", "13:00", 0)])
    make_week(placement, 2, WeekStatus.SUBMITTED, days=[(date(2027, 3, 9), "09:00", "18:00", 60)])
    make_week(placement, 3, WeekStatus.DRAFT, days=[(date(2027, 3, 16), "09:00", "18:00", 60)])
    other = make_practice_placement()

    assert practice_logs.confirmed_hours([placement.id, other.id]) == {placement.id: 12.0, other.id: 0.0}
    assert practice_logs.awaiting_confirmation([placement.id, other.id]) == {placement.id: 1, other.id: 0}
