"""Every GET page in Korean, for every role, over the demo data with real ids: no raw status code, no English
message from the catalogue and no AM/PM outside what people typed.

The walk follows the app's url_map, so a new page is checked without a new line here. User data (names,
titles, descriptions, typed notes) is taken out of the text first: only the words the app itself writes count.
"""
from __future__ import annotations

import html as html_lib
import itertools
import re
from pathlib import Path

from babel.messages.pofile import read_po
from flask import url_for
from sqlalchemy import Enum as SqlEnum
from sqlalchemy import String, Text, select

from marketplace.extensions import db
from marketplace.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Company,
    CompanyStatus,
    ConsultationNote,
    Designation,
    MatchingRound,
    MembershipStatus,
    MentorProfile,
    Opening,
    OpeningStatus,
    Placement,
    PlacementStatus,
    ProjectGroup,
    ProposalStatus,
    RoundStatus,
)
from marketplace.seeding import load_json, seed_demo, seed_groups
from marketplace.services import applications, placements
from marketplace.services.accounts import find_user_by_email
from marketplace.services.companies import active_managers
from tests.factories_rounds import make_round

CATALOGUE = Path(__file__).resolve().parents[2] / "marketplace" / "translations" / "ko" / "LC_MESSAGES" / "messages.po"
STATUS_ENUMS = (ApplicationStatus, PlacementStatus, OpeningStatus, CompanyStatus, MembershipStatus, RoundStatus,
                ProposalStatus)
RAW_VALUE = re.compile(r"(?<![\w-])(" + "|".join(sorted({m.value for e in STATUS_ENUMS for m in e}, key=len,
                                                          reverse=True)) + r")(?![\w-])")
NOT_PAGES = {"static", "main.healthz", "main.readyz", "openings.skill_suggestions", "applications.application_cv",
             "students.download_cv"}
LANGUAGE_NAMES = {"English", "Korean"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
VISIBLE_ATTRIBUTES = re.compile(r'\b(?:title|placeholder|aria-label|alt|data-confirm)="([^"]*)"')


def demo_world():
    """The demo data, moved on so every status and history the pages show has a row: an approved placement,
    a returned one (with a Korean reason, as a manager would type it), and an open matching round."""
    seed_groups()
    seed_demo()
    db.session.commit()
    demo = load_json("demo.json")
    manager = find_user_by_email(demo["exchange_managers"][0]["email"])
    first, second = db.session.scalars(select(Application).order_by(Application.id)).all()[:2]
    for application, approve in ((first, True), (second, False)):
        company_manager = active_managers(application.opening.company)[0]
        applications.shortlist(company_manager, application)
        applications.make_offer(company_manager, application, "함께 일하고 싶습니다.")
        placement = applications.accept_offer(application.student, application)
        db.session.flush()
        if approve:
            placements.approve_placement(manager, placement.id)
            db.session.commit()
            _mentor_the(placement, manager, demo)
        else:
            placements.return_placement(manager, placement.id, "기간을 확인해 주세요.")
        db.session.commit()
    group = first.student.student_profile.group
    make_round(manager, [first.opening], group=group, name="여름 매칭")
    return demo


def _mentor_the(placement, manager, demo) -> None:
    """The demo mentor mentors the approved placement, with a consultation note and a grade (as a mentor would
    type them, in Korean), so the mentor's pages have rows."""
    from datetime import timedelta

    from marketplace.clock import today_in_seoul
    from marketplace.models import PlacementStatus as Status
    from marketplace.services import mentoring

    mentor = find_user_by_email(demo["mentors"][0]["email"])
    if placement.student.student_profile.group_id != mentoring.profile_of(mentor).group_id:
        return
    mentoring.assign_mentor(manager, placement.id, mentor.id, None)
    db.session.commit()
    # The note needs a day within the practice that is not in the future: start the practice a week ago.
    placement.start_date = today_in_seoul() - timedelta(days=7)
    placement.status = Status.APPROVED
    db.session.commit()
    mentoring.add_note(mentor, placement.id, mentoring.NoteData(today_in_seoul(), "video", "첫 면담"))
    version = mentoring.assignments_for([placement.id])[placement.id].version
    mentoring.set_grade(mentor, placement.id, version, "P", "성실함")
    db.session.commit()


def user_data() -> list[str]:
    """Every text people or seeds stored (names, titles, descriptions, notes), longest first; the codes the
    app stores (enum columns and the audit trail's action, states and record types) are not user data."""
    texts: set[str] = set()
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        columns = [c for c in mapper.columns if isinstance(c.type, (String, Text)) and not isinstance(c.type, SqlEnum)]
        if model is AuditEvent:
            continue
        for column in columns:
            for value in db.session.scalars(select(column).where(column.is_not(None))):
                if isinstance(value, str) and len(value.strip()) >= 2:
                    texts.add(value.strip())
                    texts.update(line.strip() for line in value.splitlines() if len(line.strip()) >= 2)
    return sorted(texts, key=len, reverse=True)


def english_messages() -> tuple[re.Pattern, dict[str, list[str]]]:
    """Catalogue messages whose Korean differs from the English: one pattern that finds the English text of any
    of them (one search per page instead of one per message), and the messages each found text belongs to."""
    with open(CATALOGUE, "rb") as handle:
        catalogue = read_po(handle, locale="ko")
    found: dict[str, list[str]] = {}
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or message.id in message.string:
            continue  # the same in both, or kept beside the Korean on purpose ("이메일 (Email)")
        if message.id in LANGUAGE_NAMES:
            continue  # the language switcher names each language in itself
        fragments = [f.strip() for f in PLACEHOLDER.split(message.id)]
        longest = max(fragments, key=len)
        if len(longest) < 4 or not re.search(r"[A-Za-z]{3}", longest):
            continue
        if len(fragments) > 1 and (len(longest) < 12 or " " not in longest):
            continue
        found.setdefault(longest, []).append(message.id)
    alternatives = "|".join(re.escape(text) for text in sorted(found, key=len, reverse=True))
    return re.compile(r"(?<![A-Za-z])(?:" + alternatives + r")(?![A-Za-z])"), found


def visible_text(page: str, data: list[str]) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    attributes = " ".join(VISIBLE_ATTRIBUTES.findall(page))
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes)
    for value in data:
        text = text.replace(value, " ")
    return re.sub(r"\s+", " ", text)


def urls(app) -> list[tuple[str, str]]:
    """(endpoint, path) for every GET page with up to three real ids per argument."""
    ids = {
        "application_id": list(db.session.scalars(select(Application.id).order_by(Application.id))),
        "opening_id": list(db.session.scalars(select(Opening.id).order_by(Opening.id))),
        "company_id": list(db.session.scalars(select(Company.id).order_by(Company.id))),
        "placement_id": list(db.session.scalars(select(Placement.id).order_by(Placement.id))),
        "round_id": list(db.session.scalars(select(MatchingRound.id))),
        "group_id": list(db.session.scalars(select(ProjectGroup.id).order_by(ProjectGroup.id)))[:1],
        "designation_id": list(db.session.scalars(select(Designation.id).order_by(Designation.id)))[:1],
        "user_id": list(db.session.scalars(select(MentorProfile.user_id).order_by(MentorProfile.id)))[:1],
        "note_id": list(db.session.scalars(select(ConsultationNote.id).order_by(ConsultationNote.id)))[:1],
    }
    records = list(db.session.execute(select(AuditEvent.entity_type, AuditEvent.entity_id).distinct()))
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        arguments = sorted(rule.arguments)
        if arguments == ["entity_id", "entity_type"]:
            combos = [{"entity_type": t, "entity_id": i} for t, i in records]
        else:
            value_lists = [ids.get(name, [])[:3] for name in arguments]
            combos = [dict(zip(arguments, values)) for values in itertools.product(*value_lists)]
        with app.test_request_context():
            found += [(rule.endpoint, url_for(rule.endpoint, **combo)) for combo in combos]
    return found


def test_every_page_in_korean_has_no_raw_codes_english_messages_or_am_pm(app, client, auth):
    demo = demo_world()
    data = user_data()
    english, messages = english_messages()
    roles = [None, demo["students"][0]["email"], demo["company_managers"][0]["email"],
             demo["exchange_managers"][0]["email"], demo["admin"]["email"], demo["mentors"][0]["email"]]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    problems: list[str] = []
    pages = urls(app)
    seen = 0
    for email in roles:
        if email:
            assert auth.login(email, demo["password"]).status_code == 302, email
        for endpoint, path in pages:
            response = client.get(path)
            if response.status_code != 200 or not response.content_type.startswith("text/html"):
                continue
            seen += 1
            text = visible_text(response.get_data(as_text=True), data)
            who = email or "anonymous"
            for raw in sorted(set(RAW_VALUE.findall(text))):
                problems.append(f"{who} {path}: raw status value {raw!r}")
            for found in sorted(set(english.findall(text))):
                problems += [f"{who} {path}: English {message_id!r}" for message_id in messages[found]]
            if re.search(r"(?<![A-Za-z])[AP]M(?![A-Za-z])", text):
                problems.append(f"{who} {path}: AM/PM in a time")
        if email:
            auth.logout()
    assert seen > 60, seen  # the walk really saw the pages of every role
    assert not problems, "\n".join(sorted(set(problems)))
