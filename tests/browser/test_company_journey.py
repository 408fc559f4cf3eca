"""Journey 1 in a real browser: a company manager registers, creates the company, waits for approval (an exchange
manager approves it in a second browser context), posts an opening with skill requirements and submits it; the
exchange manager publishes it; anyone finds it in search. In Korean and in English."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from marketplace.services.companies import business_number_check_digit
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_foundation_journeys import DEMO_PASSWORD, sign_in, sign_in_after_registering


def business_number(seed: int) -> str:
    first = f"{seed:09d}"[-9:]
    return first + str(business_number_check_digit(first))


def submit(page):
    page.locator("main form button[type=submit]:not([name])").last.click()


@pytest.mark.parametrize("locale, seed", [("ko", 514_81_00001), ("en", 514_81_00002)])
def test_company_is_approved_then_its_opening_is_published_and_found(context_factory, confirm_email, locale, seed):
    company_name = f"메디비전 {locale.upper()}" if locale == "ko" else f"Pulse Analytics {locale.upper()}"
    title = f"심전도 AI 인턴 {seed}" if locale == "ko" else f"ECG deep learning intern {seed}"
    company_ctx, manager_ctx = context_factory(locale), context_factory(locale)
    company = company_ctx.new_page()

    # The company manager registers and creates the company profile.
    company.goto("/auth/register/company")
    company.locator("#display_name").fill("Kim Company")
    company.locator("#email").fill(f"cm.{locale}.{seed}@pulse.co.kr")
    company.locator("#password").fill("Company-Pass-2026")
    company.locator("#confirm").fill("Company-Pass-2026")
    submit(company)
    sign_in_after_registering(company, f"cm.{locale}.{seed}@pulse.co.kr", "Company-Pass-2026")
    confirm_email(company, f"cm.{locale}.{seed}@pulse.co.kr")  # the link from the mailbox, before any company
    company.goto("/company/new")
    assert_accessible(company, "company form")
    company.locator("#name").fill(company_name)
    company.locator("#business_number").fill("123-45-67890")  # a typo: the check digit should be 1
    company.locator("#sector").select_option("digital_health")
    company.locator("#size").select_option("10-49")  # a host needs 10 or more employees (practice rules)
    company.locator("#description").fill("<b>Biosignal</b> AI for hospitals")
    company.locator("label", has_text="PNU").click()
    submit(company)
    expect(company.locator("#business_number-error")).to_be_visible()
    expect(company.locator("#name")).to_have_value(company_name)
    screenshot(company, f"company-form-error-{locale}")
    company.locator("#business_number").fill(business_number(seed))
    submit(company)
    expect(company.locator(".alert-success")).to_be_visible()
    screenshot(company, f"company-pending-{locale}")

    # The exchange manager of PNU approves it in another browser.
    manager = manager_ctx.new_page()
    sign_in(manager, "manager@demo.medai-exchange.kr", DEMO_PASSWORD)
    manager.goto("/manager/")
    assert_accessible(manager, "review queues")
    manager.get_by_role("link", name=re.compile(re.escape(company_name))).first.click()
    assert_accessible(manager, "company decision")
    screenshot(manager, f"manager-company-decision-{locale}")
    manager.locator("button[name=decision][value=approve]").click()
    expect(manager.locator(".alert-success")).to_be_visible()

    # The company manager posts an opening with skill requirements and submits it.
    company.goto("/company/openings/new")
    assert_accessible(company, "opening form")
    company.locator("#kind").select_option("internship")
    company.locator("#title").fill(title)
    company.locator("#description").fill("Arrhythmia detection on 12-lead ECG with PyTorch.")
    company.locator("#skills-0-name").fill("PyTorch")
    company.locator("#skills-0-importance").select_option("must")
    company.locator("#skills-0-min_level").select_option("3")
    company.locator("#skills-1-name").fill("심전도")
    company.locator("#skills-1-name").press("Tab")  # leave the field: its suggestion list closes
    company.locator("#skills-1-importance").select_option("should")
    company.locator("input[name=group_ids]").first.check()
    company.locator("#seats").fill("2")
    company.locator("#work_mode").select_option("hybrid")
    company.locator("#location").fill("Busan")
    today = date.today()
    company.locator("#deadline").fill((today + timedelta(days=20)).isoformat())
    company.locator("#start_date").fill((today + timedelta(days=30)).isoformat())
    company.locator("#end_date").fill((today + timedelta(days=120)).isoformat())
    for day in range(5):  # Mon–Fri 09:00–13:00: 20 h a week, computed from the schedule
        company.locator(f"#schedule-{day}-start").fill("09:00")
        company.locator(f"#schedule-{day}-end").fill("13:00")
        company.locator(f"#schedule-{day}-break_minutes").fill("0")
    company.locator("#stipend_krw").fill("1500000")
    company.locator("#supervisor_name").fill("Dr. Lee")
    submit(company)
    errors = company.locator(".invalid-feedback, .alert-danger").all_inner_texts()
    assert not errors, errors
    expect(company.locator(".alert-success")).to_be_visible()
    company.goto("/company/openings")
    row = company.locator("tr", has_text=title)
    row.locator("button", has_text=re.compile("Submit for review|검토 요청")).click()
    expect(company.locator(".alert-success")).to_be_visible()
    screenshot(company, f"company-openings-{locale}")

    # The exchange manager publishes it.
    manager.goto("/manager/")
    manager.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    manager.locator("button[name=decision][value=publish]").click()
    expect(manager.locator(".alert-success")).to_be_visible()

    # Anyone finds it by words and sees its requirements.
    visitor = context_factory(locale).new_page()
    visitor.goto("/openings?q=" + ("심전도" if locale == "ko" else "ECG"))
    assert_accessible(visitor, "openings list")
    visitor.get_by_role("link", name=title).click()
    expect(visitor.locator("main")).to_contain_text("PyTorch")
    expect(visitor.locator("main")).to_contain_text(company_name)
    assert_accessible(visitor, "opening detail")
    screenshot(visitor, f"opening-detail-{locale}")
