"""The three-party practice agreement (현장실습 협약서): its terms and hash, acknowledgements, insurance, signed scans,
and the gate that keeps a placement from starting until all of it is in place.

The document. `agreement_terms(placement)` gathers what the agreement says (parties, dates, stipend, hours, work
mode, place, supervisor, mentor, both insurances and a digest of the standard clauses) as plain JSON values;
`document_hash` is the SHA-256 of its canonical JSON. The PDF (services/agreement_pdf.py) prints the same terms
and the hash, so a paper copy names the version it shows.

Acknowledgements. Each party (the student; a company manager of the host; an exchange manager of the student's
group) acknowledges one hash, with their name, the time, their address and the hash. An acknowledgement counts
only while its hash is the current one: any change to the terms (the company edits the opening, an insurance is
recorded, a clause is edited) makes the earlier acknowledgements void at once, whether or not anything wrote
since, so no race can leave a party "acknowledged" for a version they never saw. Services that change terms
call `terms_changed` to record the voiding (with what changed, old → new) and tell the parties; the pages
compute the same from the hashes. A posted acknowledgement carries the hash the party read; an outdated one (a
replay after a change, a tab left open) is refused with the changes listed. Acknowledging and recording
insurance take the opening's write lock first (as placement decisions and opening edits do), so they are
serialised with a concurrent edit of the same opening on both databases.

The gate. `activation_blockers` lists why a placement cannot start (missing acknowledgements, insurance not
recorded or not covering the practice); services/placements.py refuses to activate while it is not empty, and
every party's agreement page shows the same list. `Placement.agreement_ready` caches "nothing blocks" for the
pages' computed status; the activation job checks the records themselves again.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property, partial

from flask_babel import format_currency
from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.i18n import format_date
from marketplace.i18n import lazy_gettext as _l
from marketplace.labels import label
from marketplace.models import (
    AgreementAcknowledgement,
    AgreementClause,
    AgreementParty,
    AgreementScan,
    InsuranceKind,
    Opening,
    Placement,
    PlacementInsurance,
    PlacementStatus,
    StudentProfile,
    User,
)
from marketplace.models.base import utcnow
from marketplace.ownership import agreement_party, can_see_agreement, can_record_insurance
from marketplace.models.compliance import PracticeType
from marketplace.services import audit, documents, practice_terms
from marketplace.services.companies import active_managers
from marketplace.services.errors import Conflict, Forbidden, NotFound, Reasons
from marketplace.services.notifications import link_to, managers_of_groups, notify_many
from marketplace.services.seats import lock_opening

__all__ = [
    "PARTIES", "INSURANCE_KINDS", "AgreementState", "InsuranceData", "agreement_terms", "document_hash",
    "term_changes", "get_placement_for_party", "agreement_state", "states_for", "activation_blockers",
    "acknowledge", "record_insurance", "upload_scan", "terms_changed", "terms_changed_for_opening",
    "scan_file", "insurance_file", "clauses", "update_clause", "ACKNOWLEDGEABLE",
]

PARTIES = (AgreementParty.STUDENT, AgreementParty.COMPANY, AgreementParty.UNIVERSITY)
INSURANCE_KINDS = (InsuranceKind.INDUSTRIAL_ACCIDENT, InsuranceKind.UNIVERSITY_ACCIDENT)
# Placements whose agreement can still be acknowledged, insured and scanned.
ACKNOWLEDGEABLE = (PlacementStatus.PENDING, PlacementStatus.APPROVED, PlacementStatus.ACTIVE)
MAX_TEXT = 200


# -- the document's terms -------------------------------------------------------------------------------------


def _insurance_terms(record: PlacementInsurance | None) -> dict | None:
    if record is None:
        return None
    return {"insurer": record.insurer, "policy_number": record.policy_number,
            "starts_on": record.starts_on.isoformat(), "ends_on": record.ends_on.isoformat()}


def _clauses_digest(items: list[AgreementClause]) -> str:
    text = json.dumps([[c.title_ko, c.title_en, c.body_ko, c.body_en] for c in items], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def agreement_terms(placement: Placement, insurance: dict[InsuranceKind, PlacementInsurance] | None = None,
                    clause_list: list[AgreementClause] | None = None, clauses_digest: str | None = None) -> dict:
    """What the agreement says, as plain JSON values (the order of keys is the order the pages list them).

    The practice itself comes from the placement's own terms (services/practice_terms.py `terms_of`): what the
    company and the reviewers agreed for this placement, which may differ from the opening's since the request.
    Hours are computed from the schedule, never typed."""
    opening = placement.opening
    company = opening.company
    student = placement.student
    profile = student.student_profile if student else None
    group = profile.group if profile else None
    insurance = insurance if insurance is not None else _insurance_of([placement.id]).get(placement.id, {})
    if clauses_digest is None:  # many placements at once pass it: the clauses' full text, serialised once
        clauses_digest = _clauses_digest(clause_list if clause_list is not None else clauses())
    terms = practice_terms.terms_of(placement)
    schedule = practice_terms.Schedule.from_list(terms.get("schedule"))
    return {
        "student_name": student.display_name if student else "",
        "student_group": group.code if group else "",
        "company_name": company.name,
        "business_number": company.business_number,
        "opening_title": opening.title,
        "practice_type": terms.get("practice_type") or "",
        "start_date": terms.get("start_date") or placement.start_date.isoformat(),
        "end_date": terms.get("end_date") or placement.end_date.isoformat(),
        "schedule": schedule.as_list(),
        "hours_per_week": practice_terms.hours_text(schedule.weekly_minutes),
        "education_share_pct": int(terms.get("education_share_pct") or 0),
        "remote_share_pct": int(terms.get("remote_share_pct") or 0),
        "holiday_exception": bool(terms.get("holiday_exception")),
        "stipend_krw": int(terms.get("stipend_krw") or 0),
        "work_mode": terms.get("work_mode") or "",
        "location": terms.get("location") or "",
        "supervisor": terms.get("supervisor_name") or "",
        "supervisor_contact": terms.get("supervisor_contact") or "",
        "mentor": None,  # the mentor professor is not part of the signed terms: assigning one voids nothing
        "insurance_industrial_accident": _insurance_terms(insurance.get(InsuranceKind.INDUSTRIAL_ACCIDENT)),
        "insurance_university_accident": _insurance_terms(insurance.get(InsuranceKind.UNIVERSITY_ACCIDENT)),
        "clauses": clauses_digest,
    }


def document_hash(terms: dict) -> str:
    canonical = json.dumps(terms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


TERM_LABELS = {
    "student_name": _l("Student"),
    "student_group": _l("Project group"),
    "company_name": _l("Host company"),
    "business_number": _l("Business registration number"),
    "opening_title": _l("Practice"),
    "practice_type": _l("Practice type"),
    "schedule": _l("Weekly schedule"),
    "education_share_pct": _l("Education share of the time"),
    "remote_share_pct": _l("Remote share of the period"),
    "holiday_exception": _l("Sundays and holidays"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "stipend_krw": _l("Monthly stipend"),
    "hours_per_week": _l("Hours per week"),
    "work_mode": _l("Work mode"),
    "location": _l("Location"),
    "supervisor": _l("Supervisor at the host"),
    "supervisor_contact": _l("Supervisor's contact"),
    "mentor": _l("Mentor professor"),
    "insurance_industrial_accident": _l("Industrial-accident insurance (산재보험)"),
    "insurance_university_accident": _l("University accident insurance (상해보험)"),
    "clauses": _l("Standard clauses"),
}


def describe(key: str, value) -> str:
    """A term's value as the pages and the PDF show it, in the reader's language."""
    if key == "holiday_exception":
        return str(_l("Agreed exception: practice on Sundays or holidays allowed") if value
                   else _l("No practice on Sundays or holidays"))
    if value is None or value == "" or value == []:
        if key == "mentor":
            return str(_l("Not assigned yet"))
        if key.startswith("insurance_"):
            return str(_l("Not recorded yet"))
        return "—"
    if key == "stipend_krw":
        return format_currency(value, "KRW") if value else str(_l("Unpaid"))
    if key in ("start_date", "end_date"):
        return format_date(date.fromisoformat(value))
    if key == "work_mode":
        from marketplace.models import WorkMode

        try:
            return label(WorkMode(value))
        except ValueError:
            return str(value)
    if key.startswith("insurance_") and isinstance(value, dict):
        period = f"{format_date(date.fromisoformat(value['starts_on']))} – " \
                 f"{format_date(date.fromisoformat(value['ends_on']))}"
        return f"{value['insurer']} · {value['policy_number']} · {period}"
    if key == "hours_per_week":
        return str(_l("%(n)s hours", n=value))
    if key in ("education_share_pct", "remote_share_pct"):
        return f"{value}%"
    if key == "practice_type":
        try:
            return label(PracticeType(value))
        except ValueError:
            return str(value)
    if key == "schedule" and isinstance(value, list):
        return "; ".join(_schedule_day(row) for row in value)
    if key == "clauses":
        return str(_l("version %(digest)s", digest=value[:8]))
    return str(value)


def _schedule_day(row: dict) -> str:
    names = practice_terms.DAY_NAMES
    day = names[int(row["day"])] if 0 <= int(row["day"]) < len(names) else row["day"]
    text = f"{day} {row['start']}–{row['end']}"
    if row.get("break_minutes"):
        text += " " + str(_l("(%(n)s-minute break)", n=row["break_minutes"]))
    return text


@dataclass(frozen=True)
class TermChange:
    key: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return str(TERM_LABELS.get(self.key, self.key))


def term_changes(before: dict | None, after: dict) -> list[TermChange]:
    """Every term that differs, old → new, as the reader reads them; nothing when `before` is unknown."""
    if not before:
        return []
    keys = list(after) + [k for k in before if k not in after]
    return [TermChange(k, describe(k, before.get(k)), describe(k, after.get(k)))
            for k in keys if before.get(k) != after.get(k)]


def summary(changes: list[TermChange]) -> str:
    return "; ".join(f"{c.label}: {c.old} → {c.new}" for c in changes)


# -- loading ---------------------------------------------------------------------------------------------------


def _options():
    return (
        selectinload(Placement.opening).selectinload(Opening.company),
        selectinload(Placement.student).selectinload(User.student_profile).selectinload(StudentProfile.group),
    )


def _load(placement_id: int, fresh: bool = False) -> Placement | None:
    query = select(Placement).options(*_options()).where(Placement.id == placement_id)
    if fresh:
        query = query.execution_options(populate_existing=True)
    return db.session.scalar(query)


def get_placement_for_party(actor: User, placement_id: int) -> Placement:
    """The placement if the actor is one of its parties or reviews it; anyone else gets 'not found'."""
    placement = _load(placement_id)
    if placement is None or not can_see_agreement(actor, placement):
        raise NotFound(str(_l("No such placement.")))
    return placement


def _locked(actor: User, placement_id: int) -> Placement:
    """Lock the opening (serialising with its edits and decisions), then read the placement as committed now."""
    opening_id = db.session.scalar(select(Placement.opening_id).where(Placement.id == placement_id))
    if opening_id is None:
        raise NotFound(str(_l("No such placement.")))
    lock_opening(opening_id)
    db.session.execute(select(Placement.id).where(Placement.id == placement_id).with_for_update())
    placement = _load(placement_id, fresh=True)
    if placement is None or not can_see_agreement(actor, placement):
        raise NotFound(str(_l("No such placement.")))
    return placement


def clauses() -> list[AgreementClause]:
    return list(db.session.scalars(select(AgreementClause).order_by(AgreementClause.position, AgreementClause.id)))


@cache
def _insurance_by_placement() -> Select:  # built once, the ids a parameter (pages of many placements read it)
    return (select(PlacementInsurance).options(selectinload(PlacementInsurance.recorded_by))
            .where(PlacementInsurance.placement_id.in_(bindparam("ids", expanding=True))))


@cache
def _acknowledgements_by_placement() -> Select:
    return (select(AgreementAcknowledgement)
            .where(AgreementAcknowledgement.placement_id.in_(bindparam("ids", expanding=True)))
            .order_by(AgreementAcknowledgement.acknowledged_at, AgreementAcknowledgement.id))


def _insurance_of(placement_ids: list[int]) -> dict[int, dict[InsuranceKind, PlacementInsurance]]:
    out: dict[int, dict[InsuranceKind, PlacementInsurance]] = {pid: {} for pid in placement_ids}
    if placement_ids:
        for record in db.session.scalars(_insurance_by_placement(), {"ids": list(placement_ids)}):
            out[record.placement_id][record.kind] = record
    return out


# -- the state of an agreement ----------------------------------------------------------------------------------


@dataclass
class AgreementState:
    placement: Placement
    document: Callable[[], dict]  # gathers the terms (agreement_terms) when they are first needed
    current: dict[AgreementParty, AgreementAcknowledgement]  # acknowledgements of this version
    outdated: list[AgreementAcknowledgement]  # given for an earlier version (void)
    insurance: dict[InsuranceKind, PlacementInsurance]
    scans: list[AgreementScan] = field(default_factory=list)
    changes: list[TermChange] = field(default_factory=list)  # since the last acknowledgement
    blockers: list[str] = field(default_factory=list)
    insurance_problems: dict[InsuranceKind, str | None] = field(default_factory=dict)  # insurance_problem per kind

    @cached_property
    def terms(self) -> dict:
        """What the agreement says now."""
        return self.document()

    @cached_property
    def hash(self) -> str:
        """The document's fingerprint: an acknowledgement counts for the version whose hash it recorded."""
        return document_hash(self.terms)

    @property
    def ready(self) -> bool:
        return not self.blockers

    @property
    def acknowledged_count(self) -> int:
        return len(self.current)


def insurance_problem(kind: InsuranceKind, record: PlacementInsurance | None, placement: Placement) -> str | None:
    name = label(kind)
    if record is None:
        return str(_l("%(insurance)s is not recorded yet.", insurance=name))
    if record.document_storage_name is None:
        return str(_l("%(insurance)s has no policy document.", insurance=name))
    if record.starts_on > placement.start_date or record.ends_on < placement.end_date:
        return str(_l("%(insurance)s (%(start)s – %(end)s) does not cover the practice (%(pstart)s – %(pend)s).",
                      insurance=name, start=record.starts_on.isoformat(), end=record.ends_on.isoformat(),
                      pstart=placement.start_date.isoformat(), pend=placement.end_date.isoformat()))
    return None


PARTY_MISSING = {
    AgreementParty.STUDENT: _l("The student has not acknowledged the current agreement."),
    AgreementParty.COMPANY: _l("The host company has not acknowledged the current agreement."),
    AgreementParty.UNIVERSITY: _l("The university (an exchange manager of the student's group) has not "
                                  "acknowledged the current agreement."),
}


def _document(placement: Placement, insurance: dict, clauses_digest: Callable[[], str]) -> dict:
    return agreement_terms(placement, insurance, clauses_digest=clauses_digest())


def states_for(placements: list[Placement], with_scans: bool = False) -> dict[int, AgreementState]:
    """The agreement state of many placements in a constant number of queries (insurance, acknowledgements; the
    clauses when a document is gathered; scans when asked)."""
    ids = [p.id for p in placements]
    if not ids:
        return {}

    @cache
    def clauses_digest() -> str:  # read once, and only when some placement's document is gathered
        return _clauses_digest(clauses())
    insurance = _insurance_of(ids)
    acks: dict[int, list[AgreementAcknowledgement]] = {pid: [] for pid in ids}
    for ack in db.session.scalars(_acknowledgements_by_placement(), {"ids": ids}):
        acks[ack.placement_id].append(ack)
    scans: dict[int, list[AgreementScan]] = {pid: [] for pid in ids}
    if with_scans:
        for scan in db.session.scalars(select(AgreementScan).options(selectinload(AgreementScan.uploaded_by))
                                       .where(AgreementScan.placement_id.in_(ids))
                                       .order_by(AgreementScan.uploaded_at, AgreementScan.id)):
            scans[scan.placement_id].append(scan)
    out = {}
    for p in placements:
        state = AgreementState(p, partial(_document, p, insurance[p.id], clauses_digest), {}, [], insurance[p.id],
                               scans[p.id])
        # The document is gathered and hashed only when something is compared with it: an acknowledgement, or
        # the terms last acknowledged. A request nobody has acknowledged yet (most of a console page) needs neither.
        if acks[p.id] or p.agreement_terms:
            digest = state.hash
            state.current = {a.party: a for a in acks[p.id] if a.voided_at is None and a.document_hash == digest}
            state.outdated = [a for a in acks[p.id] if a.document_hash != digest or a.voided_at is not None]
            if p.agreement_terms and document_hash(p.agreement_terms) != digest:
                state.changes = term_changes(p.agreement_terms, state.terms)
        current = state.current
        state.blockers = [str(PARTY_MISSING[party]) for party in PARTIES if party not in current]
        state.insurance_problems = {kind: insurance_problem(kind, insurance[p.id].get(kind), p)
                                    for kind in INSURANCE_KINDS}
        state.blockers += [problem for problem in state.insurance_problems.values() if problem]
        out[p.id] = state
    return out


def agreement_state(placement: Placement, with_scans: bool = True) -> AgreementState:
    return states_for([placement], with_scans=with_scans)[placement.id]


def activation_blockers(placement: Placement) -> list[str]:
    """Why this placement cannot start now (empty: it may)."""
    return agreement_state(placement, with_scans=False).blockers


# -- recording changes -------------------------------------------------------------------------------------------


def _parties(placement: Placement) -> list[User]:
    """Everyone who acknowledges for the three parties: the student, the host's managers, the group's managers."""
    profile = placement.student.student_profile if placement.student else None
    people = [placement.student] if placement.student else []
    people += active_managers(placement.opening.company)
    people += managers_of_groups([profile.group_id] if profile else [])
    seen, out = set(), []
    for person in people:
        if person.id not in seen:
            seen.add(person.id)
            out.append(person)
    return out


def _settle(actor: User | None, placement: Placement, state: AgreementState) -> None:
    """Void live acknowledgements of an earlier version (audited, the parties told what changed) and keep the
    cached readiness in step. Called with the opening's lock held."""
    stale = [a for a in state.outdated if a.voided_at is None]
    if stale:
        reason = summary(state.changes) or str(_l("The agreement changed."))
        now = utcnow()
        for ack in stale:
            ack.voided_at = now
            ack.void_reason = reason[:2000]
        audit.record(actor, "placement", placement.id, "agreement_voided", placement.status.value,
                     placement.status.value, reason[:2000])
        notify_many(_parties(placement), "agreement_voided",
                    link_to("agreements.agreement", placement_id=placement.id), opening=placement.opening.title)
    placement.agreement_ready = state.ready
    db.session.flush()


def terms_changed(actor: User | None, placement: Placement) -> AgreementState:
    """Record that the terms of `placement` may have changed: earlier acknowledgements are voided with what
    changed. The caller holds the opening's lock (an opening edit, an insurance record, an acknowledgement)."""
    db.session.flush()
    state = agreement_state(placement, with_scans=False)
    _settle(actor, placement, state)
    return state


def terms_changed_for_opening(actor: User | None, opening_id: int) -> int:
    """After an opening's terms changed: settle the agreements of its live placements. Returns how many had
    acknowledgements voided."""
    live = list(db.session.scalars(select(Placement).options(*_options())
                                   .where(Placement.opening_id == opening_id,
                                          Placement.status.in_(ACKNOWLEDGEABLE))))
    voided = 0
    states = states_for(live)
    for placement in live:
        state = states[placement.id]
        if any(a.voided_at is None for a in state.outdated):
            voided += 1
        _settle(actor, placement, state)
    return voided


def _check_open(placement: Placement) -> None:
    if placement.status not in ACKNOWLEDGEABLE:
        raise Conflict(str(_l("This placement is “%(status)s”: its agreement can no longer be changed or "
                              "acknowledged.", status=label(placement.status))))


# -- acknowledgements ----------------------------------------------------------------------------------------------


def acknowledge(actor: User, placement_id: int, seen_hash: str, ip_address: str) -> AgreementAcknowledgement:
    """Record the actor's acknowledgement of the version they read (`seen_hash`), for their party.

    Refused (Conflict, nothing recorded) when that version is no longer the current one, when the party already
    acknowledged it, or when the placement is over. A viewer who is no party (an admin) gets Forbidden."""
    placement = _locked(actor, placement_id)
    party = agreement_party(actor, placement)
    if party is None:
        raise Forbidden(str(_l("Only the student, a manager of the host company and an exchange manager of the "
                               "student's group acknowledge this agreement.")))
    _check_open(placement)
    state = agreement_state(placement, with_scans=False)
    if (seen_hash or "").strip().lower() != state.hash:
        _settle(actor, placement, state)
        changes = state.changes
        detail = (" " + str(_l("Changed: %(changes)s.", changes=summary(changes)))) if changes else ""
        raise Conflict(str(_l("The agreement changed after you opened it, so this acknowledgement was not "
                              "recorded. Read the current version and acknowledge it again.")) + detail)
    if party in state.current:
        raise Conflict(str(_l("You already acknowledged this version of the agreement on behalf of %(party)s; "
                              "nothing was changed.", party=label(party))))
    _settle(actor, placement, state)  # void the earlier version's acknowledgements first (one live per party)
    ack = AgreementAcknowledgement(placement_id=placement.id, party=party, user_id=actor.id,
                                   signer_name=actor.display_name[:100], acknowledged_at=utcnow(),
                                   ip_address=(ip_address or "")[:64], document_hash=state.hash)
    db.session.add(ack)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict(str(_l("Someone acknowledged for %(party)s at the same moment; nothing was changed.",
                              party=label(party)))) from None
    placement.agreement_terms = state.terms
    state.current[party] = ack
    state.blockers = [b for b in state.blockers if b != str(PARTY_MISSING[party])]
    placement.agreement_ready = state.ready
    audit.record(actor, "placement", placement.id, "agreement_acknowledged", placement.status.value,
                 placement.status.value, f"{party.value} {state.hash[:12]}")
    db.session.flush()
    return ack


# -- insurance -------------------------------------------------------------------------------------------------------


@dataclass
class InsuranceData:
    insurer: str = ""
    policy_number: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    filename: str | None = None
    document: bytes | None = None  # None or empty keeps the recorded document


def record_insurance(actor: User, placement_id: int, kind: InsuranceKind, data: InsuranceData) -> documents.FileChange:
    """Record (or correct) one insurance of a placement: the host's managers record 산재보험, the group's exchange
    managers 상해보험. Every field is checked at once; the period must cover the practice; a policy document is
    needed the first time. Changing the insurance changes the agreement (earlier acknowledgements are voided)."""
    placement = _locked(actor, placement_id)
    if not can_record_insurance(actor, placement, kind):
        raise Forbidden(str(_l("This insurance is recorded by %(who)s.", who=_recorder(kind))))
    _check_open(placement)
    existing = db.session.scalar(select(PlacementInsurance).where(PlacementInsurance.placement_id == placement.id,
                                                                  PlacementInsurance.kind == kind))
    problems = Reasons()
    insurer = " ".join((data.insurer or "").split())
    policy = " ".join((data.policy_number or "").split())
    if not insurer:
        problems.add("insurer", _l("Enter the insurer."))
    elif len(insurer) > MAX_TEXT:
        problems.add("insurer", _l("Use at most %(max)d characters.", max=MAX_TEXT))
    if not policy:
        problems.add("policy_number", _l("Enter the policy number."))
    elif len(policy) > 100:
        problems.add("policy_number", _l("Use at most %(max)d characters.", max=100))
    if data.starts_on is None:
        problems.add("starts_on", _l("Enter the first day the policy covers."))
    if data.ends_on is None:
        problems.add("ends_on", _l("Enter the last day the policy covers."))
    if data.starts_on and data.ends_on:
        if data.ends_on < data.starts_on:
            problems.add("ends_on", _l("The cover ends before it starts."))
        else:
            if data.starts_on > placement.start_date:
                problems.add("starts_on", _l("The cover must start by the practice's first day (%(date)s).",
                                             date=placement.start_date.isoformat()))
            if data.ends_on < placement.end_date:
                problems.add("ends_on", _l("The cover must last until the practice's last day (%(date)s).",
                                           date=placement.end_date.isoformat()))
    upload = data.document or b""
    if upload:
        problem = documents.check_pdf(upload, "document")
        if problem:
            problems.add("document", problem.message)
    elif existing is None or existing.document_storage_name is None:
        problems.add("document", _l("Upload the policy document (PDF)."))
    problems.raise_if_any()

    change = documents.FileChange()
    if upload:
        storage_name, key = documents.store_pdf(upload, "document")
        change = documents.FileChange(new_key=key,
                                      old_key=documents.document_key(existing.document_storage_name)
                                      if existing else None)
    try:
        record = existing or PlacementInsurance(placement_id=placement.id, kind=kind)
        before = _insurance_terms(existing) if existing else None
        record.insurer, record.policy_number = insurer, policy
        record.starts_on, record.ends_on = data.starts_on, data.ends_on
        if upload:
            record.document_storage_name = storage_name
            record.document_original_name = documents.display_name(data.filename, "policy.pdf")
            record.document_size = len(upload)
        record.recorded_by_id = actor.id
        record.recorded_at = utcnow()
        db.session.add(record)
        db.session.flush()
        audit.record(actor, "placement", placement.id, "insurance_recorded", placement.status.value,
                     placement.status.value,
                     f"{kind.value}: {describe('insurance_x', before) if before else '—'} → "
                     f"{describe('insurance_x', _insurance_terms(record))}")
        terms_changed(actor, placement)
    except Exception:
        change.failed()
        raise
    return change


def _recorder(kind: InsuranceKind) -> str:
    if kind == InsuranceKind.INDUSTRIAL_ACCIDENT:
        return str(_l("a manager of the host company"))
    return str(_l("an exchange manager of the student's group"))


def insurance_file(actor: User, placement_id: int, kind: InsuranceKind):
    placement = get_placement_for_party(actor, placement_id)
    record = db.session.scalar(select(PlacementInsurance).where(PlacementInsurance.placement_id == placement.id,
                                                                PlacementInsurance.kind == kind))
    if record is None:
        raise NotFound(str(_l("No such document.")))
    return documents.read_document(record.document_storage_name), record.document_original_name or "policy.pdf"


# -- signed scans ---------------------------------------------------------------------------------------------------


def upload_scan(actor: User, placement_id: int, filename: str | None, data: bytes) -> documents.FileChange:
    """Any party adds a signed paper copy (PDF, checked like CVs); it names the version shown when uploaded."""
    placement = _locked(actor, placement_id)
    if agreement_party(actor, placement) is None:
        raise Forbidden(str(_l("Only the parties to the agreement upload signed copies.")))
    _check_open(placement)
    problem = documents.check_pdf(data, "scan")
    if problem:
        raise problem
    state = agreement_state(placement, with_scans=False)
    storage_name, key = documents.store_pdf(data, "scan")
    change = documents.FileChange(new_key=key)
    try:
        scan = AgreementScan(placement_id=placement.id, storage_name=storage_name,
                             original_name=documents.display_name(filename, "agreement.pdf"), size=len(data),
                             document_hash=state.hash, uploaded_by_id=actor.id, uploaded_at=utcnow())
        db.session.add(scan)
        db.session.flush()
        audit.record(actor, "placement", placement.id, "agreement_scan_uploaded", placement.status.value,
                     placement.status.value, scan.original_name)
    except Exception:
        change.failed()
        raise
    return change


def scan_file(actor: User, placement_id: int, scan_id: int):
    placement = get_placement_for_party(actor, placement_id)
    scan = db.session.get(AgreementScan, scan_id)
    if scan is None or scan.placement_id != placement.id:
        raise NotFound(str(_l("No such document.")))
    return documents.read_document(scan.storage_name), scan.original_name or "agreement.pdf"


# -- the programme's standard clauses ------------------------------------------------------------------------------


@dataclass
class ClauseData:
    title_ko: str = ""
    title_en: str = ""
    body_ko: str = ""
    body_en: str = ""


def update_clause(actor: User, clause_id: int | None, data: ClauseData) -> AgreementClause:
    """The programme office adds or edits a standard clause (both languages needed). Agreements not yet
    acknowledged by all show the new text; acknowledgements of the old text are void."""
    from marketplace.permissions import Permission, user_can

    if not user_can(actor, Permission.ADMINISTER):
        raise Forbidden(str(_l("Only the programme office edits the standard clauses.")))
    problems = Reasons()
    values = {}
    for name, limit in (("title_ko", 200), ("title_en", 200), ("body_ko", 5000), ("body_en", 5000)):
        value = (getattr(data, name) or "").strip()
        if not value:
            problems.add(name, _l("Enter this text in both languages."))
        elif len(value) > limit:
            problems.add(name, _l("Use at most %(max)d characters.", max=limit))
        values[name] = value
    clause = None
    if clause_id is not None:
        clause = db.session.get(AgreementClause, clause_id)
        if clause is None:
            raise NotFound(str(_l("No such clause.")))
    problems.raise_if_any()
    if clause is None:
        last = db.session.scalar(select(AgreementClause.position).order_by(AgreementClause.position.desc()).limit(1))
        clause = AgreementClause(position=(last or 0) + 1)
        db.session.add(clause)
    for name, value in values.items():
        setattr(clause, name, value)
    clause.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "agreement_clause", clause.id, "edited", None, None, values["title_en"][:200])
    return clause


def seed_clauses(items: list[dict]) -> int:
    """The programme's standard clauses from seeds/agreement_clauses.json, once (an edited set is kept)."""
    if db.session.scalar(select(AgreementClause.id).limit(1)) is not None:
        return 0
    for position, item in enumerate(items, start=1):
        db.session.add(AgreementClause(position=position, **{k: item[k] for k in ("title_ko", "title_en",
                                                                                  "body_ko", "body_en")}))
    db.session.flush()
    return len(items)


__all__ += ["ClauseData", "seed_clauses", "describe", "TERM_LABELS", "summary"]
