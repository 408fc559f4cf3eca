"""Practice terms of openings and placements: the weekly schedule, computed hours, and the canonical terms dict.

The canonical terms (`terms_of(opening_or_placement) -> dict`) are plain JSON values with sorted keys:

    {"practice_type": "standard" | "autonomous",
     "start_date": "2027-03-02", "end_date": "2027-06-30",
     "schedule": [{"day": 0, "start": "09:00", "end": "18:00", "break_minutes": 60}, ...],   # day 0 = Monday
     "stipend_krw": 1500000, "education_share_pct": 20, "remote_share_pct": 0, "holiday_exception": false,
     "work_mode": "onsite", "location": "Busan", "supervisor_name": "...", "supervisor_contact": "..."}

Helper modules hash them (`terms_hash`) to tie an acknowledgement or an override to the exact terms it was
given on: any change to the terms gives another hash. Hours per day and per week are never stored as typed:
they are computed from the schedule (`Schedule.weekly_minutes`, ...).

A placement holds its own copy (Placement.terms) taken from its opening when the request is made; the
company's managers and the reviewing exchange managers may adjust it while the placement is pending
(`update_placement_terms`, with the version compare-and-set of every other edit).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache

from marketplace.i18n import lazy_gettext as _l
from marketplace.models import Opening, Placement, PlacementStatus, WorkMode
from marketplace.models.compliance import PracticeType
from marketplace.services.errors import Reasons

__all__ = [
    "ScheduleDay", "Schedule", "PracticeTerms", "TermsInput", "parse_time", "format_time", "clean_schedule",
    "default_schedule", "terms_of", "terms_hash", "parse_terms", "clean_terms", "DAYS",
]

DAYS = range(7)  # 0 = Monday ... 6 = Sunday (date.weekday())
DAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
             _l("Sunday"))
SUNDAY = 6
MAX_BREAK_MINUTES = 240


def parse_time(text: str | None) -> int | None:
    """Minutes after midnight of "HH:MM" (00:00–24:00), or None when it is not such a time."""
    text = (text or "").strip()
    parts = text.split(":")
    if len(parts) != 2 or not all(p.isdigit() and 1 <= len(p) <= 2 for p in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        return None
    return hours * 60 + minutes


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class ScheduleDay:
    day: int  # 0 = Monday
    start: int  # minutes after midnight
    end: int
    break_minutes: int = 0

    @property
    def minutes(self) -> int:
        """Practice time of the day: from start to end, less the break."""
        return self.end - self.start - self.break_minutes

    def as_dict(self) -> dict:
        return {"day": self.day, "start": format_time(self.start), "end": format_time(self.end),
                "break_minutes": self.break_minutes}


@dataclass(frozen=True)
class Schedule:
    days: tuple[ScheduleDay, ...] = ()

    @property
    def weekly_minutes(self) -> int:
        return sum(d.minutes for d in self.days)

    @property
    def weekly_hours(self) -> Fraction:
        return Fraction(self.weekly_minutes, 60)

    @property
    def longest_day_minutes(self) -> int:
        return max((d.minutes for d in self.days), default=0)

    @property
    def day_numbers(self) -> frozenset[int]:
        return frozenset(d.day for d in self.days)

    def as_list(self) -> list[dict]:
        return [d.as_dict() for d in sorted(self.days, key=lambda d: d.day)]

    @classmethod
    def from_list(cls, rows: list[dict] | None) -> Schedule:
        """A stored schedule back (trusted: it was cleaned when saved). Schedules are immutable and a page reads
        the same few many times (each placement's terms, its agreement, its compliance check), so each distinct
        one is parsed once per process."""
        return _stored_schedule(tuple((row["day"], row.get("start"), row.get("end"), row.get("break_minutes"))
                                      for row in rows or ()))


@lru_cache(maxsize=4096)
def _stored_schedule(rows: tuple) -> Schedule:
    days = []
    for day, start_text, end_text, break_minutes in rows:
        start, end = parse_time(start_text), parse_time(end_text)
        if start is None or end is None:
            continue
        days.append(ScheduleDay(int(day), start, end, int(break_minutes or 0)))
    return Schedule(tuple(sorted(days, key=lambda d: d.day)))


def hours_text(minutes: int) -> str:
    """37.5 for 2250 minutes, 40 for 2400: hours as people write them."""
    hours = Fraction(minutes, 60)
    return str(hours.numerator) if hours.denominator == 1 else f"{float(hours):.2f}".rstrip("0").rstrip(".")


def default_schedule(hours_per_week: int) -> Schedule:
    """Mon–Fri from 09:00 holding `hours_per_week`, with a 60-minute break on days over four hours: what a
    typed weekly figure (the JSON API's shorthand, openings made before schedules existed) stands for."""
    daily = max(1, int(hours_per_week or 0)) * 12  # minutes per day over five days
    pause = 60 if daily > 240 else 0
    start = 9 * 60
    end = min(start + daily + pause, 24 * 60)
    return Schedule(tuple(ScheduleDay(day, start, end, pause) for day in range(5)))


def rounded_hours(schedule: Schedule) -> int:
    """Weekly hours as a whole number for lists and filters (half hours round up); at least 1."""
    return max(1, (schedule.weekly_minutes + 30) // 60)


def clean_schedule(rows: list[dict], problems: Reasons, prefix: str = "schedule") -> Schedule | None:
    """A schedule from form rows {"day", "start", "end", "break_minutes"}; a row with neither time is a day off.

    Every bad row is noted beside its field (`schedule-<day>-start`, `-end`, `-break_minutes`):
    unreadable times, a day that ends before it starts or crosses midnight, a break longer than the day, days
    with no practice time, and a schedule with no day at all.
    """
    days: list[ScheduleDay] = []
    seen: set[int] = set()
    bad = False
    for row in rows or []:
        day = row.get("day")
        if not isinstance(day, int) or day not in DAYS or day in seen:
            problems.add(prefix, _l("Give each weekday at most once."))
            bad = True
            continue
        seen.add(day)
        start_text, end_text = (row.get("start") or "").strip(), (row.get("end") or "").strip()
        pause = row.get("break_minutes")
        if not start_text and not end_text:
            if pause not in (None, "", 0):
                problems.add(f"{prefix}-{day}-start", _l("Enter the start and end times, or clear the break."))
                bad = True
            continue
        start, end = parse_time(start_text), parse_time(end_text)
        if start is None:
            problems.add(f"{prefix}-{day}-start", _l("Enter a time as HH:MM, e.g. 09:00."))
        if end is None:
            problems.add(f"{prefix}-{day}-end", _l("Enter a time as HH:MM, e.g. 18:00."))
        if pause in (None, ""):
            pause = 0
        if isinstance(pause, bool) or not isinstance(pause, int) or not 0 <= pause <= MAX_BREAK_MINUTES:
            problems.add(f"{prefix}-{day}-break_minutes",
                         _l("Enter the break in minutes, from %(min)s to %(max)s.", min=0, max=MAX_BREAK_MINUTES))
            pause = None
        if start is None or end is None or pause is None:
            bad = True
            continue
        if end < start:
            problems.add(f"{prefix}-{day}-end", _l(
                "The day ends (%(end)s) before it starts (%(start)s). A practice day cannot cross midnight; "
                "enter times within one day.", end=format_time(end), start=format_time(start)))
            bad = True
            continue
        if end == start or end - start - pause <= 0:
            problems.add(f"{prefix}-{day}-end", _l(
                "This day has no practice time (%(start)s–%(end)s less a %(pause)s-minute break). Clear both times "
                "for a day off.", start=format_time(start), end=format_time(end), pause=pause))
            bad = True
            continue
        days.append(ScheduleDay(day, start, end, pause))
    if bad:
        return None
    if not days:
        problems.add(prefix, _l("Enter the practice times of at least one weekday."))
        return None
    return Schedule(tuple(sorted(days, key=lambda d: d.day)))


# -- the terms as one value -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeTerms:
    """Parsed canonical terms, what compliance rules read."""

    practice_type: PracticeType
    start_date: date
    end_date: date
    schedule: Schedule
    stipend_krw: int
    education_share_pct: int = 0
    remote_share_pct: int = 0
    holiday_exception: bool = False
    work_mode: str = WorkMode.ONSITE.value
    location: str = ""
    supervisor_name: str = ""
    supervisor_contact: str = ""

    @property
    def monthly_hours(self) -> Fraction:
        """Weekly hours × 52 ÷ 12."""
        return self.schedule.weekly_hours * 52 / 12

    @property
    def hourly_krw(self) -> Fraction | None:
        """The stipend per hour: monthly stipend ÷ (weekly hours × 52 ÷ 12); None without practice time."""
        if not self.schedule.weekly_minutes:
            return None
        return Fraction(self.stipend_krw) / self.monthly_hours


def parse_terms(terms: dict) -> PracticeTerms:
    """The canonical dict back as PracticeTerms."""
    return PracticeTerms(
        practice_type=PracticeType(terms.get("practice_type") or PracticeType.STANDARD.value),
        start_date=date.fromisoformat(terms["start_date"]),
        end_date=date.fromisoformat(terms["end_date"]),
        schedule=Schedule.from_list(terms.get("schedule")),
        stipend_krw=int(terms.get("stipend_krw") or 0),
        education_share_pct=int(terms.get("education_share_pct") or 0),
        remote_share_pct=int(terms.get("remote_share_pct") or 0),
        holiday_exception=bool(terms.get("holiday_exception")),
        work_mode=terms.get("work_mode") or WorkMode.ONSITE.value,
        location=terms.get("location") or "",
        supervisor_name=terms.get("supervisor_name") or "",
        supervisor_contact=terms.get("supervisor_contact") or "",
    )


def _opening_schedule(opening: Opening) -> Schedule:
    if opening.schedule:
        return Schedule.from_list(opening.schedule)
    return default_schedule(opening.hours_per_week)


def opening_terms(opening: Opening) -> dict:
    value = lambda v: getattr(v, "value", v)  # noqa: E731 - enums as their values
    return {
        "practice_type": value(opening.practice_type) or PracticeType.STANDARD.value,
        "start_date": opening.start_date.isoformat(),
        "end_date": opening.end_date.isoformat(),
        "schedule": _opening_schedule(opening).as_list(),
        "stipend_krw": int(opening.stipend_krw or 0),
        "education_share_pct": int(opening.education_share_pct or 0),
        "remote_share_pct": int(opening.remote_share_pct or 0),
        "holiday_exception": bool(opening.holiday_exception),
        "work_mode": value(opening.work_mode),
        "location": opening.location or "",
        "supervisor_name": opening.supervisor_name or "",
        "supervisor_contact": opening.supervisor_contact or "",
    }


def terms_of(subject: Opening | Placement) -> dict:
    """The canonical practice terms of an opening or a placement (see the module docstring). A placement made
    before it kept terms shows its opening's with its own dates. Reads no more than the loaded objects."""
    if isinstance(subject, Placement):
        if subject.terms:
            return dict(subject.terms)
        terms = opening_terms(subject.opening)
        terms["start_date"] = subject.start_date.isoformat()
        terms["end_date"] = subject.end_date.isoformat()
        return terms
    return opening_terms(subject)


def terms_hash(terms: dict) -> str:
    """SHA-256 of the canonical JSON of the terms (sorted keys, no spaces)."""
    blob = json.dumps(terms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# -- input (forms, the JSON API) ------------------------------------------------------------------------------


@dataclass
class TermsInput:
    """Practice terms as typed. `schedule` rows are {"day": 0..6, "start": "09:00", "end": "18:00",
    "break_minutes": 60}; None (not an empty list) means "no schedule given": then `hours_per_week` stands for
    the Mon–Fri schedule default_schedule() makes of it."""

    practice_type: str | None = PracticeType.STANDARD.value
    schedule: list[dict] | None = None
    hours_per_week: int | None = None
    education_share_pct: int | None = 0
    remote_share_pct: int | None = None
    holiday_exception: bool = False
    supervisor_contact: str = ""
    extra: dict = field(default_factory=dict)


def default_remote_share(work_mode: WorkMode | None) -> int:
    """When none is given: on-site 0%, remote 100%, hybrid 20% (one day a week)."""
    return {WorkMode.REMOTE: 100, WorkMode.HYBRID: 20}.get(work_mode, 0)


def clean_terms(data: TermsInput, work_mode: WorkMode | None, problems: Reasons) -> dict:
    """The practice-term values of an opening (column name -> value); every problem noted in `problems`."""
    practice_type = problems.choice(PracticeType, data.practice_type or PracticeType.STANDARD.value,
                                    "practice_type", _l("Choose 표준 (standard) or 자율 (autonomous) practice."))
    if data.schedule is not None:
        schedule = clean_schedule(data.schedule, problems)
    elif isinstance(data.hours_per_week, int) and not isinstance(data.hours_per_week, bool) \
            and 1 <= data.hours_per_week <= 40:
        schedule = default_schedule(data.hours_per_week)
    else:
        problems.add("hours_per_week", _l("Enter the hours per week, from 1 to 40."))
        schedule = None
    education = data.education_share_pct if data.education_share_pct not in (None, "") else 0
    if isinstance(education, bool) or not isinstance(education, int) or not 0 <= education <= 100:
        problems.add("education_share_pct", _l("Enter a share from 0 to 100 per cent."))
    remote = data.remote_share_pct
    if remote in (None, ""):
        remote = default_remote_share(work_mode)
    if isinstance(remote, bool) or not isinstance(remote, int) or not 0 <= remote <= 100:
        problems.add("remote_share_pct", _l("Enter a share from 0 to 100 per cent."))
    contact = " ".join((data.supervisor_contact or "").split())
    if len(contact) > 200:
        problems.add("supervisor_contact", _l("Use at most %(max)d characters.", max=200))
    if schedule is None:
        return {}
    return {
        "practice_type": practice_type, "schedule": schedule.as_list(), "hours_per_week": rounded_hours(schedule),
        "education_share_pct": education, "remote_share_pct": remote,
        "holiday_exception": bool(data.holiday_exception), "supervisor_contact": contact,
    }


def placement_can_change_terms(placement: Placement) -> bool:
    return placement.status == PlacementStatus.PENDING


def describe_changes(before: dict, after: dict) -> dict[str, tuple]:
    """{term: (before, after)} of the canonical terms that differ."""
    return {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}



def terms_view(terms: dict) -> dict:
    """The canonical terms with what pages show beside them: typed values, per-day and weekly hours, the
    stipend per hour."""
    parsed = parse_terms(terms)
    hourly = parsed.hourly_krw
    return {
        **terms,
        "practice_type": parsed.practice_type, "start_date": parsed.start_date, "end_date": parsed.end_date,
        "days": [{**d.as_dict(), "hours": hours_text(d.minutes)} for d in parsed.schedule.days],
        "weekly_hours": hours_text(parsed.schedule.weekly_minutes),
        "hourly": f"₩{int(hourly + Fraction(1, 2)):,}" if hourly is not None else "",
    }
