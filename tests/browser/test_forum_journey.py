"""The forum in Korean, in a real browser: a student asks a question, a company manager replies, the student marks
the reply as the answer; an exchange manager posts an announcement and hides a reply with a reason, which the
student then sees only as a placeholder."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_foundation_journeys import DEMO_PASSWORD, sign_in
from tests.browser.test_student_journey import COMPANY, MANAGER, accept_dialogs

STUDENT = "student@demo.medai-exchange.kr"


def new_thread(page, kind: str, title: str, body: str) -> int:
    page.goto("/forum/")
    page.get_by_role("link", name="새 글").click()
    page.locator("#kind").select_option(kind)
    page.locator("#title").fill(title)
    page.locator("#body").fill(body)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/forum/threads/\d+$"))
    return int(re.search(r"/forum/threads/(\d+)", page.url).group(1))


def test_question_answer_announcement_and_moderation_in_korean(context_factory):
    student_ctx, company_ctx, manager_ctx = (context_factory("ko") for _ in range(3))
    student, company, manager = student_ctx.new_page(), company_ctx.new_page(), manager_ctx.new_page()
    for page, email in ((student, STUDENT), (company, COMPANY), (manager, MANAGER)):
        accept_dialogs(page)
        sign_in(page, email, DEMO_PASSWORD)

    # The student asks; an empty reply is refused beside the field first, the text typed elsewhere kept.
    thread_id = new_thread(student, "question", "심전도 데이터셋은 어디서 구하나요?",
                           "대회 준비 중입니다. **12-lead ECG** 데이터가 필요합니다.")
    expect(student.locator("main")).to_contain_text("답변 대기")
    expect(student.locator(".forum-body strong")).to_have_text("12-lead ECG")
    assert_accessible(student, "forum question")
    screenshot(student, "forum-question-ko")

    company.goto(f"/forum/threads/{thread_id}")
    company.locator("#reply button[type=submit]").click()
    expect(company.locator("#body-error")).to_contain_text("내용을 입력하세요")
    company.locator("#body").fill("저희 병원 협력 데이터를 IRB 승인 후 제공합니다. [신청 안내](https://example.com/ecg)")
    company.locator("#reply button[type=submit]").click()
    expect(company.locator(".alert-success")).to_contain_text("답글이 게시되었습니다")
    reply_id = int(re.search(r"#post-(\d+)", company.url).group(1))
    link = company.locator(f"#post-{reply_id} .forum-body a")
    expect(link).to_have_attribute("rel", "nofollow noopener noreferrer")

    # The student is told, opens the thread and marks the reply as the answer: it moves to the top.
    student.goto("/notifications/")
    # (the demo data has a reply notification of its own: look for this thread's)
    expect(student.locator("main")).to_contain_text('"심전도 데이터셋은 어디서 구하나요?"에 답글을 달았습니다')
    student.goto(f"/forum/threads/{thread_id}")
    student.locator(f"#post-{reply_id}").get_by_role("button", name="답변으로 채택").click()
    expect(student.locator(".alert-success")).to_contain_text("답변 완료로 표시되었습니다")
    expect(student.get_by_role("heading", name="채택된 답변")).to_be_visible()
    expect(student.locator(f"#post-{reply_id} .badge")).to_contain_text("채택된 답변")
    screenshot(student, "forum-answered-ko")

    # The exchange manager announces (pinned on the board) and hides a reply with a reason.
    announcement_id = new_thread(manager, "announcement", "2027 의료 AI 경진대회 접수 안내",
                                 "접수는 **3월 2일**부터입니다.")
    manager.goto("/forum/")
    expect(manager.locator(".forum-thread-row").first).to_contain_text("2027 의료 AI 경진대회 접수 안내")
    company.goto(f"/forum/threads/{thread_id}")
    company.locator("#body").fill("저희 제품을 지금 구매하세요! 할인 중입니다.")
    company.locator("#reply button[type=submit]").click()
    expect(company.locator(".alert-success")).to_be_visible()
    ad_id = int(re.search(r"#post-(\d+)", company.url).group(1))
    manager.goto(f"/forum/threads/{thread_id}")
    manager.locator(f"#post-{ad_id}").get_by_role("link", name="숨기기").click()
    manager.locator("main form button[type=submit]").first.click()
    expect(manager.locator("#reason-error")).to_contain_text("사유를 입력하세요")
    manager.locator("#reason").fill("광고성 게시물")
    manager.locator("main form button[type=submit]").first.click()
    expect(manager.locator(".alert-success")).to_be_visible()
    expect(manager.locator(f"#post-{ad_id}")).to_contain_text("관리자가 숨김: 광고성 게시물")
    assert_accessible(manager, "forum thread as moderator")
    screenshot(manager, "forum-moderator-ko")

    student.goto("/notifications/")
    expect(student.locator("main")).to_contain_text("2027 의료 AI 경진대회 접수 안내")
    student.goto(f"/forum/threads/{thread_id}")
    expect(student.locator(f"#post-{ad_id}")).to_contain_text("관리자가 숨긴 게시물입니다.")
    expect(student.locator(f"#post-{ad_id}")).not_to_contain_text("구매하세요")
    company.goto(f"/forum/threads/{thread_id}")
    expect(company.locator(f"#post-{ad_id}")).to_contain_text("관리자가 숨김: 광고성 게시물")
    assert announcement_id != thread_id
