"""Page-level benchmark: the ranked-applicants page of an opening with 2,000 applicants and the
recommendations page of a student with 5,000 published openings, through the Flask test client.

Run from the repository root:  .venv/bin/python bench/bench_pages.py

Builds a fresh SQLite database by running the migrations in a temporary folder, fills it (seeded
random, realistic skill names from the vocabulary in Korean and English, ~10 skills per student,
3-8 requirements per opening), signs in as the company manager and as the student, and prints the
median of 7 timed GETs of each page after one cold request (also printed: it compiles templates and
fills the per-process caches of recognised skills and requirement lists). Target: <= 150 ms each.
"""
from __future__ import annotations

import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from marketplace.app import create_app  # noqa: E402
from marketplace.clock import today_in_seoul
from marketplace.extensions import db  # noqa: E402
from marketplace.matching import vocabulary  # noqa: E402
from marketplace.models import (  # noqa: E402
    Application,
    ApplicationStatus,
    DegreeLevel,
    Importance,
    Opening,
    OpeningKind,
    OpeningSkill,
    OpeningStatus,
    ProjectGroup,
    Role,
    StudentProfile,
    StudentSkill,
    User,
    WorkMode,
)
from marketplace.models.base import utcnow  # noqa: E402

SEED = 20240611
APPLICANTS = 2_000
SKILLS_PER_STUDENT = 10
OPENINGS = 5_000
RUNS = 7
TARGET_MS = 150
PASSWORD = "Bench-Password-2026"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _app(folder: Path):
    from flask_migrate import upgrade

    url = f"sqlite:///{folder / 'bench.sqlite'}"
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "UPLOAD_FOLDER": str(folder / "uploads"),
              "RATELIMIT_ENABLED": False}
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def _names(rng: random.Random, skill) -> str:
    return (rng.choice(skill.names) or skill.name)[:100]


def _fill(rng: random.Random) -> tuple[int, str, str]:
    """(opening id with the applicants, company manager e-mail, student e-mail)."""
    from marketplace.services import accounts, applications, companies, groups, openings, students

    skills = vocabulary().skills
    popular = [s for s in skills if s.family in {"programming", "ml", "deep_learning", "ml_frameworks",
                                                  "imaging", "clinical_data", "statistics", "cloud"}]
    group = groups.create_group(None, groups.GroupData(code="PNU", name_en="PNU", name_ko="부산대", majors=[],
                                                       tracks=[]))
    admin = accounts.create_user("admin@bench.kr", PASSWORD, "Admin", Role.ADMIN)
    manager = accounts.register_company_manager("company@bench.kr", PASSWORD, "Company manager")
    db.session.flush()
    number = "123456789"
    company = companies.create_company(manager, companies.CompanyData(
        name="Bench Medical AI", business_number=number + str(companies.business_number_check_digit(number)),
        sector="digital_health", size="10-49", group_ids=[group.id]))
    companies.approve_company(admin, company)
    today = today_in_seoul()
    target = openings.create_opening(manager, openings.OpeningData(
        kind="internship", title="Chest CT segmentation", description="Bench", seats=3, work_mode="onsite",
        location="Busan", start_date=today + timedelta(days=60), end_date=today + timedelta(days=120),
        hours_per_week=20, stipend_krw=1_000_000, deadline=today + timedelta(days=30), supervisor_name="Dr. Bench",
        skills=[openings.SkillRequirement(n, i, lv) for n, i, lv in [
            ("Python", "must", 3), ("PyTorch", "must", 2), ("딥러닝", "should", 3), ("DICOM", "should", 2),
            ("의료 영상", "nice", 1), ("Docker", "nice", 1)]],
        group_ids=[group.id], degree_levels=[], majors=[]))
    openings.submit_opening(manager, target)
    openings.publish_opening(admin, target)
    db.session.commit()

    now = utcnow()
    statuses = list(ApplicationStatus)
    for n in range(APPLICANTS):
        user = User(email=f"applicant{n}@pusan.ac.kr", password_hash="x", display_name=f"Applicant {n}",
                    role=Role.STUDENT)
        chosen = rng.sample(popular, 6) + rng.sample(skills, SKILLS_PER_STUDENT - 6)
        profile = StudentProfile(group_id=group.id, major="Medical AI", degree_level=rng.choice(list(DegreeLevel)))
        rows = []
        for position, skill in enumerate(chosen):
            rows.append(StudentSkill(position=position, name=_names(rng, skill), skill_id=skill.id,
                                     display_name=skill.name, level=rng.randint(1, 5)))
        profile.skills = rows
        user.student_profile = profile
        db.session.add(user)
        if n % 500 == 499:
            db.session.flush()
    db.session.flush()
    student_ids = list(db.session.scalars(select(User.id).where(User.email.like("applicant%"))))
    db.session.add_all([
        Application(opening_id=target.id, student_id=sid, statement="Bench statement", consent_at=now,
                    consent_text="consent", status=rng.choice(statuses[:3]))
        for sid in student_ids
    ])
    db.session.commit()

    pnu = db.session.get(ProjectGroup, group.id)
    for n in range(OPENINGS):
        opening = Opening(
            company_id=company.id, kind=OpeningKind.RESEARCH_PROJECT, title=f"Opening {n}", description="d",
            status=OpeningStatus.PUBLISHED, seats=2, work_mode=WorkMode.HYBRID, location="Busan",
            start_date=today + timedelta(days=40), end_date=today + timedelta(days=100), hours_per_week=15,
            stipend_krw=0, deadline=today + timedelta(days=rng.randint(0, 30)), supervisor_name="S",
            published_at=now, eligible_groups=[pnu], degree_levels=rng.choice(["", "master,phd", "bachelor,master"]),
        )
        opening.skills = [
            OpeningSkill(position=p, name=_names(rng, s), skill_id=s.id, display_name=s.name,
                         importance=rng.choice(list(Importance)), min_level=rng.randint(1, 4))
            for p, s in enumerate(rng.sample(skills, rng.randint(3, 8)))
        ]
        db.session.add(opening)
        if n % 1000 == 999:
            db.session.flush()
    student = accounts.register_student(accounts.StudentRegistration(
        email="student@pusan.ac.kr", password=PASSWORD, display_name="Bench student", group_id=group.id,
        major="Medical AI", degree_level="master"))
    db.session.flush()
    students.update_profile(student, students.get_profile(student), students.ProfileData(
        major="Medical AI", degree_level="master",
        skills=[students.SkillEntry(n, lv) for n, lv in [
            ("Python", 4), ("파이토치", 3), ("Deep learning", 4), ("DICOM", 2), ("SQL", 3), ("Docker", 2),
            ("통계", 3), ("Pandas", 4), ("Computer vision", 3), ("Git", 4)]]))
    db.session.commit()
    assert applications.application_machine  # the services import cleanly
    return target.id, manager.email, student.email


def _login(client, email: str) -> None:
    html = client.get("/auth/login").get_data(as_text=True)
    token = CSRF_RE.search(html).group(1)
    response = client.post("/auth/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def _time(client, path: str) -> tuple[float, list[float], float]:
    start = time.perf_counter()
    response = client.get(path)  # cold: templates compiled, names recognised, per-process caches filled
    cold = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (path, response.status_code)
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(path)
        runs.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(runs), runs, cold


def main() -> int:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        app = _app(Path(tmp))
        started = time.perf_counter()
        with app.app_context():
            opening_id, manager_email, student_email = _fill(rng)
            db.session.remove()
        print(f"data: {APPLICANTS:,} applicants x {SKILLS_PER_STUDENT} skills, {OPENINGS:,} published openings "
              f"(built in {time.perf_counter() - started:.1f} s)")
        failed = False
        for email, path, what in [
            (manager_email, f"/company/openings/{opening_id}/applicants", "ranked applicants (2,000)"),
            (student_email, "/student/recommendations", "recommendations (5,000 openings)"),
        ]:
            client = app.test_client()
            client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
            _login(client, email)
            median, runs, cold = _time(client, path)
            verdict = "ok" if median <= TARGET_MS else "SLOW"
            failed |= median > TARGET_MS
            print(f"{what:<36} median {median:7.1f} ms over {RUNS} runs "
                  f"(min {min(runs):.1f}, max {max(runs):.1f}; first request {cold:.0f})  target <= {TARGET_MS} ms  {verdict}")
        with app.app_context():
            db.engine.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
