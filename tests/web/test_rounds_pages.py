"""Matching round pages for every role: set-up, ordering, ranking, run, exclusion, publication, approval."""
from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date
from sqlalchemy import select

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import ApplicationStatus, MatchingRound, PlacementStatus, ProposalStatus, RoundStatus
from marketplace.services import rounds
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group, make_student
from tests.factories_companies import make_company, make_opening, manager_of
from tests.factories_rounds import RoundSetup, close_ranking

EN = {"Accept-Language": "en"}


def page(client, path: str) -> tuple[int, str]:
    response = client.get(path, headers=EN)
    return response.status_code, response.get_data(as_text=True)


def login(auth, user):
    response = auth.login(user.email)
    assert response.status_code == 302


def post(auth, path: str, data: dict | None = None, follow: bool = False):
    return auth.post(path, data, headers=EN, follow_redirects=follow)


def run_and_publish(auth, setup: RoundSetup, publish: bool = True):
    close_ranking(setup.round)
    round_id = setup.round.id
    login(auth, setup.manager)
    assert post(auth, f"/rounds/{round_id}/run").status_code == 302
    if publish:
        assert post(auth, f"/rounds/{round_id}/publish").status_code == 302
    auth.logout()
    return round_id


# -- the exchange manager -----------------------------------------------------------------------------------------


def test_manager_opens_a_round_from_the_form(app, client, auth):
    group = make_group("PNU")
    manager = make_exchange_manager(group)
    opening = make_opening(make_company(groups=[group], reviewer=manager), reviewer=manager, title="Summer ICU AI")
    login(auth, manager)
    status, html = page(client, "/rounds/new")
    assert status == 200 and "Summer ICU AI" in html and 'for="application_deadline"' in html
    status, html = page(client, "/rounds/")
    assert "No matching round yet" in html and "Matching rounds" in html

    response = post(auth, "/rounds/new", {"name": "Summer 2026", "group_id": str(group.id),
                                          "application_deadline": "2099-07-01", "ranking_deadline": "2099-07-10"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose at least one published opening" in html and 'value="Summer 2026"' in html  # nothing lost

    response = post(auth, "/rounds/new", {"name": "Summer 2026", "group_id": str(group.id),
                                          "opening_ids": str(opening.id), "application_deadline": "2099-07-01",
                                          "ranking_deadline": "2099-06-10"})
    assert response.status_code == 400 and "on or after the application deadline" in response.get_data(as_text=True)

    response = post(auth, "/rounds/new", {"name": "Summer 2026", "group_id": str(group.id),
                                          "opening_ids": str(opening.id), "application_deadline": "2099-07-01",
                                          "ranking_deadline": "2099-07-10"})
    assert response.status_code == 302
    created = db.session.scalar(select(MatchingRound))
    assert created.name == "Summer 2026" and [o.id for o in created.openings] == [opening.id]
    status, html = page(client, f"/rounds/{created.id}")
    assert status == 200 and "Ranking progress" in html and "You can run the round from" in html


def test_round_page_names_the_first_day_the_run_button_appears(app, client, auth):
    setup = RoundSetup()
    today = today_in_seoul()
    setup.round.application_deadline = today - timedelta(days=1)
    setup.round.ranking_deadline = today  # today is still a ranking day
    db.session.commit()
    login(auth, setup.manager)
    status, html = page(client, f"/rounds/{setup.round.id}")
    tomorrow = format_date(today + timedelta(days=1), "medium", locale="en")
    assert f"You can run the round from {tomorrow}, the day after the ranking deadline" in html
    assert "Run the round</button>" not in html
    assert post(auth, f"/rounds/{setup.round.id}/run").status_code in (302, 409)
    assert db.session.get(MatchingRound, setup.round.id).status == RoundStatus.OPEN

    setup.round.ranking_deadline = today - timedelta(days=1)  # the first run day is today: the button is there
    db.session.commit()
    status, html = page(client, f"/rounds/{setup.round.id}")
    assert "Run the round</button>" in html and "You can run the round from" not in html


def test_round_pages_are_closed_to_other_roles_and_groups(app, client, auth):
    setup = RoundSetup()
    round_id = setup.round.id
    login(auth, make_exchange_manager(make_group("SNU")))
    assert page(client, f"/rounds/{round_id}")[0] == 404
    assert post(auth, f"/rounds/{round_id}/run").status_code == 404
    assert page(client, "/rounds/999999")[0] == 404
    auth.logout()
    login(auth, setup.s1)
    assert page(client, "/rounds/")[0] == 403
    assert page(client, f"/rounds/{round_id}")[0] == 403
    assert page(client, f"/rounds/{round_id}/openings/{setup.a.id}/ranking")[0] == 403
    auth.logout()
    login(auth, make_student(setup.group))  # not in the round
    assert page(client, f"/rounds/{round_id}/preferences")[0] == 404
    auth.logout()
    login(auth, manager_of(setup.company))
    assert page(client, f"/rounds/{round_id}/openings/{setup.b.id}/ranking")[0] == 404  # another company's
    assert page(client, f"/rounds/{round_id}/preferences")[0] == 403
    assert post(auth, f"/rounds/{round_id}/openings/{setup.b.id}/ranking/{setup.s1_b.id}/move/up").status_code == 404
    auth.logout()
    login(auth, make_admin())
    assert page(client, f"/rounds/{round_id}")[0] == 200
    assert setup.round.name in page(client, "/rounds/")[1]


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    setup = RoundSetup()
    assert client.get(f"/rounds/{setup.round.id}", headers=EN).status_code == 302
    assert client.get("/rounds/mine", headers=EN).status_code == 302


# -- students ----------------------------------------------------------------------------------------------------------


def test_student_orders_applications_with_up_and_down_buttons(app, client, auth):
    setup = RoundSetup()
    round_id = setup.round.id
    login(auth, setup.s1)
    status, html = page(client, "/rounds/mine")
    assert status == 200 and setup.round.name in html and "My rounds" in html
    status, html = page(client, f"/rounds/{round_id}/preferences")
    assert status == 200 and html.index("Opening A") < html.index("Opening B") and "Move down" in html
    response = post(auth, f"/rounds/{round_id}/preferences/{setup.s1_b.id}/up", follow=True)
    html = response.get_data(as_text=True)
    assert "Your order was saved." in html and html.index("Opening B") < html.index("Opening A")
    assert [a.id for a in rounds.student_choices(db.session.get(MatchingRound, round_id), setup.s1)] == \
        [setup.s1_b.id, setup.s1_a.id]

    response = post(auth, f"/rounds/{round_id}/preferences/{setup.s3_b.id}/up", follow=True)
    assert "You did not apply" in response.get_data(as_text=True)
    assert post(auth, f"/rounds/{round_id}/preferences/{setup.s1_b.id}/sideways").status_code == 404
    assert post(auth, "/rounds/999999/preferences/1/up").status_code == 404


def test_students_and_companies_see_no_outcome_before_publication(app, client, auth):
    setup = RoundSetup()
    round_id = run_and_publish(auth, setup, publish=False)
    login(auth, setup.s2)
    status, html = page(client, f"/rounds/{round_id}/preferences")
    assert status == 200
    assert "once the exchange manager publishes it" in html and "You are matched" not in html
    assert "Matched here" not in html and "Move up" not in html
    auth.logout()
    login(auth, manager_of(setup.company))
    status, html = page(client, f"/rounds/{round_id}/openings/{setup.a.id}/ranking")
    assert status == 200 and "once the exchange manager publishes it" in html
    assert "placed in this opening" not in html


# -- companies ---------------------------------------------------------------------------------------------------------


def test_company_orders_applicants_and_marks_one_not_acceptable(app, client, auth):
    setup = RoundSetup()
    round_id, b = setup.round.id, setup.b.id
    cm = manager_of(setup.other_company)
    login(auth, cm)
    status, html = page(client, "/rounds/mine")
    assert "Opening B" in html and "Opening A" not in html
    status, html = page(client, f"/rounds/{round_id}/openings/{b}/ranking")
    names = [setup.s1.display_name, setup.s3.display_name, setup.s2.display_name]
    assert status == 200 and [html.index(n) for n in names] == sorted(html.index(n) for n in names)
    assert "by match score" in html and ">90<" in html

    response = post(auth, f"/rounds/{round_id}/openings/{b}/ranking/{setup.s2_b.id}/move/up", follow=True)
    html = response.get_data(as_text=True)
    assert "The order was saved." in html and html.index(setup.s2.display_name) < html.index(setup.s3.display_name)
    response = post(auth, f"/rounds/{round_id}/openings/{b}/ranking/{setup.s3_b.id}/acceptability/not-acceptable", follow=True)
    html = response.get_data(as_text=True)
    assert "marked as not acceptable" in html and "Not acceptable" in html
    items = rounds.company_applicants(db.session.get(MatchingRound, round_id), setup.b)
    assert [(r.application.id, r.acceptable) for r in items] == [
        (setup.s1_b.id, True), (setup.s2_b.id, True), (setup.s3_b.id, False)]
    response = post(auth, f"/rounds/{round_id}/openings/{b}/ranking/{setup.s3_b.id}/acceptability/acceptable", follow=True)
    assert "acceptable again" in response.get_data(as_text=True)
    other_company_manager = make_company_manager()
    auth.logout()
    login(auth, other_company_manager)
    assert "None of your openings is in a matching round" in page(client, "/rounds/mine")[1]


# -- run, exclude, publish, approve --------------------------------------------------------------------------------------


def test_manager_runs_excludes_publishes_and_approves(app, client, auth):
    setup = RoundSetup()
    close_ranking(setup.round)
    round_id = setup.round.id
    login(auth, setup.manager)
    status, html = page(client, f"/rounds/{round_id}")
    assert "Run the round" in html and "data-confirm" in html
    response = post(auth, f"/rounds/{round_id}/run", follow=True)
    html = response.get_data(as_text=True)
    assert "The round was run." in html
    assert "2 / 3" in html and "Got their first choice" in html
    assert "All seats went to applicants the company ranked higher." in html
    assert "Not needed: a higher choice was matched." in html

    response = post(auth, f"/rounds/{round_id}/run", follow=True)
    assert "already run; exclude a pair to re-run" in response.get_data(as_text=True)

    response = post(auth, f"/rounds/{round_id}/exclude", {"application_id": str(setup.s2_a.id), "reason": ""})
    assert response.status_code == 400 and "Say why this pair is excluded" in response.get_data(as_text=True)
    response = post(auth, f"/rounds/{round_id}/exclude",
                    {"application_id": str(setup.s2_a.id), "reason": "Supervisor is a relative"}, follow=True)
    html = response.get_data(as_text=True)
    assert "run again" in html and "Excluded by the exchange manager." in html and "Supervisor is a relative" in html

    first = rounds.proposals_of(db.session.get(MatchingRound, round_id))[0].id
    response = post(auth, f"/rounds/{round_id}/proposals/{first}/approve", follow=True)
    assert "Publish the round first" in response.get_data(as_text=True)

    response = post(auth, f"/rounds/{round_id}/publish", follow=True)
    assert "The outcome is published" in response.get_data(as_text=True)
    matching_round = db.session.get(MatchingRound, round_id)
    assert matching_round.status == RoundStatus.PUBLISHED
    proposals = {p.student_id: p.id for p in rounds.proposals_of(matching_round)}

    response = post(auth, f"/rounds/{round_id}/proposals/{proposals[setup.s1.id]}/approve", follow=True)
    assert "The placement was approved." in response.get_data(as_text=True)
    response = post(auth, f"/rounds/{round_id}/approve-all", follow=True)
    assert "1 placements approved, 0 could not be approved" in response.get_data(as_text=True)
    approved = {p.student_id: p for p in rounds.proposals_of(db.session.get(MatchingRound, round_id))}
    assert approved[setup.s1.id].status == ProposalStatus.APPROVED
    assert approved[setup.s3.id].placement.status == PlacementStatus.APPROVED
    db.session.refresh(setup.s3_b)
    assert setup.s3_b.status == ApplicationStatus.ACCEPTED
    auth.logout()

    login(auth, setup.s1)
    status, html = page(client, f"/rounds/{round_id}/preferences")
    assert "You are matched with “Opening A”" in html and "approved the placement" in html
    auth.logout()
    login(auth, setup.s2)
    status, html = page(client, f"/rounds/{round_id}/preferences")
    assert "You were not matched in this round" in html and "Excluded by the exchange manager." in html
    auth.logout()
    login(auth, manager_of(setup.other_company))
    status, html = page(client, f"/rounds/{round_id}/openings/{setup.b.id}/ranking")
    assert "placed in this opening" in html and setup.s3.display_name in html
    assert setup.s1.display_name not in html


def test_approve_one_from_another_round_is_not_found(app, client, auth):
    setup = RoundSetup()
    round_id = run_and_publish(auth, setup)
    other_group = make_group("SNU")
    other_manager = make_exchange_manager(other_group)
    proposal_id = rounds.proposals_of(db.session.get(MatchingRound, round_id))[0].id
    login(auth, other_manager)
    assert post(auth, f"/rounds/{round_id}/proposals/{proposal_id}/approve").status_code == 404
    auth.logout()
    login(auth, setup.manager)
    assert post(auth, f"/rounds/{round_id}/proposals/999999/approve").status_code == 404
