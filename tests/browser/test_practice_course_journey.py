"""The practice course from first week to certificate, in Korean, in a real browser (issue #15's journey).

A student of PNU has an active practice at the demo company that started two days ago, on a one-week course plan of
8 hours with the final evaluation in week 1, and the demo mentor assigned. The student logs the first day of the
week (a malformed time refused beside its field first, what was typed kept) and submits the week; the host supervisor
confirms it; the mentor records a consultation (a date in the future refused first) and gives the academic grade;
the supervisor gives the final evaluation (a missing score refused beside its field first) and the student
evaluates the host; the exchange manager sees nothing missing and marks the practice completed; the student
downloads the certificate of completion (이수증) in Korean and anyone checks its code on the public page, typed in
lower case with spaces."""
import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_foundation_journeys import DEMO_PASSWORD, sign_in
from tests.browser.test_student_journey import accept_dialogs

STUDENT = "course.journey@pusan.ac.kr"

PREPARE = """
from datetime import timedelta
from sqlalchemy import select
from marketplace.app import create_app
from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import (Application, ApplicationStatus, CoursePlan, MentorAssignment, Opening, Placement,
                                PlacementStatus, ProjectGroup)
from marketplace.models.base import utcnow
from marketplace.services import accounts, companies
app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': URL, 'UPLOAD_FOLDER': UPLOADS})
with app.app_context():
    pnu = db.session.scalar(select(ProjectGroup).where(ProjectGroup.code == 'PNU'))
    student = accounts.register_student(accounts.StudentRegistration(
        email=STUDENT, password=PASSWORD, display_name='윤하람', group_id=pnu.id, major='의료인공지능',
        degree_level='master', email_confirmed=True))
    cm = accounts.find_user_by_email('company@demo.medai-exchange.kr')
    mentor = accounts.find_user_by_email('mentor@demo.medai-exchange.kr')
    manager = accounts.find_user_by_email('manager@demo.medai-exchange.kr')
    opening = db.session.scalars(select(Opening).where(Opening.company_id == companies.company_of(cm).id)
                                 .order_by(Opening.id.desc())).first()
    application = Application(opening_id=opening.id, student_id=student.id, statement='브라우저 확인',
                              consent_at=utcnow(), consent_text='동의', status=ApplicationStatus.ACCEPTED)
    db.session.add(application)
    db.session.flush()
    plan = CoursePlan(group_id=pnu.id, name='1주 집중 실습', weeks=1, required_hours=8, midterm_week=None,
                      final_week=1, evaluation_window_days=7)
    db.session.add(plan)
    db.session.flush()
    start = today_in_seoul() - timedelta(days=2)
    placement = Placement(application_id=application.id, opening_id=opening.id, student_id=student.id,
                          status=PlacementStatus.ACTIVE, start_date=start, end_date=start + timedelta(days=6),
                          agreement_ready=True, decided_at=utcnow(), course_plan_id=plan.id)
    db.session.add(placement)
    db.session.flush()
    db.session.add(MentorAssignment(placement_id=placement.id, mentor_id=mentor.id, assigned_by_id=manager.id))
    db.session.commit()
    print(placement.id, start.isoformat())
"""


def test_a_practice_from_its_weekly_log_to_the_certificate_in_korean(context_factory, live_server, prepare_live_data):
    placement_id, start = prepare_live_data(PREPARE, STUDENT=STUDENT, PASSWORD=DEMO_PASSWORD)
    evaluations = f"/placements/{placement_id}/evaluations"

    # The student logs the week.
    student = context_factory("ko").new_page()
    sign_in(student, STUDENT, DEMO_PASSWORD)
    student.goto(f"/practice/placements/{placement_id}")
    student.get_by_role("link", name="이번 주 기록하기").first.click()
    expect(student.locator("#days-0-day")).to_have_value(start)
    student.fill("#days-0-start", "9시")
    student.fill("#days-0-end", "18:00")
    student.fill("#days-0-break_minutes", "60")
    student.fill("#days-0-education_minutes", "120")
    student.fill("#days-0-did", "흉부 CT 분할 라벨 검수")
    student.fill("#days-0-learned", "폐 결절 경계 판단 기준")
    student.get_by_role("button", name="이번 주 제출").click()
    expect(student.locator("#days-0-start-error")).to_contain_text("HH:MM")
    expect(student.locator("#days-0-did")).to_have_value("흉부 CT 분할 라벨 검수")
    student.fill("#days-0-start", "09:00")
    student.get_by_role("button", name="이번 주 제출").click()
    expect(student.locator(".alert-success")).to_contain_text("제출했습니다")

    # The host supervisor confirms it.
    supervisor = context_factory("ko").new_page()
    sign_in(supervisor, "company@demo.medai-exchange.kr", DEMO_PASSWORD)
    supervisor.goto(f"/practice/placements/{placement_id}/weeks/1")
    expect(supervisor.locator("main")).to_contain_text("흉부 CT 분할 라벨 검수")
    supervisor.get_by_role("button", name="이번 주 확인").click()
    expect(supervisor.locator(".alert-success")).to_contain_text("확인했습니다")

    # The mentor records a consultation and gives the academic grade.
    mentor = context_factory("ko").new_page()
    sign_in(mentor, "mentor@demo.medai-exchange.kr", DEMO_PASSWORD)
    mentor.goto(f"/mentor/students/{placement_id}")
    expect(mentor.locator("main")).to_contain_text("윤하람")
    mentor.locator("#held_on").fill("2999-01-01")
    mentor.locator("#mode").select_option("in_person")
    mentor.locator("#summary").fill("검수 기준과 다음 주 목표를 함께 정했습니다.")
    mentor.get_by_role("button", name="상담 기록 저장").click()
    expect(mentor.locator("#held_on-error")).to_contain_text("미래일 수 없습니다")
    expect(mentor.locator("#summary")).to_have_value("검수 기준과 다음 주 목표를 함께 정했습니다.")
    mentor.locator("#held_on").fill(start)
    mentor.get_by_role("button", name="상담 기록 저장").click()
    expect(mentor.locator(".alert-success").first).to_contain_text("상담을 기록했습니다")
    mentor.locator("#grade").select_option("A+")
    mentor.get_by_role("button", name="학점 저장").click()
    expect(mentor.locator(".alert-success").first).to_be_visible()
    expect(mentor.locator("section#grade-section")).to_contain_text("A+")
    assert_accessible(mentor, "mentor student page with a grade")

    # The supervisor gives the final evaluation.
    supervisor.goto(evaluations)
    expect(supervisor.locator("h1")).to_contain_text("평가와 이수")
    supervisor.locator('.evaluation-row[data-kind="supervisor_final"]').get_by_role(
        "link", name=re.compile("평가하기")).click()
    selects = supervisor.locator("select[name^=score_]")
    for index in range(1, selects.count()):  # the first competency left unscored: refused beside it
        selects.nth(index).select_option("4")
    supervisor.get_by_label("강점").fill("임상 데이터를 신중하게 다룹니다.")
    supervisor.get_by_label("개선할 점").fill("질문을 더 일찍 하세요.")
    supervisor.get_by_label("추천 성적").select_option("A0")
    supervisor.get_by_role("button", name="평가 제출").click()
    expect(supervisor.locator(".invalid-feedback").first).to_contain_text("1점부터 5점 사이에서 고르세요")
    expect(supervisor.get_by_label("강점")).to_have_value("임상 데이터를 신중하게 다룹니다.")
    selects.nth(0).select_option("5")
    supervisor.get_by_role("button", name="평가 제출").click()
    expect(supervisor.locator(".alert-success")).to_contain_text("학생 평가가 제출되었습니다")

    # The student evaluates the host.
    student.goto(evaluations)
    student.locator('.evaluation-row[data-kind="student_host"]').get_by_role("link", name=re.compile("평가하기")).click()
    student.get_by_label("배운 점").select_option("5")
    student.get_by_label("지도와 피드백").select_option("4")
    student.get_by_label("근무 환경").select_option("4")
    student.get_by_label("다른 학생에게 이 실습기관을 추천하겠습니까?").select_option("yes")
    assert_accessible(student, "host evaluation form")
    student.get_by_role("button", name="평가 제출").click()
    expect(student.locator(".alert-success")).to_contain_text("실습기관 평가가 제출되었습니다")

    # The exchange manager sees nothing missing and marks the practice completed.
    manager = context_factory("ko").new_page()
    sign_in(manager, "manager@demo.medai-exchange.kr", DEMO_PASSWORD)
    manager.goto(f"/manager/placements/{placement_id}")
    expect(manager.locator(".completion-ready")).to_contain_text("모든 요건을 갖추었습니다")
    accept_dialogs(manager)
    manager.get_by_role("button", name="수료 처리").click()
    expect(manager.locator(".alert-success")).to_be_visible()

    # The student downloads the certificate in Korean; anyone checks its code, typed carelessly.
    student.goto(evaluations)
    code = student.locator(".certificate-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    screenshot(student, "certificate-issued-ko")
    with student.expect_download() as download:
        student.get_by_role("link", name="이수증 내려받기 – 한국어 PDF").click()
    text = PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages[0].extract_text()
    assert "현장실습 이수증" in text and code in text and "윤하람" in text

    visitor = context_factory("ko").new_page()
    visitor.goto("/certificates/")
    visitor.get_by_label("진위확인 코드").fill(" " + code.lower().replace("-", " ") + " ")
    visitor.get_by_role("button", name="코드 확인").click()
    expect(visitor.locator(".certificate-valid")).to_contain_text("유효한 이수증")
    expect(visitor.locator(".certificate-valid")).to_contain_text("윤하람")
    assert_accessible(visitor, "public certificate check")
    screenshot(visitor, "certificate-check-ko")
    visitor.get_by_label("진위확인 코드").fill("AAAA-BBBB-CCC!")
    visitor.get_by_role("button", name="코드 확인").click()
    expect(visitor.locator(".invalid-feedback")).to_contain_text("코드에 들어갈 수 없습니다")
