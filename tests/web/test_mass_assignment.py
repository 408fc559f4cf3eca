"""Extra posted fields (role, status, company_id, seats, score...) change nothing they should not."""
from marketplace.extensions import db
from marketplace.models import Company, CompanyStatus, Opening, OpeningStatus, Role, User
from tests.conftest import csrf_token
from tests.factories import make_group
from tests.factories_companies import make_company, make_opening, manager_of


def test_registering_with_a_forged_role_still_makes_a_student(client):
    group = make_group("PNU")
    token = csrf_token(client, "/auth/register/student")
    client.post("/auth/register/student", data={
        "csrf_token": token, "display_name": "Sneaky", "email": "sneaky@pusan.ac.kr",
        "password": "Medical-AI-2026", "confirm": "Medical-AI-2026", "group_id": str(group.id),
        "major": "Nursing", "degree_level": "bachelor", "role": "admin", "active": "1",
        "session_token": "chosen-by-attacker", "id": "1"})
    user = db.session.query(User).filter_by(email="sneaky@pusan.ac.kr").one()
    assert user.role == Role.STUDENT
    assert user.session_token != "chosen-by-attacker"


def test_company_edit_cannot_approve_itself_or_move_to_another_company(client, auth):
    pending = make_company(approved=False, name="Pending Co")
    other = make_company(name="Other Co")
    manager = manager_of(pending)
    auth.login(manager.email)
    token = csrf_token(client, "/company/edit")
    client.post("/company/edit", data={
        "csrf_token": token, "name": "Pending Co", "business_number": pending.business_number,
        "sector": "digital_health", "size": "10-49", "group_ids": [str(g.id) for g in pending.partner_groups],
        "status": "approved", "id": str(other.id), "company_id": str(other.id)})
    assert db.session.get(Company, pending.id).status == CompanyStatus.PENDING
    assert db.session.get(Company, other.id).name == "Other Co"


def test_opening_edit_cannot_publish_itself_or_change_its_company(client, auth):
    draft = make_opening(status=OpeningStatus.DRAFT, title="Draft title")
    other_company = make_company()
    auth.login(manager_of(draft.company).email)
    page = f"/company/openings/{draft.id}/edit"
    html = client.get(page, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Draft title" in html
    token = csrf_token(client, page)
    client.post(page, data={"csrf_token": token, "title": "Draft title", "status": "published",
                            "company_id": str(other_company.id), "published_at": "2020-01-01"})
    opening = db.session.get(Opening, draft.id)
    assert opening.status == OpeningStatus.DRAFT
    assert opening.company_id == draft.company_id
    assert opening.published_at is None
