"""A national-programme-sized data set for benchmarks (`flask --app wsgi seed --scale`), written in bulk.

10,000 students with 10 skills each (names as people type them, Korean and English, from seeds/skills.json),
500 approved companies with one manager each, 5,000 published openings of 3-8 requirements, 50,000
applications (2,000 of them to one opening of the demo company), 2,000 placements and an audit event per
record. Rows go in with Core multi-row inserts and ids assigned here, so the whole set takes seconds, not the
hours the services would need; it is demo data on top of `seed_demo` (whose accounts sign in as usual). Every
scale account shares the demo password. Run it on an empty database (after `flask seed`): a second run refuses.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from marketplace.clock import today_in_seoul
from marketplace.extensions import db
from marketplace.matching import vocabulary
from marketplace.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Company,
    CompanyMembership,
    CompanySize,
    CompanyStatus,
    DegreeLevel,
    Importance,
    MembershipStatus,
    Opening,
    OpeningKind,
    OpeningSearch,
    OpeningSkill,
    OpeningStatus,
    Placement,
    PlacementStatus,
    ProjectGroup,
    Role,
    Sector,
    StudentProfile,
    StudentSkill,
    User,
    VerificationStatus,
    VerifiedVia,
    WorkMode,
    opening_groups,
)
from marketplace.models.base import utcnow
from marketplace.models.companies import company_groups
from marketplace.models.users import new_session_token

SCALE_MARK = "scale."  # every scale account's e-mail starts with this
CHUNK = 2_000


@dataclass(frozen=True)
class ScaleSize:
    students: int = 10_000
    companies: int = 500
    openings: int = 5_000
    applications: int = 50_000
    placements: int = 2_000
    flagship_applicants: int = 2_000  # applicants of one opening of the demo company (the ranked-applicants page)
    skills_per_student: int = 10


FULL = ScaleSize()

_PLACES = ["Busan", "부산", "Seoul", "서울", "Suwon", "수원", "Chuncheon", "춘천", "Yangsan", "양산", "Daejeon",
           "대전", "Seongnam", "성남", "Incheon", "인천"]
_TOPICS = [("Chest CT segmentation", "흉부 CT 분할"), ("Pathology slide classification", "병리 슬라이드 분류"),
           ("EHR outcome prediction", "전자의무기록 예후 예측"), ("Wearable ECG analysis", "웨어러블 심전도 분석"),
           ("Clinical NLP for discharge notes", "퇴원 기록 임상 자연어처리"), ("Drug–target interaction", "약물-표적 상호작용"),
           ("Retinal fundus screening", "안저 영상 선별"), ("Hospital data platform", "병원 데이터 플랫폼"),
           ("Dental X-ray detection", "치과 X선 검출"), ("Sleep apnea from audio", "음성 기반 수면무호흡 탐지")]
_KINDS = [OpeningKind.INTERNSHIP, OpeningKind.RESEARCH_PROJECT, OpeningKind.PRACTICE_COURSE]
_FAMILIES = {"programming", "ml", "deep_learning", "ml_frameworks", "imaging", "clinical_data", "statistics", "cloud"}


def _business_number(n: int) -> str:
    from marketplace.services.companies import business_number_check_digit

    body = f"{900000000 + n:09d}"
    return body + str(business_number_check_digit(body))


def _typed(rng: random.Random, skill) -> str:
    """A skill name as a person types it: any of its names, sometimes in another case."""
    name = rng.choice(skill.names) or skill.name
    return (name.lower() if rng.random() < 0.15 else name)[:100]


class _Ids:
    """Explicit primary keys, continuing after the rows already there."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def take(self, model, n: int) -> range:
        table = model.__table__
        start = self.next.get(table.name)
        if start is None:
            start = (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
        self.next[table.name] = start + n
        return range(start, start + n)


def _insert(table, rows: list[dict]) -> None:
    for i in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[i:i + CHUNK])


def _fix_sequences(tables) -> None:
    """PostgreSQL: the id sequences continue after the ids written here."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        highest = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 1)).scalar_subquery()
        db.session.execute(sa.select(sa.func.setval(sa.func.pg_get_serial_sequence(f'"{table.name}"', "id"), highest)))


def refresh_statistics() -> None:
    """Fresh planner statistics after the bulk load (as after any restore; commit the load first). Without them,
    before autovacuum came round, PostgreSQL planned the openings search over 5,000 rows at 1.1 s instead of 42 ms;
    SQLite keeps its statistics in sqlite_stat1 only after an ANALYZE."""
    with db.engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))
        connection.commit()


def seed_scale(size: ScaleSize = FULL, seed: int = 20261129) -> dict[str, int]:
    """Write the scale data set (flushes, never commits). Returns how many rows of each kind."""
    from marketplace.seeding import load_json
    from marketplace.services import search
    from marketplace.services.passwords import hash_password

    if db.session.scalar(sa.select(User.id).where(User.email.like(SCALE_MARK + "%")).limit(1)) is not None:
        raise RuntimeError("The scale data set is already there.")
    rng = random.Random(seed)
    ids = _Ids()
    now = utcnow()
    today = today_in_seoul()
    demo = load_json("demo.json")
    password_hash = hash_password(demo["password"])
    group_rows = list(db.session.execute(sa.select(ProjectGroup.id, ProjectGroup.code, ProjectGroup.email_domains)
                                         .order_by(ProjectGroup.id)))
    if not group_rows:
        raise RuntimeError("Seed the project groups first (flask --app wsgi seed).")
    group_ids = [g.id for g in group_rows]
    domains = {g.id: (g.email_domains or "example.ac.kr").split()[0].split(",")[0] for g in group_rows}
    admin_id = db.session.scalar(sa.select(User.id).where(User.role == Role.ADMIN).order_by(User.id))
    skills = vocabulary().skills
    popular = [s for s in skills if s.family in _FAMILIES] or list(skills)
    majors = ["Medical Artificial Intelligence", "Computer Science and Engineering", "Nursing", "Medicine",
              "Biomedical Engineering", "Data Science", "의료인공지능학과", "간호학과", "의학과", "의공학과"]

    # -- students ------------------------------------------------------------------------------------------
    user_rows, profile_rows, skill_rows = [], [], []
    student_ids = list(ids.take(User, size.students))
    profile_ids = ids.take(StudentProfile, size.students)
    skill_ids = iter(ids.take(StudentSkill, size.students * size.skills_per_student))
    student_group = {}
    for n, (uid, pid) in enumerate(zip(student_ids, profile_ids)):
        group_id = group_ids[n % len(group_ids)]
        student_group[uid] = group_id
        user_rows.append({"id": uid, "email": f"{SCALE_MARK}student{n}@{domains[group_id]}",
                          "password_hash": password_hash, "display_name": f"학생 {n} (Student {n})",
                          "role": Role.STUDENT, "active": True, "session_token": new_session_token(),
                          "created_at": now})
        profile_rows.append({"id": pid, "user_id": uid, "group_id": group_id, "major": rng.choice(majors),
                             "degree_level": rng.choice(list(DegreeLevel)), "year": rng.randint(1, 4),
                             "hours_per_week": rng.choice([10, 15, 20, 30, 40]), "created_at": now,
                             "updated_at": now, "version": 1,
                             # Scale students are verified members of their group, so companies see them.
                             "verification_status": VerificationStatus.VERIFIED,
                             "verified_via": VerifiedVia.MANAGER, "verified_at": now})
        chosen = rng.sample(popular, min(6, len(popular)))
        chosen += rng.sample([s for s in skills if s not in chosen], size.skills_per_student - len(chosen))
        for position, skill in enumerate(chosen):
            skill_rows.append({"id": next(skill_ids), "profile_id": pid, "position": position,
                               "name": _typed(rng, skill), "skill_id": skill.id, "display_name": skill.name,
                               "level": rng.randint(1, 5)})

    # -- companies and their managers ----------------------------------------------------------------------
    company_ids = list(ids.take(Company, size.companies))
    manager_ids = list(ids.take(User, size.companies))
    membership_ids = ids.take(CompanyMembership, size.companies)
    company_rows, membership_rows, partner_rows = [], [], []
    company_partners: dict[int, list[int]] = {}
    for n, (cid, mid, msid) in enumerate(zip(company_ids, manager_ids, membership_ids)):
        user_rows.append({"id": mid, "email": f"{SCALE_MARK}company{n}@example.co.kr", "password_hash": password_hash,
                          "display_name": f"담당자 {n} (Manager {n})", "role": Role.COMPANY_MANAGER, "active": True,
                          "session_token": new_session_token(), "created_at": now})
        company_rows.append({"id": cid, "name": f"메디AI {n} (MediAI {n})", "business_number": _business_number(n),
                             "sector": rng.choice(list(Sector)), "size": rng.choice(list(CompanySize)),
                             "description": "Bio-health company of the scale data set.", "status": CompanyStatus.APPROVED,
                             "created_by_id": mid, "reviewed_by_id": admin_id, "reviewed_at": now, "created_at": now,
                             "updated_at": now, "version": 1,
                             # Scale students are verified members of their group, so companies see them.
                             "verification_status": VerificationStatus.VERIFIED,
                             "verified_via": VerifiedVia.MANAGER, "verified_at": now})
        membership_rows.append({"id": msid, "user_id": mid, "company_id": cid, "status": MembershipStatus.ACTIVE,
                                "requested_at": now, "decided_at": now})
        partners = rng.sample(group_ids, rng.randint(1, min(3, len(group_ids))))
        company_partners[cid] = partners
        partner_rows += [{"company_id": cid, "group_id": g} for g in partners]

    # The demo company (run by company@demo...) gets the opening with the many applicants.
    demo_company_id = db.session.scalar(
        sa.select(CompanyMembership.company_id).join(User, User.id == CompanyMembership.user_id)
        .where(User.email == demo["company_managers"][0]["email"], CompanyMembership.status == MembershipStatus.ACTIVE))

    # -- openings -----------------------------------------------------------------------------------------
    opening_ids = list(ids.take(Opening, size.openings))
    opening_rows, requirement_rows, eligible_rows, search_rows = [], [], [], []
    requirement_ids = iter(ids.take(OpeningSkill, size.openings * 8))
    opening_groups_of: dict[int, list[int]] = {}
    seats_of: dict[int, int] = {}
    start_of = {}
    for n, oid in enumerate(opening_ids):
        flagship = n == 0 and demo_company_id is not None
        cid = demo_company_id if flagship else company_ids[n % len(company_ids)]
        partners = company_partners.get(cid) or group_ids
        eligible = partners if flagship else rng.sample(partners, rng.randint(1, len(partners)))
        english, korean = rng.choice(_TOPICS)
        title = f"{english} · {korean} #{n}"
        location = rng.choice(_PLACES)
        mode = rng.choice(list(WorkMode))
        start = today + timedelta(days=rng.randint(30, 120))
        seats = rng.randint(1, 5) if not flagship else 5
        seats_of[oid] = seats
        start_of[oid] = start
        opening_groups_of[oid] = eligible
        published = now - timedelta(minutes=n)
        description = (f"{english}: {korean} 과제입니다. Work with clinicians in {location} on real data; "
                       f"weekly reviews with the supervisor. " * 3)
        opening_rows.append({
            "id": oid, "company_id": cid, "kind": rng.choice(_KINDS), "title": title, "description": description,
            "status": OpeningStatus.PUBLISHED, "review_note": "", "seats": seats, "work_mode": mode,
            "location": location, "start_date": start, "end_date": start + timedelta(days=rng.choice([60, 90, 180])),
            "hours_per_week": rng.choice([10, 15, 20, 30, 40]), "stipend_krw": rng.choice([0, 500_000, 1_000_000,
                                                                                            1_500_000, 2_000_000]),
            "deadline": today + timedelta(days=rng.randint(-10, 60)) if not flagship else today + timedelta(days=30),
            "supervisor_name": "Dr. Scale", "degree_levels": rng.choice(["", "", "master,phd", "bachelor,master"]),
            "majors": "", "created_by_id": None, "submitted_at": published, "published_at": published,
            "created_at": published, "updated_at": published, "version": 1,
        })
        eligible_rows += [{"opening_id": oid, "group_id": g} for g in eligible]
        doc_skills = []
        for position, skill in enumerate(rng.sample(popular, rng.randint(3, 8))):
            typed = _typed(rng, skill)
            requirement_rows.append({"id": next(requirement_ids), "opening_id": oid, "position": position,
                                     "name": typed, "skill_id": skill.id, "display_name": skill.name,
                                     "importance": rng.choice(list(Importance)), "min_level": rng.randint(1, 4)})
            doc_skills.append((skill.name, skill.id))
        search_rows.append({"opening_id": oid, "document": search.document_for(
            title, description, f"메디AI {n % len(company_ids)}", location, doc_skills)})

    # -- applications and placements ----------------------------------------------------------------------
    application_rows, placement_rows, audit_rows = [], [], []
    statuses = [ApplicationStatus.SUBMITTED] * 6 + [ApplicationStatus.SHORTLISTED] * 2 + [
        ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]
    pairs: list[tuple[int, int]] = []
    flagship_id = opening_ids[0]
    eligible_students = [s for s in student_ids if student_group[s] in opening_groups_of[flagship_id]]
    pairs += [(flagship_id, s) for s in eligible_students[:size.flagship_applicants]]
    seen = set(pairs)
    others = opening_ids[1:] or opening_ids
    while len(pairs) < size.applications:
        pair = (rng.choice(others), rng.choice(student_ids))
        if pair not in seen:
            seen.add(pair)
            pairs.append(pair)
    application_ids = ids.take(Application, len(pairs))
    by_opening: dict[int, list[int]] = {}
    for aid, (oid, sid) in zip(application_ids, pairs):
        created = now - timedelta(seconds=rng.randint(60, 30 * 86400))
        application_rows.append({
            "id": aid, "opening_id": oid, "student_id": sid, "statement": "I would like to join this project.",
            "consent_at": created, "consent_text": "I agree to share my profile with this company.",
            "match_score": round(rng.uniform(20, 100), 1), "match_has_all_musts": rng.random() < 0.6,
            "match_details": [], "status": rng.choice(statuses), "company_message": "", "created_at": created,
            "updated_at": created})
        if oid != flagship_id:
            by_opening.setdefault(oid, []).append(len(application_rows) - 1)
    placed = 0
    placement_ids = iter(ids.take(Placement, size.placements))
    placement_states = [PlacementStatus.APPROVED] * 4 + [PlacementStatus.ACTIVE] * 3 + [
        PlacementStatus.COMPLETED, PlacementStatus.PENDING, PlacementStatus.PENDING]
    for oid in others:
        if placed >= size.placements:
            break
        rows = by_opening.get(oid, [])[:seats_of[oid]]
        for index in rows[:rng.randint(1, max(1, len(rows)))]:
            if placed >= size.placements:
                break
            application = application_rows[index]
            application["status"] = ApplicationStatus.ACCEPTED
            start = start_of[oid]
            placement_rows.append({
                "id": next(placement_ids), "application_id": application["id"], "opening_id": oid,
                "student_id": application["student_id"], "status": rng.choice(placement_states),
                "start_date": start, "end_date": start + timedelta(days=90), "agreed_terms": None,
                "decided_by_id": admin_id, "decided_at": now, "note": "", "created_at": now, "updated_at": now})
            placed += 1

    # -- audit trail: one event per opening published and per application --------------------------------------
    audit_ids = iter(ids.take(AuditEvent, len(opening_rows) + len(application_rows)))
    for row in opening_rows:
        audit_rows.append({"id": next(audit_ids), "created_at": row["published_at"], "actor_id": admin_id,
                           "entity_type": "opening", "entity_id": row["id"], "action": "published",
                           "from_state": "in_review", "to_state": "published", "note": ""})
    for row in application_rows:
        audit_rows.append({"id": next(audit_ids), "created_at": row["created_at"], "actor_id": row["student_id"],
                           "entity_type": "application", "entity_id": row["id"], "action": "submitted",
                           "from_state": None, "to_state": "submitted", "note": ""})

    db.session.flush()
    for model, rows in [(User, user_rows), (StudentProfile, profile_rows), (StudentSkill, skill_rows),
                        (Company, company_rows), (CompanyMembership, membership_rows)]:
        _insert(model.__table__, rows)
    _insert(company_groups, partner_rows)
    for model, rows in [(Opening, opening_rows), (OpeningSkill, requirement_rows)]:
        _insert(model.__table__, rows)
    _insert(opening_groups, eligible_rows)
    for model, rows in [(OpeningSearch, search_rows), (Application, application_rows), (Placement, placement_rows),
                        (AuditEvent, audit_rows)]:
        _insert(model.__table__, rows)
    _fix_sequences([User.__table__, StudentProfile.__table__, StudentSkill.__table__, Company.__table__,
                    CompanyMembership.__table__, Opening.__table__, OpeningSkill.__table__, Application.__table__,
                    Placement.__table__, AuditEvent.__table__])
    from marketplace.services import stamps
    stamps.bump_stamps()
    return {"students": len(student_ids), "companies": len(company_rows), "openings": len(opening_rows),
            "applications": len(application_rows), "placements": len(placement_rows), "audit events": len(audit_rows),
            "student skills": len(skill_rows), "flagship applicants": sum(1 for p in pairs if p[0] == flagship_id)}
