"""Journey in a real browser, in Korean: an active practice of the demo student at the demo company in its final
evaluation window. The host supervisor gives the final evaluation (a missing score is refused beside its field first),
the student evaluates the host, the exchange manager sees nothing missing and marks the practice completed, the
student downloads the certificate of completion (이수증) in Korean and anyone checks its code on the public page,
typed in lower case with spaces."""
import io
import re
import subprocess
import sys

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import ROOT, assert_accessible, screenshot
from tests.browser.test_foundation_journeys import DEMO_PASSWORD, sign_in
from tests.browser.test_student_journey import accept_dialogs

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
    student = accounts.find_user_by_email('student@demo.medai-exchange.kr')
    cm = accounts.find_user_by_email('company@demo.medai-exchange.kr')
    company = companies.company_of(cm)
    opening = db.session.scalars(select(Opening).where(Opening.company_id == company.id).order_by(Opening.id.desc())).first()
    application = db.session.scalar(select(Application).where(Application.opening_id == opening.id,
                                                              Application.student_id == student.id))
    if application is None:
        application = Application(opening_id=opening.id, student_id=student.id, statement='브라우저 확인',
                                  consent_at=utcnow(), consent_text='동의', status=ApplicationStatus.ACCEPTED)
        db.session.add(application)
        db.session.flush()
    application.status = ApplicationStatus.ACCEPTED
    today = today_in_seoul()
    placement = db.session.scalar(select(Placement).where(Placement.application_id == application.id))
    if placement is None:
        placement = Placement(application_id=application.id, opening_id=opening.id, student_id=student.id,
                              status=PlacementStatus.ACTIVE, start_date=today - timedelta(days=60),
                              end_date=today - timedelta(days=1), agreement_ready=True)
        db.session.add(placement)
    db.session.commit()
    print(placement.id)
"""


def _prepare(live_workdir) -> int:
    url = f"sqlite:///{live_workdir / 'live.sqlite'}"
    script = f"URL = {url!r}\nUPLOADS = {str(live_workdir / 'uploads')!r}\n" + PREPARE
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    return int(run.stdout.strip().splitlines()[-1])


def test_final_evaluations_completion_and_the_certificate_in_korean(context_factory, live_server, live_workdir):
    placement_id = _prepare(live_workdir)
    path = f"/placements/{placement_id}/evaluations"

    # The host supervisor gives the final evaluation.
    page = context_factory("ko").new_page()
    sign_in(page, "company@demo.medai-exchange.kr", DEMO_PASSWORD)
    page.goto(path)
    expect(page.locator("h1")).to_contain_text("평가와 이수")
    assert_accessible(page, "evaluations page")
    page.locator('.evaluation-row[data-kind="supervisor_final"]').get_by_role("link", name=re.compile("평가하기")).click()
    expect(page.locator("h1")).to_contain_text("학생 최종 평가")
    selects = page.locator("select[name^=score_]")
    for index in range(selects.count()):
        if index:  # the first competency left unscored: refused beside it, everything else kept
            selects.nth(index).select_option("4")
    page.get_by_label("강점").fill("임상 데이터를 신중하게 다룹니다.")
    page.get_by_label("개선할 점").fill("테스트를 먼저 작성하세요.")
    page.get_by_label("추천 성적").select_option("A0")
    page.get_by_role("button", name="평가 제출").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("1점부터 5점 사이에서 고르세요")
    expect(page.get_by_label("강점")).to_have_value("임상 데이터를 신중하게 다룹니다.")
    assert_accessible(page, "supervisor evaluation with an error")
    screenshot(page, "supervisor-evaluation-error-ko")
    selects.nth(0).select_option("5")
    page.get_by_role("button", name="평가 제출").click()
    expect(page.locator(".alert-success")).to_contain_text("학생 평가가 제출되었습니다")
    expect(page.locator('.evaluation-detail[data-kind="supervisor_final"]')).to_contain_text("A0")

    # The student evaluates the host.
    page = context_factory("ko").new_page()
    sign_in(page, "student@demo.medai-exchange.kr", DEMO_PASSWORD)
    page.goto(path)
    page.locator('.evaluation-row[data-kind="student_host"]').get_by_role("link", name=re.compile("평가하기")).click()
    page.get_by_label("배운 점").select_option("5")
    page.get_by_label("지도와 피드백").select_option("4")
    page.get_by_label("근무 환경").select_option("4")
    page.get_by_label("다른 학생에게 이 실습기관을 추천하겠습니까?").select_option("yes")
    page.get_by_label("의견 – 선택").fill("멘토링이 좋았습니다.")
    assert_accessible(page, "host evaluation form")
    page.get_by_role("button", name="평가 제출").click()
    expect(page.locator(".alert-success")).to_contain_text("실습기관 평가가 제출되었습니다")

    # The exchange manager sees nothing missing and marks the practice completed.
    manager = context_factory("ko").new_page()
    sign_in(manager, "manager@demo.medai-exchange.kr", DEMO_PASSWORD)
    manager.goto(f"/manager/placements/{placement_id}")
    expect(manager.locator(".completion-ready")).to_contain_text("모든 요건을 갖추었습니다")
    accept_dialogs(manager)
    manager.get_by_role("button", name="수료 처리").click()
    expect(manager.locator(".alert-success")).to_be_visible()

    # The student downloads the certificate in Korean.
    page.goto(path)
    code = page.locator(".certificate-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code), code
    screenshot(page, "certificate-issued-ko")
    with page.expect_download() as download:
        page.get_by_role("link", name="이수증 내려받기 – 한국어 PDF").click()
    text = PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages[0].extract_text()
    assert "현장실습 이수증" in text and code in text

    # Anyone checks the code, typed carelessly, without signing in.
    visitor = context_factory("ko").new_page()
    visitor.goto("/certificates/")
    visitor.get_by_label("진위확인 코드").fill(" " + code.lower().replace("-", " ") + " ")
    visitor.get_by_role("button", name="코드 확인").click()
    expect(visitor.locator(".certificate-valid")).to_contain_text("유효한 이수증")
    expect(visitor.locator(".certificate-valid")).to_contain_text(code)
    assert_accessible(visitor, "public certificate check")
    screenshot(visitor, "certificate-check-ko")
    visitor.get_by_label("진위확인 코드").fill("AAAA-BBBB-CCC!")
    visitor.get_by_role("button", name="코드 확인").click()
    expect(visitor.locator(".invalid-feedback")).to_contain_text("코드에 들어갈 수 없습니다")
