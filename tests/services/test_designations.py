"""Designating exchange managers: tenure minimum, groups, revocation, audit."""
import pytest

from marketplace.extensions import db
from marketplace.models import AuditEvent, Role
from marketplace.permissions import Permission, can_review_group, user_can
from marketplace.services import designations
from marketplace.services.errors import Conflict, DomainError
from tests.factories import PASSWORD, make_admin, make_group, make_student


def test_designation_below_minimum_tenure_is_refused_with_the_minimum_named(app):
    admin, group = make_admin(), make_group("PNU")
    with pytest.raises(DomainError) as error:
        designations.designate(admin, "x@office.go.kr", 9, [group.id], "Kim", PASSWORD)
    assert error.value.field == "tenure_years"
    assert "10" in error.value.message


def test_minimum_tenure_is_configurable(app):
    app.config["MIN_MANAGER_TENURE_YEARS"] = 5
    admin, group = make_admin(), make_group("PNU")
    designation = designations.designate(admin, "x@office.go.kr", 6, [group.id], "Kim", PASSWORD)
    assert designation.tenure_years == 6


def test_designation_creates_a_manager_who_can_review_only_their_groups(app):
    admin, pnu, snu = make_admin(), make_group("PNU"), make_group("SNU")
    designation = designations.designate(admin, "mgr@office.go.kr", 12, [pnu.id], "Kim", PASSWORD)
    db.session.commit()
    manager = designation.user
    manager.is_authenticated  # UserMixin: True
    assert manager.role == Role.EXCHANGE_MANAGER
    assert user_can(manager, Permission.REVIEW_EXCHANGES)
    assert can_review_group(manager, pnu.id)
    assert not can_review_group(manager, snu.id)
    assert can_review_group(admin, snu.id)
    event = db.session.query(AuditEvent).filter_by(entity_type="designation", entity_id=designation.id).one()
    assert event.actor_id == admin.id and event.to_state == "active"


def test_revoked_manager_loses_every_permission_and_revocation_is_audited(app):
    admin, group = make_admin(), make_group("PNU")
    designation = designations.designate(admin, "mgr@office.go.kr", 12, [group.id], "Kim", PASSWORD)
    designations.revoke(admin, designation, "retired")
    db.session.commit()
    assert not user_can(designation.user, Permission.REVIEW_EXCHANGES)
    assert not can_review_group(designation.user, group.id)
    actions = [e.action for e in db.session.query(AuditEvent).filter_by(entity_type="designation")]
    assert sorted(actions) == ["designated", "revoked"]
    with pytest.raises(Conflict):
        designations.revoke(admin, designation, "again")


def test_a_student_account_cannot_be_designated(app):
    admin, group = make_admin(), make_group("PNU")
    student = make_student(group)
    with pytest.raises(DomainError) as error:
        designations.designate(admin, student.email, 15, [group.id])
    assert error.value.field == "email"


def test_designation_needs_a_listed_group(app):
    admin = make_admin()
    with pytest.raises(DomainError) as error:
        designations.designate(admin, "m@office.go.kr", 15, [12345], "Kim", PASSWORD)
    assert error.value.field == "group_ids"


def test_revoked_manager_can_be_designated_again(app):
    admin, group = make_admin(), make_group("PNU")
    first = designations.designate(admin, "mgr@office.go.kr", 12, [group.id], "Kim", PASSWORD)
    designations.revoke(admin, first)
    second = designations.designate(admin, "mgr@office.go.kr", 13, [group.id])
    db.session.commit()
    assert second.user_id == first.user_id and second.is_active
