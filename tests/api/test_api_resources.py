"""The JSON API's resources behave as the pages do: same filters, same scope, same rules and messages."""
from __future__ import annotations

from datetime import timedelta

from marketplace.extensions import db
from marketplace.models import Application, ApplicationStatus, OpeningStatus, Placement, PlacementStatus
from marketplace.models.base import utcnow
from marketplace.services import applications
from tests.api.conftest import bearer, make_token
from tests.factories import make_exchange_manager, make_group
from tests.factories_applications import make_application, make_skilled_student, move
from tests.factories_companies import make_company, make_opening, manager_of

EN = {"Accept-Language": "en"}


def test_public_openings_need_no_token_and_take_the_public_pages_filters(api):
    company = make_company()
    intern = make_opening(company, title="CT segmentation intern")
    research = make_opening(company, kind="research_project", title="Pathology foundation model")
    make_opening(company, status=OpeningStatus.DRAFT, title="Secret draft")

    everything = api.get("/api/v1/openings")
    assert everything.status_code == 200 and everything.content_type == "application/json"
    titles = {o["title"] for o in everything.get_json()["items"]}
    assert titles == {intern.title, research.title}

    only_research = api.get("/api/v1/openings?kind=research_project").get_json()
    assert [o["id"] for o in only_research["items"]] == [research.id]
    by_words = api.get("/api/v1/openings?q=pathology").get_json()
    assert [o["id"] for o in by_words["items"]] == [research.id]
    item = only_research["items"][0]
    assert item["company"] == {"id": company.id, "name": company.name}
    assert item["seats_left"] == research.seats and item["accepting_applications"] is True
    assert {s["name"] for s in item["skills"]} == {"Python", "PyTorch"}


def test_a_draft_is_404_publicly_and_visible_to_its_company_with_read_openings(api):
    company = make_company()
    draft = make_opening(company, status=OpeningStatus.DRAFT)
    assert api.get(f"/api/v1/openings/{draft.id}").status_code == 404
    narrow = make_token(manager_of(company), "read:applications")
    assert api.get(f"/api/v1/openings/{draft.id}", headers=bearer(narrow)).status_code == 404
    wide = make_token(manager_of(company), "read:openings")
    response = api.get(f"/api/v1/openings/{draft.id}", headers=bearer(wide))
    assert response.status_code == 200 and response.get_json()["status"] == "draft"
    stranger = make_token(manager_of(make_company()), "read:openings")
    assert api.get(f"/api/v1/openings/{draft.id}", headers=bearer(stranger)).status_code == 404


def test_companies_list_shows_approved_ones_and_detail_hides_pending_ones(api):
    approved = make_company(name="Approved Bio")
    pending = make_company(name="Pending Bio", approved=False)
    names = [c["name"] for c in api.get("/api/v1/companies").get_json()["items"]]
    assert "Approved Bio" in names and "Pending Bio" not in names
    assert api.get(f"/api/v1/companies/{approved.id}").get_json()["partner_groups"] == ["PNU"]
    assert api.get(f"/api/v1/companies/{pending.id}").status_code == 404
    own = make_token(manager_of(pending), "read:openings")
    assert api.get(f"/api/v1/companies/{pending.id}", headers=bearer(own)).get_json()["status"] == "pending"


def test_pages_carry_next_links_in_the_body_and_the_link_header(api):
    company = make_company()
    made = [make_opening(company) for _ in range(3)]
    first = api.get("/api/v1/openings?per_page=2&kind=internship")
    body = first.get_json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 2
    assert first.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in first.headers["Link"] and "kind=internship" in body["links"]["next"]
    second = api.get(body["links"]["next"]).get_json()
    assert second["links"]["next"] is None and len(second["items"]) == 1
    seen = {o["id"] for o in body["items"]} | {o["id"] for o in second["items"]}
    assert seen == {o.id for o in made}
    past_the_end = api.get("/api/v1/openings?page=9&per_page=2").get_json()
    assert past_the_end["items"] == [] and past_the_end["total"] == 3


def test_reads_answer_304_to_a_matching_if_none_match_and_200_after_a_change(api):
    company = make_company()
    opening = make_opening(company)
    first = api.get(f"/api/v1/openings/{opening.id}")
    etag = first.headers["ETag"]
    again = api.get(f"/api/v1/openings/{opening.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    assert first.headers["Cache-Control"] == "no-cache" and "Authorization" in first.headers["Vary"]
    listed = api.get("/api/v1/openings")
    assert api.get("/api/v1/openings", headers={"If-None-Match": listed.headers["ETag"]}).status_code == 304
    opening.title = "Renamed intern"
    db.session.commit()
    changed = api.get(f"/api/v1/openings/{opening.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["title"] == "Renamed intern"


def test_updated_since_keeps_what_changed_for_sync_jobs(api):
    company = make_company()
    old, fresh = make_opening(company), make_opening(company)
    old.updated_at = utcnow() - timedelta(days=3)
    db.session.commit()
    since = (utcnow() - timedelta(days=1)).isoformat()
    body = api.get("/api/v1/openings", query_string={"updated_since": since}).get_json()
    assert [o["id"] for o in body["items"]] == [fresh.id]
    naive = api.get("/api/v1/openings?updated_since=2026-01-01T00:00:00")
    assert naive.status_code == 422


# -- students: their own applications ------------------------------------------------------------------------


def test_student_applies_with_consent_reads_and_withdraws(api):
    opening = make_opening(make_company(), degree_levels=[], majors=[])
    student = make_skilled_student()
    token = make_token(student)
    created = api.post("/api/v1/applications", headers=bearer(token),
                       json={"opening_id": opening.id, "statement": "I segment CT scans.", "consent": True})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert created.headers["Location"].endswith(f"/api/v1/applications/{body['id']}")
    assert body["status"] == "submitted" and body["match"]["has_all_musts"] is True
    assert body["match"]["details"][0]["explanation"]
    assert api.get(f"/api/v1/applications/{body['id']}", headers=bearer(token)).get_json()["id"] == body["id"]
    listed = api.get("/api/v1/applications", headers=bearer(token))
    assert [a["id"] for a in listed.get_json()["items"]] == [body["id"]]
    assert listed.headers["Cache-Control"] == "private, no-cache"

    twice = api.post("/api/v1/applications", headers=bearer(token, **EN),
                     json={"opening_id": opening.id, "statement": "Again", "consent": True})
    assert twice.status_code == 409 and twice.get_json()["detail"] == "You have already applied to this opening."

    gone = api.post(f"/api/v1/applications/{body['id']}/withdraw", headers=bearer(token))
    assert gone.status_code == 200 and gone.get_json()["status"] == "withdrawn"
    again = api.post(f"/api/v1/applications/{body['id']}/withdraw", headers=bearer(token))
    assert again.status_code == 409 and again.content_type == "application/problem+json"


def test_applying_without_consent_or_with_wrong_types_changes_nothing(api):
    opening = make_opening(make_company(), degree_levels=[], majors=[])
    token = make_token(make_skilled_student())
    no_consent = api.post("/api/v1/applications", headers=bearer(token, **EN),
                          json={"opening_id": opening.id, "statement": "Hi", "consent": False})
    assert no_consent.status_code == 422
    assert no_consent.get_json()["errors"] == [
        {"field": "consent", "message": "Tick the consent box: the company may only see your profile with it."}]
    wrong = api.post("/api/v1/applications", headers=bearer(token),
                     json={"opening_id": str(opening.id), "statement": 5, "consent": "yes"})
    assert wrong.status_code == 422
    assert {e["field"] for e in wrong.get_json()["errors"]} == {"opening_id", "statement", "consent"}
    extra = api.post("/api/v1/applications", headers=bearer(token),
                     json={"opening_id": opening.id, "statement": "Hi", "consent": True, "status": "accepted"})
    assert extra.status_code == 422 and extra.get_json()["errors"][0]["field"] == "status"
    malformed = api.post("/api/v1/applications", headers=bearer(token, **{"Content-Type": "application/json"}),
                         data=b'{"opening_id": 1,')
    assert malformed.status_code == 422 and malformed.content_type == "application/problem+json"
    assert db.session.query(Application).count() == 0


def test_a_student_cannot_see_another_students_application(api):
    application = make_application()
    other = make_token(make_skilled_student())
    assert api.get(f"/api/v1/applications/{application.id}", headers=bearer(other)).status_code == 404
    assert api.post(f"/api/v1/applications/{application.id}/withdraw", headers=bearer(other)).status_code == 404
    db.session.refresh(application)
    assert application.status == ApplicationStatus.SUBMITTED


# -- company managers: ranked applicants ---------------------------------------------------------------------


def test_company_sees_its_applicants_ranked_with_the_match_explanation(api):
    company = make_company()
    opening = make_opening(company, degree_levels=[], majors=[])
    strong = make_application(make_skilled_student(skills=(("Python", 5), ("PyTorch", 5))), opening)
    weak = make_application(make_skilled_student(skills=(("Excel", 3),)), opening)
    token = make_token(manager_of(company))
    body = api.get(f"/api/v1/openings/{opening.id}/applicants", headers=bearer(token, **EN)).get_json()
    assert [a["application_id"] for a in body["items"]] == [strong.id, weak.id]
    assert [a["rank"] for a in body["items"]] == [1, 2]
    top = body["items"][0]
    assert top["shared"] is True and top["student"]["group"] == "PNU"
    python = next(d for d in top["match"]["details"] if d["requirement"] == "Python")
    assert python["kind"] == "exact" and python["explanation"].startswith("Python: ")
    assert body["items"][1]["match"]["has_all_musts"] is False
    musts = api.get(f"/api/v1/openings/{opening.id}/applicants?musts=true", headers=bearer(token)).get_json()
    assert [a["application_id"] for a in musts["items"]] == [strong.id]

    other_company = make_token(manager_of(make_company()))
    assert api.get(f"/api/v1/openings/{opening.id}/applicants", headers=bearer(other_company)).status_code == 404


def test_withdrawn_applicants_are_listed_last_without_their_profile(api):
    company = make_company()
    opening = make_opening(company, degree_levels=[], majors=[])
    student = make_skilled_student()
    application = make_application(student, opening)
    move(student, application, "withdraw")
    body = api.get(f"/api/v1/openings/{opening.id}/applicants", headers=bearer(make_token(manager_of(company))))
    row = body.get_json()["items"][0]
    assert row["shared"] is False and row["student"] is None and row["statement"] is None and row["match"] is None


# -- exchange managers: placements ---------------------------------------------------------------------------


def _pending_placement(opening=None):
    opening = opening or make_opening(make_company(), degree_levels=[], majors=[], seats=1)
    student = make_skilled_student()
    application = make_application(student, opening)
    company_manager = manager_of(opening.company)
    move(company_manager, application, "shortlist")
    applications.make_offer(company_manager, application, "", confirm_over_seats=True)
    db.session.commit()
    move(student, application, "accept")
    return db.session.query(Placement).filter_by(application_id=application.id).one()


def test_manager_approves_with_the_consoles_message_and_a_second_approval_is_409(api):
    placement = _pending_placement()
    manager = make_exchange_manager(make_group("PNU"))
    token = make_token(manager)
    listed = api.get("/api/v1/placements?status=pending", headers=bearer(token)).get_json()
    assert [p["id"] for p in listed["items"]] == [placement.id]
    assert listed["items"][0]["conflicts"] == []
    done = api.post(f"/api/v1/placements/{placement.id}/approve", headers=bearer(token, **EN), json={})
    assert done.status_code == 200, done.get_data(as_text=True)
    body = done.get_json()
    assert body["placement"]["status"] == "approved"
    assert body["message"] == (f"The placement of {placement.student.display_name} in “{placement.opening.title}” "
                               "is approved.")
    again = api.post(f"/api/v1/placements/{placement.id}/approve", headers=bearer(token, **EN), json={})
    assert again.status_code == 409
    assert again.get_json()["detail"] == "This placement request was already approved; nothing was changed."


def test_approving_beyond_the_seats_is_409_with_the_consoles_reason(api):
    opening = make_opening(make_company(), degree_levels=[], majors=[], seats=1)
    first, second = _pending_placement(opening), _pending_placement(opening)
    token = make_token(make_exchange_manager(make_group("PNU")))
    assert api.post(f"/api/v1/placements/{first.id}/approve", headers=bearer(token), json={}).status_code == 200
    full = api.post(f"/api/v1/placements/{second.id}/approve", headers=bearer(token, **EN), json={"note": "ok"})
    assert full.status_code == 409
    assert "The opening is full: all 1 seats are taken." in full.get_json()["detail"]
    db.session.refresh(second)
    assert second.status == PlacementStatus.PENDING


def test_returning_needs_a_reason_beside_the_note_field(api):
    placement = _pending_placement()
    token = make_token(make_exchange_manager(make_group("PNU")))
    empty = api.post(f"/api/v1/placements/{placement.id}/return", headers=bearer(token, **EN), json={"note": " "})
    assert empty.status_code == 422
    assert empty.get_json()["errors"] == [
        {"field": "note", "message": "Say why the request is returned; the student and the company read it."}]
    done = api.post(f"/api/v1/placements/{placement.id}/return", headers=bearer(token),
                    json={"note": "Dates overlap with the semester."})
    assert done.status_code == 200 and done.get_json()["placement"]["status"] == "returned"
    assert done.get_json()["placement"]["note"] == "Dates overlap with the semester."


def test_another_groups_manager_gets_404_and_nothing_changes(api):
    placement = _pending_placement()
    other = make_token(make_exchange_manager(make_group("SNU")))
    assert api.get(f"/api/v1/placements/{placement.id}", headers=bearer(other)).status_code == 404
    assert api.post(f"/api/v1/placements/{placement.id}/approve", headers=bearer(other), json={}).status_code == 404
    assert api.get("/api/v1/placements", headers=bearer(other)).get_json()["items"] == []
    db.session.refresh(placement)
    assert placement.status == PlacementStatus.PENDING


def test_the_token_endpoint_names_owner_and_scopes(api):
    student = make_skilled_student()
    token = make_token(student, "read:applications")
    body = api.get("/api/v1/token", headers=bearer(token)).get_json()
    assert body["scopes"] == ["read:applications"] and body["user"]["id"] == student.id
    assert api.get("/api/v1/token").status_code == 401
