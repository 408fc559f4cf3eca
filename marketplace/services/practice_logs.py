"""Weekly practice logs (실습일지): days recorded by the student, weeks submitted and confirmed or returned by the
host supervisor, the totals that count toward the course plan, and what is late.

Weeks. Week 1 runs from the placement's start date to the Sunday after it; each later week runs Monday to Sunday;
the last one ends on the placement's end date. A PracticeWeek row is made when the student first saves the week.

The hour rules (the compliance rules of the programme) are enforced in `save_week`, the one path every page, the
API and the seeds take: a day over 8 hours, a week over 40 hours, any time between 22:00 and 06:00, a day outside
the placement's period or outside the week, and the same day twice are refused; days outside the agreed schedule
(the placement's practice terms) are saved with a warning. Hours are computed from the times, never typed.

State changes are conditional moves from the state read (services/workflow.py): two supervisors confirming and
returning the same week at once give one decision and one 409 ("changed meanwhile").
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.clock import SEOUL, today_in_seoul
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import (
    CoursePlan,
    Opening,
    Placement,
    PracticeDay,
    PracticeWeek,
    StudentProfile,
    User,
    WeekStatus,
)
from marketplace.models.base import utcnow
from marketplace.services import audit, course_plans
from marketplace.services import practice_access as access
from marketplace.services.errors import Conflict, DomainError, Forbidden, NotFound, Reasons
from marketplace.services.practice_terms import Schedule, format_time, parse_time, terms_of
from marketplace.services.workflow import StateMachine, claim_for_edit

__all__ = [
    "MAX_DAY_MINUTES", "MAX_WEEK_MINUTES", "NIGHT_STARTS", "NIGHT_ENDS", "SUBMIT_GRACE_DAYS", "CONFIRM_GRACE_DAYS",
    "week_machine", "DayInput", "Saved", "LateItem", "Progress", "WeekView", "PracticeLog",
    "week_count", "week_bounds", "week_no_of", "get_practice", "weeks_of", "get_week", "logs_for", "changed_since",
    "save_week", "submit_week", "confirm_week", "return_week",
    "confirmed_minutes", "confirmed_hours", "awaiting_confirmation", "progress_for", "late_items_for",
]

MAX_DAY_MINUTES = 8 * 60
MAX_WEEK_MINUTES = 40 * 60
NIGHT_STARTS = 22 * 60  # no practice from 22:00 ...
NIGHT_ENDS = 6 * 60  # ... to 06:00
MAX_BREAK_MINUTES = 240
MAX_TEXT = 4000
SUBMIT_GRACE_DAYS = 3  # a week not submitted 3 days after it ends is late
CONFIRM_GRACE_DAYS = 5  # a week not confirmed 5 days after it was submitted is late

week_machine: StateMachine[WeekStatus] = StateMachine("practice_week", {
    WeekStatus.DRAFT: {WeekStatus.SUBMITTED},
    WeekStatus.SUBMITTED: {WeekStatus.CONFIRMED, WeekStatus.RETURNED},
    WeekStatus.RETURNED: {WeekStatus.SUBMITTED},
    WeekStatus.CONFIRMED: set(),
})
EDITABLE = frozenset({WeekStatus.DRAFT, WeekStatus.RETURNED})


# -- weeks of a placement ----------------------------------------------------------------------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_count(placement: Placement) -> int:
    return week_no_of(placement, placement.end_date) if placement.end_date >= placement.start_date else 0


def week_no_of(placement: Placement, day: date) -> int:
    """The number of the week `day` falls in (1 = the week of the start date); may be < 1 or past the end."""
    return (_monday(day) - _monday(placement.start_date)).days // 7 + 1


def week_bounds(placement: Placement, week_no: int) -> tuple[date, date]:
    """First and last day of week `week_no` of the placement, within its period."""
    monday = _monday(placement.start_date) + timedelta(weeks=week_no - 1)
    return max(monday, placement.start_date), min(monday + timedelta(days=6), placement.end_date)


# -- loading and access --------------------------------------------------------------------------------------------


def _load_options():
    return (
        selectinload(Placement.opening).selectinload(Opening.company),
        selectinload(Placement.student).selectinload(User.student_profile).selectinload(StudentProfile.group),
    )


def get_practice(actor: User, placement_id: int) -> Placement:
    """The placement whose practice `actor` may see; "not found" for anyone else and for placements that are not
    (yet) a practice."""
    placement = db.session.scalar(select(Placement).where(Placement.id == placement_id).options(*_load_options()))
    if placement is None or not access.can_view(actor, placement):
        raise NotFound(str(_l("No such practice.")))
    return placement


def _weeks_rows(placement_ids: Iterable[int], *options) -> dict[int, dict[int, PracticeWeek]]:
    ids = set(placement_ids)
    result: dict[int, dict[int, PracticeWeek]] = {pid: {} for pid in ids}
    if not ids:
        return result
    for week in db.session.scalars(select(PracticeWeek).where(PracticeWeek.placement_id.in_(ids))
                                   .options(selectinload(PracticeWeek.days), *options)):
        result[week.placement_id][week.week_no] = week
    return result


@dataclass
class WeekView:
    week_no: int
    first: date
    last: date
    row: PracticeWeek | None
    late: LateItem | None = None

    @property
    def status(self) -> WeekStatus | None:
        return self.row.status if self.row is not None else None

    @property
    def minutes(self) -> int:
        return self.row.minutes if self.row is not None else 0


def _week_views(placement: Placement, rows: dict[int, PracticeWeek], today: date) -> list[WeekView]:
    late = {item.week_no: item for item in _late(placement, rows, today)}
    return [WeekView(n, *week_bounds(placement, n), rows.get(n), late.get(n))
            for n in range(1, week_count(placement) + 1)]


def weeks_of(placement: Placement, today: date | None = None) -> list[WeekView]:
    """Every week of the placement with its saved row (or None) and whether it is late, in two queries."""
    today = today or today_in_seoul()
    return _week_views(placement, _weeks_rows([placement.id])[placement.id], today)


def get_week(actor: User, placement_id: int, week_no: int) -> tuple[Placement, WeekView]:
    placement = get_practice(actor, placement_id)
    if not 1 <= week_no <= week_count(placement):
        raise NotFound(str(_l("No such week.")))
    row = db.session.scalar(select(PracticeWeek).where(PracticeWeek.placement_id == placement.id,
                                                       PracticeWeek.week_no == week_no)
                            .options(selectinload(PracticeWeek.days)))
    return placement, WeekView(week_no, *week_bounds(placement, week_no), row)


# -- recording a week ------------------------------------------------------------------------------------------------


@dataclass
class DayInput:
    """One row of the week form as typed: every value a string, checked by save_week."""

    day: str = ""
    start: str = ""
    end: str = ""
    break_minutes: str = "0"
    education_minutes: str = "0"
    did: str = ""
    learned: str = ""

    @property
    def blank(self) -> bool:
        return not any(str(v or "").strip() for v in (self.start, self.end, self.did, self.learned))


@dataclass
class Saved:
    week: PracticeWeek
    warnings: list[str] = field(default_factory=list)


def _minutes_field(text: str, name: str, label, problems: Reasons, most: int) -> int | None:
    text = str(text or "").strip() or "0"
    if not text.isdigit():
        problems.add(name, _l("%(what)s: enter whole minutes, like 60.", what=label))
        return None
    value = int(text)
    if value > most:
        problems.add(name, _l("%(what)s: at most %(most)s minutes.", what=label, most=most))
        return None
    return value


def _clean_days(placement: Placement, week_no: int, rows: list[DayInput], problems: Reasons) -> list[dict]:
    first, last = week_bounds(placement, week_no)
    cleaned: list[dict] = []
    seen: dict[date, int] = {}
    for index, row in enumerate(rows):
        if row.blank:  # a row of the form left empty (its date may be filled in for convenience)
            continue
        prefix = f"days-{index}-"
        before = len(problems.errors)
        try:
            day = date.fromisoformat(str(row.day or "").strip())
        except ValueError:
            problems.add(prefix + "day", _l("Enter the date as YYYY-MM-DD."))
            day = None
        if day is not None:
            if not placement.start_date <= day <= placement.end_date:
                problems.add(prefix + "day", _l(
                    "%(day)s is outside the practice period (%(start)s – %(end)s).", day=day.isoformat(),
                    start=placement.start_date.isoformat(), end=placement.end_date.isoformat()))
            elif not first <= day <= last:
                problems.add(prefix + "day", _l("%(day)s is not in this week (%(first)s – %(last)s).",
                                                day=day.isoformat(), first=first.isoformat(), last=last.isoformat()))
            elif day in seen:
                problems.add(prefix + "day", _l("%(day)s is logged twice: one row per day.", day=day.isoformat()))
            seen.setdefault(day, index)
        start, end = parse_time(row.start), parse_time(row.end)
        if start is None:
            problems.add(prefix + "start", _l("Enter the start time as HH:MM, like 09:00."))
        if end is None:
            problems.add(prefix + "end", _l("Enter the end time as HH:MM, like 18:00."))
        break_minutes = _minutes_field(row.break_minutes, prefix + "break_minutes", _l("Break"), problems,
                                       MAX_BREAK_MINUTES)
        education = _minutes_field(row.education_minutes, prefix + "education_minutes", _l("Education time"),
                                   problems, MAX_DAY_MINUTES)
        minutes = None
        if start is not None and end is not None:
            if start < NIGHT_ENDS or start >= NIGHT_STARTS:
                problems.add(prefix + "start", _l("No practice between 22:00 and 06:00: start at 06:00 or later."))
            elif end > NIGHT_STARTS:
                problems.add(prefix + "end", _l("No practice between 22:00 and 06:00: end by 22:00."))
            elif end <= start:
                problems.add(prefix + "end", _l("The end time must be after the start time."))
            elif break_minutes is not None:
                minutes = end - start - break_minutes
                if minutes <= 0:
                    problems.add(prefix + "break_minutes", _l("The break is as long as the day."))
                elif minutes > MAX_DAY_MINUTES:
                    problems.add(prefix + "end", _l(
                        "%(hours)s of practice in one day: at most 8 hours a day.", hours=_hours(minutes)))
                elif education is not None and education > minutes:
                    problems.add(prefix + "education_minutes",
                                 _l("Education time cannot be longer than the day's practice time."))
        did, learned = str(row.did or "").strip(), str(row.learned or "").strip()
        if not did:
            problems.add(prefix + "did", _l("Say what you did that day."))
        if len(did) > MAX_TEXT or len(learned) > MAX_TEXT:
            problems.add(prefix + "did", _l("At most %(most)s characters.", most=MAX_TEXT))
        if len(problems.errors) == before:
            cleaned.append(dict(day=day, start=start, end=end, break_minutes=break_minutes, minutes=minutes,
                                education_minutes=education, did=did, learned=learned))
    total = sum(d["minutes"] for d in cleaned)
    if not problems and total > MAX_WEEK_MINUTES:
        problems.add("days", _l("%(hours)s in this week: at most 40 hours a week.", hours=_hours(total)))
    return cleaned


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return str(_l("%(h)s h %(m)s min", h=hours, m=rest)) if rest else str(_l("%(h)s h", h=hours))


def _schedule_warnings(placement: Placement, days: list[dict]) -> list[str]:
    """Days outside the agreed schedule (the placement's practice terms): saved, but said."""
    schedule = Schedule.from_list(terms_of(placement).get("schedule"))
    by_day = {d.day: d for d in schedule.days}
    warnings = []
    for entry in days:
        agreed = by_day.get(entry["day"].weekday())
        if agreed is None:
            warnings.append(str(_l("%(day)s is not a practice day of the agreed schedule.",
                                   day=entry["day"].isoformat())))
        elif entry["start"] < agreed.start or entry["end"] > agreed.end:
            warnings.append(str(_l(
                "%(day)s (%(start)s–%(end)s) is outside the agreed hours (%(agreed_start)s–%(agreed_end)s).",
                day=entry["day"].isoformat(), start=format_time(entry["start"]), end=format_time(entry["end"]),
                agreed_start=format_time(agreed.start), agreed_end=format_time(agreed.end))))
    return warnings


def _as_time(minutes: int) -> time:
    return time(23, 59) if minutes >= 24 * 60 else time(minutes // 60, minutes % 60)


def _require_student(actor: User, placement_id: int, week_no: int) -> Placement:
    placement = get_practice(actor, placement_id)
    if access.role_on(actor, placement) != access.STUDENT:
        raise Forbidden(str(_l("Only the student keeps their practice log.")))
    if placement.status not in access.LOGGABLE_STATES:
        raise Conflict(str(_l("This practice is closed: its log can be read, not changed.")))
    if not 1 <= week_no <= week_count(placement):
        raise NotFound(str(_l("No such week.")))
    return placement


def _week_row(placement: Placement, week_no: int, expected_version: int | None) -> PracticeWeek:
    """The week's row, locked for this edit (stale forms refused), made on first save."""
    week = db.session.scalar(select(PracticeWeek).where(PracticeWeek.placement_id == placement.id,
                                                        PracticeWeek.week_no == week_no))
    if week is None:
        week = PracticeWeek(placement_id=placement.id, week_no=week_no,
                            starts_on=week_bounds(placement, week_no)[0], status=WeekStatus.DRAFT, comment="")
        try:
            with db.session.begin_nested():
                db.session.add(week)
        except IntegrityError:  # saved meanwhile from another tab: its row now exists
            raise Conflict(str(_l("This week was saved meanwhile from another window. Reload the page."))) from None
        return week
    claim_for_edit(week, expected_version)
    return week


def save_week(actor: User, placement_id: int, week_no: int, rows: list[DayInput],
              expected_version: int | None = None, submit: bool = False) -> Saved:
    """Save the week's days as a draft (replacing the saved ones) and, with submit, send it to the host supervisor.
    Refuses every broken rule at once, each beside its field; warns on days outside the agreed schedule."""
    placement = _require_student(actor, placement_id, week_no)
    problems = Reasons()
    days = _clean_days(placement, week_no, rows, problems)
    if submit and not days and not problems:
        problems.add("days", _l("Log at least one day before you submit the week."))
    problems.raise_if_any()
    week = _week_row(placement, week_no, expected_version)
    if week.status not in EDITABLE:
        raise Conflict(str(_l("This week is “%(status)s”: it cannot be changed now.",
                              status=_status_label(week.status))))
    week.days.clear()
    db.session.flush()
    for entry in days:
        week.days.append(PracticeDay(
            day=entry["day"], start_time=_as_time(entry["start"]), end_time=_as_time(entry["end"]),
            break_minutes=entry["break_minutes"], minutes=entry["minutes"],
            education_minutes=entry["education_minutes"], did=entry["did"], learned=entry["learned"]))
    db.session.flush()
    warnings = _schedule_warnings(placement, days)
    if submit:
        _submit(actor, placement, week)
    else:
        audit.record(actor, "practice_week", week.id, "updated", week.status.value, week.status.value)
    return Saved(week, warnings)


def submit_week(actor: User, placement_id: int, week_no: int, expected_version: int | None = None) -> PracticeWeek:
    """Submit the week as saved (a draft or a returned week) to the host supervisor."""
    placement = _require_student(actor, placement_id, week_no)
    week = db.session.scalar(select(PracticeWeek).where(PracticeWeek.placement_id == placement.id,
                                                        PracticeWeek.week_no == week_no))
    if week is None or not week.days:
        raise DomainError(str(_l("Log at least one day before you submit the week.")), field="days")
    _submit(actor, placement, week)
    return week


def _submit(actor: User, placement: Placement, week: PracticeWeek) -> None:
    from marketplace.services.companies import active_managers
    from marketplace.services.notifications import link_to, notify_many

    week_machine.move(actor, week, WeekStatus.SUBMITTED,
                      action="resubmitted" if week.status == WeekStatus.RETURNED else "submitted")
    week.submitted_at = utcnow()
    week.decided_by_id = None
    week.decided_at = None
    notify_many(active_managers(placement.opening.company), "practice_week_submitted",
                link_to("practice.week", placement_id=placement.id, week_no=week.week_no),
                student=placement.student.display_name, week=week.week_no, opening=placement.opening.title)


def _status_label(status: WeekStatus) -> str:
    from marketplace.labels import label

    return label(status)


# -- the host supervisor's decision ----------------------------------------------------------------------------------


def _decide(actor: User, placement_id: int, week_no: int, target: WeekStatus, comment: str) -> PracticeWeek:
    from marketplace.services.notifications import link_to, notify

    placement = get_practice(actor, placement_id)
    if access.role_on(actor, placement) != access.SUPERVISOR:
        raise Forbidden(str(_l("Only a manager of the host company confirms or returns the weekly log.")))
    if placement.status not in access.LOGGABLE_STATES:
        raise Conflict(str(_l("This practice is closed: its log can be read, not changed.")))
    week = db.session.scalar(select(PracticeWeek).where(PracticeWeek.placement_id == placement.id,
                                                        PracticeWeek.week_no == week_no))
    if week is None:
        raise NotFound(str(_l("No such week.")))
    comment = (comment or "").strip()
    if target == WeekStatus.RETURNED and not comment:
        raise DomainError(str(_l("Say what the student should fix.")), field="comment")
    if len(comment) > MAX_TEXT:
        raise DomainError(str(_l("At most %(most)s characters.", most=MAX_TEXT)), field="comment")
    week_machine.move(actor, week, target, note=comment[:500])
    week.decided_by_id = actor.id
    week.decided_at = utcnow()
    week.comment = comment
    kind = "practice_week_confirmed" if target == WeekStatus.CONFIRMED else "practice_week_returned"
    notify(placement.student, kind, link_to("practice.week", placement_id=placement.id, week_no=week_no),
           week=week_no, opening=placement.opening.title, note=comment)
    return week


def confirm_week(actor: User, placement_id: int, week_no: int, comment: str = "") -> PracticeWeek:
    """The host supervisor confirms a submitted week: its hours count toward the plan."""
    return _decide(actor, placement_id, week_no, WeekStatus.CONFIRMED, comment)


def return_week(actor: User, placement_id: int, week_no: int, comment: str) -> PracticeWeek:
    """The host supervisor returns a submitted week with what to fix; the student corrects and resubmits it."""
    return _decide(actor, placement_id, week_no, WeekStatus.RETURNED, comment)


# -- totals, late items and progress --------------------------------------------------------------------------------


def confirmed_minutes(placement_ids: Iterable[int]) -> dict[int, int]:
    """Minutes of the confirmed weeks per placement (0 for none), in one query."""
    ids = set(placement_ids)
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    rows = db.session.execute(
        select(PracticeWeek.placement_id, func.coalesce(func.sum(PracticeDay.minutes), 0))
        .join(PracticeDay, PracticeDay.week_id == PracticeWeek.id)
        .where(PracticeWeek.placement_id.in_(ids), PracticeWeek.status == WeekStatus.CONFIRMED)
        .group_by(PracticeWeek.placement_id)
    ).all()
    for placement_id, minutes in rows:
        result[placement_id] = int(minutes)
    return result


def confirmed_hours(placement_ids: Iterable[int]) -> dict[int, float]:
    """Hours of the confirmed weeks per placement (what counts toward the plan's required hours), in one query."""
    return {pid: minutes / 60 for pid, minutes in confirmed_minutes(placement_ids).items()}


def awaiting_confirmation(placement_ids: Iterable[int]) -> dict[int, int]:
    """Weeks submitted and not yet confirmed (nor returned) per placement (0 for none), in one query."""
    ids = set(placement_ids)
    result = dict.fromkeys(ids, 0)
    if not ids:
        return result
    rows = db.session.execute(
        select(PracticeWeek.placement_id, func.count())
        .where(PracticeWeek.placement_id.in_(ids), PracticeWeek.status == WeekStatus.SUBMITTED)
        .group_by(PracticeWeek.placement_id)
    ).all()
    for placement_id, count in rows:
        result[placement_id] = int(count)
    return result


@dataclass(frozen=True)
class LateItem:
    placement_id: int
    week_no: int
    kind: str  # "unsubmitted" | "unconfirmed"
    due: date  # the last day it was on time
    key: str  # what the reminder is for (a resubmitted week late again is a new item)


def _submitted_day(week: PracticeWeek) -> date:
    return week.submitted_at.astimezone(SEOUL).date()


def _late(placement: Placement, rows: dict[int, PracticeWeek], today: date) -> list[LateItem]:
    if placement.status not in access.LOGGABLE_STATES:
        return []
    items = []
    for week_no in range(1, week_count(placement) + 1):
        last = week_bounds(placement, week_no)[1]
        if last + timedelta(days=SUBMIT_GRACE_DAYS) >= today:
            break  # this week and the later ones are not due yet
        row = rows.get(week_no)
        if row is None or row.status in EDITABLE:
            items.append(LateItem(placement.id, week_no, "unsubmitted", last + timedelta(days=SUBMIT_GRACE_DAYS),
                                  "unsubmitted"))
    for week_no, row in sorted(rows.items()):
        if row.status == WeekStatus.SUBMITTED and row.submitted_at is not None:
            due = _submitted_day(row) + timedelta(days=CONFIRM_GRACE_DAYS)
            if due < today:
                items.append(LateItem(placement.id, week_no, "unconfirmed", due,
                                      "unconfirmed:" + row.submitted_at.isoformat()))
    return sorted(items, key=lambda item: (item.week_no, item.kind))


def late_items_for(placements: Iterable[Placement], today: date | None = None) -> dict[int, list[LateItem]]:
    """Late weeks per placement as of `today` (Seoul), in one query."""
    placements = list(placements)
    today = today or today_in_seoul()
    rows = _week_statuses([p.id for p in placements])
    return {p.id: _late(p, rows[p.id], today) for p in placements}


def _week_statuses(placement_ids: list[int]) -> dict[int, dict[int, PracticeWeek]]:
    """Week rows (without their days) per placement, in one query."""
    result: dict[int, dict[int, PracticeWeek]] = {pid: {} for pid in placement_ids}
    if placement_ids:
        for week in db.session.scalars(select(PracticeWeek).where(PracticeWeek.placement_id.in_(placement_ids))):
            result[week.placement_id][week.week_no] = week
    return result


@dataclass
class Progress:
    placement_id: int
    plan: CoursePlan | None
    weeks_total: int  # weeks of the placement's period
    weeks_done: int  # confirmed weeks
    confirmed_minutes: int
    awaiting: int  # weeks submitted, not yet confirmed
    late: list[LateItem]

    @property
    def confirmed_hours(self) -> float:
        return self.confirmed_minutes / 60

    @property
    def required_hours(self) -> int | None:
        return self.plan.required_hours if self.plan is not None else None

    @property
    def percent(self) -> int:
        if not self.required_hours:
            return 0
        return min(100, int(self.confirmed_minutes * 100 // (self.required_hours * 60)))

    @property
    def hours_met(self) -> bool:
        return self.required_hours is not None and self.confirmed_minutes >= self.required_hours * 60


def progress_for(placements: Iterable[Placement], today: date | None = None) -> dict[int, Progress]:
    """Progress of many placements in four queries, however many placements and weeks there are."""
    placements = list(placements)
    today = today or today_in_seoul()
    ids = [p.id for p in placements]
    plans = course_plans.plans_for(placements)
    rows = _week_statuses(ids)
    minutes = confirmed_minutes(ids)
    result = {}
    for p in placements:
        weeks = rows[p.id]
        result[p.id] = Progress(
            placement_id=p.id, plan=plans[p.id], weeks_total=week_count(p),
            weeks_done=sum(1 for w in weeks.values() if w.status == WeekStatus.CONFIRMED),
            confirmed_minutes=minutes[p.id],
            awaiting=sum(1 for w in weeks.values() if w.status == WeekStatus.SUBMITTED),
            late=_late(p, weeks, today))
    return result


@dataclass
class PracticeLog:
    """A placement's whole weekly log as its practice pages show it: every week (with its days), and the progress."""

    placement: Placement
    weeks: list[WeekView]
    progress: Progress

    @property
    def updated_at(self):
        """When anything of the log last changed: the placement (its plan, its status) or one of its weeks."""
        return max([self.placement.updated_at, *(w.row.updated_at for w in self.weeks if w.row is not None)])


def logs_for(placements: Iterable[Placement], today: date | None = None) -> dict[int, PracticeLog]:
    """The logs of many placements (loaded by get_practice or practices_query) in a fixed number of queries, however
    many placements, weeks and days there are (the API's practice logs)."""
    placements = list(placements)
    today = today or today_in_seoul()
    rows = _weeks_rows([p.id for p in placements], selectinload(PracticeWeek.decided_by))
    progress = progress_for(placements, today)
    return {p.id: PracticeLog(p, _week_views(p, rows[p.id], today), progress[p.id]) for p in placements}


def changed_since(query, since):
    """Narrow a practices_query to the practices whose log changed at or after `since` (the placement, or any of
    its weeks: saved, submitted, confirmed, returned), for sync jobs."""
    from sqlalchemy import exists, or_

    week_changed = exists().where(PracticeWeek.placement_id == Placement.id, PracticeWeek.updated_at >= since)
    return query.where(or_(Placement.updated_at >= since, week_changed))


def practices_query(actor: User):
    """The practices (approved, active, completed placements) `actor` follows, newest start first: the student's
    own, the host company's for its managers, their students' for mentors, their groups' for exchange managers, all
    for admins; none for others.
    Loads what the list shows (student, opening, company)."""
    from sqlalchemy import false

    from marketplace.models import CompanyMembership, MembershipStatus, Role
    from marketplace.models.mentoring import MentorAssignment
    from marketplace.ownership import reviewable_group_ids
    from marketplace.permissions import Permission, user_can

    query = select(Placement).where(Placement.status.in_(access.PRACTICE_STATES)).options(*_load_options())
    if user_can(actor, Permission.APPLY):
        query = query.where(Placement.student_id == actor.id)
    elif user_can(actor, Permission.MANAGE_COMPANY):
        companies = select(CompanyMembership.company_id).where(CompanyMembership.user_id == actor.id,
                                                               CompanyMembership.status == MembershipStatus.ACTIVE)
        query = query.join(Opening, Opening.id == Placement.opening_id).where(Opening.company_id.in_(companies))
    elif actor.role == Role.MENTOR:
        # The mentor follows the practices of the students assigned to them (practice_access.is_mentor_hook).
        query = query.where(Placement.id.in_(select(MentorAssignment.placement_id)
                                             .where(MentorAssignment.mentor_id == actor.id)))
    else:
        group_ids = reviewable_group_ids(actor)
        if group_ids is not None:
            if not group_ids:
                return query.where(false())
            query = query.join(StudentProfile, StudentProfile.user_id == Placement.student_id) \
                .where(StudentProfile.group_id.in_(group_ids))
    return query.order_by(Placement.start_date.desc(), Placement.id.desc())


# -- reminders of late items (the practice-reminders job) -------------------------------------------------------------


def _mark_reminded(placement: Placement, item: LateItem, row: PracticeWeek | None) -> bool:
    """Note on the week that `item` was reminded; False when it already was (by this run or another one)."""
    from marketplace.services.workflow import compare_and_set

    if row is None:
        row = PracticeWeek(placement_id=placement.id, week_no=item.week_no,
                           starts_on=week_bounds(placement, item.week_no)[0], status=WeekStatus.DRAFT,
                           comment="", reminded=item.key)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # the student opened the week meanwhile: the next run reminds it
            return False
        return True
    marks = [m for m in (row.reminded or "").split("\n") if m]
    if item.key in marks:
        return False
    return compare_and_set(row, "reminded", row.reminded, "\n".join([*marks, item.key]))


def send_reminders(today: date | None = None) -> int:
    """Remind every late item once: the student of a week not submitted 3 days after it ended, the host supervisors
    of a week not confirmed 5 days after it was submitted. In-app and by e-mail (services/notifications.notify).
    Returns how many items were reminded. The caller commits."""
    from marketplace.services.companies import active_managers
    from marketplace.services.notifications import link_to, notify, notify_many

    today = today or today_in_seoul()
    # Only practices with a week already ended can be late.
    placements = list(db.session.scalars(
        select(Placement).where(Placement.status.in_(access.LOGGABLE_STATES),
                                Placement.start_date <= today - timedelta(days=SUBMIT_GRACE_DAYS + 1))
        .options(*_load_options())))
    rows = _week_statuses([p.id for p in placements])
    reminded = 0
    for placement in placements:
        for item in _late(placement, rows[placement.id], today):
            if not _mark_reminded(placement, item, rows[placement.id].get(item.week_no)):
                continue
            link = link_to("practice.week", placement_id=placement.id, week_no=item.week_no)
            if item.kind == "unsubmitted":
                notify(placement.student, "practice_week_late", link, week=item.week_no,
                       opening=placement.opening.title)
            else:
                notify_many(active_managers(placement.opening.company), "practice_confirmation_late", link,
                            week=item.week_no, student=placement.student.display_name,
                            opening=placement.opening.title)
            reminded += 1
    return reminded
