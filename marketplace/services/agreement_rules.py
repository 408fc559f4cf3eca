"""The agreement's and the clinical data's rules in the compliance registry (services/compliance.py).

Registered like every practice rule, so the manager's compliance view, the placement's compliance panel, the
approval gate (every path: pages, matching rounds, the JSON API) and the export all see them:

* **insurance** (placements awaiting approval or approved): the host's industrial-accident insurance (산재보험)
  and the university's accident insurance (상해보험), each recorded with policy number, period and document
  and covering the practice, before the start. Missing more than 14 days before the start: a warning. Missing
  closer to the start (or after it): a failure, which blocks approval unless an exchange manager records an
  override; the practice still cannot *start* without both (the activation gate in services/agreements.py).
* **agreement_acknowledged**: all three parties acknowledge the current agreement no later than 5 days after the
  start date. From 14 days before the start a missing acknowledgement is a warning with the deadline; after
  the deadline, a failure.
* **clinical_data**: the opening's clinical-data readiness (services/clinical.py). Missing items are warnings;
  hospital data whose IRB approval is pending blocks approving a placement, and no override lets it pass.

Facts come from one provider for all subjects at once (agreement states, readiness records): a constant number
of queries for any number of placements.
"""
from __future__ import annotations

from datetime import timedelta

from marketplace.i18n import format_date
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import Opening, Placement, PlacementStatus
from marketplace.services import agreements, clinical, compliance

INSURANCE_NOTICE_DAYS = 14  # missing insurance further from the start than this only warns
ACKNOWLEDGEMENT_GRACE_DAYS = 5  # the agreement is acknowledged by all three no later than this after the start
ACKNOWLEDGEMENT_NOTICE_DAYS = 14  # from this many days before the start a missing acknowledgement warns
CHECKED = (PlacementStatus.PENDING, PlacementStatus.APPROVED)


@compliance.facts_provider
def agreement_facts(subjects) -> dict:
    placements = [s.obj for s in subjects if s.subject_type == "placement" and isinstance(s.obj, Placement)]
    checked = [p for p in placements if p.status in CHECKED]
    states = agreements.states_for(checked) if checked else {}
    opening_ids = {p.opening_id for p in placements}
    opening_ids |= {s.obj.id for s in subjects if s.subject_type == "opening" and isinstance(s.obj, Opening)}
    readiness = clinical.clinical_for(opening_ids) if opening_ids else {}
    out = {}
    for subject in subjects:
        obj = subject.obj
        if isinstance(obj, Placement):
            out[subject.key] = {"placement_status": obj.status, "agreement": states.get(obj.id),
                                "opening": obj.opening, "clinical": readiness.get(obj.opening_id)}
        elif isinstance(obj, Opening):
            out[subject.key] = {"opening": obj, "clinical": readiness.get(obj.id)}
    return out


@compliance.rule("insurance", _l("Insurance before the start"), subjects=("placement",))
def insurance_rule(terms, facts: dict, rules):
    state = facts.get("agreement")
    if state is None or facts.get("placement_status") not in CHECKED:
        return
    start = terms.start_date
    days_left = (start - facts["today"]).days
    for kind in agreements.INSURANCE_KINDS:
        problem = state.insurance_problems.get(kind)
        if problem is None:
            continue
        if days_left > INSURANCE_NOTICE_DAYS:
            yield compliance.warn("insurance", _l(
                "%(problem)s Record it (policy number, period and document) before the start on %(start)s.",
                problem=problem, start=format_date(start)))
        else:
            yield compliance.fail("insurance", _l(
                "%(problem)s The practice starts on %(start)s: both insurances must be recorded before the start, "
                "and it cannot start without them.", problem=problem, start=format_date(start)))


@compliance.rule("agreement_acknowledged", _l("Three-party agreement"), subjects=("placement",))
def acknowledgement_rule(terms, facts: dict, rules):
    state = facts.get("agreement")
    if state is None or facts.get("placement_status") not in CHECKED:
        return
    missing = [party for party in agreements.PARTIES if party not in state.current]
    if not missing:
        return
    today = facts["today"]
    deadline = terms.start_date + timedelta(days=ACKNOWLEDGEMENT_GRACE_DAYS)
    who = " ".join(str(agreements.PARTY_MISSING[party]) for party in missing)
    if today > deadline:
        yield compliance.fail("agreement_acknowledged", _l(
            "The agreement had to be acknowledged by all three parties by %(deadline)s (%(days)s days after the "
            "start). %(who)s", deadline=format_date(deadline), days=ACKNOWLEDGEMENT_GRACE_DAYS, who=who))
    elif (terms.start_date - today).days <= ACKNOWLEDGEMENT_NOTICE_DAYS:
        yield compliance.warn("agreement_acknowledged", _l(
            "All three parties acknowledge the agreement by %(deadline)s at the latest; the practice cannot start "
            "before they have. %(who)s", deadline=format_date(deadline), who=who))


@compliance.rule("clinical_data", _l("Clinical-data readiness"), subjects=("placement",))
def clinical_rule(terms, facts: dict, rules):
    opening = facts.get("opening")
    if opening is None or facts.get("placement_status") not in CHECKED:
        return
    record = facts.get("clinical")
    irb_pending = clinical.irb_blocks(record)
    if irb_pending and facts["placement_status"] == PlacementStatus.PENDING:
        yield compliance.fail("clinical_data", _l(
            "The opening uses hospital data and its IRB approval is pending: the placement can be approved once "
            "the company records the approval."), overridable=False)
    pending_text = str(_l("IRB approval is pending."))
    for message in clinical.missing_items(opening, record):
        if irb_pending and message == pending_text and facts["placement_status"] == PlacementStatus.PENDING:
            continue  # said above, as what blocks
        yield compliance.warn("clinical_data", message)
