"""A 390×844 phone and a 1366 px laptop, in Korean and English: the openings filters fold away, My applications
keeps its status in sight, the header stays on one line, and a new account lands on its next step."""
import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_foundation_journeys import sign_in, sign_in_after_registering

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
STUDENT = "student@demo.medai-exchange.kr"
ACCOUNTS = ["student@demo.medai-exchange.kr", "company@demo.medai-exchange.kr", "manager@demo.medai-exchange.kr",
            "admin@demo.medai-exchange.kr"]


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_openings_filters_fold_away_on_a_phone(context_factory, locale):
    page = context_factory(locale, viewport=PHONE).new_page()
    page.goto("/openings")
    expect(page.locator("#q")).to_be_visible()
    expect(page.locator("#kind")).to_be_hidden()
    form = page.locator("form[role=search]").bounding_box()
    assert form["y"] + form["height"] < PHONE["height"] / 2, form  # the first screen shows openings too
    assert page.locator("main .card-title").first.bounding_box()["y"] < PHONE["height"]
    screenshot(page, f"phone-openings-{locale}")
    page.get_by_role("button", name=re.compile("Filters and sorting|필터와 정렬")).click()
    expect(page.locator("#kind")).to_be_visible()
    assert_accessible(page, "openings on a phone")
    screenshot(page, f"phone-openings-filters-{locale}")


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_my_applications_show_their_status_on_a_phone(context_factory, locale):
    page = context_factory(locale, viewport=PHONE).new_page()
    sign_in(page, STUDENT)
    page.goto("/student/applications")
    badges = page.locator("main .badge-status")
    expect(badges.first).to_be_visible()
    for i in range(badges.count()):
        box = badges.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box  # not scrolled out of sight
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, f"phone-my-applications-{locale}")


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_the_header_keeps_one_line_at_1366_px_for_every_role(context_factory, locale):
    for email in ACCOUNTS:
        context = context_factory(locale, viewport=LAPTOP)
        page = context.new_page()
        sign_in(page, email)
        page.goto("/openings")
        expect(page.locator("#nav-main")).to_be_visible()  # expanded, not behind the toggler
        tops = page.eval_on_selector_all("#nav-main .nav-item", "items => items.map(i => Math.round(i.getBoundingClientRect().top))")
        assert max(tops) - min(tops) < 12, (email, tops)
        if email.startswith("admin"):
            screenshot(page, f"laptop-header-admin-{locale}")
        context.close()


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_new_accounts_land_on_their_next_step_on_a_phone(context_factory, locale):
    page = context_factory(locale, viewport=PHONE).new_page()
    page.goto("/auth/register/student")
    page.locator("#display_name").fill("휴대폰 학생" if locale == "ko" else "Phone Student")
    student_email = f"phone-{uuid.uuid4().hex[:8]}@pusan.ac.kr"
    page.locator("#email").fill(student_email)
    page.locator("#password").fill("Phone-Student-2026")
    page.locator("#confirm").fill("Phone-Student-2026")
    pnu = page.locator("#group_id option", has_text=re.compile("부산대학교|Pusan National")).get_attribute("value")
    page.locator("#group_id").select_option(pnu)
    page.locator("#major").fill("간호학" if locale == "ko" else "Nursing")
    page.locator("#degree_level").select_option("bachelor")
    page.locator("form button[type=submit]").last.click()
    screenshot(page, f"phone-registration-sent-{locale}")
    sign_in_after_registering(page, student_email, "Phone-Student-2026")
    expect(page).to_have_url(re.compile(r"/student/profile\?welcome=1$"))
    expect(page.locator(".alert-info:not(.confirm-email-banner)")).to_be_visible()
    screenshot(page, f"phone-student-welcome-{locale}")
    page.locator("input[name='skills-0-name']").fill("Python")
    page.locator("main form button[type=submit]:not([name])").first.click()
    expect(page).to_have_url(re.compile(r"/student/recommendations$"))
    screenshot(page, f"phone-student-recommendations-{locale}")

    company = context_factory(locale, viewport=PHONE).new_page()
    company.goto("/auth/register/company")
    company.locator("#display_name").fill("휴대폰 담당자" if locale == "ko" else "Phone Manager")
    company_email = f"phone-{uuid.uuid4().hex[:8]}@company.co.kr"
    company.locator("#email").fill(company_email)
    company.locator("#password").fill("Phone-Manager-2026")
    company.locator("#confirm").fill("Phone-Manager-2026")
    company.locator("form button[type=submit]").last.click()
    sign_in_after_registering(company, company_email, "Phone-Manager-2026")
    expect(company).to_have_url(re.compile(r"/company/new$"))
    screenshot(company, f"phone-company-next-step-{locale}")
