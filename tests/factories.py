"""Small factory functions that build test data through the real services."""
from __future__ import annotations

import itertools

from marketplace.extensions import db
from marketplace.models import Role, User, VerifiedVia
from marketplace.services import accounts, designations, groups, verification

PASSWORD = "Correct-Horse-42"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def make_group(code: str | None = None, tracks=(), majors=(("College of Medicine", "의과대학", "Medicine", "의학"),)):
    code = code or unique("G")
    existing = groups.find_group_by_code(code)
    if existing is not None:
        return existing
    group = groups.create_group(
        None,
        groups.GroupData(
            code=code, name_en=f"{code} Project Group", name_ko=f"{code} 사업단",
            majors=list(majors), tracks=list(tracks),
        ),
    )
    db.session.commit()
    return group


def make_student(group=None, email: str | None = None, degree_level: str = "master", major: str = "Medicine",
                 confirmed: bool = True, verified: bool = True) -> User:
    """A registered student; verified (as by their university address) unless `verified=False` (then, by
    default, with an address outside every group's domains, so confirming it verifies nobody)."""
    group = group or make_group("PNU")
    user = accounts.register_student(
        accounts.StudentRegistration(
            email=email or f"{unique('student')}@{'pusan.ac.kr' if verified else 'gmail.com'}", password=PASSWORD,
            display_name="Student " + unique(""), group_id=group.id, major=major, degree_level=degree_level,
            email_confirmed=confirmed,
        )
    )
    if verified:
        verification.mark_verified(user.student_profile, VerifiedVia.EMAIL_DOMAIN, tell=False)
    db.session.commit()
    return user


def make_company_manager(email: str | None = None, confirmed: bool = True) -> User:
    user = accounts.register_company_manager(email or f"{unique('cm')}@company.co.kr", PASSWORD, "Manager " + unique(""),
                                             email_confirmed=confirmed)
    db.session.commit()
    return user


def make_admin(email: str | None = None) -> User:
    user = accounts.create_user(email or f"{unique('admin')}@office.go.kr", PASSWORD, "Admin", Role.ADMIN,
                                temporary=False)
    db.session.commit()
    return user


def make_exchange_manager(*group_list, email: str | None = None, tenure: int = 12, admin: User | None = None) -> User:
    admin = admin or make_admin()
    group_list = group_list or (make_group("PNU"),)
    designation = designations.designate(
        admin, email or f"{unique('xm')}@office.go.kr", tenure, [g.id for g in group_list],
        display_name="Exchange Manager " + unique(""), initial_password=PASSWORD, password_is_temporary=False,
    )
    db.session.commit()
    return designation.user


def make_mentor(group=None, email: str | None = None, majors: str = "", fields: str = "",
                max_load: int | None = None, min_load: int | None = None, admin: User | None = None) -> User:
    """A mentor professor of `group` (through the invitation service, with a known password instead of the link)."""
    from marketplace.services import mentoring

    admin = admin or make_admin()
    group = group or make_group("PNU")
    user = mentoring.invite_mentor(admin, mentoring.MentorData(
        email=email or f"{unique('mentor')}@pusan.ac.kr", display_name="Professor " + unique(""), group_id=group.id,
        department="Biomedical Engineering", majors=majors, fields=fields, min_load=min_load, max_load=max_load),
        password=PASSWORD)
    db.session.commit()
    return user
