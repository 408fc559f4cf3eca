"""Student profiles: facts, the skill profile (canonicalised at save time) and the CV (in the configured storage)."""
from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace import storage
from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import (
    DegreeLevel,
    ProjectGroup,
    StudentProfile,
    StudentSkill,
    Track,
    User,
    VerificationStatus,
)
from marketplace.models.base import utcnow
from marketplace.permissions import Permission, user_can
from marketplace.services import audit, skills, verification
from marketplace.services.errors import DomainError, NotFound, Reasons
from marketplace.services.workflow import claim_for_edit

MAX_SKILLS = 40
MAX_BIO = 2000
MAX_CV_BYTES = 5 * 1024 * 1024
CV_FOLDER = "cv"
PDF_HEAD_WINDOW = 1024
PDF_TAIL_WINDOW = 2048
MAX_DISPLAY_NAME = 100


# -- reading ------------------------------------------------------------------------------------------


def get_profile(user: User) -> StudentProfile:
    """The student's own profile with what its page shows; NotFound for anyone without one."""
    if not user_can(user, Permission.KEEP_STUDENT_PROFILE):
        raise NotFound(str(_l("Only students keep a profile.")))
    profile = db.session.scalar(
        select(StudentProfile)
        .options(selectinload(StudentProfile.skills), selectinload(StudentProfile.group),
                 selectinload(StudentProfile.track))
        .where(StudentProfile.user_id == user.id)
    )
    if profile is None:
        raise NotFound(str(_l("You have no student profile.")))
    return profile


# -- the profile and its skills ----------------------------------------------------------------------


@dataclass
class SkillEntry:
    name: str
    level: int | None = 3
    row: int | None = None  # the form row it came from, so an error lands beside it


@dataclass
class ProfileData:
    major: str
    degree_level: str
    year: int | None = None
    track_id: int | None = None
    bio: str = ""
    hours_per_week: int | None = None
    available_from: date | None = None
    skills: list[SkillEntry] = field(default_factory=list)
    version: int | None = None  # the version the form was opened on (None: no stale check)
    group_id: int | None = None  # a new project group (None: unchanged)


def clean_skills(entries: list[SkillEntry]) -> list[StudentSkill]:
    """Validated, canonicalised skill rows (blank names ignored), in the order given; every bad row at once."""
    problems = Reasons()
    out = []
    for entry, clean in skills.clean_rows(entries, MAX_SKILLS):
        level = entry.level
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            problems.add(skills.row_field(entry.row, "level"), _l("Choose a level from 1 to 5."))
            continue
        out.append(StudentSkill(position=clean.position, name=clean.name, skill_id=clean.skill_id,
                                display_name=clean.display_name, level=level))
    problems.raise_if_any()
    return out


def _track_of_group(track_id: int | None, group_id: int) -> Track | None:
    if not track_id:
        return None
    track = db.session.get(Track, track_id)
    if track is None or track.group_id != group_id:
        raise DomainError(str(_l("Choose a track of your project group.")), field="track_id")
    return track


def _group_to_join(group_id: int | None, current_id: int) -> int | None:
    if not group_id or group_id == current_id:
        return None
    group = db.session.get(ProjectGroup, group_id)
    if group is None or not group.active:
        raise DomainError(str(_l("Choose one of the listed project groups.")), field="group_id")
    return group.id


def update_profile(actor: User, profile: StudentProfile, data: ProfileData) -> StudentProfile:
    """Save the student's own profile and replace their skill rows; every problem of the form at once.

    A verified student who changes group or degree level is unverified again (companies stop seeing them)
    until a manager of their group verifies them; see services/verification.py."""
    if profile.user_id != actor.id or not user_can(actor, Permission.KEEP_STUDENT_PROFILE):
        raise NotFound(str(_l("You have no student profile.")))
    problems = Reasons()
    major = " ".join((data.major or "").split())
    if not major:
        problems.add("major", _l("Enter your major."))
    elif len(major) > 200:
        problems.add("major", _l("Use at most %(max)d characters.", max=200))
    degree = problems.choice(DegreeLevel, data.degree_level, "degree_level", _l("Choose a degree level."))
    if data.year is not None and not 1 <= data.year <= 10:
        problems.add("year", _l("Enter a number from %(min)s to %(max)s.", min=1, max=10))
    group_id = problems.collect(_group_to_join, data.group_id, profile.group_id)
    group_id = group_id or profile.group_id
    track_id = data.track_id
    if group_id != profile.group_id and track_id == profile.track_id:
        track_id = None  # the old group's track does not carry over to the new group
    track = problems.collect(_track_of_group, track_id, group_id)
    bio = (data.bio or "").strip()
    if len(bio) > MAX_BIO:
        problems.add("bio", _l("Use at most %(max)d characters.", max=MAX_BIO))
    if data.hours_per_week is not None and not 1 <= data.hours_per_week <= 40:
        problems.add("hours_per_week", _l("Enter the hours per week, from 1 to 40."))
    new_skills = problems.collect(clean_skills, data.skills)
    problems.raise_if_any()

    # The profile's row lock (and the stale-form check) before its skill rows are replaced: two saves at
    # once run one after the other, each replacing every row, so the rows never add up past MAX_SKILLS.
    claim_for_edit(profile, data.version)
    changed_declared = [name for name, old, new in (
        ("group", profile.group_id, group_id), ("degree level", profile.degree_level, degree),
        ("major", profile.major, major), ("track", profile.track_id, track.id if track else None),
    ) if old != new]
    needs_manager = {"group", "degree level"} & set(changed_declared)
    if (profile.verification_status == VerificationStatus.VERIFIED and needs_manager) or \
            (profile.verification_status == VerificationStatus.DECLINED and changed_declared):
        # Verified members of one group at one level: another group or level is a new claim to check.
        # A declined student who corrects what they declared goes back to the managers' queue.
        verification.withdraw(profile, actor, "changed " + ", ".join(changed_declared))
    if group_id != profile.group_id:
        profile.group_id = group_id
        profile.group = db.session.get(ProjectGroup, group_id)
    profile.major = major
    profile.degree_level = degree
    profile.year = data.year
    profile.track_id = track.id if track else None
    profile.bio = bio
    profile.hours_per_week = data.hours_per_week
    profile.available_from = data.available_from
    profile.updated_at = utcnow()
    profile.skills.clear()
    db.session.flush()  # delete the old rows before their replacements arrive
    profile.skills.extend(new_skills)
    db.session.flush()
    audit.record(actor, "student_profile", profile.id, "updated", note=f"{len(new_skills)} skills")
    return profile


# -- the CV ---------------------------------------------------------------------------------------------


_NAME_KEEP = re.compile(r"[^\w .\-]", re.UNICODE)


def safe_display_name(raw: str | None) -> str:
    """The uploaded file's name for display and download only: no path parts, letters (Hangul too),
    digits, spaces, dots, dashes and underscores; at most 100 characters; ending in .pdf."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    name = _NAME_KEEP.sub("", name)
    name = " ".join(name.split()).strip(" .")
    if not name or name.lower() == "pdf":
        return "cv.pdf"
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() != "pdf":
        stem, ext = name, "pdf"
    stem = stem.strip(" .")[: MAX_DISPLAY_NAME - 4] or "cv"
    return f"{stem}.{ext.lower()}"


def looks_like_pdf(data: bytes) -> bool:
    """A PDF by its content: the %PDF- header near the start and the %%EOF marker near the end."""
    return b"%PDF-" in data[:PDF_HEAD_WINDOW] and b"%%EOF" in data[-PDF_TAIL_WINDOW:]


def cv_key(profile: StudentProfile) -> str | None:
    """The profile's CV in the configured storage (marketplace/storage.py), or None."""
    name = profile.cv_storage_name
    if not name or not re.fullmatch(r"[0-9a-f]{32}\.pdf", name):
        return None
    return f"{CV_FOLDER}/{name}"


@dataclass
class CvChange:
    """What an upload or delete did in storage: the route removes `old_key` after the commit, or
    `new_key` when the commit fails."""

    new_key: str | None = None
    old_key: str | None = None

    def committed(self) -> None:
        storage.remove_quietly(self.old_key)

    def failed(self) -> None:
        storage.remove_quietly(self.new_key)


def store_cv(actor: User, profile: StudentProfile, filename: str | None, data: bytes) -> CvChange:
    """Check and store an uploaded CV; the row points at the new file (flushed, not committed)."""
    if profile.user_id != actor.id or not user_can(actor, Permission.KEEP_STUDENT_PROFILE):
        raise NotFound(str(_l("You have no student profile.")))
    if not data:
        raise DomainError(str(_l("Choose a PDF file to upload.")), field="cv")
    if len(data) > MAX_CV_BYTES:
        raise DomainError(str(_l("The CV may be at most %(mb)d MB.", mb=MAX_CV_BYTES // (1024 * 1024))), field="cv")
    if not looks_like_pdf(data):
        raise DomainError(str(_l("This file is not a PDF. Export your CV as PDF and upload that file.")),
                          field="cv")
    storage_name = f"{uuid.uuid4().hex}.pdf"
    new_key = f"{CV_FOLDER}/{storage_name}"
    try:
        storage.current().put(new_key, data)
    except storage.StorageError:
        current_app.logger.exception("could not store a CV")
        raise DomainError(str(_l("The file could not be stored. Please try again later.")), field="cv") from None
    change = CvChange(new_key=new_key, old_key=cv_key(profile))
    try:
        replaced = profile.cv_storage_name is not None
        profile.cv_storage_name = storage_name
        profile.cv_original_name = safe_display_name(filename)
        profile.cv_size = len(data)
        profile.cv_uploaded_at = utcnow()
        db.session.flush()
        audit.record(actor, "student_profile", profile.id, "cv_replaced" if replaced else "cv_uploaded")
    except Exception:
        change.failed()
        raise
    return change


def delete_cv(actor: User, profile: StudentProfile) -> CvChange:
    """Clear the CV from the profile and remove its file now (flushed, not committed).

    The file goes before the route commits: when it cannot be removed, DomainError is raised and the
    route rolls back, so the profile keeps its CV and the student is told, never a "deleted" over a
    file still on disk. A file already missing counts as removed.
    """
    if profile.user_id != actor.id or not user_can(actor, Permission.KEEP_STUDENT_PROFILE):
        raise NotFound(str(_l("You have no student profile.")))
    if profile.cv_storage_name is None:
        raise NotFound(str(_l("You have not uploaded a CV.")))
    key = cv_key(profile)
    if key is not None:
        try:
            storage.current().delete(key)  # a file already missing counts as removed
        except storage.StorageError as error:
            current_app.logger.warning("could not remove the CV file %s: %s", key, error)
            raise DomainError(str(_l("Your CV could not be deleted; it is still on file. Please try again "
                                     "later or contact the programme office.")), field="cv") from None
    profile.cv_storage_name = None
    profile.cv_original_name = ""
    profile.cv_size = None
    profile.cv_uploaded_at = None
    db.session.flush()
    audit.record(actor, "student_profile", profile.id, "cv_deleted")
    return CvChange()


def read_cv(profile: StudentProfile | None) -> bytes | None:
    """The CV's bytes from the configured storage, or None when there is none (or its file is gone)."""
    key = cv_key(profile) if profile is not None else None
    if key is None:
        return None
    try:
        return storage.current().get(key)
    except storage.StorageError as error:
        current_app.logger.warning("could not read the CV file %s: %s", key, error)
        raise


def own_cv(actor: User) -> tuple[bytes, str]:
    """(content, download name) of the actor's own CV."""
    profile = get_profile(actor)
    data = read_cv(profile)
    if data is None:
        raise NotFound(str(_l("You have not uploaded a CV.")))
    return data, profile.cv_original_name or "cv.pdf"
