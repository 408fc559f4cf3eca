"""Company side: ranked applicants with explanations and filters, the pipeline, counts, scoping, no N+1."""
from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    DegreeLevel,
    Role,
    StudentProfile,
    StudentSkill,
    User,
)
from marketplace.models.base import utcnow
from marketplace.services.openings import SkillRequirement as Req
from tests.factories import make_admin, make_company_manager, make_exchange_manager, make_group
from tests.factories_applications import make_application, make_skilled_student, move
from tests.factories_companies import make_company, make_opening, manager_of

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_company_manager_sees_applicants_ranked_with_the_reason(client, auth):
    opening = make_opening(skills=[Req("Python", "must", 3), Req("DICOM", "must", 2)])
    weak = make_application(make_skilled_student([("Excel", 3)]), opening)
    strong = make_application(make_skilled_student([("Python", 5), ("DICOM", 4)]), opening)
    auth.login(manager_of(opening.company).email)
    html = client.get(f"/company/openings/{opening.id}/applicants").get_data(as_text=True)
    assert html.index(strong.student.display_name) < html.index(weak.student.display_name)
    assert "missing must-have" in html and "✓" in html and "2 applicants" in html
    filtered = client.get(f"/company/openings/{opening.id}/applicants?musts=1").get_data(as_text=True)
    assert strong.student.display_name in filtered and weak.student.display_name not in filtered
    for query in ["group=NOPE", "degree=x", "status=<script>", "page=-1", "page=abc", "page=99999", "musts=2"]:
        assert client.get(f"/company/openings/{opening.id}/applicants?{query}").status_code == 200, query


def test_ranked_applicants_are_not_found_for_other_companies_and_refused_to_others(client, auth):
    opening = make_opening()
    make_application(opening=opening)
    path = f"/company/openings/{opening.id}/applicants"
    auth.login(manager_of(make_company()).email)
    assert client.get(path).status_code == 404
    assert client.get("/company/openings/999999/applicants").status_code == 404
    auth.logout()
    for user in [make_skilled_student(), make_exchange_manager(make_group("PNU")), make_admin()]:
        auth.login(user.email)
        assert client.get(path).status_code == 403
        auth.logout()
    assert client.get(path).status_code == 302


def _status_counts(html: str) -> dict[str, int]:
    strip = re.search(r'aria-label="Applications per status">(.*?)</ul>', html, re.S).group(1)
    return {label: int(n) for label, n in
            re.findall(r'<span class="badge[^"]*">([^<]+)</span> <span class="fw-semibold">(\d+)</span>', strip)}


def test_the_counts_per_status_follow_each_move_at_once(client, auth):
    """The counts are kept under the applicants stamp with the ranked order: a move or a new applicant rewrites it."""
    opening = make_opening()
    first = make_application(opening=opening)
    auth.login(manager_of(opening.company).email)
    ranked = f"/company/openings/{opening.id}/applicants"
    before = _status_counts(client.get(ranked).get_data(as_text=True))
    assert before["Submitted"] == 1 and before["Shortlisted"] == 0
    path = f"/company/applications/{first.id}"
    assert auth.post(f"{path}/shortlist", form_page=path).status_code == 302
    after = _status_counts(client.get(ranked).get_data(as_text=True))
    assert after["Submitted"] == 0 and after["Shortlisted"] == 1
    make_application(opening=opening)
    db.session.commit()
    assert _status_counts(client.get(ranked).get_data(as_text=True))["Submitted"] == 1


def test_company_moves_an_application_through_the_pipeline(client, auth):
    application = make_application()
    auth.login(manager_of(application.opening.company).email)
    path = f"/company/applications/{application.id}"
    html = client.get(path).get_data(as_text=True)
    assert application.statement in html and "Shortlist" in html and application.student.display_name in html
    assert auth.post(f"{path}/shortlist", form_page=path).status_code == 302
    assert auth.post(f"{path}/offer", form_page=path).status_code == 302
    html = client.get(path).get_data(as_text=True)
    assert "Offer made" in html and "Shortlisted" in html and "waits for the applicant" in html
    response = auth.post(f"{path}/reject", {"message": "Sorry"}, form_page=path)
    assert response.status_code == 409 and "cannot become “Not successful”" in response.get_data(as_text=True)


def test_company_rejects_with_a_message_the_student_reads(client, auth):
    application = make_application()
    auth.login(manager_of(application.opening.company).email)
    path = f"/company/applications/{application.id}"
    assert auth.post(f"{path}/reject", {"message": "We chose a PhD."}, form_page=path).status_code == 302
    auth.logout()
    auth.login(application.student.email)
    html = client.get(f"/student/applications/{application.id}").get_data(as_text=True)
    assert "Not successful" in html and "We chose a PhD." in html


def test_reject_message_too_long_is_shown_beside_the_field(client, auth):
    application = make_application()
    auth.login(manager_of(application.opening.company).email)
    path = f"/company/applications/{application.id}"
    response = auth.post(f"{path}/reject", {"message": "x" * 2500}, form_page=path)
    assert response.status_code == 400 and "Use at most 2000 characters." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.SUBMITTED


def test_other_roles_cannot_see_or_move_an_application(client, auth):
    application = make_application()
    path = f"/company/applications/{application.id}"
    auth.login(manager_of(make_company()).email)
    assert client.get(path).status_code == 404
    assert auth.post(f"{path}/shortlist").status_code == 404
    assert client.get("/company/applications/999999").status_code == 404
    auth.logout()
    auth.login(application.student.email)
    assert client.get(path).status_code == 403
    assert auth.post(f"{path}/shortlist").status_code == 403
    auth.logout()
    auth.login(make_company_manager().email)  # no company at all
    assert client.get(path).status_code == 404
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == ApplicationStatus.SUBMITTED


def test_unknown_action_is_a_bad_request(client, auth):
    application = make_application()
    auth.login(manager_of(application.opening.company).email)
    assert auth.post(f"/company/applications/{application.id}/delete").status_code == 400


def test_company_pages_show_applicant_counts_per_status(client, auth):
    opening = make_opening(title="Pathology AI")
    make_application(opening=opening)
    second = make_application(opening=opening)
    move(manager_of(opening.company), second, "shortlist")
    auth.login(manager_of(opening.company).email)
    html = client.get("/company/openings").get_data(as_text=True)
    assert f"/company/openings/{opening.id}/applicants" in html and "Shortlisted" in html
    html = client.get("/company/").get_data(as_text=True)
    assert "Applicants per opening" in html and "Pathology AI" in html
    html = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert f"/company/openings/{opening.id}/applicants" in html


def test_both_sides_see_the_same_timeline(client, auth):
    application = make_application()
    manager = manager_of(application.opening.company)
    move(manager, application, "shortlist")
    auth.login(manager.email)
    company_html = client.get(f"/company/applications/{application.id}").get_data(as_text=True)
    auth.logout()
    auth.login(application.student.email)
    student_html = client.get(f"/student/applications/{application.id}").get_data(as_text=True)
    for html in (company_html, student_html):
        assert manager.display_name in html and "Submitted → " in html and "Shortlisted" in html


# -- no N+1 -------------------------------------------------------------------------------------------------


SKILLS = ["Python", "PyTorch", "DICOM", "딥러닝", "Statistics", "SQL", "Docker", "R", "EMR", "Pandas", "Quirk"]


def bulk_applicants(opening_id: int, group_id: int, count: int) -> None:
    now = utcnow()
    for n in range(count):
        serial = next(_serial)
        user = User(email=f"bulk{serial}@pusan.ac.kr", password_hash="x", display_name=f"Bulk {serial}",
                    role=Role.STUDENT)
        user.student_profile = StudentProfile(group_id=group_id, major="Medicine", degree_level=DegreeLevel.MASTER)
        user.student_profile.skills = [
            StudentSkill(position=i, name=SKILLS[(n + i) % len(SKILLS)], skill_id=None, display_name="x",
                         level=1 + (n + i) % 5)
            for i in range(4)
        ]
        db.session.add(user)
        db.session.flush()
        db.session.add(Application(opening_id=opening_id, student_id=user.id, statement="s", consent_at=now,
                                   status=ApplicationStatus.SUBMITTED if n % 3 else ApplicationStatus.SHORTLISTED))
    db.session.commit()


def test_ranked_applicants_issue_the_same_number_of_queries_for_5_and_500(client, auth, count_queries):
    group = make_group("PNU")
    opening = make_opening(skills=[Req("Python", "must", 3), Req("Deep learning", "should", 2)])
    auth.login(manager_of(opening.company).email)
    opening_id, group_id = opening.id, group.id
    bulk_applicants(opening_id, group_id, 5)
    path = f"/company/openings/{opening_id}/applicants"
    filtered = path + "?musts=1&group=PNU&status=shortlisted"  # a non-empty page in both cases
    few, few_filtered = count_queries.page(client, path), count_queries.page(client, filtered)
    bulk_applicants(opening_id, group_id, 495)
    assert (count_queries.page(client, path), count_queries.page(client, filtered)) == (few, few_filtered)
    assert db.session.scalar(select(Application.id).where(Application.opening_id == opening_id).limit(1))


def test_an_openings_applicant_counts_are_its_own_not_its_companys(client, auth):
    """The ranked page counts this opening's applicants per status, asking the database for this opening only:
    another opening of the same company never shows in its numbers."""
    opening = make_opening(title="Pathology AI")
    other = make_opening(company=opening.company, title="Radiology AI")
    mine = [make_application(opening=opening) for _ in range(2)]
    move(manager_of(opening.company), mine[1], "shortlist")
    for _ in range(3):
        make_application(opening=other)
    auth.login(manager_of(opening.company).email)
    for target, expected in ((opening, {"Submitted": 1, "Shortlisted": 1}), (other, {"Submitted": 3, "Shortlisted": 0})):
        html = client.get(f"/company/openings/{target.id}/applicants").get_data(as_text=True)
        summary = html[html.index('class="list-inline'):]
        summary = summary[:summary.index("</ul>")]
        for label, count in expected.items():
            assert re.search(rf"{label}</span>\s*<span class=\"fw-semibold\">{count}</span>", summary), (label, summary)
