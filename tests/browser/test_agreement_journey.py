"""Journey in a real browser, in Korean: an approved placement of the demo student at the demo company has both
insurances on file; the student, the company manager and the exchange manager of PNU each open the agreement
(현장실습 협약서), read it, tick the box and acknowledge; the page then says the practice can start, and the PDF
downloads in Korean."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_foundation_journeys import DEMO_PASSWORD, sign_in

PREPARE = """
from datetime import timedelta
from sqlalchemy import select
from marketplace.app import create_app
from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import Application, ApplicationStatus, InsuranceKind, Opening, Placement, PlacementStatus
from marketplace.models.base import utcnow
from marketplace.services import accounts, agreements, companies
app = create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': URL, 'UPLOAD_FOLDER': UPLOADS})
PDF = b"%PDF-1.4\\n1 0 obj << /Type /Catalog >> endobj\\ntrailer << /Root 1 0 R >>\\n%%EOF\\n"
with app.app_context():
    student = accounts.find_user_by_email('student@demo.medai-exchange.kr')
    cm = accounts.find_user_by_email('company@demo.medai-exchange.kr')
    xm = accounts.find_user_by_email('manager@demo.medai-exchange.kr')
    company = companies.company_of(cm)
    opening = db.session.scalars(select(Opening).where(Opening.company_id == company.id).order_by(Opening.id)).first()
    start = today_in_seoul() + timedelta(days=20)
    application = db.session.scalar(select(Application).where(Application.opening_id == opening.id,
                                                              Application.student_id == student.id))
    if application is None:
        application = Application(opening_id=opening.id, student_id=student.id, statement='브라우저 확인',
                                  consent_at=utcnow(), consent_text='동의', status=ApplicationStatus.ACCEPTED)
        db.session.add(application)
        db.session.flush()
    application.status = ApplicationStatus.ACCEPTED
    placement = Placement(application_id=application.id, opening_id=opening.id, student_id=student.id,
                          status=PlacementStatus.APPROVED, start_date=start, end_date=start + timedelta(days=60))
    db.session.add(placement)
    db.session.commit()
    for kind, actor in ((InsuranceKind.INDUSTRIAL_ACCIDENT, cm), (InsuranceKind.UNIVERSITY_ACCIDENT, xm)):
        agreements.record_insurance(actor, placement.id, kind, agreements.InsuranceData(
            insurer='근로복지공단' if kind == InsuranceKind.INDUSTRIAL_ACCIDENT else '한화손해보험',
            policy_number='KW-' + kind.value[:3].upper(), starts_on=start, ends_on=start + timedelta(days=90),
            filename='보험증권.pdf', document=PDF))
        db.session.commit()
    print(placement.id)
"""


def test_the_three_parties_acknowledge_the_agreement_in_korean(context_factory, live_server, prepare_live_data):
    placement_id = int(prepare_live_data(PREPARE)[0])
    path = f"/placements/{placement_id}/agreement"
    people = [("student@demo.medai-exchange.kr", "student"), ("company@demo.medai-exchange.kr", "company"),
              ("manager@demo.medai-exchange.kr", "university")]
    for number, (email, party) in enumerate(people, start=1):
        page = context_factory("ko").new_page()
        sign_in(page, email, DEMO_PASSWORD)
        page.goto(path)
        expect(page.locator("h1")).to_contain_text("현장실습 협약서")
        expect(page.locator(".agreement-terms")).to_contain_text("근로복지공단")
        expect(page.locator(".agreement-blockers")).to_contain_text("확인하지 않았습니다")
        if number == 1:
            assert_accessible(page, "agreement page")
            screenshot(page, "agreement-before-ko")
        # Without the tick the acknowledgement is refused beside the box, nothing recorded.
        page.get_by_role("button", name="협약서 확인").click()
        expect(page.locator("#confirm-error")).to_be_visible()
        page.get_by_label(re.compile("이 판의 협약서를 읽었으며")).check()
        page.get_by_role("button", name="협약서 확인").click()
        expect(page.locator(".alert-success").first).to_contain_text("확인이 기록되었습니다")
        expect(page.locator(f"tr[data-party={party}]")).not_to_contain_text("아직 확인하지 않음")
        expect(page.locator(f"tr[data-party={party}]")).to_contain_text(re.compile(r"오[전후] \d{1,2}:\d{2}"))
        page.context.close()

    page = context_factory("ko").new_page()
    sign_in(page, "student@demo.medai-exchange.kr", DEMO_PASSWORD)
    page.goto(path)
    expect(page.locator(".agreement-ready")).to_contain_text("세 당사자가 모두 이 판을 확인했고")
    screenshot(page, "agreement-acknowledged-ko")
    with page.expect_download() as download:
        page.get_by_role("link", name="협약서 PDF(한국어)").click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF-")
