"""Ownership rules (marketplace/ownership.py): who may see or act on which record, asked by services and templates alike."""
from __future__ import annotations

from flask import render_template_string
from flask_login import login_user, logout_user

from marketplace import ownership
from marketplace.models import OpeningStatus
from tests.factories import make_admin, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of


def test_company_rules_follow_membership_and_partner_groups(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu], approved=False)
    own, other = manager_of(company), manager_of(make_company(groups=[pnu]))
    reviewer, outsider, admin = make_exchange_manager(pnu), make_exchange_manager(snu), make_admin()
    assert ownership.manages_company(own, company) and not ownership.manages_company(other, company)
    assert ownership.can_review_company(reviewer, company) and ownership.can_review_company(admin, company)
    assert not ownership.can_review_company(outsider, company) and not ownership.can_review_company(own, company)
    # a company waiting for review is seen by its managers and reviewers only
    assert [ownership.can_see_company(u, company) for u in (own, reviewer, outsider, other, None)] == \
        [True, True, False, False, False]
    assert ownership.reviewable_group_ids(admin) is None
    assert ownership.reviewable_group_ids(reviewer) == {pnu.id}
    assert ownership.reviewable_group_ids(own) == frozenset()


def test_a_draft_opening_is_private_to_its_company(app):
    pnu = make_group("PNU")
    company = make_company(groups=[pnu])
    draft = make_opening(company, status=OpeningStatus.DRAFT)
    published = make_opening(company)
    student = make_student(pnu)
    assert ownership.can_see_opening(student, published) and ownership.is_public_opening(published)
    assert not ownership.can_see_opening(student, draft) and not ownership.can_see_opening(None, draft)
    assert ownership.can_see_opening(manager_of(company), draft)


def test_templates_ask_the_same_rules_about_the_signed_in_user(app):
    pnu, snu = make_group("PNU"), make_group("SNU")
    company = make_company(groups=[pnu])
    template = ("{{ can_review_company(company) }} {{ manages_company(company) }} "
                "{{ can_review_group(group_id) }} {{ can_see_company(company) }}")
    for user, expected in ((make_exchange_manager(pnu), "True False True True"),
                           (make_exchange_manager(snu), "False False False True"),
                           (manager_of(company), "False True False True")):
        with app.test_request_context("/"):
            login_user(user)
            assert render_template_string(template, company=company, group_id=pnu.id) == expected
    with app.test_request_context("/"):  # nobody signed in
        logout_user()
        assert render_template_string(template, company=company, group_id=pnu.id) == "False False False True"
