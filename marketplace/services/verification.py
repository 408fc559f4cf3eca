"""Student verification: who the programme knows is a member of their group, and the managers' queue.

A student is verified one of three ways (VerifiedVia): by confirming an address in one of their group's
e-mail domains, by confirming an address their group's roster lists, or by an exchange manager of their
group from the queue. Only verified students apply, and company-facing queries keep only verified students
(`verified_students`). Changing group or degree level withdraws a verification (services/students.py).

Domain rule (`domain_matches`): both sides are compared in canonical form (NFKC, so fullwidth letters count
as ASCII; case-folded; a leading "@" or "." of a listed domain ignored). An address matches a listed domain
when its domain is that domain or a sub-domain of it (`med.snu.ac.kr` matches `snu.ac.kr`; universities hand
out department sub-domains), never a look-alike (`xsnu.ac.kr`, `snu.ac.kr.example.com`).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select, update
from sqlalchemy.orm import joinedload, selectinload

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import (
    RosterEntry,
    Role,
    StudentProfile,
    User,
    VerificationStatus,
    VerifiedVia,
)
from marketplace.models.base import utcnow
from marketplace.ownership import reviewable_group_ids
from marketplace.services import audit, notifications
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.services.identity import canonical_email
from marketplace.signals import email_confirmed

V = VerificationStatus
MAX_REASON = 1000


# -- the rules -------------------------------------------------------------------------------------------


def canonical_domain(raw: str | None) -> str:
    return canonical_email(raw).lstrip("@").strip(".")


def domain_matches(email: str | None, domains) -> bool:
    """Whether `email` is in one of `domains` or a sub-domain of one (see the module docstring)."""
    address = canonical_email(email)
    if "@" not in address:
        return False
    domain = address.rsplit("@", 1)[1].strip(".")
    if not domain:
        return False
    for listed in domains or ():
        listed = canonical_domain(listed)
        if listed and (domain == listed or domain.endswith("." + listed)):
            return True
    return False


def verified_students():
    """The condition every company-facing query adds: the student's profile is verified."""
    return StudentProfile.verification_status == V.VERIFIED


def verified_student_ids() -> Select:
    """user ids of verified students, for `Application.student_id.in_(...)` in company-facing queries."""
    return select(StudentProfile.user_id).where(verified_students())


def is_verified(user: User | None) -> bool:
    profile = user.student_profile if user is not None else None
    return profile is not None and profile.verification_status == V.VERIFIED


def not_verified_reason(profile: StudentProfile) -> str:
    """The sentence an unverified student reads where they would apply."""
    if profile.verification_status == V.DECLINED:
        return str(_l("An exchange manager could not verify you as a student of your project group; see the "
                      "reason on your profile, correct it and save."))
    return str(_l("Your student account is not verified yet. Confirm your university e-mail address, or wait "
                  "for an exchange manager of your project group to verify you (your profile page says how)."))


def email_is_confirmed(user: User) -> bool:
    """Whether the user proved they own their address (the confirmation flow of services/tokens, when it
    records it on the account)."""
    return getattr(user, "email_confirmed_at", None) is not None


def roster_entry_for(profile: StudentProfile, email: str) -> RosterEntry | None:
    return db.session.scalar(select(RosterEntry).where(
        RosterEntry.group_id == profile.group_id, RosterEntry.email == canonical_email(email)))


def roster_agrees(entry: RosterEntry | None, profile: StudentProfile) -> bool:
    """The roster lists the student in their group at the degree level they declared."""
    return entry is not None and entry.group_id == profile.group_id and entry.degree_level == profile.degree_level


# -- moves -----------------------------------------------------------------------------------------------


def _move(profile: StudentProfile, expected: VerificationStatus, values: dict,
          expected_version: int | None = None) -> bool:
    """UPDATE the profile WHERE its status is still `expected` (and its version, when given); True if it
    changed. The ORM object follows the database either way."""
    conditions = [StudentProfile.id == profile.id, StudentProfile.verification_status == expected]
    if expected_version is not None:
        conditions.append(StudentProfile.version == expected_version)
    db.session.flush()
    changed = db.session.execute(
        update(StudentProfile).where(*conditions).values(values).execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.refresh(profile, attribute_names=["verification_status", "verified_via", "verified_by_id",
                                                  "verified_at", "verification_note", "version"])
    return changed


def mark_verified(profile: StudentProfile, via: VerifiedVia, by: User | None = None, note: str = "",
                  expected_version: int | None = None, tell: bool = True) -> bool:
    """Verify an unverified student; False when they were verified or declined already, or (with
    `expected_version`) changed their profile meanwhile. Audited; the student is told."""
    before = profile.verification_status
    if before != V.UNVERIFIED:
        return False
    changed = _move(profile, V.UNVERIFIED, {
        "verification_status": V.VERIFIED, "verified_via": via, "verified_by_id": by.id if by else None,
        "verified_at": utcnow(), "verification_note": "",
    }, expected_version)
    if changed:
        audit.record(by, "student_profile", profile.id, "verified", before.value, V.VERIFIED.value,
                     note=via.value + (f": {note}" if note else ""))
        if tell:
            notifications.notify(profile.user, "student_verified", notifications.link_to("students.profile"))
    return changed


def withdraw(profile: StudentProfile, actor: User | None, why: str) -> None:
    """Back to the queue (inside the caller's locked edit): a verified student changed group or degree level,
    or a declined student changed what they declared."""
    before = profile.verification_status
    if before == V.UNVERIFIED:
        return
    profile.verification_status = V.UNVERIFIED
    profile.verified_via = None
    profile.verified_by_id = None
    profile.verified_at = None
    profile.verification_note = ""
    audit.record(actor, "student_profile", profile.id, "verification_withdrawn", before.value,
                 V.UNVERIFIED.value, note=why)


# -- e-mail confirmed (signal from the confirmation flow) ----------------------------------------------------------


@email_confirmed.connect
def verify_on_email_confirmed(user: User, **_extra) -> None:
    """A student who confirmed an address of their group's domains, or one their group's roster lists at
    their degree level, is verified; anyone else stays in the managers' queue."""
    if user.role != Role.STUDENT:
        return
    profile = db.session.scalar(select(StudentProfile).options(joinedload(StudentProfile.group))
                                .where(StudentProfile.user_id == user.id))
    if profile is None or profile.verification_status != V.UNVERIFIED:
        return
    if domain_matches(user.email, profile.group.domains):
        mark_verified(profile, VerifiedVia.EMAIL_DOMAIN)
    elif roster_agrees(roster_entry_for(profile, user.email), profile):
        mark_verified(profile, VerifiedVia.ROSTER)


# -- the managers' queue -----------------------------------------------------------------------------------------


def _in_reach(actor: User):
    groups = reviewable_group_ids(actor)
    if groups is None:
        return True
    return StudentProfile.group_id.in_(list(groups) or [-1])


def queue_query(actor: User) -> Select:
    """Unverified students of the actor's groups, oldest first, with everything the queue page shows."""
    return (
        select(StudentProfile)
        .join(User, User.id == StudentProfile.user_id)
        .options(joinedload(StudentProfile.user), joinedload(StudentProfile.group),
                 joinedload(StudentProfile.track))
        .where(StudentProfile.verification_status == V.UNVERIFIED, User.active.is_(True), _in_reach(actor))
        .order_by(StudentProfile.created_at, StudentProfile.id)
    )


def roster_entries_for(profiles: list[StudentProfile]) -> dict[int, RosterEntry]:
    """{profile id: roster entry of its group listing the student's address} in one query."""
    if not profiles:
        return {}
    emails = {canonical_email(p.user.email) for p in profiles}
    groups = {p.group_id for p in profiles}
    entries = {(e.group_id, e.email): e for e in db.session.scalars(
        select(RosterEntry).options(selectinload(RosterEntry.track))
        .where(RosterEntry.email.in_(emails), RosterEntry.group_id.in_(groups)))}
    found = {}
    for p in profiles:
        entry = entries.get((p.group_id, canonical_email(p.user.email)))
        if entry is not None:
            found[p.id] = entry
    return found


@dataclass
class QueueItem:
    profile: StudentProfile
    in_group_domain: bool
    roster: RosterEntry | None


def queue(actor: User, profiles: list[StudentProfile]) -> list[QueueItem]:
    rosters = roster_entries_for(profiles)
    return [QueueItem(p, domain_matches(p.user.email, p.group.domains), rosters.get(p.id)) for p in profiles]


def get_for_review(actor: User, profile_id: int) -> StudentProfile:
    """A student profile of the actor's groups; any other is 'not found'."""
    profile = db.session.scalar(
        select(StudentProfile).options(joinedload(StudentProfile.user), joinedload(StudentProfile.group))
        .where(StudentProfile.id == profile_id, _in_reach(actor))
    )
    if profile is None or reviewable_group_ids(actor) == frozenset():
        raise NotFound(str(_l("No such student.")))
    return profile


def _changed_meanwhile(profile: StudentProfile) -> Conflict:
    if profile.verification_status == V.VERIFIED:
        return Conflict(str(_l("%(name)s was verified meanwhile (by another manager or by their roster entry); "
                               "nothing was changed.", name=profile.user.display_name)))
    if profile.verification_status == V.DECLINED:
        return Conflict(str(_l("%(name)s was declined meanwhile by another manager; nothing was changed.",
                               name=profile.user.display_name)))
    return Conflict(str(_l("%(name)s changed their profile since you opened the queue; review what they "
                           "declared now and decide again.", name=profile.user.display_name)))


def verify(actor: User, profile_id: int, expected_version: int | None) -> StudentProfile:
    """A manager verifies a student as seen in the queue (their status and profile version then)."""
    profile = get_for_review(actor, profile_id)
    if not mark_verified(profile, VerifiedVia.MANAGER, by=actor, expected_version=expected_version):
        raise _changed_meanwhile(profile)
    return profile


def decline(actor: User, profile_id: int, expected_version: int | None, reason: str) -> StudentProfile:
    """A manager declines a student with a reason the student reads; they stay unable to apply."""
    profile = get_for_review(actor, profile_id)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(str(_l("Write the reason: the student reads it and can correct their profile.")),
                          field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(str(_l("Use at most %(max)d characters.", max=MAX_REASON)), field="reason")
    changed = _move(profile, V.UNVERIFIED, {
        "verification_status": V.DECLINED, "verified_via": None, "verified_by_id": actor.id,
        "verified_at": utcnow(), "verification_note": reason,
    }, expected_version)
    if not changed:
        raise _changed_meanwhile(profile)
    audit.record(actor, "student_profile", profile.id, "verification_declined", V.UNVERIFIED.value,
                 V.DECLINED.value, note=reason)
    notifications.notify(profile.user, "student_declined", notifications.link_to("students.profile"),
                         reason=reason)
    return profile
