"""The medical-AI contest in Korean, in a real browser: the PNU exchange manager opens a contest with a rubric, a
verified student forms a team and invites a classmate by address, who accepts from the notification; the team
submits its report; after the deadline a judge scores (an out-of-range score is refused beside its field) and the
results are published with ranks, the award and the tie rule."""
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_foundation_journeys import DEMO_PASSWORD, sign_in
from tests.browser.test_student_journey import COMPANY, MANAGER, accept_dialogs, register_student
from tests.factories_contests import report_pdf

SEOUL = ZoneInfo("Asia/Seoul")


def _local(moment: datetime) -> str:
    return moment.astimezone(SEOUL).strftime("%Y-%m-%dT%H:%M")


def test_a_contest_from_team_formation_to_results_in_korean(context_factory, confirm_email, live_workdir, tmp_path):
    manager_ctx, captain_ctx, mate_ctx, judge_ctx = (context_factory("ko") for _ in range(4))
    manager, captain, mate, judge = (c.new_page() for c in (manager_ctx, captain_ctx, mate_ctx, judge_ctx))
    for page in (manager, captain, mate, judge):
        accept_dialogs(page)
    now = datetime.now(timezone.utc)

    # The exchange manager creates the contest, adds the rubric, invites a judge and opens it.
    sign_in(manager, MANAGER, DEMO_PASSWORD)
    manager.goto("/contests/new")
    manager.locator("#title").fill("2026 의료 AI 경진대회 9101")
    manager.locator("#theme").fill("흉부 X선 판독 보조")
    manager.locator("#tracks").fill("영상\n임상 자연어")
    manager.locator("input[name=group_ids]").first.check()
    manager.locator("#registration_opens_at").fill(_local(now - timedelta(days=1)))
    manager.locator("#registration_closes_at").fill(_local(now + timedelta(days=5)))
    manager.locator("#submission_deadline").fill(_local(now + timedelta(days=10)))
    manager.locator("#judging_ends_at").fill(_local(now + timedelta(days=15)))
    manager.locator("#results_at").fill(_local(now + timedelta(days=16)))
    manager.locator("#awards").fill("대상\n우수상")
    manager.locator("main form button[type=submit]").first.click()
    expect(manager.locator(".alert-success")).to_be_visible()
    contest_url = re.search(r"/contests/\d+$", manager.url).group(0)
    contest_id = int(contest_url.rsplit("/", 1)[1])
    manager.locator("#name").fill("임상적 가치")
    manager.locator("#weight").fill("3")
    manager.locator("button", has_text="평가 항목 추가").click()
    expect(manager.locator(".alert-success")).to_be_visible()
    manager.locator("#email").fill(COMPANY)
    manager.locator("button", has_text="심사위원 초대").click()
    expect(manager.locator(".alert-success")).to_be_visible()
    manager.locator("button", has_text="경진대회 열기").click()
    expect(manager.locator(".alert-success")).to_contain_text("다음 단계로")

    # Two PNU students verified by their university addresses; one forms the team and invites the other.
    register_student(captain, "ko", "contest.captain.9101@pusan.ac.kr", "박지훈")
    confirm_email(captain, "contest.captain.9101@pusan.ac.kr")
    register_student(mate, "ko", "contest.mate.9101@pusan.ac.kr", "최유나")
    confirm_email(mate, "contest.mate.9101@pusan.ac.kr")
    captain.goto(contest_url)
    captain.locator("#name").fill("흉부 판독팀")
    captain.locator("button", has_text="팀 만들기").click()
    expect(captain.locator(".alert-success")).to_be_visible()
    captain.locator("#email").fill("contest.mate.9101@pusan.ac.kr")
    captain.locator("button", has_text="초대").last.click()
    expect(captain.locator(".alert-success")).to_contain_text("초대를 보냈습니다")

    mate.goto("/notifications/")
    expect(mate.locator("main")).to_contain_text("흉부 판독팀")
    mate.goto(contest_url)
    expect(mate.locator(".contest-invitation")).to_contain_text("흉부 판독팀")
    mate.locator(".contest-invitation button", has_text="수락").click()
    expect(mate.locator(".alert-success")).to_contain_text("팀에 합류했습니다")
    expect(mate.locator(".team-members")).to_contain_text("박지훈")
    assert_accessible(mate, "contest team page")
    screenshot(mate, "contest-team-ko")

    # The captain submits the report.
    report = tmp_path / "보고서.pdf"
    report.write_bytes(report_pdf())
    captain.reload()
    captain.locator("#report").set_input_files(str(report))
    captain.locator("button", has_text="이 버전 제출").click()
    expect(captain.locator(".alert-success")).to_be_visible()
    expect(captain.locator(".contest-submissions")).to_contain_text("v1")

    # The deadline passes (the clock moves on: the deadline is put in the past in the live database).
    with sqlite3.connect(live_workdir / "live.sqlite") as connection:
        past = (now - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
        connection.execute("UPDATE contest SET submission_deadline = ? WHERE id = ?", (past, contest_id))
    manager.goto(contest_url)
    manager.locator("button", has_text="심사 시작").click()
    manager.locator("#per_team").fill("1")
    manager.locator("button", has_text="제출물을 심사위원에게 배정").click()
    expect(manager.locator(".alert-success")).to_be_visible()

    # The judge scores: 11 is outside 0–10 and is refused beside the field, with what was typed kept.
    sign_in(judge, COMPANY, DEMO_PASSWORD)
    judge.goto(f"/contests/{contest_id}/judging")
    judge.locator("a", has_text="흉부 판독팀").click()
    field = judge.locator("input[type=number]").first
    field.fill("11")
    judge.locator("#comment").fill("임상 적용 가능성이 높습니다")
    judge.locator("button", has_text="점수 저장").click()
    expect(judge.locator(".invalid-feedback").first).to_contain_text("0부터 10까지의 정수를 입력하세요")
    expect(judge.locator("#comment")).to_have_value("임상 적용 가능성이 높습니다")
    assert_accessible(judge, "scoring with an error")
    screenshot(judge, "contest-score-error-ko")
    for index in range(judge.locator("input[type=number]").count()):
        judge.locator("input[type=number]").nth(index).fill("8")
    judge.locator("button", has_text="점수 저장").click()
    expect(judge.locator(".alert-success")).to_contain_text("점수가 저장되었습니다")

    # Results: hidden from the team until published, then ranked with the award and the tie rule.
    assert captain.goto(f"/contests/{contest_id}/results").status == 404
    manager.goto(contest_url)
    manager.locator("button", has_text="결과 발표하기").click()
    expect(manager.locator(".alert-success")).to_be_visible()
    captain.goto(f"/contests/{contest_id}/results")
    expect(captain.locator(".contest-results")).to_contain_text("흉부 판독팀")
    expect(captain.locator(".contest-results")).to_contain_text("대상")
    expect(captain.locator(".tie-rule")).to_contain_text("첫 번째 평가 항목")
    assert_accessible(captain, "contest results")
    screenshot(captain, "contest-results-ko")
