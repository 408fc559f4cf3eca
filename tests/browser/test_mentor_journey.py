"""Journey in a real browser, in Korean: the PNU exchange manager invites a mentor professor, then allocates the
term's mentors (the proposal is adjusted to the demo mentor and confirmed in one step); the demo mentor signs in,
lands on their students, opens the student and records a consultation (a future date is refused beside the field
first, with the summary kept)."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from marketplace.clock import today_in_seoul
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_foundation_journeys import DEMO_PASSWORD, sign_in

PREPARE = """
from datetime import timedelta
from sqlalchemy import select
from marketplace.app import create_app
from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Application, ApplicationStatus, Opening, Placement, PlacementStatus
from marketplace.models.base import utcnow
from marketplace.services import accounts, companies, mentoring
app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': URL, 'UPLOAD_FOLDER': UPLOADS})
with app.app_context():
    student = accounts.find_user_by_email('student@demo.medai-exchange.kr')
    cm = accounts.find_user_by_email('company@demo.medai-exchange.kr')
    company = companies.company_of(cm)
    applied = set(db.session.scalars(select(Application.opening_id).where(Application.student_id == student.id)))
    opening = next(o for o in db.session.scalars(select(Opening).where(Opening.company_id == company.id)
                                                 .order_by(Opening.id.desc())) if o.id not in applied)
    application = Application(opening_id=opening.id, student_id=student.id, statement='브라우저 확인',
                              consent_at=utcnow(), consent_text='동의', status=ApplicationStatus.ACCEPTED)
    db.session.add(application)
    db.session.flush()
    term_start, _term_end = mentoring.default_term()
    start = max(term_start, today_in_seoul() - timedelta(days=3))
    placement = Placement(application_id=application.id, opening_id=opening.id, student_id=student.id,
                          status=PlacementStatus.APPROVED, start_date=start, end_date=start + timedelta(weeks=15))
    db.session.add(placement)
    # Other journeys on this server add placements to the term; the proposal may fill the demo mentor's default
    # load (3) with them, and then the dropdown rightly omits him. Room for everyone keeps this journey about itself.
    from marketplace.models import MentorProfile
    mentor = accounts.find_user_by_email('mentor@demo.medai-exchange.kr')
    profile = db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == mentor.id))
    profile.max_load = 30
    db.session.commit()
    print(placement.id)
"""


def test_the_manager_allocates_and_the_mentor_records_a_consultation_in_korean(context_factory, live_server,
                                                                               prepare_live_data):
    placement_id = int(prepare_live_data(PREPARE)[0])
    page = context_factory("ko").new_page()
    sign_in(page, "manager@demo.medai-exchange.kr", DEMO_PASSWORD)

    # Invite a mentor: a bad address is refused beside the field, the name typed is kept.
    page.goto("/manager/mentors/invite")
    expect(page.locator("h1")).to_contain_text("지도교수 초대")
    page.locator("#email").fill("not-an-address")
    page.locator("#display_name").fill("한가람 교수")
    page.locator("#fields").fill("자연어처리, 의료영상")
    page.get_by_role("button", name=re.compile("Send the invitation|초대")).click()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.locator("#display_name")).to_have_value("한가람 교수")
    page.locator("#email").fill("hangaram@pusan.ac.kr")
    page.get_by_role("button", name=re.compile("Send the invitation|초대")).click()
    expect(page.locator(".alert-success").first).to_contain_text("한가람 교수")
    expect(page.locator("table")).to_contain_text("정민호 교수")

    # Allocate the term: the proposal has a mentor for the student; the manager picks the demo mentor, confirms.
    page.goto("/manager/mentors/allocate")
    expect(page.locator("h1")).to_contain_text("지도교수 배정")
    select = page.locator(f"#mentor_{placement_id}")
    expect(select).to_be_visible()
    assert_accessible(page, "mentor allocation")
    screenshot(page, "mentor-allocation-ko")
    select.select_option(select.locator("option", has_text="정민호 교수").get_attribute("value"))
    page.get_by_role("button", name="배정 확정").click()
    expect(page.locator(".alert-success").first).to_contain_text("지도교수를 배정했습니다")
    page.context.close()

    # The mentor signs in, lands on their students and records a consultation.
    page = context_factory("ko").new_page()
    sign_in(page, "mentor@demo.medai-exchange.kr", DEMO_PASSWORD)
    expect(page.locator("h1")).to_contain_text("지도 학생")
    # Other journeys on this shared server give the demo mentor students too: open this one's.
    page.locator(f'a[href$="/mentor/students/{placement_id}"]').first.click()
    expect(page.locator("h2#notes-title")).to_contain_text("상담 기록")
    tomorrow = (today_in_seoul() + timedelta(days=1)).isoformat()
    page.locator("#held_on").fill(tomorrow)
    page.locator("#mode").select_option("video")
    page.locator("#summary").fill("분할 모델의 검증 계획을 함께 정했습니다.")
    page.get_by_role("button", name="상담 기록 저장").click()
    expect(page.locator("#held_on-error")).to_contain_text("미래일 수 없습니다")
    expect(page.locator("#summary")).to_have_value("분할 모델의 검증 계획을 함께 정했습니다.")
    page.locator("#held_on").fill(today_in_seoul().isoformat())
    page.get_by_role("button", name="상담 기록 저장").click()
    expect(page.locator(".alert-success").first).to_contain_text("상담을 기록했습니다")
    expect(page.locator("#notes")).to_contain_text("분할 모델의 검증 계획")
    assert_accessible(page, "mentor student page")
    screenshot(page, "mentor-student-ko")
