"""A new student's first day, in Korean, in a real browser: register with a university address, read the
confirmation mail from the outbox, follow the link, find themselves verified, complete the profile and make a
first application. Until the link is followed they see why they cannot apply yet."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_foundation_journeys import DEMO_PASSWORD, sign_in
from tests.browser.test_student_journey import (
    COMPANY,
    MANAGER,
    accept_dialogs,
    build_profile,
    publish_opening,
    register_student,
)


def test_new_korean_student_confirms_a_university_address_is_verified_and_applies(context_factory, confirm_email):
    title = "병리 영상 AI 연구 과제 7101"
    email = "seoyeon.kang.7101@pusan.ac.kr"
    name = "강서연"
    student_ctx, company_ctx, manager_ctx = (context_factory("ko") for _ in range(3))
    student, company, manager = student_ctx.new_page(), company_ctx.new_page(), manager_ctx.new_page()
    for page in (student, company, manager):
        accept_dialogs(page)
    sign_in(company, COMPANY, DEMO_PASSWORD)
    sign_in(manager, MANAGER, DEMO_PASSWORD)
    opening_id = publish_opening(company, manager, "ko", title)

    register_student(student, "ko", email, name)
    student.goto("/student/profile")
    banner = student.locator("#verification-banner")
    expect(banner).to_contain_text("아직 인증되지 않았습니다")
    expect(banner).to_contain_text("pusan.ac.kr")
    assert_accessible(student, "unverified student profile")
    screenshot(student, "student-unverified-ko")
    student.goto(f"/openings/{opening_id}/apply")
    expect(student.locator("main")).to_contain_text("인증되지 않았습니다")

    confirm_email(student, email)  # the link from the mail in the outbox, as the student's mailbox shows it
    student.goto("/student/profile")
    expect(student.locator("#verification-banner")).to_have_count(0)
    student.goto("/notifications/")
    expect(student.locator("main")).to_contain_text("학생 계정이 인증되었습니다")

    build_profile(student, "ko", "ko-verified")
    student.goto(f"/openings/{opening_id}/apply")
    expect(student.locator("#consent-text")).to_be_visible()
    student.locator("#statement").fill("병리 슬라이드 분할 모델을 PyTorch로 학습한 경험이 있습니다.")
    student.locator("#consent").check()
    student.locator("main form button[type=submit]").click()
    expect(student.locator(".alert-success")).to_be_visible()
    expect(student).to_have_url(re.compile(r"/student/applications/\d+$"))
    assert_accessible(student, "first application")
    screenshot(student, "student-first-application-ko")

    # The manager's queue never listed her: the university address verified her.
    manager.goto("/manager/students")
    expect(manager.locator("section.card", has_text=email)).to_have_count(0)
    # The company sees her among the applicants.
    company.goto(f"/company/openings/{opening_id}/applicants")
    expect(company.locator("main")).to_contain_text(name)
