"""Foundation journeys in a real browser: register, sign in, switch language, mistakes, admin designation."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot

DEMO_PASSWORD = "Exchange-Demo-2026"


def sign_in(page, email: str, password: str = DEMO_PASSWORD):
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("form button[type=submit]", has_text=re.compile("Sign in|로그인")).click()


def sign_in_after_registering(page, email: str, password: str):
    """A registration ends on "check your e-mail" (the same page whether or not the address had an account);
    its sign-in button leads on to the role's next step."""
    expect(page.locator("main h1")).to_have_text(re.compile("Check your e-mail|이메일을 확인하세요"))
    assert_accessible(page, "registration sent")
    page.locator("main a.btn-primary").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("form button[type=submit]", has_text=re.compile("Sign in|로그인")).click()
    expect(page.locator(".alert-success")).to_be_visible()


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_student_registers_with_a_mistake_fixes_it_and_is_signed_in(context_factory, locale):
    page = context_factory(locale).new_page()
    page.goto("/auth/register/student")
    assert_accessible(page, "student registration")
    name = "정하늘" if locale == "ko" else "Ha-neul Jung"
    email = f"browser.{locale}@pusan.ac.kr"
    page.locator("#display_name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#password").fill("short")
    page.locator("#confirm").fill("short")
    pnu = page.locator("#group_id option", has_text=re.compile("부산대학교|Pusan National")).get_attribute("value")
    page.locator("#group_id").select_option(pnu)
    page.locator("#major").fill("Nursing")
    page.locator("#degree_level").select_option("bachelor")
    page.locator("form button[type=submit]").last.click()
    # The mistake is shown beside the field; everything typed is still there.
    expect(page.locator("#password-error")).to_be_visible()
    expect(page.locator("#display_name")).to_have_value(name)
    expect(page.locator("#email")).to_have_value(email)
    expect(page.locator("#major")).to_have_value("Nursing")
    screenshot(page, f"registration-error-{locale}")
    assert_accessible(page, "registration with errors")
    page.locator("#password").fill("Medical-AI-2026")
    page.locator("#confirm").fill("Medical-AI-2026")
    page.locator("form button[type=submit]").last.click()
    sign_in_after_registering(page, email, "Medical-AI-2026")
    expect(page.locator("nav")).to_contain_text(name)
    screenshot(page, f"registered-student-home-{locale}")


def test_wrong_password_and_unknown_email_read_the_same(context_factory):
    page = context_factory("en").new_page()
    sign_in(page, "student@demo.medai-exchange.kr", "Wrong-Password-1")
    first = page.locator("#password-error").inner_text()
    sign_in(page, "nobody@demo.medai-exchange.kr", "Wrong-Password-1")
    assert page.locator("#password-error").inner_text() == first
    expect(page.locator("#email")).to_have_value("nobody@demo.medai-exchange.kr")


def test_language_switch_on_every_page_changes_the_interface(context_factory):
    page = context_factory("en").new_page()
    page.goto("/auth/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("h1")).to_have_text("로그인")
    assert page.url.endswith("/auth/login")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Sign in")


def test_sign_in_with_the_keyboard_alone(context_factory):
    page = context_factory("en").new_page()
    page.goto("/auth/login")
    page.locator("#email").focus()
    page.keyboard.type("student@demo.medai-exchange.kr")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("Welcome")


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_admin_designates_an_exchange_manager_and_the_tenure_rule_is_explained(context_factory, locale):
    page = context_factory(locale).new_page()
    sign_in(page, "admin@demo.medai-exchange.kr")
    page.goto("/admin/")
    assert_accessible(page, "admin home")
    screenshot(page, f"admin-home-{locale}")
    page.goto("/admin/designations/new")
    assert_accessible(page, "designation form")
    page.locator("#email").fill(f"veteran.{locale}@hallym.ac.kr")
    page.locator("#display_name").fill("Veteran Choi")
    page.locator("#initial_password").fill("Long-Tenure-2026")
    page.locator("#tenure_years").fill("7")
    page.locator("label", has_text="HALLYM").click()
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("#tenure_years-error")).to_contain_text("10")
    expect(page.locator("#email")).to_have_value(f"veteran.{locale}@hallym.ac.kr")
    screenshot(page, f"designation-refused-{locale}")
    page.locator("#initial_password").fill("Long-Tenure-2026")
    page.locator("#tenure_years").fill("12")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Veteran Choi")


def test_student_opening_an_admin_page_is_refused(context_factory):
    page = context_factory("en").new_page()
    sign_in(page, "student@demo.medai-exchange.kr")
    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")


def test_phone_sized_viewport_shows_the_collapsed_menu(context_factory):
    page = context_factory("en", viewport={"width": 390, "height": 844}).new_page()
    page.goto("/")
    toggler = page.get_by_role("button", name="Toggle navigation")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.get_by_label("Main navigation").get_by_role("link", name="Sign in")).to_be_visible()
    screenshot(page, "home-phone-en")
