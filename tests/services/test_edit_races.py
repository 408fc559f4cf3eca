"""Saves of one record at the same moment, and saves from a stale form.

Real threads on SQLite and PostgreSQL. A profile's skill rows are replaced under the profile's row lock, so
parallel saves never add up past the 40-skill limit; a save from a form opened on an older version is refused
(StaleEdit, a 409) with the record holding its saved values, whatever the timing.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Company, Opening, OpeningSkill, OpeningStatus, StudentProfile, StudentSkill, User
from marketplace.services import companies, openings, students
from marketplace.services.workflow import StaleEdit
from tests.concurrency import run_together
from tests.factories import make_student
from tests.factories_companies import company_data, make_company, make_opening, manager_of, opening_data

SKILL_NAMES = [f"Skill {chr(97 + n // 26)}{chr(97 + n % 26)}" for n in range(students.MAX_SKILLS)]


def _profile_data(profile: StudentProfile, names: list[str], version: int | None = None, bio: str = ""):
    return students.ProfileData(
        major=profile.major, degree_level=profile.degree_level.value, bio=bio, version=version,
        skills=[students.SkillEntry(name, 3, row=i) for i, name in enumerate(names)],
    )


def _skill_rows(profile_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(StudentSkill).where(StudentSkill.profile_id == profile_id))


def test_parallel_profile_saves_never_multiply_skill_rows(app):
    student = make_student()
    profile_id, student_id = student.student_profile.id, student.id
    students.update_profile(student, students.get_profile(student), _profile_data(student.student_profile,
                                                                                    SKILL_NAMES[:10]))
    db.session.commit()

    def save(suffix: str):
        def job(ready):
            actor = db.session.get(User, student_id)
            profile = students.get_profile(actor)
            ready()
            students.update_profile(actor, profile, _profile_data(profile, [f"{n} {suffix}x" for n in SKILL_NAMES]))
        return job

    results = run_together(app, [save(tag) for tag in "ABCD"])
    assert results == [("ok", "")] * 4  # no version given: the saves queue and the last one is kept
    assert _skill_rows(profile_id) == students.MAX_SKILLS
    names = set(db.session.scalars(select(StudentSkill.name).where(StudentSkill.profile_id == profile_id)))
    assert len({name.rsplit(" ", 1)[1] for name in names}) == 1  # every row from one save, none mixed in


def test_two_tabs_saving_one_profile_keep_the_first_and_refuse_the_second(app):
    student = make_student()
    student_id, profile_id = student.id, student.student_profile.id
    version = students.get_profile(student).version

    def save(bio: str):
        def job(ready):
            actor = db.session.get(User, student_id)
            profile = students.get_profile(actor)
            ready()
            students.update_profile(actor, profile, _profile_data(profile, SKILL_NAMES[:5], version, bio=bio))
        return job

    results = run_together(app, [save("first tab"), save("second tab")])
    assert sorted(outcome for outcome, _ in results) == ["conflict", "ok"], results
    assert "after you opened it" in next(message for outcome, message in results if outcome == "conflict")
    profile = db.session.get(StudentProfile, profile_id)
    winner = "first tab" if results[0][0] == "ok" else "second tab"
    assert profile.bio == winner and profile.version == version + 1
    assert _skill_rows(profile_id) == 5


def test_a_stale_opening_form_is_refused_and_the_saved_values_win(app):
    opening = make_opening(title="Chest CT triage")
    manager = manager_of(opening.company)
    opened_on = opening.version
    openings.update_opening(manager, opening, opening_data(opening.company, title="Renamed in tab one",
                                                           version=opened_on))
    db.session.commit()
    with pytest.raises(StaleEdit) as stale:
        openings.update_opening(manager, opening, opening_data(opening.company, title="Renamed in tab two",
                                                               version=opened_on))
    assert stale.value.status == 409 and stale.value.record.title == "Renamed in tab one"
    db.session.rollback()
    stored = db.session.get(Opening, opening.id)
    assert stored.title == "Renamed in tab one" and stored.version == opened_on + 1
    assert stored.status == OpeningStatus.PUBLISHED


def test_a_stale_company_form_is_refused(app):
    # The description applies at once (a new name of an approved company waits for review instead).
    company = make_company(name="Lunit")
    manager = manager_of(company)
    groups = list(company.partner_groups)
    opened_on = company.version
    companies.update_company(manager, company, company_data(groups, name="Lunit", description="First tab",
                                                            business_number=company.business_number,
                                                            version=opened_on))
    db.session.commit()
    with pytest.raises(StaleEdit):
        companies.update_company(manager, company, company_data(groups, name="Lunit", description="Second tab",
                                                                business_number=company.business_number,
                                                                version=opened_on))
    db.session.rollback()
    assert db.session.get(Company, company.id).description == "First tab"


def test_parallel_opening_saves_never_multiply_requirement_rows(app):
    opening = make_opening()
    opening_id, manager_id = opening.id, manager_of(opening.company).id

    def save(suffix: str):
        def job(ready):
            actor = db.session.get(User, manager_id)
            record = openings.get_company_opening(actor, opening_id)
            ready()
            openings.update_opening(actor, record, opening_data(record.company, skills=[
                openings.SkillRequirement(f"Python {suffix}", "must", 3),
                openings.SkillRequirement(f"PyTorch {suffix}", "should", 2)]))
        return job

    results = run_together(app, [save(tag) for tag in "ABC"])
    assert [outcome for outcome, _ in results].count("error") == 0, results
    rows = db.session.scalar(select(func.count()).select_from(OpeningSkill).where(OpeningSkill.opening_id == opening_id))
    assert rows == 2
