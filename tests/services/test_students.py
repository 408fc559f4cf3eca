"""Student profiles: skills canonicalised at save time, bad levels and too many skills refused, CV storage."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace import storage
from marketplace.extensions import db
from marketplace.models import AuditEvent, StoredFile, StudentProfile
from marketplace.services import students
from marketplace.services.errors import DomainError, NotFound
from tests.factories import make_company_manager, make_student
from tests.factories_applications import PDF, give_skills, upload_cv

Entry = students.SkillEntry


def _data(profile, skills=(), **overrides) -> students.ProfileData:
    values = dict(major=profile.major, degree_level=profile.degree_level.value, skills=list(skills))
    values.update(overrides)
    return students.ProfileData(**values)


def test_student_saves_skills_with_their_canonical_names(app):
    student = make_student()
    profile = students.get_profile(student)
    students.update_profile(student, profile, _data(profile, [
        Entry("  딥러닝 ", 4), Entry("", 3), Entry("pytorch", 3), Entry("Quantum basket weaving", 2)]))
    db.session.commit()
    rows = students.get_profile(student).skills
    assert [(s.name, s.level) for s in rows] == [("딥러닝", 4), ("pytorch", 3), ("Quantum basket weaving", 2)]
    assert rows[0].skill_id is not None and rows[0].display_name.lower() == "deep learning"
    assert rows[1].display_name == "PyTorch"
    assert rows[2].skill_id is None and rows[2].display_name == "Quantum basket weaving"


@pytest.mark.parametrize("level", [0, 9, None, -1])
def test_skill_level_outside_1_to_5_is_refused_beside_the_row(app, level):
    student = make_student()
    profile = students.get_profile(student)
    with pytest.raises(DomainError) as error:
        students.update_profile(student, profile, _data(profile, [Entry("Python", 3, row=0), Entry("R", level, row=1)]))
    assert error.value.field == "skills-1-level"


def test_two_hundred_skills_are_refused_with_a_message(app):
    student = make_student()
    profile = students.get_profile(student)
    with pytest.raises(DomainError) as error:
        students.update_profile(student, profile, _data(profile, [Entry(f"Skill {n}", 3) for n in range(200)]))
    assert error.value.field == "skills" and "40" in error.value.message


def test_the_same_skill_twice_is_refused(app):
    student = make_student()
    profile = students.get_profile(student)
    with pytest.raises(DomainError) as error:
        students.update_profile(student, profile, _data(profile, [Entry("Deep learning", 3, row=0),
                                                                  Entry("딥러닝", 4, row=1)]))
    assert error.value.field == "skills-1-name"


def test_profile_fields_are_validated(app):
    student = make_student()
    profile = students.get_profile(student)
    for overrides, field in [({"major": " "}, "major"), ({"degree_level": "postdoc"}, "degree_level"),
                             ({"hours_per_week": 90}, "hours_per_week"), ({"bio": "x" * 3000}, "bio"),
                             ({"track_id": 999999}, "track_id")]:
        with pytest.raises(DomainError) as error:
            students.update_profile(student, profile, _data(profile, **overrides))
        assert error.value.field == field
        db.session.rollback()


def test_only_the_student_themself_edits_their_profile(app):
    student, other = make_student(), make_student()
    profile = students.get_profile(student)
    with pytest.raises(NotFound):
        students.update_profile(other, profile, _data(profile))
    with pytest.raises(NotFound):
        students.get_profile(make_company_manager())


# -- CV --------------------------------------------------------------------------------------------------
# The CV goes to the configured storage: the local disk on SQLite, the database on PostgreSQL (the defaults).


def _stored(profile) -> bytes | None:
    return storage.current().get(students.cv_key(profile))


def _keys(app) -> list[str]:
    return sorted(storage.current().keys())


def test_cv_is_stored_under_a_generated_name_outside_static(app):
    student = make_student()
    upload_cv(student, filename="../../etc/passwd 이력서.pdf")
    profile = students.get_profile(student)
    assert profile.cv_original_name == "passwd 이력서.pdf"
    assert _stored(profile) == PDF
    assert students.cv_key(profile) == f"cv/{profile.cv_storage_name}"
    assert _keys(app) == [f"cv/{profile.cv_storage_name}"]  # no temp file left behind
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "student_profile"))
    assert "cv_uploaded" in list(actions)


def test_default_storage_is_the_database_with_postgresql_and_the_disk_with_sqlite(app, backend):
    student = make_student()
    upload_cv(student)
    profile = students.get_profile(student)
    on_disk = (Path(app.config["UPLOAD_FOLDER"]) / "cv" / profile.cv_storage_name).is_file()
    in_table = db.session.scalar(select(StoredFile.size).where(StoredFile.key == students.cv_key(profile)))
    if backend == "postgresql":
        assert storage.current().name == "database" and not on_disk and in_table == len(PDF)
    else:
        assert storage.current().name == "local" and on_disk and in_table is None


@pytest.mark.parametrize("raw, expected", [
    ("CV.PDF", "CV.pdf"), ("../x/../../이력서 (최종).pdf", "이력서 최종.pdf"), ("", "cv.pdf"), (None, "cv.pdf"),
    ("a" * 300 + ".pdf", "a" * 96 + ".pdf"), ("report", "report.pdf"), ("..\\..\\win.pdf", "win.pdf"),
    ("<script>.pdf", "script.pdf"), ("....pdf", "cv.pdf"),
])
def test_display_name_of_a_cv_is_sanitised(raw, expected):
    assert students.safe_display_name(raw) == expected


@pytest.mark.parametrize("data", [b"", b"MZ\x90\x00 not a pdf", b"%PDF-1.4 but never ends", b"hello %%EOF"])
def test_non_pdf_content_is_refused_whatever_its_name(app, data):
    student = make_student()
    with pytest.raises(DomainError) as error:
        students.store_cv(student, students.get_profile(student), "cv.pdf", data)
    assert error.value.field == "cv"
    assert _keys(app) == []


def test_cv_over_5_mb_is_refused(app):
    student = make_student()
    data = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF"
    with pytest.raises(DomainError) as error:
        students.store_cv(student, students.get_profile(student), "big.pdf", data)
    assert "5 MB" in error.value.message


def test_replacing_a_cv_removes_the_old_file_only_after_commit(app):
    student = make_student()
    upload_cv(student)
    old = students.cv_key(students.get_profile(student))
    change = students.store_cv(student, students.get_profile(student), "new.pdf", PDF + b" ")
    assert storage.current().get(old) == PDF and storage.current().get(change.new_key) == PDF + b" "
    db.session.commit()
    change.committed()
    assert storage.current().get(old) is None and storage.current().get(change.new_key) == PDF + b" "
    assert _keys(app) == [change.new_key]


def test_failed_commit_leaves_the_old_cv_and_no_new_file(app):
    student = make_student()
    upload_cv(student)
    old = students.cv_key(students.get_profile(student))
    change = students.store_cv(student, students.get_profile(student), "new.pdf", PDF)
    db.session.rollback()
    change.failed()
    assert storage.current().get(old) == PDF and storage.current().get(change.new_key) is None
    assert students.cv_key(students.get_profile(student)) == old


def test_unwritable_upload_folder_gives_a_message_and_changes_nothing(app, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file")
    app.config.update(STORAGE_BACKEND="local", UPLOAD_FOLDER=str(blocker / "uploads"))
    student = make_student()
    with pytest.raises(DomainError) as error:
        students.store_cv(student, students.get_profile(student), "cv.pdf", PDF)
    assert error.value.field == "cv"
    db.session.rollback()
    assert db.session.get(StudentProfile, students.get_profile(student).id).cv_storage_name is None


def test_deleting_the_cv_removes_the_file(app):
    student = make_student()
    upload_cv(student)
    key = students.cv_key(students.get_profile(student))
    change = students.delete_cv(student, students.get_profile(student))
    db.session.commit()
    change.committed()
    assert storage.current().get(key) is None
    assert students.get_profile(student).cv_storage_name is None
    with pytest.raises(NotFound):
        students.delete_cv(student, students.get_profile(student))


def _make_unremovable(path) -> None:
    """Swap the file for a non-empty directory: unlink() then fails even for root."""
    path.unlink()
    path.mkdir()
    (path / "pinned").write_text("keeps the directory non-empty")


def test_cv_whose_file_cannot_be_removed_stays_on_the_profile_and_the_failure_is_reported(app):
    app.config["STORAGE_BACKEND"] = "local"
    student = make_student()
    upload_cv(student)
    path = storage.current().path(students.cv_key(students.get_profile(student)))
    _make_unremovable(path)
    with pytest.raises(DomainError) as error:
        students.delete_cv(student, students.get_profile(student))
    assert error.value.field == "cv" and "could not be deleted" in error.value.message
    db.session.rollback()
    assert students.get_profile(student).cv_storage_name == path.name
    assert path.exists()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cv_deleted")) is None


def test_deleting_a_cv_whose_file_is_already_gone_clears_the_profile(app):
    student = make_student()
    upload_cv(student)
    storage.current().delete(students.cv_key(students.get_profile(student)))
    students.delete_cv(student, students.get_profile(student))
    db.session.commit()
    assert students.get_profile(student).cv_storage_name is None


def test_skills_profile_roundtrip_through_factory(app):
    student = give_skills(make_student(), [("Python", 5)])
    assert [s.display_name for s in students.get_profile(student).skills] == ["Python"]
    assert students.CV_FOLDER == "cv"
