"""The weekly practice log: hour rules at their boundaries, the week's workflow, late items and reminders."""
from datetime import date, datetime, timedelta, timezone

import pytest

from marketplace.extensions import db
from marketplace.models import Notification, OutboxEmail, PlacementStatus, PracticeWeek, WeekStatus
from marketplace.services import practice_logs
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound
from marketplace.services.practice_logs import DayInput
from marketplace.services.workflow import StaleEdit
from tests.factories import make_admin
from tests.factories_companies import make_company, manager_of
from tests.factories_practice import make_plan, make_practice_placement, make_week

MON = date(2027, 3, 1)  # week 1 of the placement: Monday 1 – Sunday 7 March 2027


def day(offset: int, start="09:00", end="18:00", break_minutes="60", education="60", did="Labelled CT slices",
        learned="Window levels") -> DayInput:
    return DayInput(day=(MON + timedelta(days=offset)).isoformat(), start=start, end=end,
                    break_minutes=break_minutes, education_minutes=education, did=did, learned=learned)


def fields(error: DomainError) -> dict:
    return {field: message for field, message in error.field_messages()}


@pytest.fixture
def practice(app):
    placement = make_practice_placement(start=MON, end=date(2027, 6, 11))
    return placement


def save(placement, *rows, week_no=1, submit=False):
    saved = practice_logs.save_week(placement.student, placement.id, week_no, list(rows), submit=submit)
    db.session.commit()
    return saved


# -- the hour rules at their boundaries -------------------------------------------------------------------------


def test_exactly_eight_hours_a_day_is_accepted(practice):
    saved = save(practice, day(0, "09:00", "18:00", "60"))
    assert [d.minutes for d in saved.week.days] == [480]


def test_eight_hours_and_one_minute_in_a_day_is_refused_beside_the_end_time(practice):
    with pytest.raises(DomainError) as error:
        save(practice, day(0, "09:00", "18:01", "60"))
    assert "at most 8 hours a day" in fields(error.value)["days-0-end"]


def test_ending_at_22_00_is_accepted_and_22_01_is_refused(practice):
    assert save(practice, day(0, "14:00", "22:00", "60")).week.days[0].minutes == 420
    with pytest.raises(DomainError) as error:
        save(practice, day(0, "14:01", "22:01", "60"))
    assert "between 22:00 and 06:00" in fields(error.value)["days-0-end"]


def test_starting_before_06_00_is_refused_and_06_00_is_accepted(practice):
    with pytest.raises(DomainError) as error:
        save(practice, day(0, "05:59", "12:00", "0"))
    assert "between 22:00 and 06:00" in fields(error.value)["days-0-start"]
    assert save(practice, day(0, "06:00", "12:00", "0")).week.days[0].minutes == 360


def test_forty_hours_a_week_is_accepted_and_one_minute_more_is_refused(practice):
    five_days = [day(i) for i in range(5)]
    assert save(practice, *five_days).week.minutes == 40 * 60
    with pytest.raises(DomainError) as error:
        save(practice, *five_days, day(5, "09:00", "09:01", "0", education="0"))
    assert "at most 40 hours a week" in fields(error.value)["days"]


def test_a_day_outside_the_placement_is_refused(app):
    placement = make_practice_placement(start=date(2027, 3, 3), end=date(2027, 6, 11))  # starts on a Wednesday
    with pytest.raises(DomainError) as error:
        save(placement, day(1))  # Tuesday 2 March: in the calendar week, before the start
    assert "outside the practice period" in fields(error.value)["days-0-day"]


def test_a_day_of_another_week_is_refused(practice):
    with pytest.raises(DomainError) as error:
        save(practice, day(8))  # Tuesday of week 2, in week 1's log
    assert "not in this week" in fields(error.value)["days-0-day"]


def test_the_same_day_twice_is_refused_as_an_overlap(practice):
    with pytest.raises(DomainError) as error:
        save(practice, day(0, "09:00", "12:00", "0"), day(0, "13:00", "15:00", "0"))
    assert "logged twice" in fields(error.value)["days-1-day"]


def test_malformed_times_and_minutes_are_refused_each_beside_its_field(practice):
    with pytest.raises(DomainError) as error:
        save(practice, day(0, "9시", "25:00", "an hour", education="lots"))
    reasons = fields(error.value)
    assert set(reasons) >= {"days-0-start", "days-0-end", "days-0-break_minutes", "days-0-education_minutes"}


def test_education_time_cannot_exceed_the_days_practice(practice):
    with pytest.raises(DomainError) as error:
        save(practice, day(0, "09:00", "12:00", "0", education="181"))
    assert "days-0-education_minutes" in fields(error.value)


def test_hours_are_computed_from_the_times_never_typed(practice):
    saved = save(practice, day(0, "09:30", "17:15", "45"))
    assert saved.week.days[0].minutes == 7 * 60 + 45 - 45


def test_days_outside_the_agreed_schedule_are_saved_with_a_warning(practice):
    saved = save(practice, day(0), day(5, "10:00", "12:00", "0"), day(1, "08:00", "16:00", "60"))
    assert len(saved.week.days) == 3
    assert any("2027-03-06 is not a practice day" in w for w in saved.warnings)
    assert any("2027-03-02" in w and "outside the agreed hours" in w for w in saved.warnings)
    assert not any("2027-03-01" in w for w in saved.warnings)


def test_empty_rows_are_ignored(practice):
    saved = save(practice, day(0), DayInput(day=(MON + timedelta(days=1)).isoformat()))
    assert len(saved.week.days) == 1


# -- the week's workflow ------------------------------------------------------------------------------------------


def test_submit_confirm_counts_hours_toward_the_plan_and_tells_each_side(practice):
    supervisor = manager_of(practice.opening.company)
    save(practice, day(0), day(1, "09:00", "13:00", "0"), submit=True)
    assert db.session.scalar(db.select(Notification).where(Notification.user_id == supervisor.id,
                                                           Notification.kind == "practice_week_submitted"))
    assert practice_logs.awaiting_confirmation([practice.id]) == {practice.id: 1}
    assert practice_logs.confirmed_hours([practice.id]) == {practice.id: 0.0}

    practice_logs.confirm_week(supervisor, practice.id, 1)
    db.session.commit()
    assert practice_logs.confirmed_hours([practice.id]) == {practice.id: 12.0}
    assert practice_logs.awaiting_confirmation([practice.id]) == {practice.id: 0}
    assert db.session.scalar(db.select(Notification).where(Notification.user_id == practice.student_id,
                                                           Notification.kind == "practice_week_confirmed"))


def test_a_returned_week_is_fixed_and_resubmitted(practice):
    supervisor = manager_of(practice.opening.company)
    save(practice, day(0), submit=True)
    with pytest.raises(DomainError) as error:
        practice_logs.return_week(supervisor, practice.id, 1, "  ")
    assert error.value.field == "comment"
    db.session.rollback()
    practice_logs.return_week(supervisor, practice.id, 1, "Add what you learned on Monday.")
    db.session.commit()
    saved = save(practice, day(0, learned="DICOM headers"), submit=True)
    assert saved.week.status == WeekStatus.SUBMITTED and saved.week.days[0].learned == "DICOM headers"


def test_a_submitted_week_cannot_be_changed_by_the_student(practice):
    save(practice, day(0), submit=True)
    with pytest.raises(Conflict):
        save(practice, day(1))


def test_a_confirmed_week_cannot_be_confirmed_again(practice):
    supervisor = manager_of(practice.opening.company)
    save(practice, day(0), submit=True)
    practice_logs.confirm_week(supervisor, practice.id, 1)
    db.session.commit()
    with pytest.raises(Conflict):
        practice_logs.return_week(supervisor, practice.id, 1, "Too late")


def test_a_manager_of_another_company_cannot_confirm(practice):
    save(practice, day(0), submit=True)
    stranger = manager_of(make_company())
    with pytest.raises(NotFound):
        practice_logs.confirm_week(stranger, practice.id, 1)


def test_only_the_supervisor_confirms_and_only_the_student_logs(practice):
    save(practice, day(0), submit=True)
    admin = make_admin()
    with pytest.raises(Forbidden):
        practice_logs.confirm_week(admin, practice.id, 1)
    with pytest.raises(Forbidden):
        practice_logs.save_week(manager_of(practice.opening.company), practice.id, 2, [day(7)])


def test_a_save_from_a_stale_form_is_refused(practice):
    saved = save(practice, day(0))
    version = saved.week.version
    practice_logs.save_week(practice.student, practice.id, 1, [day(0), day(1)], expected_version=version)
    db.session.commit()
    with pytest.raises(StaleEdit):
        practice_logs.save_week(practice.student, practice.id, 1, [day(2)], expected_version=version)


def test_a_completed_practice_is_read_only(practice):
    save(practice, day(0))
    practice.status = PlacementStatus.COMPLETED
    db.session.commit()
    with pytest.raises(Conflict):
        save(practice, day(1))
    assert practice_logs.get_practice(practice.student, practice.id) == practice


def test_pending_and_cancelled_placements_have_no_practice(app):
    for status in (PlacementStatus.PENDING, PlacementStatus.CANCELLED, PlacementStatus.RETURNED):
        placement = make_practice_placement(status=status)
        with pytest.raises(NotFound):
            practice_logs.get_practice(placement.student, placement.id)


def test_a_week_number_outside_the_placement_is_not_found(practice):
    with pytest.raises(NotFound):
        practice_logs.save_week(practice.student, practice.id, 99, [day(0)])


# -- late items on fixed dates ------------------------------------------------------------------------------------


def late(placement, today):
    return [(i.week_no, i.kind, i.due) for i in practice_logs.progress_for([placement], today)[placement.id].late]


def test_a_week_not_submitted_three_days_after_it_ends_is_late(practice):
    # Week 1 ends on Sunday 7 March: due on Wednesday 10 March, late from Thursday 11.
    assert late(practice, date(2027, 3, 10)) == []
    assert late(practice, date(2027, 3, 11)) == [(1, "unsubmitted", date(2027, 3, 10))]


def test_a_draft_or_returned_week_is_late_like_a_missing_one(practice):
    make_week(practice, 1, WeekStatus.RETURNED, days=[(MON, "09:00", "18:00", 60)])
    make_week(practice, 2, WeekStatus.DRAFT)
    assert [kind for _n, kind, _d in late(practice, date(2027, 3, 18))] == ["unsubmitted", "unsubmitted"]


def test_a_week_not_confirmed_five_days_after_submission_is_late(practice):
    week = make_week(practice, 1, WeekStatus.SUBMITTED, days=[(MON, "09:00", "18:00", 60)])
    week.submitted_at = datetime(2027, 3, 7, 16, 0, tzinfo=timezone.utc)  # Monday 8 March, 01:00 in Seoul
    db.session.commit()
    assert late(practice, date(2027, 3, 13)) == []
    assert late(practice, date(2027, 3, 14)) == [(1, "unconfirmed", date(2027, 3, 13))]


def test_confirmed_weeks_and_completed_practices_are_never_late(practice):
    make_week(practice, 1, WeekStatus.CONFIRMED, days=[(MON, "09:00", "18:00", 60)])
    assert late(practice, date(2027, 3, 12)) == []
    practice.status = PlacementStatus.COMPLETED
    db.session.commit()
    assert late(practice, date(2027, 4, 30)) == []


def test_progress_shows_hours_against_the_plan(practice):
    make_plan(practice.student.student_profile.group, weeks=15, required_hours=120)
    make_week(practice, 1, WeekStatus.CONFIRMED, days=[(MON, "09:00", "18:00", 60), (MON + timedelta(1), "09:00", "18:00", 60)])
    make_week(practice, 2, WeekStatus.SUBMITTED, days=[(MON + timedelta(7), "09:00", "18:00", 60)])
    progress = practice_logs.progress_for([practice], date(2027, 3, 12))[practice.id]
    assert (progress.weeks_done, progress.confirmed_hours, progress.required_hours, progress.awaiting) == (1, 16, 120, 1)
    assert progress.weeks_total == 15 and progress.percent == 13


# -- reminders ----------------------------------------------------------------------------------------------------


def test_the_reminder_job_reminds_each_late_item_once(practice):
    supervisor = manager_of(practice.opening.company)
    week = make_week(practice, 2, WeekStatus.SUBMITTED, days=[(MON + timedelta(7), "09:00", "18:00", 60)])
    week.submitted_at = datetime(2027, 3, 14, 3, 0, tzinfo=timezone.utc)
    db.session.commit()
    today = date(2027, 3, 20)  # week 1 never submitted; week 2 waiting since 14 March

    assert practice_logs.send_reminders(today) == 2
    db.session.commit()
    assert practice_logs.send_reminders(today) == 0
    db.session.commit()
    assert practice_logs.send_reminders(today + timedelta(days=1)) == 0  # the next day's run: nothing new
    db.session.commit()

    student_notes = db.session.scalars(db.select(Notification).where(
        Notification.user_id == practice.student_id, Notification.kind == "practice_week_late")).all()
    supervisor_notes = db.session.scalars(db.select(Notification).where(
        Notification.user_id == supervisor.id, Notification.kind == "practice_confirmation_late")).all()
    assert len(student_notes) == 1 and len(supervisor_notes) == 1
    mails = db.session.scalars(db.select(OutboxEmail).where(
        OutboxEmail.notification_id.in_([n.id for n in student_notes + supervisor_notes]))).all()
    assert len(mails) == 2


def test_a_week_late_again_after_resubmission_is_reminded_again(practice):
    supervisor = manager_of(practice.opening.company)
    week = make_week(practice, 1, WeekStatus.SUBMITTED, days=[(MON, "09:00", "18:00", 60)])
    week.submitted_at = datetime(2027, 3, 8, 3, 0, tzinfo=timezone.utc)
    db.session.commit()
    assert practice_logs.send_reminders(date(2027, 3, 20)) == 2  # week 1 unconfirmed, week 2 unsubmitted
    db.session.commit()
    practice_logs.return_week(supervisor, practice.id, 1, "Fix Monday")
    db.session.commit()
    save(practice, day(0), submit=True)  # resubmitted now
    week = db.session.scalar(db.select(PracticeWeek).where(PracticeWeek.placement_id == practice.id))
    week.submitted_at = datetime(2027, 3, 21, 3, 0, tzinfo=timezone.utc)
    db.session.commit()
    assert practice_logs.send_reminders(date(2027, 3, 31)) == 2  # week 1 unconfirmed again, week 3 unsubmitted
