"""Journey in a real browser, in Korean: a PNU student has an active practice at the demo company (started ten
days ago); they log the first day of week 1 in the weekly log (실습일지), see a malformed time refused beside its
field with what they typed kept, fix it and submit the week; the company manager confirms it; the student's
practice home then shows the confirmed hours against the group's course plan (15 weeks × 8 h = 120 h, seeded)."""

from playwright.sync_api import expect

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
from marketplace.services import accounts, companies
app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': URL, 'UPLOAD_FOLDER': UPLOADS})
with app.app_context():
    from marketplace.models import ProjectGroup
    pnu = db.session.scalar(select(ProjectGroup).where(ProjectGroup.code == 'PNU'))
    # A student of its own: other journeys on this server place the demo student in the demo company's openings.
    student = accounts.register_student(accounts.StudentRegistration(
        email='practice.log.journey@pusan.ac.kr', password='Exchange-Demo-2026', display_name='한지우',
        group_id=pnu.id, major='의료인공지능', degree_level='master', email_confirmed=True))
    cm = accounts.find_user_by_email('company@demo.medai-exchange.kr')
    company = companies.company_of(cm)
    opening = db.session.scalars(select(Opening).where(Opening.company_id == company.id).order_by(Opening.id.desc())).first()
    start = today_in_seoul() - timedelta(days=10)
    application = Application(opening_id=opening.id, student_id=student.id, statement='브라우저 확인',
                              consent_at=utcnow(), consent_text='동의', status=ApplicationStatus.ACCEPTED)
    db.session.add(application)
    db.session.flush()
    placement = Placement(application_id=application.id, opening_id=opening.id, student_id=student.id,
                          status=PlacementStatus.ACTIVE, start_date=start, end_date=start + timedelta(days=100),
                          agreement_ready=True, decided_at=utcnow())
    db.session.add(placement)
    db.session.commit()
    print(placement.id, start.isoformat())
"""


def test_a_week_is_logged_submitted_confirmed_and_counted_in_korean(context_factory, live_server, prepare_live_data):
    placement_id, start = prepare_live_data(PREPARE)
    week_path = f"/practice/placements/{placement_id}/weeks/1"

    student = context_factory("ko").new_page()
    sign_in(student, "practice.log.journey@pusan.ac.kr", DEMO_PASSWORD)
    student.goto("/practice/")
    student.goto(f"/practice/placements/{placement_id}")
    expect(student.locator("h1")).to_contain_text("실습")
    student.get_by_role("link", name="이번 주 기록하기").first.click()
    expect(student.locator("#days-0-day")).to_have_value(start)
    assert_accessible(student, "practice week form")
    student.fill("#days-0-start", "9시")
    student.fill("#days-0-end", "18:00")
    student.fill("#days-0-break_minutes", "60")
    student.fill("#days-0-education_minutes", "60")
    student.fill("#days-0-did", "CT 영상 라벨링")
    student.fill("#days-0-learned", "윈도우 레벨 조정")
    student.get_by_role("button", name="이번 주 제출").click()
    # Refused beside the field, what was typed kept.
    expect(student.locator("#days-0-start-error")).to_contain_text("HH:MM")
    expect(student.locator("#days-0-did")).to_have_value("CT 영상 라벨링")
    student.fill("#days-0-start", "09:00")
    student.get_by_role("button", name="이번 주 제출").click()
    expect(student.locator(".alert-success")).to_contain_text("제출했습니다")
    expect(student.locator("[data-testid=week-hours]")).to_have_text("8")
    screenshot(student, "practice-week-submitted-ko")

    supervisor = context_factory("ko").new_page()
    sign_in(supervisor, "company@demo.medai-exchange.kr", DEMO_PASSWORD)
    supervisor.goto(week_path)
    expect(supervisor.locator("main")).to_contain_text("CT 영상 라벨링")
    assert_accessible(supervisor, "practice week review")
    supervisor.get_by_role("button", name="이번 주 확인").click()
    expect(supervisor.locator(".alert-success")).to_contain_text("확인했습니다")

    student.goto(f"/practice/placements/{placement_id}")
    expect(student.locator("[data-testid=hours-confirmed]")).to_contain_text("120시간 중 8시간")
    assert_accessible(student, "practice home")
    screenshot(student, "practice-home-ko")
