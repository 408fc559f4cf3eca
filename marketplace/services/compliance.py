"""Compliance of practice terms with the yearly rules: a registry of rules, checks with reasons, overrides, gates.

How it fits together
--------------------
* **Rule data** is per calendar year (`ComplianceRuleSet`, edited by admins on /admin/compliance-rules) plus a
  list of public holidays (`PublicHoliday`). A practice is checked against the rule set of its start date's
  year; when that year has none, the latest earlier year's applies and a warning says so.
* **Rules** are plain functions in a registry::

      @rule("remote_share", _l("Remote share"))
      def remote_share(terms: PracticeTerms, facts: dict, rules: RuleSet) -> Iterable[Finding]:
          if terms.remote_share_pct > rules.max_remote_pct:
              yield fail(...)

  `terms` are the parsed canonical terms (services/practice_terms.py), `rules` the year's figures, `facts` a
  plain dict about the subject: "subject_type" ("opening" | "placement"), "subject_id", "today" (Seoul),
  "company_size" (CompanySize), "holidays" ([(date, name)] sorted), and whatever the registered fact
  providers add. A rule yields `Finding`s: `fail(...)` blocks, `warn(...)` does not. A rule registered with
  `subjects=("placement",)` runs on placements only.
* **Fact providers** add facts for many subjects at once, so a check of 1,000 placements stays a constant
  number of queries::

      @facts_provider
      def insurance_facts(subjects: list[Subject]) -> dict[tuple[str, int], dict]:
          # one query for all placement ids -> {("placement", 12): {"insurance": [...]}, ...}

  The agreement module (acknowledgements, insurance records, clinical data) plugs in this way:
  services/agreement_rules.py registers a provider for its facts and rules reading them (rule codes must be
  unique); the application factory imports it, so every process that serves or runs jobs has them.
* **Checks**: `check(subject)` / `check_many(subjects)` give a `Check` per subject: its findings (each marked
  overridden or not) and its `ComplianceStatus` (compliant / warnings / blocked / overridden).
* **Gates**: `ensure_allowed(subject)` raises a Conflict listing every blocking reason; publishing an opening
  and approving a placement (every path: pages, matching rounds, the JSON API) call it in their services.
* **Overrides**: `record_override(actor, subject, reason)` lets an exchange manager who reviews the subject
  let the currently failing rules pass, with a reason (audited, shown on the page). An override covers the
  terms it was recorded on (their hash): a later change of the terms makes the rule block again.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from functools import cached_property
from typing import Callable, Iterable

from sqlalchemy import and_, bindparam, or_, select

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.models import (
    CompanySize,
    ComplianceOverride,
    ComplianceRuleSet,
    ComplianceStatus,
    Opening,
    Placement,
    PracticeType,
    PublicHoliday,
    User,
)
from marketplace.ownership import can_review_opening, can_review_placement
from marketplace.services import audit
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.services.practice_terms import (
    DAY_NAMES,
    SUNDAY,
    PracticeTerms,
    format_time,
    hours_text,
    parse_terms,
    parse_time,
    terms_hash,
    terms_of,
)

__all__ = [
    "RuleSet", "Finding", "Check", "Subject", "rule", "facts_provider", "fail", "warn", "check", "check_many",
    "ensure_allowed", "record_override", "rule_set_for", "won", "RULES", "DEFAULT_RULE_SETS",
]

MAX_REASON = 2000

# The seed figures (hourly minimum wage by year; the programme's shares and limits).
DEFAULT_RULE_SETS = {2024: 9_860, 2025: 10_030, 2026: 10_320}


@dataclass(frozen=True)
class RuleSet:
    """One year's figures as plain values (a ComplianceRuleSet row, detached from the session)."""

    year: int
    min_hourly_wage_krw: int
    standard_share_pct: int = 75
    autonomous_share_pct: int = 30
    allow_unpaid_autonomous: bool = False
    max_hours_per_day: int = 8
    max_hours_per_week: int = 40
    night_start: str = "22:00"
    night_end: str = "06:00"
    max_remote_pct: int = 25
    min_host_employees: int = 10
    warning_lead_days: int = 14
    acknowledgement_grace_days: int = 5

    @classmethod
    def from_row(cls, row: ComplianceRuleSet) -> RuleSet:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    def share_pct(self, practice_type: PracticeType) -> int:
        return self.standard_share_pct if practice_type == PracticeType.STANDARD else self.autonomous_share_pct

    def minimum_hourly(self, practice_type: PracticeType) -> Fraction:
        return Fraction(self.min_hourly_wage_krw * self.share_pct(practice_type), 100)


@dataclass(frozen=True)
class Finding:
    rule: str  # the rule's code
    severity: str  # "fail" (blocks) | "warning"
    message: str
    field: str | None = None  # the form field it belongs beside, if any
    overridden: bool = False
    overridable: bool = True  # False: no override lets it pass (e.g. hospital data whose IRB approval is pending)

    @property
    def blocking(self) -> bool:
        return self.severity == "fail" and not self.overridden

    @property
    def is_failure(self) -> bool:
        return self.severity == "fail"

    def __str__(self) -> str:
        return self.message


def fail(rule_code: str, message, field: str | None = None, overridable: bool = True) -> Finding:
    return Finding(rule_code, "fail", str(message), field, overridable=overridable)


def warn(rule_code: str, message, field: str | None = None) -> Finding:
    return Finding(rule_code, "warning", str(message), field)


@dataclass(frozen=True)
class Subject:
    """What is checked: an opening or a placement, its canonical terms and the company hosting it."""

    subject_type: str  # "opening" | "placement"
    subject_id: int
    terms: dict
    company_size: CompanySize | None
    obj: object = None  # the Opening or Placement (loaded), for fact providers

    @property
    def key(self) -> tuple[str, int]:
        return self.subject_type, self.subject_id


@dataclass
class Check:
    subject_type: str
    subject_id: int
    year: int | None  # the rule set's year used, None when there is no rule data at all
    findings: list[Finding] = field(default_factory=list)
    overrides: list[ComplianceOverride] = field(default_factory=list)  # those that apply to these terms
    terms: dict = field(default_factory=dict, repr=False)  # what was checked

    @cached_property
    def terms_hash(self) -> str:
        """The checked terms' fingerprint (an override records it, and applies only while the terms have it)."""
        return terms_hash(self.terms)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.is_failure]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def overridable_blocking(self) -> list[Finding]:
        """Blocking findings an exchange manager may let pass with a reason."""
        return [f for f in self.blocking if f.overridable]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def status(self) -> ComplianceStatus:
        if self.blocking:
            return ComplianceStatus.BLOCKED
        if self.failures:
            return ComplianceStatus.OVERRIDDEN
        if self.warnings:
            return ComplianceStatus.WARNINGS
        return ComplianceStatus.COMPLIANT

    def messages_for(self, field_name: str) -> list[str]:
        return [f.message for f in self.findings if f.field == field_name]


RuleFunction = Callable[[PracticeTerms, dict, RuleSet], Iterable[Finding]]


@dataclass(frozen=True)
class RegisteredRule:
    code: str
    title: object  # lazy string: the rule's name on pages and in exports
    function: RuleFunction
    subjects: tuple[str, ...]


RULES: dict[str, RegisteredRule] = {}
FACT_PROVIDERS: list[Callable[[list[Subject]], dict[tuple[str, int], dict]]] = []


def rule(code: str, title, subjects: tuple[str, ...] = ("opening", "placement")):
    """Register a rule function under a unique code (see the module docstring)."""
    def register(function: RuleFunction) -> RuleFunction:
        if code in RULES and RULES[code].function is not function:
            raise ValueError(f"compliance rule {code!r} is registered twice")
        RULES[code] = RegisteredRule(code, title, function, tuple(subjects))
        return function
    return register


def facts_provider(function):
    """Register a function adding facts for many subjects at once (constant queries per batch)."""
    if function not in FACT_PROVIDERS:
        FACT_PROVIDERS.append(function)
    return function


def rule_title(code: str) -> str:
    registered = RULES.get(code)
    return str(registered.title) if registered else code


# -- formatting -------------------------------------------------------------------------------------------------


def won(amount) -> str:
    """₩1,341,600: whole won, rounded half up."""
    value = Fraction(amount)
    return f"₩{math.floor(value + Fraction(1, 2)):,}"


def _practice_name(practice_type: PracticeType) -> str:
    return str(_l("표준")) if practice_type == PracticeType.STANDARD else str(_l("자율"))




# -- the rules --------------------------------------------------------------------------------------------------


@rule("stipend", _l("Stipend per hour"))
def stipend_rule(terms: PracticeTerms, facts: dict, rules: RuleSet):
    hourly = terms.hourly_krw
    if hourly is None:
        return
    name = _practice_name(terms.practice_type)
    if terms.stipend_krw == 0 and terms.practice_type == PracticeType.AUTONOMOUS:
        if rules.allow_unpaid_autonomous:
            return
        yield fail("stipend", _l(
            "An unpaid (₩0) 자율 practice is not allowed by the %(year)s rules: the stipend must be at least "
            "%(share)s%% of the hourly minimum wage.", year=rules.year, share=rules.autonomous_share_pct),
            field="stipend_krw")
        return
    minimum = rules.minimum_hourly(terms.practice_type)
    if hourly >= minimum:
        return
    needed = math.ceil(minimum * terms.monthly_hours)
    yield fail("stipend", _l(
        "Stipend %(stipend)s/month for %(hours)s h/week = %(hourly)s/h, below %(share)s%% of the %(year)s hourly "
        "minimum wage (%(minimum)s): %(type)s practice needs at least %(needed)s/month.",
        stipend=won(terms.stipend_krw), hours=hours_text(terms.schedule.weekly_minutes), hourly=won(hourly),
        share=rules.share_pct(terms.practice_type), year=rules.year, minimum=won(math.ceil(minimum)),
        type=name, needed=won(needed)), field="stipend_krw")


@rule("hours_per_day", _l("Hours per day"))
def hours_per_day_rule(terms: PracticeTerms, facts: dict, rules: RuleSet):
    limit = rules.max_hours_per_day * 60
    for day in terms.schedule.days:
        if day.minutes > limit:
            yield fail("hours_per_day", _l(
                "%(day)s: %(start)s–%(end)s less a %(pause)s-minute break is %(hours)s h, more than the %(max)s h "
                "a day allowed.", day=DAY_NAMES[day.day], start=format_time(day.start), end=format_time(day.end),
                pause=day.break_minutes, hours=hours_text(day.minutes), max=rules.max_hours_per_day),
                field=f"schedule-{day.day}-end")


@rule("hours_per_week", _l("Hours per week"))
def hours_per_week_rule(terms: PracticeTerms, facts: dict, rules: RuleSet):
    if terms.schedule.weekly_minutes > rules.max_hours_per_week * 60:
        yield fail("hours_per_week", _l(
            "The schedule adds up to %(hours)s h a week, more than the %(max)s h allowed.",
            hours=hours_text(terms.schedule.weekly_minutes), max=rules.max_hours_per_week), field="schedule")


@rule("night", _l("Night work"))
def night_rule(terms: PracticeTerms, facts: dict, rules: RuleSet):
    night_start, night_end = parse_time(rules.night_start), parse_time(rules.night_end)
    if night_start is None or night_end is None:
        return
    for day in terms.schedule.days:
        if day.end > night_start or day.start < night_end:
            yield fail("night", _l(
                "%(day)s: %(start)s–%(end)s reaches into the night; no practice between %(night_start)s and "
                "%(night_end)s.", day=DAY_NAMES[day.day], start=format_time(day.start), end=format_time(day.end),
                night_start=rules.night_start, night_end=rules.night_end), field=f"schedule-{day.day}-end"
                if day.end > night_start else f"schedule-{day.day}-start")


@rule("sunday", _l("Sundays"))
def sunday_rule(terms: PracticeTerms, facts: dict, rules: RuleSet):
    if SUNDAY in terms.schedule.day_numbers and not terms.holiday_exception:
        yield fail("sunday", _l(
            "The schedule includes Sunday: no practice on Sundays unless the terms flag it as an agreed "
            "exception."), field="schedule-6-start")


@rule("holidays", _l("Public holidays"))
def holidays_rule(terms: PracticeTerms, facts: dict, rules: RuleSet):
    if terms.holiday_exception:
        return
    days = terms.schedule.day_numbers
    hit = [(day, name) for day, name in facts.get("holidays", ())
           if terms.start_date <= day <= terms.end_date and day.weekday() in days]
    if hit:
        listed = ", ".join(f"{day.isoformat()} {name}" for day, name in hit[:6]) + (" …" if len(hit) > 6 else "")
        yield warn("holidays", _l(
            "%(n)s public holidays fall on practice days (%(days)s): they are days off unless the terms flag an "
            "agreed exception.", n=len(hit), days=listed), field="holiday_exception")


@rule("remote_share", _l("Remote share"))
def remote_rule(terms: PracticeTerms, facts: dict, rules: RuleSet):
    if terms.remote_share_pct > rules.max_remote_pct:
        yield fail("remote_share", _l(
            "%(share)s%% of the period is remote; at most %(max)s%% may be.", share=terms.remote_share_pct,
            max=rules.max_remote_pct), field="remote_share_pct")


# Employees per company-size band (lowest, highest; None = no upper bound).
_SIZE_BOUNDS = {
    CompanySize.MICRO: (1, 9), CompanySize.SMALL: (10, 49), CompanySize.MEDIUM: (50, 299),
    CompanySize.LARGE: (300, 999), CompanySize.ENTERPRISE: (1000, None),
}


@rule("host_size", _l("Host company size"))
def host_size_rule(terms: PracticeTerms, facts: dict, rules: RuleSet):
    size = facts.get("company_size")
    if size is None:
        return
    low, high = _SIZE_BOUNDS[CompanySize(size)]
    if low >= rules.min_host_employees:
        return
    if high is not None and high < rules.min_host_employees:
        yield fail("host_size", _l(
            "The host company has %(size)s; a host needs at least %(min)s employees unless an exchange manager "
            "records an exception.", size=label(CompanySize(size)), min=rules.min_host_employees))
    else:
        yield warn("host_size", _l(
            "The host company has %(size)s; check that it has at least %(min)s employees.",
            size=label(CompanySize(size)), min=rules.min_host_employees))


# -- rule data ----------------------------------------------------------------------------------------------


_RULE_SETS = select(ComplianceRuleSet).order_by(ComplianceRuleSet.year)  # read on every check: built once


def all_rule_sets() -> list[RuleSet]:
    return [RuleSet.from_row(row) for row in db.session.scalars(_RULE_SETS)]


def rule_set_for(year: int, rule_sets: list[RuleSet]) -> RuleSet | None:
    """That year's rules, else the latest earlier year's, else the earliest's (None without any)."""
    earlier = [r for r in rule_sets if r.year <= year]
    if earlier:
        return earlier[-1]
    return rule_sets[0] if rule_sets else None


_HOLIDAYS = select(PublicHoliday.day, PublicHoliday.name).order_by(PublicHoliday.day)


def all_holidays() -> list[tuple[date, str]]:
    return [(day, name) for day, name in db.session.execute(_HOLIDAYS)]


# Fixed-date public holidays of Korea (lunar holidays and substitute days change each year: admins add them).
FIXED_HOLIDAYS = (
    ((1, 1), "신정"), ((3, 1), "삼일절"), ((5, 5), "어린이날"), ((6, 6), "현충일"), ((8, 15), "광복절"),
    ((10, 3), "개천절"), ((10, 9), "한글날"), ((12, 25), "성탄절"),
)


def seed_default_rules(years=(2024, 2025, 2026, 2027)) -> int:
    """The seed rule sets (2024–2026 minimum wages) and fixed-date holidays, where missing. Idempotent."""
    created = 0
    have = set(db.session.scalars(select(ComplianceRuleSet.year)))
    for year, wage in DEFAULT_RULE_SETS.items():
        if year not in have:
            db.session.add(ComplianceRuleSet(year=year, min_hourly_wage_krw=wage))
            created += 1
    days = set(db.session.scalars(select(PublicHoliday.day)))
    for year in years:
        for (month, day), name in FIXED_HOLIDAYS:
            when = date(year, month, day)
            if when not in days:
                db.session.add(PublicHoliday(day=when, name=name))
                created += 1
    db.session.flush()
    return created


# -- checking -------------------------------------------------------------------------------------------------


def subject_of(obj: Opening | Placement) -> Subject:
    if isinstance(obj, Placement):
        company = obj.opening.company
        return Subject("placement", obj.id, terms_of(obj), company.size if company else None, obj)
    return Subject("opening", obj.id, terms_of(obj), obj.company.size if obj.company else None, obj)


# Built once, the ids parameters (an empty list matches nothing).
_OVERRIDES = (select(ComplianceOverride)
              .where(or_(and_(ComplianceOverride.subject_type == "placement",
                              ComplianceOverride.subject_id.in_(bindparam("placements", expanding=True))),
                         and_(ComplianceOverride.subject_type == "opening",
                              ComplianceOverride.subject_id.in_(bindparam("openings", expanding=True)))))
              .order_by(ComplianceOverride.created_at, ComplianceOverride.id))


def _overrides_for(subjects: list[Subject]) -> dict[tuple[str, int], list[ComplianceOverride]]:
    """Overrides per subject key; a placement also gets its opening's (they apply when its terms are still the
    opening's terms the override was recorded on: the manager let exactly these terms pass already)."""
    out: dict[tuple[str, int], list[ComplianceOverride]] = defaultdict(list)
    by_type: dict[str, set[int]] = defaultdict(set)
    placements_by_opening: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for subject in subjects:
        by_type[subject.subject_type].add(subject.subject_id)
        if subject.subject_type == "placement" and isinstance(subject.obj, Placement):
            by_type["opening"].add(subject.obj.opening_id)
            placements_by_opening[subject.obj.opening_id].append(subject.key)
    rows = db.session.scalars(_OVERRIDES, {"placements": sorted(by_type["placement"]),
                                           "openings": sorted(by_type["opening"])}) if by_type else ()
    for row in rows:
        out[(row.subject_type, row.subject_id)].append(row)
        if row.subject_type == "opening":
            for key in placements_by_opening.get(row.subject_id, ()):
                out[key].append(row)
    return out


def evaluate(terms: PracticeTerms, facts: dict, rule_sets: list[RuleSet],
             subject_type: str = "opening") -> tuple[int | None, list[Finding]]:
    """Every registered rule on these terms: (the rules' year, findings). Pure: no database."""
    year = terms.start_date.year
    rules = rule_set_for(year, rule_sets)
    if rules is None:
        return None, [fail("rules", _l(
            "There are no compliance rules for %(year)s yet; an admin adds them on the compliance rules page.",
            year=year))]
    findings: list[Finding] = []
    if rules.year != year:
        findings.append(warn("rules", _l(
            "There are no compliance rules for %(year)s yet; checked against the %(used)s rules (an admin adds "
            "%(year)s's on the compliance rules page).", year=year, used=rules.year)))
    for registered in RULES.values():
        if subject_type in registered.subjects:
            findings.extend(registered.function(terms, facts, rules))
    return rules.year, findings


def check_many(objects: list[Opening | Placement], today: date | None = None,
               overrides_of_failures_only: bool = False) -> dict[tuple[str, int], Check]:
    """Checks of many openings/placements (loaded with their opening and company) in a constant number of
    queries: rule sets, holidays, overrides, plus one batch per fact provider.

    `overrides_of_failures_only`: for callers that read only what blocks (the console's conflicts). Overrides are
    read only for the subjects where an overridable rule fails (none failing: no query), so `Check.overrides` of
    the others is empty."""
    subjects = [subject_of(obj) for obj in objects]
    return check_subjects(subjects, today, overrides_of_failures_only)


def check_subjects(subjects: list[Subject], today: date | None = None,
                   overrides_of_failures_only: bool = False) -> dict[tuple[str, int], Check]:
    if not subjects:
        return {}
    today = today or today_in_seoul()
    rule_sets = all_rule_sets()
    holidays = all_holidays()
    extra: dict[tuple[str, int], dict] = defaultdict(dict)
    for provider in FACT_PROVIDERS:
        for key, values in (provider(subjects) or {}).items():
            extra[key].update(values)
    evaluated = []
    for subject in subjects:
        facts = {"subject_type": subject.subject_type, "subject_id": subject.subject_id, "today": today,
                 "company_size": subject.company_size, "holidays": holidays, **extra.get(subject.key, {})}
        evaluated.append((subject, *evaluate(parse_terms(subject.terms), facts, rule_sets, subject.subject_type)))
    if overrides_of_failures_only:
        failing = [subject for subject, _year, findings in evaluated
                   if any(f.is_failure and f.overridable for f in findings)]
        overrides = _overrides_for(failing) if failing else {}
    else:
        overrides = _overrides_for(subjects)
    out = {}
    for subject, year, findings in evaluated:
        recorded = overrides.get(subject.key, [])
        digest = terms_hash(subject.terms) if recorded else ""  # hashed only when an override may apply
        applying = [o for o in recorded if o.terms_hash == digest]
        covered = {o.rule for o in applying}
        findings = [replace(f, overridden=True) if f.is_failure and f.overridable and f.rule in covered else f
                    for f in findings]
        out[subject.key] = check = Check(subject.subject_type, subject.subject_id, year, findings, applying,
                                         subject.terms)
        if digest:
            check.terms_hash = digest  # already computed: seed the cached property
    return out


def check(obj: Opening | Placement, today: date | None = None) -> Check:
    subject = subject_of(obj)
    return check_subjects([subject], today)[subject.key]


def check_terms(terms: dict, company_size: CompanySize | None, subject_type: str = "opening",
                subject_id: int | None = None) -> Check:
    """A check of terms not saved yet (the opening form's preview); overrides of a saved subject still apply
    when the terms are the same."""
    subject = Subject(subject_type, subject_id if subject_id is not None else 0, terms, company_size)
    return check_subjects([subject])[subject.key]


def blocking_message(result: Check, action) -> str:
    reasons = " ".join(f.message for f in result.blocking)
    if result.overridable_blocking:
        return str(_l("%(action)s is blocked by the practice rules: %(reasons)s An exchange manager can record an "
                      "override with a reason.", action=action, reasons=reasons))
    return str(_l("%(action)s is blocked by the practice rules: %(reasons)s", action=action, reasons=reasons))


def ensure_allowed(obj: Opening | Placement, action=None) -> Check:
    """Raise Conflict (nothing changed) when a failing rule has no override; the check otherwise."""
    result = check(obj)
    if result.blocking:
        if action is None:
            action = _l("Approval") if isinstance(obj, Placement) else _l("Publication")
        raise Conflict(blocking_message(result, action))
    return result


# -- overrides ------------------------------------------------------------------------------------------------


def _may_override(actor: User, obj: Opening | Placement) -> bool:
    if isinstance(obj, Placement):
        return can_review_placement(actor, obj)
    return can_review_opening(actor, obj)


def record_override(actor: User, obj: Opening | Placement, reason: str) -> list[ComplianceOverride]:
    """The actor (a reviewer of the subject) lets every currently failing rule pass for these terms.

    Audited; raises DomainError beside "reason" without a reason, Conflict when nothing fails."""
    if not _may_override(actor, obj):
        raise NotFound(str(_l("No such placement request.")) if isinstance(obj, Placement)
                       else str(_l("No such opening.")))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(str(_l("Say why the rules may be set aside here; the override is kept with its reason.")),
                          field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(str(_l("Use at most %(max)d characters.", max=MAX_REASON)), field="reason")
    result = check(obj)
    if not result.blocking:
        raise Conflict(str(_l("No rule blocks these terms now; there is nothing to override.")))
    if not result.overridable_blocking:
        raise Conflict(str(_l("What blocks here cannot be overridden: %(reasons)s",
                              reasons=" ".join(f.message for f in result.blocking))))
    subject_type = "placement" if isinstance(obj, Placement) else "opening"
    rows = []
    for code in dict.fromkeys(f.rule for f in result.overridable_blocking):
        row = ComplianceOverride(subject_type=subject_type, subject_id=obj.id, rule=code, reason=reason,
                                 terms_hash=result.terms_hash, created_by_id=actor.id)
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    audit.record(actor, subject_type, obj.id, "compliance_overridden", None, None,
                 f"{', '.join(r.rule for r in rows)}: {reason}")
    return rows


def overrides_of(obj: Opening | Placement) -> list[ComplianceOverride]:
    """Every override recorded on the subject, newest first (also those of earlier terms)."""
    subject_type = "placement" if isinstance(obj, Placement) else "opening"
    return list(db.session.scalars(
        select(ComplianceOverride)
        .where(ComplianceOverride.subject_type == subject_type, ComplianceOverride.subject_id == obj.id)
        .order_by(ComplianceOverride.created_at.desc(), ComplianceOverride.id.desc())
    ))


# -- rule data: the admin's pages ------------------------------------------------------------------------------


@dataclass
class RuleSetData:
    year: int | None
    min_hourly_wage_krw: int | None
    standard_share_pct: int | None = 75
    autonomous_share_pct: int | None = 30
    allow_unpaid_autonomous: bool = False
    max_hours_per_day: int | None = 8
    max_hours_per_week: int | None = 40
    night_start: str = "22:00"
    night_end: str = "06:00"
    max_remote_pct: int | None = 25
    min_host_employees: int | None = 10
    warning_lead_days: int | None = 14
    acknowledgement_grace_days: int | None = 5
    note: str = ""
    version: int | None = None


def _number(problems, value, field_name: str, low: int, high: int):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.add(field_name, _l("Enter a number from %(min)s to %(max)s.", min=low, max=high))
        return None
    return value


def _clean_rule_set(data: RuleSetData) -> dict:
    from marketplace.services.errors import Reasons

    problems = Reasons()
    values = {
        "year": _number(problems, data.year, "year", 2000, 2100),
        "min_hourly_wage_krw": _number(problems, data.min_hourly_wage_krw, "min_hourly_wage_krw", 1, 1_000_000),
        "standard_share_pct": _number(problems, data.standard_share_pct, "standard_share_pct", 0, 100),
        "autonomous_share_pct": _number(problems, data.autonomous_share_pct, "autonomous_share_pct", 0, 100),
        "max_hours_per_day": _number(problems, data.max_hours_per_day, "max_hours_per_day", 1, 24),
        "max_hours_per_week": _number(problems, data.max_hours_per_week, "max_hours_per_week", 1, 168),
        "max_remote_pct": _number(problems, data.max_remote_pct, "max_remote_pct", 0, 100),
        "min_host_employees": _number(problems, data.min_host_employees, "min_host_employees", 0, 100_000),
        "warning_lead_days": _number(problems, data.warning_lead_days, "warning_lead_days", 0, 365),
        "acknowledgement_grace_days": _number(problems, data.acknowledgement_grace_days,
                                              "acknowledgement_grace_days", 0, 365),
        "allow_unpaid_autonomous": bool(data.allow_unpaid_autonomous),
    }
    for name in ("night_start", "night_end"):
        minutes = parse_time(getattr(data, name))
        if minutes is None:
            problems.add(name, _l("Enter a time as HH:MM, e.g. 22:00."))
        else:
            values[name] = format_time(minutes)
    note = (data.note or "").strip()
    if len(note) > 2000:
        problems.add("note", _l("Use at most %(max)d characters.", max=2000))
    values["note"] = note
    problems.raise_if_any()
    return values


def get_rule_set(year: int) -> ComplianceRuleSet:
    row = db.session.scalar(select(ComplianceRuleSet).where(ComplianceRuleSet.year == year))
    if row is None:
        raise NotFound(str(_l("There are no rules for this year.")))
    return row


def save_rule_set(actor: User, data: RuleSetData, existing: ComplianceRuleSet | None = None) -> ComplianceRuleSet:
    """Create a year's rules, or change them (version-checked); audited. Admins only (the route checks)."""
    from marketplace.permissions import Permission, user_can
    from marketplace.services.workflow import claim_for_edit

    if not user_can(actor, Permission.ADMINISTER):
        raise NotFound(str(_l("There are no rules for this year.")))
    if existing is not None:
        claim_for_edit(existing, data.version)
    values = _clean_rule_set(data)
    clash = db.session.scalar(select(ComplianceRuleSet.id).where(ComplianceRuleSet.year == values["year"]))
    if clash is not None and (existing is None or clash != existing.id):
        raise DomainError(str(_l("There are rules for %(year)s already; edit them instead.", year=values["year"])),
                          field="year")
    before = {name: getattr(existing, name) for name in values} if existing is not None else {}
    row = existing or ComplianceRuleSet()
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    if existing is None:
        db.session.add(row)
    db.session.flush()
    changes = "; ".join(f"{k}: {before.get(k)} → {v}" for k, v in values.items() if before.get(k) != v)
    audit.record(actor, "compliance_rules", row.id, "created" if existing is None else "updated", None, None,
                 f"{row.year}: {changes}")
    return row


def holidays_text(year: int) -> str:
    rows = db.session.execute(select(PublicHoliday.day, PublicHoliday.name)
                              .where(PublicHoliday.day >= date(year, 1, 1), PublicHoliday.day <= date(year, 12, 31))
                              .order_by(PublicHoliday.day))
    return "\n".join(f"{day.isoformat()} {name}" for day, name in rows)


def save_holidays(actor: User, year: int, text: str) -> int:
    """Replace a year's public holidays with the lines "YYYY-MM-DD name"; every bad line is reported at once."""
    from marketplace.permissions import Permission, user_can
    from sqlalchemy import delete

    if not user_can(actor, Permission.ADMINISTER):
        raise NotFound(str(_l("There are no rules for this year.")))
    if not 2000 <= year <= 2100:
        raise NotFound(str(_l("There are no rules for this year.")))
    wanted: dict[date, str] = {}
    bad = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = " ".join(line.split())
        if not line:
            continue
        day_text, _sep, name = line.partition(" ")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            bad.append(str(_l("Line %(n)s: start with a date as YYYY-MM-DD.", n=number)))
            continue
        if day.year != year:
            bad.append(str(_l("Line %(n)s: %(day)s is not in %(year)s.", n=number, day=day.isoformat(), year=year)))
        elif not name or len(name) > 100:
            bad.append(str(_l("Line %(n)s: name the holiday (at most 100 characters).", n=number)))
        else:
            wanted[day] = name
    if bad:
        raise DomainError(" ".join(bad), field="holidays")
    db.session.execute(delete(PublicHoliday).where(PublicHoliday.day >= date(year, 1, 1),
                                                   PublicHoliday.day <= date(year, 12, 31)))
    for day, name in sorted(wanted.items()):
        db.session.add(PublicHoliday(day=day, name=name))
    db.session.flush()
    audit.record(actor, "compliance_rules", year, "holidays_updated", None, None, f"{year}: {len(wanted)} holidays")
    return len(wanted)


def rule_sets_query():
    """Every year's rules, newest year first."""
    return select(ComplianceRuleSet).order_by(ComplianceRuleSet.year.desc())


def holiday_years() -> list[int]:
    """Years with holidays, plus the rule years and the coming year, newest first."""
    years = {day.year for day in db.session.scalars(select(PublicHoliday.day))}
    years |= set(db.session.scalars(select(ComplianceRuleSet.year)))
    years.add(today_in_seoul().year + 1)
    return sorted(years, reverse=True)
