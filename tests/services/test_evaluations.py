"""Evaluations both ways: windows on fixed dates, once per kind (also when two submits race), who may give which,
the rubric as it was, and the students' answers anonymous to the company below three answers."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from marketplace.extensions import db
from marketplace.models import Evaluation, EvaluationKind, Placement, PlacementStatus, User
from marketplace.services import evaluations
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from tests.concurrency import run_together
from tests.factories import make_admin, make_company_manager, make_student
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_evaluations import give_evaluations
from tests.factories_placements import make_placement, reviewer_for

START, END = date(2026, 3, 2), date(2026, 6, 12)  # a Monday to a Friday: 15 weeks
PLAN = SimpleNamespace(weeks=15, midterm_week=8, final_week=15, evaluation_window_days=7, required_hours=120)


def _placement(company=None) -> Placement:
    opening = make_opening(company) if company is not None else make_opening()
    return make_placement(opening=opening, status=PlacementStatus.ACTIVE, start=START, end=END)


def _supervisor(placement: Placement) -> User:
    return manager_of(placement.opening.company)


def _scores() -> dict[int, int]:
    return {item.id: 4 for item in evaluations.active_items()}


def _final(**overrides) -> evaluations.SupervisorEvaluationData:
    values = dict(scores=_scores(), strengths="Reads papers quickly.", improvements="Test code earlier.",
                  recommended_grade="A0")
    values.update(overrides)
    return evaluations.SupervisorEvaluationData(**values)


def _host(**overrides) -> evaluations.HostEvaluationData:
    values = dict(learning=4, supervision=5, environment=3, would_recommend=True, comment="Kind team.")
    values.update(overrides)
    return evaluations.HostEvaluationData(**values)


# -- windows --------------------------------------------------------------------------------------------------------


def test_windows_follow_the_plans_evaluation_weeks_and_window_days():
    placement = SimpleNamespace(start_date=START, end_date=END)
    windows = evaluations.windows_for(placement, PLAN)
    # week 8 runs Monday 20 April to Sunday 26 April; open 7 more days
    assert windows[EvaluationKind.SUPERVISOR_MIDTERM] == (date(2026, 4, 20), date(2026, 5, 3))
    # week 15 runs from Monday 8 June to the last day of the practice, Friday 12 June; open 7 more days
    assert windows[EvaluationKind.SUPERVISOR_FINAL] == (date(2026, 6, 8), date(2026, 6, 19))
    assert windows[EvaluationKind.STUDENT_HOST] == windows[EvaluationKind.SUPERVISOR_FINAL]


def test_a_plan_without_a_midterm_week_has_no_midterm_window_and_a_start_midweek_counts_week_one_to_sunday():
    placement = SimpleNamespace(start_date=date(2026, 3, 4), end_date=date(2026, 3, 27))  # Wednesday to Friday
    plan = SimpleNamespace(weeks=4, midterm_week=None, final_week=2, evaluation_window_days=0)
    windows = evaluations.windows_for(placement, plan)
    assert EvaluationKind.SUPERVISOR_MIDTERM not in windows
    assert windows[EvaluationKind.SUPERVISOR_FINAL] == (date(2026, 3, 9), date(2026, 3, 15))
    # a final week past the end is the practice's last week
    late = SimpleNamespace(weeks=20, midterm_week=1, final_week=20, evaluation_window_days=3)
    windows = evaluations.windows_for(placement, late)
    assert windows[EvaluationKind.SUPERVISOR_MIDTERM] == (date(2026, 3, 4), date(2026, 3, 11))
    assert windows[EvaluationKind.SUPERVISOR_FINAL] == (date(2026, 3, 23), date(2026, 3, 30))


def test_without_a_plan_the_final_window_is_the_last_week_and_seven_days():
    placement = SimpleNamespace(start_date=START, end_date=END)
    windows = evaluations.windows_for(placement, None)
    assert set(windows) == {EvaluationKind.SUPERVISOR_FINAL, EvaluationKind.STUDENT_HOST}
    assert windows[EvaluationKind.SUPERVISOR_FINAL] == (date(2026, 6, 8), date(2026, 6, 19))


@pytest.mark.parametrize("day, accepted", [
    (date(2026, 6, 7), False),  # the day before it opens
    (date(2026, 6, 8), True),  # its first day
    (date(2026, 6, 19), True),  # its last day
    (date(2026, 6, 20), False),  # the day after it closed
])
def test_an_evaluation_is_given_only_inside_its_window(app, day, accepted):
    placement = _placement()
    supervisor = _supervisor(placement)
    if accepted:
        evaluations.submit_supervisor_evaluation(supervisor, placement.id, EvaluationKind.SUPERVISOR_FINAL,
                                                 _final(), today=day)
        evaluations.submit_host_evaluation(placement.student, placement.id, _host(), today=day)
        db.session.commit()
        assert len(evaluations.evaluations_for([placement.id])[placement.id]) == 2
        return
    with pytest.raises(Conflict, match="2026-06-08.*2026-06-19") as refused:
        evaluations.submit_supervisor_evaluation(supervisor, placement.id, EvaluationKind.SUPERVISOR_FINAL,
                                                 _final(), today=day)
    assert ("opens on" if day < date(2026, 6, 8) else "is closed now") in refused.value.message
    with pytest.raises(Conflict, match="2026-06-08"):
        evaluations.submit_host_evaluation(placement.student, placement.id, _host(), today=day)
    db.session.rollback()
    assert evaluations.evaluations_for([placement.id])[placement.id] == {}


def test_a_midterm_evaluation_needs_a_plan_with_a_midterm_week(app):
    placement = _placement()
    with pytest.raises(Conflict, match="no mid-term evaluation"):
        evaluations.submit_supervisor_evaluation(_supervisor(placement), placement.id,
                                                 EvaluationKind.SUPERVISOR_MIDTERM, _final(), today=date(2026, 4, 20))


# -- once, and by whom ----------------------------------------------------------------------------------------------


def test_a_second_submit_is_refused_with_the_date_of_the_first(app):
    placement = _placement()
    supervisor = _supervisor(placement)
    day = date(2026, 6, 10)
    evaluations.submit_supervisor_evaluation(supervisor, placement.id, EvaluationKind.SUPERVISOR_FINAL, _final(),
                                             today=day)
    evaluations.submit_host_evaluation(placement.student, placement.id, _host(), today=day)
    db.session.commit()
    with pytest.raises(Conflict, match="already submitted on .*given once"):
        evaluations.submit_supervisor_evaluation(supervisor, placement.id, EvaluationKind.SUPERVISOR_FINAL,
                                                 _final(recommended_grade="F"), today=day)
    db.session.rollback()
    with pytest.raises(Conflict, match="already submitted"):
        evaluations.submit_host_evaluation(placement.student, placement.id, _host(learning=1), today=day)
    db.session.rollback()
    given = evaluations.evaluations_for([placement.id])[placement.id]
    assert given[EvaluationKind.SUPERVISOR_FINAL].recommended_grade == "A0"
    assert given[EvaluationKind.STUDENT_HOST].learning == 4


def test_two_supervisors_submitting_at_once_give_one_evaluation(app):
    placement = _placement()
    company = placement.opening.company
    first = _supervisor(placement)
    second = make_company_manager()
    from marketplace.models import CompanyMembership, MembershipStatus

    db.session.add(CompanyMembership(user_id=second.id, company_id=company.id, status=MembershipStatus.ACTIVE))
    db.session.commit()
    placement_id, ids, scores = placement.id, (first.id, second.id), _scores()

    def submit(user_id, grade):
        def job(ready):
            actor = db.session.get(User, user_id)
            ready()
            evaluations.submit_supervisor_evaluation(
                actor, placement_id, EvaluationKind.SUPERVISOR_FINAL,
                _final(scores=scores, recommended_grade=grade), today=date(2026, 6, 10))
        return job

    results = run_together(app, [submit(ids[0], "A+"), submit(ids[1], "B0")])
    assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"], results
    assert "already submitted" in [message for outcome, message in results if outcome == "conflict"][0]
    assert db.session.query(Evaluation).filter_by(placement_id=placement_id).count() == 1


def test_two_submits_of_the_students_evaluation_at_once_give_one(app):
    placement = _placement()
    placement_id, student_id = placement.id, placement.student_id

    def job(ready):
        actor = db.session.get(User, student_id)
        ready()
        evaluations.submit_host_evaluation(actor, placement_id, _host(), today=date(2026, 6, 12))

    results = run_together(app, [job, job])
    assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"], results
    assert db.session.query(Evaluation).filter_by(placement_id=placement_id).count() == 1


def test_only_the_hosts_managers_evaluate_the_student_and_only_the_student_the_host(app):
    placement = _placement()
    day = date(2026, 6, 10)
    other_company_manager = manager_of(make_company())
    with pytest.raises(NotFound):
        evaluations.submit_supervisor_evaluation(other_company_manager, placement.id,
                                                 EvaluationKind.SUPERVISOR_FINAL, _final(), today=day)
    with pytest.raises(NotFound):
        evaluations.submit_host_evaluation(make_student(), placement.id, _host(), today=day)
    with pytest.raises(Forbidden):
        evaluations.submit_supervisor_evaluation(placement.student, placement.id, EvaluationKind.SUPERVISOR_FINAL,
                                                 _final(), today=day)
    with pytest.raises(Forbidden):
        evaluations.submit_supervisor_evaluation(reviewer_for(placement.student), placement.id,
                                                 EvaluationKind.SUPERVISOR_FINAL, _final(), today=day)
    with pytest.raises(Forbidden):
        evaluations.submit_host_evaluation(_supervisor(placement), placement.id, _host(), today=day)
    with pytest.raises(Forbidden):
        evaluations.submit_host_evaluation(make_admin(), placement.id, _host(), today=day)


def test_every_wrong_field_is_named_at_once(app):
    placement = _placement()
    items = evaluations.active_items()
    bad = _final(scores={items[0].id: 6, items[1].id: None}, strengths="  ", improvements="x" * 4001,
                 recommended_grade="Z")
    with pytest.raises(ValidationFailed) as refused:
        evaluations.submit_supervisor_evaluation(_supervisor(placement), placement.id,
                                                 EvaluationKind.SUPERVISOR_FINAL, bad, today=date(2026, 6, 10))
    fields = {name for name, _ in refused.value.field_messages()}
    assert {f"score_{items[0].id}", f"score_{items[1].id}", f"score_{items[-1].id}", "strengths", "improvements",
            "recommended_grade"} <= fields
    with pytest.raises(DomainError, match="Recommend a grade"):
        evaluations.submit_supervisor_evaluation(_supervisor(placement), placement.id,
                                                 EvaluationKind.SUPERVISOR_FINAL, _final(recommended_grade=""),
                                                 today=date(2026, 6, 10))
    with pytest.raises(ValidationFailed) as refused:
        evaluations.submit_host_evaluation(placement.student, placement.id,
                                           _host(learning=0, supervision=True, environment=None, would_recommend=None),
                                           today=date(2026, 6, 10))
    assert {name for name, _ in refused.value.field_messages()} == {"learning", "supervision", "environment",
                                                                       "would_recommend"}


def test_a_finished_practice_takes_no_more_evaluations(app):
    placement = _placement()
    placement.status = PlacementStatus.CANCELLED
    db.session.commit()
    with pytest.raises(Conflict, match="active practice"):
        evaluations.submit_host_evaluation(placement.student, placement.id, _host(), today=date(2026, 6, 10))


# -- the rubric ------------------------------------------------------------------------------------------------------


def test_the_rubric_starts_with_the_default_competencies(app):
    names = [item.name_en for item in evaluations.active_items()]
    assert names == ["Domain knowledge", "Data handling and ethics", "Problem solving", "Communication", "Teamwork",
                     "Initiative"]


def test_an_evaluation_keeps_the_rubric_as_it_was_when_submitted(app):
    admin = make_admin()
    placement = _placement()
    evaluations.submit_supervisor_evaluation(_supervisor(placement), placement.id, EvaluationKind.SUPERVISOR_FINAL,
                                             _final(), today=date(2026, 6, 10))
    db.session.commit()
    first = evaluations.active_items()[0]
    evaluations.save_rubric_item(admin, first.id, evaluations.RubricItemData(
        name_ko="임상 지식", name_en="Clinical knowledge", description="", active=True))
    evaluations.save_rubric_item(admin, None, evaluations.RubricItemData(name_ko="보고서", name_en="Reporting"))
    db.session.commit()
    given = evaluations.evaluations_for([placement.id])[placement.id][EvaluationKind.SUPERVISOR_FINAL]
    assert [row["name_en"] for row in given.scores][:1] == ["Domain knowledge"]
    assert len(given.scores) == 6 and given.average_score == 4.0
    assert [i.name_en for i in evaluations.active_items()][::6] == ["Clinical knowledge", "Reporting"]


def test_only_the_programme_office_edits_the_rubric_and_one_competency_stays_active(app):
    item = evaluations.active_items()[0]
    data = evaluations.RubricItemData(name_ko="x", name_en="x")
    for actor in (make_student(), make_company_manager()):
        with pytest.raises(Forbidden):
            evaluations.save_rubric_item(actor, item.id, data)
    admin = make_admin()
    with pytest.raises(ValidationFailed):
        evaluations.save_rubric_item(admin, None, evaluations.RubricItemData(name_ko="", name_en=" ", position=-1))
    for other in evaluations.active_items()[1:]:
        evaluations.save_rubric_item(admin, other.id, evaluations.RubricItemData(
            name_ko=other.name_ko, name_en=other.name_en, active=False))
    with pytest.raises(DomainError, match="at least one active"):
        evaluations.save_rubric_item(admin, item.id, evaluations.RubricItemData(
            name_ko=item.name_ko, name_en=item.name_en, active=False))


# -- anonymous to the company ----------------------------------------------------------------------------------------


def test_the_company_sees_averages_only_from_three_answers(app):
    company = make_company()
    manager = manager_of(company)
    placements = [_placement(company) for _ in range(3)]
    for n, placement in enumerate(placements[:2]):
        give_evaluations(placement, kinds=(EvaluationKind.STUDENT_HOST,), learning=2 + n, would_recommend=n == 0)
    shown = evaluations.company_feedback(manager, company)
    assert shown.answers == 2 and not shown.shown_to_company
    assert (shown.learning, shown.supervision, shown.recommend_share) == (None, None, None)
    give_evaluations(placements[2], kinds=(EvaluationKind.STUDENT_HOST,), learning=5, would_recommend=True)
    shown = evaluations.company_feedback(manager, company)
    assert shown.shown_to_company and shown.answers == 3
    assert shown.learning == pytest.approx(3.33, abs=0.01) and shown.recommend_share == pytest.approx(66.7)
    with pytest.raises(NotFound):
        evaluations.company_feedback(manager_of(make_company()), company)
    # managers read the figures below three answers too, and each answer
    assert evaluations.satisfaction_summary(company_ids=[company.id]).learning is not None
    xm = reviewer_for(placements[0].student)
    answers = list(db.session.scalars(evaluations.host_answers_query(xm)))
    assert len(answers) == 3


def test_satisfaction_summary_by_group_and_period(app):
    placement = _placement()
    give_evaluations(placement, kinds=(EvaluationKind.STUDENT_HOST,))
    group_id = placement.student.student_profile.group_id
    assert evaluations.satisfaction_summary(group_ids=[group_id]).answers == 1
    assert evaluations.satisfaction_summary(group_ids=[group_id + 1000]).answers == 0
    assert evaluations.satisfaction_summary(period=(date(2000, 1, 1), date(2000, 12, 31))).answers == 0


def test_summary_and_evaluations_for_many_placements_take_one_query_each(app, count_queries):
    placements = [_placement() for _ in range(4)]
    for placement in placements:
        give_evaluations(placement)
    ids, company_id = [p.id for p in placements], placements[0].opening.company_id
    db.session.expire_all()
    with count_queries() as statements:
        given = evaluations.evaluations_for(ids)
        evaluations.satisfaction_summary(company_ids=[company_id])
    assert all(len(given[i]) == 2 for i in ids)
    assert len(statements) == 2


@pytest.mark.parametrize("day, accepted", [
    (date(2026, 4, 19), False), (date(2026, 4, 20), True), (date(2026, 5, 3), True), (date(2026, 5, 4), False)])
def test_the_midterm_window_follows_the_groups_course_plan(app, day, accepted):
    from tests.factories_practice import make_plan

    placement = _placement()
    make_plan(placement.student.student_profile.group, weeks=15, midterm_week=8, final_week=15,
              evaluation_window_days=7)
    submit = lambda: evaluations.submit_supervisor_evaluation(  # noqa: E731
        _supervisor(placement), placement.id, EvaluationKind.SUPERVISOR_MIDTERM, _final(recommended_grade=""),
        today=day)
    if accepted:
        assert submit().kind == EvaluationKind.SUPERVISOR_MIDTERM
    else:
        with pytest.raises(Conflict, match="2026-04-20.*2026-05-03"):
            submit()
