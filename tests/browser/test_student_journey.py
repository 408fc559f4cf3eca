"""Journeys 2–4 in a real browser, in Korean and in English.

2. A student registers (PNU, master), builds a skill profile with the suggestions, uploads a CV, finds an opening in
   the recommendations and in search, reads the match explanation and applies with consent (the apply form filled
   with the keyboard alone, after first forgetting the consent box).
3. The demo company manager sees the applicant ranked with the explanation, shortlists and makes an offer; the
   student accepts; the exchange manager of PNU approves the placement; both sides see it and were notified.
4. The mistakes: no consent, applying twice, opening pages the student may not see.

The opening is created by the demo company manager (the company is approved already) with a unique title per
locale and published by the exchange manager, so nothing depends on the demo openings' ranking.
"""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_foundation_journeys import DEMO_PASSWORD, sign_in, sign_in_after_registering

COMPANY = "company@demo.medai-exchange.kr"
MANAGER = "manager@demo.medai-exchange.kr"
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STUDENT_PASSWORD = "Student-Pass-2026"


def submit(page):
    page.locator("main form button[type=submit]:not([name])").last.click()


def accept_dialogs(page):
    """Forms with data-confirm ask window.confirm(); a person clicks OK."""
    page.on("dialog", lambda dialog: dialog.accept())


def publish_opening(company, manager, locale: str, title: str) -> int:
    """The demo company manager posts an opening for PNU masters; the exchange manager publishes it."""
    company.goto("/company/openings/new")
    company.locator("#kind").select_option("internship")
    company.locator("#title").fill(title)
    company.locator("#description").fill("Arrhythmia detection on 12-lead ECG with PyTorch, with cardiologists.")
    company.locator("#skills-0-name").fill("PyTorch")
    company.locator("#skills-0-importance").select_option("must")
    company.locator("#skills-0-min_level").select_option("3")
    company.locator("#skills-1-name").fill("ECG")
    company.locator("#skills-1-name").press("Tab")  # leave the field: its suggestion list closes
    company.locator("#skills-1-importance").select_option("should")
    pnu_label = company.locator("label[for^=group_ids-]", has_text="PNU")
    company.locator("#" + pnu_label.get_attribute("for")).check()
    company.locator("#degree_levels-master").check()
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
    company.goto("/company/openings")
    row = company.locator("tr", has_text=title)
    href = row.get_by_role("link", name=title, exact=True).get_attribute("href")
    opening_id = int(re.search(r"/openings/(\d+)", href).group(1))
    row.locator("button", has_text=re.compile("Submit for review|검토 요청")).click()
    expect(company.locator(".alert-success")).to_be_visible()

    manager.goto("/manager/")
    manager.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    manager.locator("button[name=decision][value=publish]").click()
    expect(manager.locator(".alert-success")).to_be_visible()
    return opening_id


def register_student(page, locale: str, email: str, name: str):
    page.goto("/auth/register/student")
    page.locator("#display_name").fill(name)
    page.locator("#email").fill(email)
    page.locator("#password").fill(STUDENT_PASSWORD)
    page.locator("#confirm").fill(STUDENT_PASSWORD)
    pnu = page.locator("#group_id option", has_text=re.compile("부산대학교|Pusan National")).get_attribute("value")
    page.locator("#group_id").select_option(pnu)
    page.locator("#major").fill("의료인공지능" if locale == "ko" else "Medical AI")
    page.locator("#degree_level").select_option("master")
    page.locator("form button[type=submit]").last.click()
    sign_in_after_registering(page, email, STUDENT_PASSWORD)
    expect(page.locator("nav")).to_contain_text(name)


def verify_from_queue(manager, email: str, tag: str):
    """The exchange manager of PNU verifies a new student from the queue, reading what they declared."""
    manager.goto("/manager/students")
    card = manager.locator("section.card", has_text=email)
    expect(card).to_have_count(1)
    assert_accessible(manager, "verification queue")
    screenshot(manager, f"manager-verification-queue-{tag}")
    card.locator("button[name=decision][value=verify]").click()
    expect(manager.locator(".alert-success")).to_be_visible()
    expect(manager.locator("section.card", has_text=email)).to_have_count(0)


def build_profile(page, locale: str, tag: str):
    """Skills typed with the suggestions: the recognised canonical name appears beside what was typed."""
    page.goto("/student/profile")
    assert_accessible(page, "student profile")
    # The server-rendered <datalist> offers vocabulary names to every skill row.
    expect(page.locator("#skills-0-name")).to_have_attribute("list", "skill-suggestions")
    assert page.locator("#skill-suggestions option[value='PyTorch']").count() == 1
    if locale == "ko":
        page.locator("#skills-0-name").press_sequentially("파이토치", delay=20)  # Korean: recognised as PyTorch
        typed = "파이토치"
    else:
        page.locator("#skills-0-name").press_sequentially("PyT", delay=20)
        # The suggestion list offers the vocabulary name; the student picks it.
        expect(page.locator("#skill-suggestions option[value='PyTorch']")).to_have_count(1)
        page.locator("#skills-0-name").fill("PyTorch")
        typed = "PyTorch"
    page.locator("#skills-0-level").select_option("4")
    page.locator("#skills-1-name").fill("심전도" if locale == "ko" else "ECG")
    page.locator("#skills-1-name").press("Tab")  # leave the field: its suggestion list closes
    page.locator("#skills-1-level").select_option("3")
    page.locator("#hours_per_week").fill("20")
    page.locator("main form[action$='/student/profile'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#skills-0-name")).to_have_value(typed)
    expect(page.locator("#skills-0-name-canonical")).to_contain_text("PyTorch")
    expect(page.locator("#skills-1-name-canonical")).to_contain_text("ECG")
    assert_accessible(page, "student profile saved")
    screenshot(page, f"student-profile-{tag}")


def upload_cv(page, tmp_path, tag: str):
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(TINY_PDF)
    page.locator("#cv").set_input_files(str(cv))
    page.locator("main form[action$='/student/cv'] button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.get_by_role("link", name="cv.pdf")).to_be_visible()
    assert_accessible(page, "profile with CV")
    screenshot(page, f"student-profile-cv-{tag}")


def find_in_recommendations(page, title: str, tag: str):
    page.goto("/student/recommendations")
    card = page.locator("li.card", has=page.get_by_role("link", name=title, exact=True))
    expect(card).to_have_count(1)
    # The explanation: PyTorch and ECG matched, with levels.
    expect(card.locator(".match-details")).to_contain_text("PyTorch")
    expect(card.locator(".match-details")).to_contain_text("ECG")
    expect(card.locator(".match-details li.match-missing")).to_have_count(0)
    assert_accessible(page, "recommendations")
    screenshot(page, f"student-recommendations-{tag}")
    return card


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_student_applies_and_the_placement_is_approved(context_factory, confirm_email, tmp_path, locale):
    seed = 7001 if locale == "ko" else 7002
    title = f"심전도 부정맥 AI 인턴 {seed}" if locale == "ko" else f"Arrhythmia AI internship {seed}"
    name = "한지우" if locale == "ko" else "Ji-woo Han"
    email = f"journey2.{locale}@gmail.com"  # outside PNU's domains: an exchange manager verifies them
    statement = ("심전도 딥러닝 연구 경험이 있습니다." if locale == "ko"
                 else "I trained ECG arrhythmia classifiers in PyTorch.")
    student_ctx, company_ctx, manager_ctx = (context_factory(locale) for _ in range(3))
    student, company, manager = student_ctx.new_page(), company_ctx.new_page(), manager_ctx.new_page()
    for page in (student, company, manager):
        accept_dialogs(page)
    sign_in(company, COMPANY, DEMO_PASSWORD)
    sign_in(manager, MANAGER, DEMO_PASSWORD)
    opening_id = publish_opening(company, manager, locale, title)

    # -- Journey 2: register, profile, CV, find, read the explanation, apply with consent -------------------
    student.goto("/auth/register/student")
    assert_accessible(student, "student registration")
    register_student(student, locale, email, name)
    confirm_email(student, email)  # the link from the mailbox: only confirmed students apply
    # Unverified until a manager (or the confirmation of a university address) verifies them: no applying yet.
    student.goto("/student/profile")
    expect(student.locator("#verification-banner")).to_be_visible()
    verify_from_queue(manager, email, locale)
    build_profile(student, locale, locale)
    upload_cv(student, tmp_path, locale)
    find_in_recommendations(student, title, locale)

    student.goto("/openings?q=" + str(seed))
    assert_accessible(student, "openings search")
    expect(student.get_by_role("link", name=title, exact=True)).to_be_visible()
    screenshot(student, f"student-search-{locale}")
    student.get_by_role("link", name=title, exact=True).click()
    assert_accessible(student, "opening detail")
    student.locator("main").get_by_role("link", name=re.compile("^(Apply|지원하기?)$")).click()
    expect(student).to_have_url(re.compile(rf"/openings/{opening_id}/apply$"))
    expect(student.locator("main .match-details")).to_contain_text("PyTorch")
    expect(student.locator("#consent-text")).to_be_visible()
    assert_accessible(student, "apply form")
    screenshot(student, f"student-apply-{locale}")

    # -- Journey 4a: forgetting the consent box keeps the statement and explains beside the box ------------
    student.locator("#statement").fill(statement)
    student.locator("main form button[type=submit]").click()
    expect(student.locator("#consent-error")).to_be_visible()
    expect(student.locator("#consent")).to_have_attribute("aria-invalid", "true")
    expect(student.locator("#statement")).to_have_value(statement)
    assert_accessible(student, "apply form with the consent error")
    screenshot(student, f"student-apply-consent-error-{locale}")

    # The apply form with the keyboard alone: statement, Tab, Space on the consent box, Tab, Enter.
    student.locator("#statement").focus()
    student.keyboard.press("End")
    student.keyboard.type(" 2026.")
    student.keyboard.press("Tab")
    expect(student.locator("#consent")).to_be_focused()
    student.keyboard.press("Space")
    expect(student.locator("#consent")).to_be_checked()
    student.keyboard.press("Tab")
    expect(student.locator("main form button[type=submit]")).to_be_focused()
    student.keyboard.press("Enter")
    expect(student.locator(".alert-success")).to_be_visible()
    expect(student).to_have_url(re.compile(r"/student/applications/\d+$"))
    application_url = student.url
    expect(student.locator("main")).to_contain_text(statement + " 2026.")
    expect(student.locator("main .match-details")).to_contain_text("PyTorch")
    assert_accessible(student, "student application")
    screenshot(student, f"student-application-submitted-{locale}")

    # -- Journey 4b: applying twice shows the existing application; still one application ------------------
    student.goto(f"/openings/{opening_id}/apply")
    expect(student).to_have_url(application_url)
    expect(student.locator(".alert-info")).to_be_visible()
    student.goto("/student/applications")
    assert_accessible(student, "my applications")
    expect(student.locator("tbody tr", has_text=title)).to_have_count(1)
    student.goto("/student/recommendations")
    card = student.locator("li.card", has=student.get_by_role("link", name=title, exact=True))
    expect(card.locator(".badge.text-bg-info")).to_be_visible()  # "Applied", no Apply button any more
    expect(card.get_by_role("link", name=re.compile("Apply|지원"))).to_have_count(0)

    # -- Journey 4c: pages the student may not see show the friendly error page -----------------------------
    response = student.goto("/company/")
    assert response.status == 403
    expect(student.locator("h1")).to_have_text("권한 없음" if locale == "ko" else "Not allowed")
    expect(student.get_by_role("link", name=re.compile("Go to the home page|홈"))).to_be_visible()
    assert_accessible(student, "403 page")
    screenshot(student, f"student-forbidden-{locale}")
    response = student.goto("/student/applications/1")  # the seeded demo student's application
    assert response.status == 404
    expect(student.locator("h1")).to_have_text("페이지를 찾을 수 없음" if locale == "ko" else "Page not found")
    assert_accessible(student, "404 page")

    # -- Journey 3: ranked applicants, shortlist, offer; accept; approval; everyone is told -----------------
    company.goto(f"/openings/{opening_id}")
    company.locator("main").get_by_role("link", name=re.compile("^(Applicants|지원자)$")).click()
    row = company.locator("tbody tr", has_text=name)
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text("1")
    expect(row.locator(".match-details")).to_contain_text("PyTorch")
    expect(row.locator(".match-details")).to_contain_text("ECG")
    expect(row).to_contain_text("PNU")
    assert_accessible(company, "ranked applicants")
    screenshot(company, f"company-ranked-applicants-{locale}")
    row.get_by_role("link", name=name).click()
    expect(company.locator("main")).to_contain_text(statement)
    expect(company.get_by_role("link", name=re.compile("Download the CV|이력서"))).to_be_visible()
    assert_accessible(company, "company application")
    company.get_by_role("button", name=re.compile("^(Shortlist|서류 합격)$")).click()
    expect(company.locator(".alert-success")).to_be_visible()
    company.get_by_role("button", name=re.compile("^(Make an offer|제안하기)$")).click()
    expect(company.locator(".alert-success")).to_be_visible()
    assert_accessible(company, "company application offered")
    screenshot(company, f"company-application-offered-{locale}")

    student.goto(application_url)
    expect(student.locator(".alert-warning")).to_be_visible()  # the offer
    assert_accessible(student, "student application offered")
    student.get_by_role("button", name=re.compile("^(Accept the offer|제안 수락)$")).click()
    expect(student.locator(".alert-success").first).to_be_visible()
    screenshot(student, f"student-accepted-{locale}")

    manager.goto("/manager/")
    assert_accessible(manager, "review queues")
    manager.get_by_role("link", name=re.compile(re.escape(name) + ".*" + re.escape(title))).click()
    expect(manager.locator("main")).to_contain_text(name)
    assert_accessible(manager, "placement decision")
    screenshot(manager, f"manager-placement-{locale}")
    manager.locator("button[name=decision][value=approve]").click()
    expect(manager.locator(".alert-success")).to_be_visible()
    expect(manager.locator(".alert-success")).to_contain_text(name)

    # Both sides see it approved and were notified.
    student.goto(application_url)
    status_line = student.locator("main .alert-success")
    expect(status_line).to_contain_text("승인됨" if locale == "ko" else "Approved")  # translated, not the raw value
    expect(student.locator("nav .badge")).to_be_visible()  # the bell count
    student.goto("/notifications/")
    notes = student.locator("main .list-group-item")
    expect(notes.filter(has_text=title)).to_have_count(3)  # shortlisted, offered, placement approved
    expect(notes.filter(has_text=re.compile("approved|승인"))).to_have_count(1)
    assert_accessible(student, "student notifications")
    screenshot(student, f"student-notifications-{locale}")

    company.goto("/notifications/")
    approved = company.locator("main .list-group-item", has_text=title).filter(has_text=re.compile("approved|승인"))
    expect(approved).to_have_count(1)
    expect(company.locator("main .list-group-item", has_text=title)).not_to_have_count(0)
    assert_accessible(company, "company notifications")
    screenshot(company, f"company-notifications-{locale}")


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_student_profile_and_recommendations_on_a_phone(context_factory, tmp_path, locale):
    page = context_factory(locale, viewport={"width": 390, "height": 844}).new_page()
    name = "모바일 학생" if locale == "ko" else "Phone Student"
    register_student(page, locale, f"phone.{locale}@pusan.ac.kr", name)
    build_profile(page, locale, f"phone-{locale}")
    upload_cv(page, tmp_path, f"phone-{locale}")
    page.goto("/student/recommendations")
    assert_accessible(page, "recommendations on a phone")
    expect(page.locator("main li.card").first).to_be_visible()
    expect(page.locator("main li.card .match-details").first).to_contain_text("PyTorch")
    # Nothing wider than the screen: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"student-recommendations-phone-{locale}")
