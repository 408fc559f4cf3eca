"""Project groups are data: seeded from seeds/, added and edited by admins."""
import pytest

from marketplace.extensions import db
from marketplace.models import ProjectGroup, User
from marketplace.seeding import seed_demo, seed_groups
from marketplace.services import groups
from marketplace.services.errors import DomainError
from tests.factories import make_admin


def test_seed_loads_the_five_groups_with_korean_names_and_skku_tracks(app):
    seed_groups()
    db.session.commit()
    codes = {g.code: g for g in groups.list_groups()}
    assert set(codes) == {"PNU", "SNU", "SKKU", "AJOU", "HALLYM"}
    assert codes["PNU"].name_ko.startswith("부산대학교")
    assert [t.name_en for t in codes["SKKU"].tracks] == [
        "Common", "AI-based Future Medical Specialist", "Future Medical AI Specialist"]
    assert any(m.name_en == "Nursing" for m in codes["PNU"].majors)


def test_seeding_twice_adds_nothing_twice(app):
    first = seed_groups() + seed_demo()
    db.session.commit()
    users, group_count = db.session.query(User).count(), db.session.query(ProjectGroup).count()
    second = seed_groups() + seed_demo()
    db.session.commit()
    assert first > 0 and second == 0
    assert db.session.query(User).count() == users
    assert db.session.query(ProjectGroup).count() == group_count


def test_admin_adds_a_new_group_like_kyung_hee(app):
    admin = make_admin()
    group = groups.create_group(admin, groups.GroupData(
        code="khu", name_en="Kyung Hee University Project Group", name_ko="경희대학교 사업단",
        email_domains=["khu.ac.kr"], majors=[("College of Korean Medicine", "한의과대학", "Korean Medicine", "한의학")],
    ))
    db.session.commit()
    assert group.code == "KHU" and group.domains == ["khu.ac.kr"]
    assert groups.find_group_by_code("KHU").majors[0].name_ko == "한의학"


def test_duplicate_group_code_and_bad_domain_are_refused(app):
    admin = make_admin()
    groups.create_group(admin, groups.GroupData(code="CAU", name_en="Chung-Ang", name_ko="중앙대학교"))
    with pytest.raises(DomainError) as error:
        groups.create_group(admin, groups.GroupData(code="cau", name_en="Again", name_ko="다시"))
    assert error.value.field == "code"
    with pytest.raises(DomainError) as error:
        groups.create_group(admin, groups.GroupData(code="XYZ", name_en="X", name_ko="엑스", email_domains=["not a domain"]))
    assert error.value.field == "email_domains"
