"""Certificates of completion (이수증): issued when a practice is completed, with a random verification code anyone can
check on the public page, a snapshot of what they certify frozen at issue, and revocation with a reason.

Codes are 12 characters of Crockford's base32 (no I, L, O, U: nothing to misread; 60 random bits), shown in groups of
four (`7K2M-9XQD-4HRT`). What people type is normalised before the look-up: case, spaces, dashes, full-width
characters, and the letters Crockford reads as digits (O -> 0, I and L -> 1). Failed look-ups are throttled per
client address (CERTIFICATE_LOOKUP_RATE_LIMIT), so codes cannot be guessed at speed.
"""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import Opening, Placement, PlacementStatus, StudentProfile, User
from marketplace.models.base import utcnow
from marketplace.models.evaluations import Certificate
from marketplace.ownership import can_review_placement
from marketplace.services import audit, throttle
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.services.notifications import link_to, notify

__all__ = ["ALPHABET", "CODE_LENGTH", "new_code", "normalise", "display_code", "issue", "revoke", "lookup",
           "Lookup", "certificate_for", "get_for_download"]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
CODE_LENGTH = 12
GROUP = 4
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = " -_.\u00a0\u2010\u2011\u2012\u2013\u2014\u2212\u3000"
MAX_REASON = 2000


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


class MalformedCode(DomainError):
    """What was typed cannot be a certificate code (shown beside the code field)."""


def normalise(typed: str | None) -> str:
    """The code as stored, from what someone typed; MalformedCode saying why when it cannot be one."""
    text = unicodedata.normalize("NFKC", typed or "").upper()
    text = "".join(ch for ch in text if ch not in _SEPARATORS).translate(_READ_AS)
    if not text:
        raise MalformedCode(str(_l("Enter the verification code printed on the certificate.")), field="code")
    odd = sorted({ch for ch in text if ch not in ALPHABET})
    if odd:
        shown = " ".join(odd[:5]) if all(ch.isprintable() for ch in odd[:5]) else "?"
        raise MalformedCode(str(_l("A verification code has only the digits 0-9 and the letters A-Z without U; "
                                   "these characters cannot be part of one: %(chars)s", chars=shown)), field="code")
    if len(text) != CODE_LENGTH:
        raise MalformedCode(str(_l("A verification code has %(n)d characters (like 7K2M-9XQD-4HRT); this one has "
                                   "%(got)d.", n=CODE_LENGTH, got=len(text))), field="code")
    return text


# -- issuing and revoking -----------------------------------------------------------------------------------------


def _snapshot(placement: Placement, hours: float | None, programme: tuple[str, str] | None) -> dict:
    profile = placement.student.student_profile if placement.student else None
    group = profile.group if profile else None
    opening = placement.opening
    return {
        "student_name": placement.student.display_name,
        "group_code": group.code if group else "",
        "group_ko": group.name_ko if group else "",
        "group_en": group.name_en if group else "",
        "university_ko": (group.university_ko if group else "") or "",
        "university_en": (group.university_en if group else "") or "",
        "programme_ko": programme[0] if programme else "현장실습",
        "programme_en": programme[1] if programme else "Field practice",
        "host": opening.company.name,
        "opening_title": opening.title,
        "start_date": placement.start_date.isoformat(),
        "end_date": placement.end_date.isoformat(),
        "hours": round(float(hours), 1) if hours is not None else None,
    }


def issue(actor: User | None, placement: Placement, hours: float | None = None,
          programme: tuple[str, str] | None = None) -> Certificate:
    """The certificate of a placement that was just completed (services/placements.complete_placement calls it in
    the same transaction): a fresh code, the snapshot frozen now. The student is told."""
    if placement.status != PlacementStatus.COMPLETED:
        raise Conflict(str(_l("Only a completed practice has a certificate of completion.")))
    existing = certificate_for(placement.id)
    if existing is not None:
        return existing
    snapshot = _snapshot(placement, hours, programme)
    for _attempt in range(5):  # 60 random bits: a collision is a curiosity, but never a 500
        certificate = Certificate(placement_id=placement.id, code=new_code(), issued_at=utcnow(),
                                  issued_by_id=actor.id if actor else None, snapshot=snapshot)
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
            break
        except IntegrityError:
            db.session.expunge(certificate) if certificate in db.session else None
            existing = certificate_for(placement.id)
            if existing is not None:
                return existing
    else:  # pragma: no cover - five collisions in a row
        raise Conflict(str(_l("The certificate could not be issued; try again.")))
    audit.record(actor, "certificate", certificate.id, "certificate_issued", None, "active",
                 f"placement {placement.id}")
    notify(placement.student, "certificate_issued", link_to("evaluations.placement", placement_id=placement.id),
           opening=placement.opening.title)
    return certificate


def certificate_for(placement_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.placement_id == placement_id))


def _load_placement(placement_id: int) -> Placement | None:
    return db.session.scalar(select(Placement).options(
        selectinload(Placement.opening).selectinload(Opening.company),
        selectinload(Placement.student).selectinload(User.student_profile).selectinload(StudentProfile.group),
    ).where(Placement.id == placement_id))


def revoke(actor: User, placement_id: int, reason: str) -> Certificate:
    """Revoke a placement's certificate (the exchange managers of the student's group, the programme office), with a
    reason the public page does not show; the public page says it was revoked from then on."""
    placement = _load_placement(placement_id)
    if placement is None or not can_review_placement(actor, placement):
        raise NotFound(str(_l("No such placement.")))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(str(_l("Say why the certificate is revoked.")), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(str(_l("Use at most %(max)d characters.", max=MAX_REASON)), field="reason")
    certificate = certificate_for(placement_id)
    if certificate is None:
        raise NotFound(str(_l("This practice has no certificate.")))
    table = Certificate.__table__
    changed = db.session.execute(
        table.update().where(table.c.id == certificate.id, table.c.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_by_id=actor.id, revoked_reason=reason)
    ).rowcount == 1
    if not changed:
        raise Conflict(str(_l("This certificate was already revoked; nothing was changed.")))
    db.session.refresh(certificate)
    audit.record(actor, "certificate", certificate.id, "certificate_revoked", "active", "revoked", reason)
    notify(placement.student, "certificate_revoked", link_to("evaluations.placement", placement_id=placement.id),
           opening=placement.opening.title, reason=reason)
    return certificate


def get_for_download(actor: User, placement_id: int) -> tuple[Placement, Certificate]:
    """The certificate for its PDF: the student themselves, the group's exchange managers, the programme office.
    A revoked certificate is not handed out again."""
    placement = _load_placement(placement_id)
    if placement is None or not (placement.student_id == actor.id or can_review_placement(actor, placement)):
        raise NotFound(str(_l("No such placement.")))
    certificate = certificate_for(placement_id)
    if certificate is None:
        raise NotFound(str(_l("This practice has no certificate.")))
    if certificate.revoked_at is not None:
        raise Conflict(str(_l("This certificate was revoked and cannot be downloaded.")))
    return placement, certificate


# -- the public look-up --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    state: str  # valid | revoked | unknown
    code: str
    certificate: Certificate | None = None

    @property
    def shown(self) -> dict:
        """Only what the public page may show: name, programme, host, period, hours."""
        if self.certificate is None or self.state != "valid":
            return {}
        snap = self.certificate.snapshot or {}
        keys = ("student_name", "programme_ko", "programme_en", "group_ko", "group_en", "university_ko",
                "university_en", "host", "start_date", "end_date", "hours")
        return {key: snap.get(key) for key in keys}


def lookup(typed: str | None, client_address: str) -> Lookup:
    """Check a code typed on the public page: valid (with what it certifies), revoked, or unknown. MalformedCode when
    it cannot be a code; throttle.TooManyAttempts when this address failed too often. Codes that do not exist count
    against the address; found ones give their slot back."""
    code = normalise(typed)
    attempt = throttle.reserve(throttle.configured("CERTIFICATE_LOOKUP_RATE_LIMIT"),
                               "certificate-lookup:" + (client_address or "unknown"))
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None:
        return Lookup("unknown", code)
    attempt.release()
    return Lookup("revoked" if certificate.revoked_at is not None else "valid", code, certificate)
