"""Accounts: registration rules, authentication, password changes, session tokens."""
import pytest

from marketplace.extensions import db
from marketplace.models import AuditEvent, Role
from marketplace.services import accounts
from marketplace.services.errors import DomainError
from tests.factories import PASSWORD, make_company_manager, make_group, make_student


def registration(group, **overrides):
    data = dict(email="new.student@pusan.ac.kr", password=PASSWORD, display_name="New Student",
                group_id=group.id, major="Nursing", degree_level="bachelor")
    data.update(overrides)
    return accounts.StudentRegistration(**data)


def test_student_registration_creates_profile_and_audit_event(app):
    group = make_group("PNU")
    user = accounts.register_student(registration(group, email="Mixed.Case@Pusan.ac.kr"))
    db.session.commit()
    assert user.role == Role.STUDENT
    assert user.email == "mixed.case@pusan.ac.kr"
    assert user.student_profile.group_id == group.id
    assert user.student_profile.degree_level.value == "bachelor"
    assert db.session.query(AuditEvent).filter_by(entity_type="user", entity_id=user.id).count() == 1


def test_duplicate_email_is_refused_whatever_the_case(app):
    group = make_group("PNU")
    make_student(group, email="taken@pusan.ac.kr")
    with pytest.raises(DomainError) as error:
        accounts.register_student(registration(group, email="TAKEN@pusan.ac.kr"))
    assert error.value.field == "email"


@pytest.mark.parametrize("password", ["short7!", "password123", "qwer1234", "aaaaaaaaaaaa"])
def test_weak_passwords_are_refused(app, password):
    with pytest.raises(DomainError) as error:
        accounts.register_company_manager("cm@company.co.kr", password, "Kim")
    assert error.value.field == "password"


def test_unknown_group_and_degree_are_refused_on_their_fields(app):
    group = make_group("PNU")
    with pytest.raises(DomainError) as error:
        accounts.register_student(registration(group, group_id=9999))
    assert error.value.field == "group_id"
    with pytest.raises(DomainError) as error:
        accounts.register_student(registration(group, degree_level="postdoc"))
    assert error.value.field == "degree_level"


def test_track_must_belong_to_the_chosen_group(app):
    skku = make_group("SKKU", tracks=[("Common", "공통")])
    pnu = make_group("PNU")
    with pytest.raises(DomainError) as error:
        accounts.register_student(registration(pnu, track_id=skku.tracks[0].id))
    assert error.value.field == "track_id"


def test_authenticate_gives_the_same_answer_for_unknown_email_and_wrong_password(app):
    user = make_company_manager("real@company.co.kr")
    assert accounts.authenticate("real@company.co.kr", PASSWORD) == user
    assert accounts.authenticate("REAL@company.co.kr", PASSWORD) == user
    assert accounts.authenticate("real@company.co.kr", "wrong-password") is None
    assert accounts.authenticate("nobody@company.co.kr", PASSWORD) is None


def test_deactivated_user_cannot_sign_in(app):
    user = make_company_manager("gone@company.co.kr")
    admin = make_company_manager()
    accounts.set_active(admin, user, False)
    db.session.commit()
    assert accounts.authenticate("gone@company.co.kr", PASSWORD) is None


def test_password_change_needs_the_current_password_and_rotates_the_session_token(app):
    user = make_company_manager()
    token = user.session_token
    with pytest.raises(DomainError) as error:
        accounts.change_password(user, "not-it", "Another-Good-Pass-9")
    assert error.value.field == "current_password"
    accounts.change_password(user, PASSWORD, "Another-Good-Pass-9")
    db.session.commit()
    assert user.session_token != token
    assert accounts.authenticate(user.email, "Another-Good-Pass-9") == user


def test_passwords_are_hashed_with_argon2id(app):
    user = make_company_manager()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
