"""Loading seeds/: the programme's project groups and demo data. Idempotent."""
from __future__ import annotations

import json
from pathlib import Path

from marketplace.extensions import db
from marketplace.models import Role, VerifiedVia
from marketplace.seeding_applications import seed_demo_applications, seed_student_skills
from marketplace.seeding_companies import seed_demo_companies
from marketplace.seeding_contests import seed_demo_contest
from marketplace.services import accounts, designations, email_confirmation, groups
from marketplace.services.verification import domain_matches, mark_verified

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def load_json(name: str):
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


def seed_groups() -> int:
    created = 0
    for item in load_json("project_groups.json"):
        if groups.find_group_by_code(item["code"]) is not None:
            continue
        groups.create_group(
            None,
            groups.GroupData(
                code=item["code"],
                name_en=item["name_en"],
                name_ko=item["name_ko"],
                university_en=item.get("university_en", ""),
                university_ko=item.get("university_ko", ""),
                email_domains=item.get("email_domains", []),
                majors=[tuple(m) for m in item.get("majors", [])],
                tracks=[tuple(t) for t in item.get("tracks", [])],
            ),
        )
        created += 1
    db.session.flush()
    return created


def _verify_demo_student(user, admin) -> None:
    """Demo students are verified members of their group (by their university address, else by the office),
    so the demo's applications reach companies."""
    profile = user.student_profile
    if domain_matches(user.email, profile.group.domains):
        mark_verified(profile, VerifiedVia.EMAIL_DOMAIN, tell=False)
    else:
        mark_verified(profile, VerifiedVia.MANAGER, by=admin, note="demo data", tell=False)
def seed_agreement_clauses() -> int:
    """The programme's standard agreement clauses (Korean and English), once; the programme office edits them."""
    from marketplace.services.agreements import seed_clauses

    return seed_clauses(load_json("agreement_clauses.json"))


def seed_demo() -> int:
    """Demo accounts (one per role, listed in the README) and demo records."""
    demo = load_json("demo.json")
    created = 0
    admin = accounts.find_user_by_email(demo["admin"]["email"])
    if admin is None:
        admin = accounts.create_user(demo["admin"]["email"], demo["password"], demo["admin"]["name"], Role.ADMIN,
                                     temporary=False)
        created += 1
    for manager in demo["exchange_managers"]:
        if accounts.find_user_by_email(manager["email"]) is None:
            group_ids = [groups.find_group_by_code(code).id for code in manager["groups"]]
            designations.designate(
                admin, manager["email"], manager["tenure_years"], group_ids,
                display_name=manager["name"], initial_password=demo["password"], password_is_temporary=False,
            )
            created += 1
    for company_manager in demo["company_managers"]:
        if accounts.find_user_by_email(company_manager["email"]) is None:
            accounts.register_company_manager(company_manager["email"], demo["password"], company_manager["name"],
                                              email_confirmed=True)
            created += 1
    for student in demo["students"]:
        if accounts.find_user_by_email(student["email"]) is None:
            group = groups.find_group_by_code(student["group"])
            accounts.register_student(
                accounts.StudentRegistration(
                    email=student["email"], password=demo["password"], display_name=student["name"],
                    group_id=group.id, major=student["major"], degree_level=student["degree_level"],
                    year=student.get("year"), email_confirmed=True,
                )
            )
            created += 1
        user = accounts.find_user_by_email(student["email"])
        _verify_demo_student(user, admin)
        seed_student_skills(user, student.get("skills", []))
    db.session.flush()
    created += _seed_demo_mentors(demo, admin)
    created += seed_demo_companies()
    _demo_accounts_confirmed(demo)
    created += seed_demo_applications()
    created += seed_course_plans(admin)
    created += seed_demo_contest()
    return created


def seed_course_plans(admin) -> int:
    """One default course plan per project group that has none, Ajou-style: 15 weeks × 8 hours = 120 hours,
    mid-term evaluation in week 8, final in week 15, 1–3 students per mentor."""
    from sqlalchemy import select

    from marketplace.models import CoursePlan, ProjectGroup
    from marketplace.services import course_plans

    created = 0
    planned = set(db.session.scalars(select(CoursePlan.group_id).where(CoursePlan.group_id.is_not(None))))
    for group in db.session.scalars(select(ProjectGroup).order_by(ProjectGroup.code)):
        if group.id in planned:
            continue
        course_plans.create_plan(admin, course_plans.PlanData(
            group_id=group.id, name=f"{group.code} 현장실습 (15주 × 8시간)", weeks=15, required_hours=120,
            min_education_share=20, midterm_week=8, final_week=15, evaluation_window_days=7, mentor_min_load=1,
            mentor_max_load=3, is_default=True, active=True))
        created += 1
    return created


def _seed_demo_mentors(demo: dict, admin) -> int:
    """Mentor professors (created as an invitation would, with the demo password instead of the link)."""
    from marketplace.services import mentoring

    created = 0
    for mentor in demo.get("mentors", []):
        if accounts.find_user_by_email(mentor["email"]) is None:
            group = groups.find_group_by_code(mentor["group"])
            mentoring.invite_mentor(admin, mentoring.MentorData(
                email=mentor["email"], display_name=mentor["name"], group_id=group.id,
                department=mentor.get("department", ""), majors=", ".join(mentor.get("majors", [])),
                fields=", ".join(mentor.get("fields", []))), password=demo["password"])
            created += 1
    return created


def _demo_accounts_confirmed(demo: dict) -> None:
    """Demo accounts sign in with the README's password and act at once, also in a database made before
    e-mail confirmation existed (seeding again brings it up to date)."""
    emails = [demo["admin"]["email"]] + [m["email"] for m in demo["exchange_managers"]] + \
        [m["email"] for m in demo["company_managers"]] + [s["email"] for s in demo["students"]] + \
        [m["email"] for m in demo.get("mentors", [])] + \
        [c["manager"]["email"] for c in load_json("demo_companies.json")["companies"] if c.get("manager")]
    for email in emails:
        user = accounts.find_user_by_email(email)
        if user is not None:
            user.must_change_password = False
            email_confirmation.mark_confirmed(user, None, "seeded")
