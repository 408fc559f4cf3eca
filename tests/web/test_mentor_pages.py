"""The mentor pages as people use them: the manager's allocation (propose, adjust, confirm in one step), a refused
confirmation that keeps every choice and says why beside the student, a stale one (409), reassignment, and the
mentor's home with consultation notes and the grade; statements per page do not grow with the rows."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.models import ConsultationNote, MentorAssignment
from marketplace.services import mentoring
from tests.factories import make_group, make_mentor
from tests.factories_mentoring import approved_placement, mentor_world

SELECT_RE = re.compile(r'<select[^>]*name="(mentor_\d+)"[^>]*>(.*?)</select>', re.S)
SELECTED_RE = re.compile(r'<option value="(\d+)" selected>')
HIDDEN_RE = re.compile(r'<input type="hidden" name="((?:load|proposed)_\d+)" value="(\d*)">')


def _form(html: str) -> tuple[dict[str, str], dict[str, str]]:
    """(selects: name -> selected value, hidden inputs) of the allocation form."""
    selects = {}
    for name, body in SELECT_RE.findall(html):
        chosen = SELECTED_RE.findall(body)
        selects[name] = chosen[0] if chosen else ""
    return selects, dict(HIDDEN_RE.findall(html))


def _login(auth, user):
    response = auth.login(user.email)
    assert response.status_code == 302


def test_the_manager_proposes_adjusts_and_confirms_in_one_step(app, client, auth):
    world = mentor_world(students=3, mentors=2)
    _login(auth, world.manager)
    html = client.get("/manager/mentors/allocate").get_data(as_text=True)
    selects, hidden = _form(html)
    assert set(selects) == {f"mentor_{p.id}" for p in world.placements}
    assert all(selects.values()), "every student has a proposed mentor"
    assert "Field match" in html or "분야 일치" in html
    # The manager moves the first student to the other mentor, then confirms.
    first = f"mentor_{world.placements[0].id}"
    other = next(str(m.id) for m in world.mentors if str(m.id) != selects[first])
    selects[first] = other
    response = auth.post("/manager/mentors/allocate", {**selects, **hidden, "action": "confirm"})
    assert response.status_code == 302
    saved = {f"mentor_{a.placement_id}": str(a.mentor_id) for a in db.session.scalars(select(MentorAssignment))}
    assert saved == selects
    assert "Every approved placement starting in this term has a mentor" in client.get(
        "/manager/mentors/allocate", headers={"Accept-Language": "en"}).get_data(as_text=True) or \
        "지도교수가 있습니다" in client.get("/manager/mentors/allocate").get_data(as_text=True)


def test_a_mentor_over_their_load_is_refused_beside_the_student_with_every_choice_kept(app, client, auth):
    world = mentor_world(students=3, mentors=2, max_load=2)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _login(auth, world.manager)
    selects, hidden = _form(client.get("/manager/mentors/allocate").get_data(as_text=True))
    everyone_to_one = {name: str(world.mentors[0].id) for name in selects}
    response = auth.post("/manager/mentors/allocate", {**everyone_to_one, **hidden, "action": "confirm"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    last = f"mentor_{world.placements[-1].id}"
    assert re.search(rf'id="{last}-error">[^<]*at most 2 students', html)
    kept, _hidden = _form(html)
    assert kept == everyone_to_one  # nothing the manager chose is lost
    assert db.session.scalar(select(MentorAssignment.id)) is None


def test_a_confirmation_from_a_stale_page_is_a_409_and_saves_nothing(app, client, auth):
    world = mentor_world(students=2, mentors=2)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    _login(auth, world.manager)
    selects, hidden = _form(client.get("/manager/mentors/allocate").get_data(as_text=True))
    mentoring.assign_mentor(world.admin, world.placements[0].id, world.mentors[0].id, None)  # another manager
    db.session.commit()
    response = auth.post("/manager/mentors/allocate", {**selects, **hidden, "action": "confirm"})
    assert response.status_code == 409
    assert "meanwhile" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(MentorAssignment)).all()) == 1


def test_proposing_again_keeps_the_managers_changes(app, client, auth):
    world = mentor_world(students=4, mentors=2)
    _login(auth, world.manager)
    selects, hidden = _form(client.get("/manager/mentors/allocate").get_data(as_text=True))
    # Move two students to the mentor who had fewer; the new proposal keeps those two.
    loads = {}
    for value in selects.values():
        loads[value] = loads.get(value, 0) + 1
    fewer = min((str(m.id) for m in world.mentors), key=lambda m: loads.get(m, 0))
    moved = [name for name, value in selects.items() if value != fewer][:1]
    for name in moved:
        selects[name] = fewer
    response = auth.post("/manager/mentors/allocate", {**selects, **hidden, "action": "repropose"})
    assert response.status_code == 200
    again, _hidden = _form(response.get_data(as_text=True))
    assert all(again[name] == fewer for name in moved)


def test_forged_ids_in_the_allocation_form_are_not_found(app, client, auth):
    world = mentor_world(students=1, mentors=1)
    snu = make_group("SNU")
    foreign_mentor, foreign_placement = make_mentor(snu), approved_placement(snu)
    _login(auth, world.manager)
    _selects, hidden = _form(client.get("/manager/mentors/allocate").get_data(as_text=True))
    pid = world.placements[0].id
    assert auth.post("/manager/mentors/allocate", {f"mentor_{pid}": foreign_mentor.id, **hidden,
                                                   "action": "confirm"}).status_code == 404
    assert auth.post("/manager/mentors/allocate", {f"mentor_{foreign_placement.id}": world.mentors[0].id,
                                                   **hidden, "action": "confirm"}).status_code == 404
    assert auth.post("/manager/mentors/allocate", {f"mentor_{pid}": "abc", "load_x": "1",
                                                   "action": "confirm"}).status_code == 400
    assert client.get("/manager/mentors/allocate?start_from=2026-13-01").status_code == 200


def test_reassigning_one_placement_later(app, client, auth):
    world = mentor_world(students=1, mentors=2)
    placement = world.placements[0]
    first, second = world.mentors
    mentoring.assign_mentor(world.manager, placement.id, first.id, None)
    db.session.commit()
    _login(auth, world.manager)
    page = f"/manager/mentors/placements/{placement.id}"
    assert first.display_name in client.get(page).get_data(as_text=True)
    stale = auth.post(page, {"mentor_id": second.id, "expected_mentor_id": ""})
    assert stale.status_code == 409
    response = auth.post(page, {"mentor_id": second.id, "expected_mentor_id": first.id})
    assert response.status_code == 302
    assert mentoring.mentors_for([placement.id])[placement.id].id == second.id


def test_the_mentor_sees_their_student_records_a_consultation_and_grades(app, client, auth):
    world = mentor_world(students=2, mentors=2)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    mine, theirs = world.placements
    mentor, other = world.mentors
    mentoring.assign_mentor(world.manager, mine.id, mentor.id, None)
    mentoring.assign_mentor(world.manager, theirs.id, other.id, None)
    db.session.commit()
    response = auth.login(mentor.email)
    assert response.headers["Location"].endswith("/mentor/")
    home = client.get("/mentor/").get_data(as_text=True)
    assert mine.student.display_name in home and theirs.student.display_name not in home
    assert client.get(f"/mentor/students/{theirs.id}").status_code == 404
    page = f"/mentor/students/{mine.id}"
    assert client.get(page).status_code == 200
    tomorrow = (today_in_seoul() + timedelta(days=1)).isoformat()
    refused = auth.post(f"{page}/notes", {"held_on": tomorrow, "mode": "video", "summary": "Kept as typed"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert re.search(r'id="held_on-error">[^<]*cannot be in the future', html) and "Kept as typed" in html
    saved = auth.post(f"{page}/notes", {"held_on": today_in_seoul().isoformat(), "mode": "video",
                                        "summary": "Discussed the segmentation model."})
    assert saved.status_code == 302
    assert db.session.scalars(select(ConsultationNote)).one().summary == "Discussed the segmentation model."
    version = mentoring.assignments_for([mine.id])[mine.id].version
    bad = auth.post(f"{page}/grade", {"grade": "A++", "grade_comment": "Kept too", "version": version})
    assert bad.status_code == 400 and "Kept too" in bad.get_data(as_text=True)
    good = auth.post(f"{page}/grade", {"grade": "A0", "grade_comment": "", "version": version})
    assert good.status_code == 302
    assert mentoring.grades_for([mine.id]) == {mine.id: "A0"}
    # The manager reads the note and the grade; the company never sees the mentor pages.
    auth.logout()
    _login(auth, world.manager)
    manager_view = client.get(f"/manager/mentors/placements/{mine.id}").get_data(as_text=True)
    assert "Discussed the segmentation model." in manager_view and "A0" in manager_view


def test_allocation_page_and_mentor_home_run_a_fixed_number_of_statements(app, client, auth, count_queries):
    from marketplace.models import ProjectGroup, User

    small = mentor_world(students=2, mentors=2, group_code="PNU")
    group_id, manager_id, admin_id = small.group.id, small.manager.id, small.admin.id
    mentor_id, first_pid = small.mentors[0].id, small.placements[0].id
    _login(auth, small.manager)
    count_queries.page(client, "/manager/mentors/allocate")
    few = count_queries.page(client, "/manager/mentors/allocate")
    group, manager = db.session.get(ProjectGroup, group_id), db.session.get(User, manager_id)
    for _ in range(4):
        approved_placement(group, reviewer=manager)
    make_mentor(group, admin=db.session.get(User, admin_id))
    many = count_queries.page(client, "/manager/mentors/allocate")
    assert many == few
    # The mentor's home: one student or three, the same statements.
    manager = db.session.get(User, manager_id)
    allocation = mentoring.propose_allocation(manager, *mentoring.default_term())
    others = [p.id for p in allocation.open_placements if p.id != first_pid][:2]
    mentoring.confirm_allocation(manager, {first_pid: mentor_id}, allocation.loads)
    db.session.commit()
    auth.logout()
    _login(auth, db.session.get(User, mentor_id))
    count_queries.page(client, "/mentor/")
    one = count_queries.page(client, "/mentor/")
    manager = db.session.get(User, manager_id)
    mentoring.confirm_allocation(manager, dict.fromkeys(others, mentor_id), mentoring.current_loads([mentor_id]))
    db.session.commit()
    three = count_queries.page(client, "/mentor/")
    assert three == one


def test_the_practice_homes_mentor_section_shows_notes_to_the_mentor_and_managers_never_to_the_company(app):
    from flask import render_template
    from flask_babel import force_locale
    from flask_login import login_user

    from tests.factories_companies import manager_of

    world = mentor_world(students=1, mentors=1)
    placement, mentor = world.placements[0], world.mentors[0]
    mentoring.assign_mentor(world.manager, placement.id, mentor.id, None)
    mentoring.add_note(mentor, placement.id, mentoring.NoteData(today_in_seoul(), "phone", "Private consultation"))
    db.session.commit()
    company_manager = manager_of(placement.opening.company)

    def section_as(user) -> str:
        with app.test_request_context("/"), force_locale("en"):
            login_user(user)
            return render_template("practice/_mentor_section.html", placement=placement)

    for reader in (mentor, world.manager, world.admin):
        html = section_as(reader)
        assert mentor.display_name in html and "Private consultation" in html
    for reader in (placement.student, company_manager):
        html = section_as(reader)
        assert mentor.display_name in html and "Private consultation" not in html
    assert "Academic grade" in section_as(placement.student)
    assert "Academic grade" not in section_as(company_manager)
