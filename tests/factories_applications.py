"""Factory functions for skill profiles, CVs and applications, built through the real services."""
from __future__ import annotations

from marketplace.extensions import db
from marketplace.models import Application, Opening, User
from marketplace.services import applications, students
from tests.factories import make_group, make_student
from tests.factories_companies import make_opening

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def give_skills(student: User, skills: list[tuple[str, int]]) -> User:
    profile = students.get_profile(student)
    students.update_profile(student, profile, students.ProfileData(
        major=profile.major, degree_level=profile.degree_level.value,
        skills=[students.SkillEntry(name, level) for name, level in skills],
    ))
    db.session.commit()
    return student


def make_skilled_student(skills=(("Python", 4), ("PyTorch", 3)), group=None, degree_level: str = "master",
                         **kwargs) -> User:
    student = make_student(group=group or make_group("PNU"), degree_level=degree_level, **kwargs)
    return give_skills(student, list(skills))


def upload_cv(student: User, data: bytes = PDF, filename: str = "이력서 CV.pdf") -> None:
    change = students.store_cv(student, students.get_profile(student), filename, data)
    db.session.commit()
    change.committed()


def make_application(student: User | None = None, opening: Opening | None = None,
                     statement: str = "I segment CT scans with PyTorch.") -> Application:
    student = student or make_skilled_student()
    opening = opening or make_opening()
    application = applications.apply(student, opening, statement, True)
    db.session.commit()
    return application


def move(actor: User, application: Application, *actions: str) -> Application:
    """Run workflow actions in order, e.g. move(manager, app, "shortlist", "offer")."""
    for action in actions:
        applications.TRANSITIONS[action](actor, application)
        db.session.commit()
    return application
