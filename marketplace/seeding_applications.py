"""Demo skill profiles and applications of the demo student (seeds/demo.json). Idempotent."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Opening, OpeningStatus, User
from marketplace.services import accounts, applications, students

# The demo student applies to these demo openings (by title), with these statements.
DEMO_APPLICATIONS = [
    ("student@demo.medai-exchange.kr", "Medical imaging AI internship: lung nodule detection in chest CT",
     "I trained a nodule classifier on LIDC-IDRI in my lab course and want to work with real hospital CT."),
    ("student@demo.medai-exchange.kr", "Biosignal processing internship: arrhythmia detection from wearable ECG",
     "Signal processing is new to me, but I know PyTorch well and would like to learn ECG analysis."),
]


def seed_student_skills(student: User | None, skills: list) -> None:
    """Give a demo student their skill rows, unless they already have some (their own edits win)."""
    if student is None or not skills:
        return
    profile = students.get_profile(student)
    if profile.skills:
        return
    students.update_profile(student, profile, students.ProfileData(
        major=profile.major, degree_level=profile.degree_level.value, year=profile.year,
        track_id=profile.track_id, bio=profile.bio, hours_per_week=profile.hours_per_week,
        available_from=profile.available_from,
        skills=[students.SkillEntry(name, level) for name, level in skills],
    ))


def seed_demo_applications() -> int:
    """The demo student's applications to demo openings (skipped when already there or not eligible)."""
    created = 0
    for email, title, statement in DEMO_APPLICATIONS:
        student = accounts.find_user_by_email(email)
        opening = db.session.scalar(
            select(Opening).where(Opening.title == title, Opening.status == OpeningStatus.PUBLISHED)
        )
        if student is None or opening is None:
            continue
        if not applications.eligibility(student, opening).ok:
            continue  # applied already, or the demo data changed
        applications.apply(student, opening, statement, True)
        created += 1
    db.session.flush()
    return created
