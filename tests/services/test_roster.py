"""Roster import: rows checked one by one, files that are not rosters refused with a clear message, and a
confirm that is all or nothing and idempotent (services/roster.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import RosterEntry, RosterImport, RosterImportStatus
from marketplace.services import roster
from marketplace.services.errors import Conflict, DomainError
from tests.concurrency import run_together
from tests.factories import make_exchange_manager, make_group
from tests.rosters import csv_bytes, xlsx_bytes


@pytest.fixture
def pnu(app):
    group = make_group("PNU", tracks=[("AI-based Future Medical Specialist", "AI 기반 미래의료 전문가")])
    group.email_domains = "pusan.ac.kr"
    db.session.commit()
    return group


@pytest.fixture
def manager(pnu):
    return make_exchange_manager(pnu)


def _rows(record: RosterImport) -> dict[int, dict]:
    return {row["row"]: row for row in record.rows}


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(RosterEntry))


def test_rows_are_checked_one_by_one_with_errors_and_warnings(manager, pnu):
    make_group("SNU")
    data = csv_bytes([
        ["kim@pusan.ac.kr", "김민지", "의학", "석사", "AI 기반 미래의료 전문가", "PNU"],  # 2: fine, Korean
        ["lee@gmail.com", "Lee Jun", "Nursing", "bachelor", "", "pnu"],  # 3: outside the domains: a warning
        ["KIM@PUSAN.AC.KR", "Kim again", "Medicine", "master", "", "PNU"],  # 4: duplicate of row 2
        ["park@pusan.ac.kr", "Park", "Medicine", "postdoc", "", "PNU"],  # 5: bad degree level
        ["choi@snu.ac.kr", "Choi", "Medicine", "PhD", "", "SNU"],  # 6: a group the manager does not manage
        ["han@pusan.ac.kr", "Han", "Medicine", "Ph.D.", "", "KAIST"],  # 7: no such group
        ["not-an-address", "Jung", "Medicine", "master", "", "PNU"],  # 8: invalid e-mail
        ["", "", "", "", "", ""],  # blank rows are skipped
        ["yoon@pusan.ac.kr", "Yoon", "Medicine", "master", "No such track", "PNU"],  # 10: unknown track
    ])
    record = roster.preview(manager, "명단.csv", data)
    rows = _rows(record)
    assert rows[2]["errors"] == [] and rows[2]["warnings"] == [] and rows[2]["name"] == "김민지"
    assert rows[2]["degree_level"] == "master" and rows[2]["track_id"] == pnu.tracks[0].id
    assert rows[3]["errors"] == [] and "not in PNU's e-mail domains" in rows[3]["warnings"][0]
    assert "same student as row 2" in rows[4]["errors"][0]
    assert "not a degree level" in rows[5]["errors"][0]
    assert "do not manage the group" in rows[6]["errors"][0]
    assert "not a project group" in rows[7]["errors"][0]
    assert "not a valid e-mail address" in rows[8]["errors"][0]
    assert 9 not in rows
    assert "not a track of PNU" in rows[10]["errors"][0]
    assert record.error_count == 6


def test_korean_headers_and_a_single_groups_roster_without_a_group_column(manager):
    data = csv_bytes([["kim@pusan.ac.kr", "김민지", "간호학", "박사과정"]], header=["이메일", "이름", "전공", "학위"])
    record = roster.preview(manager, "roster.csv", data)
    assert record.error_count == 0 and record.rows[0]["degree_level"] == "phd"


def test_cp949_csv_from_korean_excel_is_read(manager):
    data = csv_bytes([["kim@pusan.ac.kr", "김민지", "의학", "학사"]], header=["이메일", "이름", "전공", "학위"],
                     encoding="cp949")
    assert roster.preview(manager, "roster.csv", data).rows[0]["name"] == "김민지"


@pytest.mark.parametrize("filename, data, message", [
    ("roster.csv", b"", "The file is empty"),
    ("roster.xlsx", b"%PDF-1.4 this is a PDF renamed to .xlsx", "not a spreadsheet"),
    ("roster.xlsx", b"PK\x03\x04 broken zip", "not a spreadsheet"),
    ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel file"),
    ("roster.csv", b"\x00\x01\x02binary", "not a spreadsheet"),
    ("roster.csv", "address,who,year\nkim@pusan.ac.kr,Kim,master\n".encode(), "Missing: e-mail (이메일), name (이름), degree level (학위)"),
    ("roster.csv", b"email,name,degree level\n", "no students"),
])
def test_files_that_are_not_rosters_are_refused_beside_the_field(manager, filename, data, message):
    with pytest.raises(DomainError) as refused:
        roster.preview(manager, filename, data)
    assert refused.value.field == "roster" and message in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(RosterImport)) == 0


def test_a_roster_over_the_row_limit_is_refused_with_the_limit(manager):
    rows = [[f"s{i}@pusan.ac.kr", f"Student {i}", "Medicine", "master", "", "PNU"] for i in range(10_001)]
    with pytest.raises(DomainError, match="more than 5,000 rows"):
        roster.preview(manager, "big.csv", csv_bytes(rows))
    with pytest.raises(DomainError, match="more than 5,000 rows"):
        roster.preview(manager, "big.xlsx", xlsx_bytes(rows))


def test_xlsx_formulas_are_read_as_excel_saved_them_and_errors_are_row_errors(manager):
    data = xlsx_bytes([
        ["kim@pusan.ac.kr", '="김"&"민지"', "Medicine", "master", None, "PNU"],  # cached value: read
        ["lee@pusan.ac.kr", "Lee", "Medicine", "=Z99", None, "PNU"],  # cached error value
        ["park@pusan.ac.kr", '="Park"', "Medicine", "master", None, "PNU"],  # no cached value at all
    ], cached={"B2": ("str", "김민지"), "D3": ("e", "#REF!")})
    rows = _rows(roster.preview(manager, "roster.xlsx", data))
    assert rows[2]["name"] == "김민지" and rows[2]["errors"] == []
    assert "shows the error #REF!" in rows[3]["errors"][0]
    assert "formula without a saved value" in rows[4]["errors"][0]


def test_confirm_is_all_or_nothing_and_idempotent(manager, pnu):
    bad = roster.preview(manager, "bad.csv", csv_bytes([
        ["kim@pusan.ac.kr", "Kim", "Medicine", "master", "", "PNU"],
        ["lee@pusan.ac.kr", "Lee", "Medicine", "??", "", "PNU"],
    ]))
    with pytest.raises(DomainError, match="Nothing was imported: 1 rows have errors"):
        roster.confirm(manager, bad.id)
    db.session.rollback()
    assert entries() == 0

    rows = [["kim@pusan.ac.kr", "Kim", "Medicine", "master", "", "PNU"],
            ["lee@gmail.com", "Lee", "Nursing", "phd", "", "PNU"]]
    first = roster.confirm(manager, roster.preview(manager, "r.csv", csv_bytes(rows)).id)
    db.session.commit()
    assert first.outcome["created"] == ["kim@pusan.ac.kr", "lee@gmail.com"] and entries() == 2
    with pytest.raises(Conflict, match="imported already"):
        roster.confirm(manager, first.id)
    db.session.rollback()

    again = roster.preview(manager, "r.csv", csv_bytes(rows))
    assert roster.plan(again).unchanged == 2
    done = roster.confirm(manager, again.id)
    db.session.commit()
    assert done.outcome == {"created": [], "changed": [], "unchanged": 2, "verified": []}

    rows[1][3] = "master"
    changed = roster.confirm(manager, roster.preview(manager, "r.csv", csv_bytes(rows)).id)
    db.session.commit()
    assert changed.outcome["changed"] == [{"email": "lee@gmail.com", "fields": ["degree_level"]}]
    assert entries() == 2


def test_someone_elses_import_is_not_found(manager, pnu):
    from marketplace.services.errors import NotFound

    record = roster.preview(manager, "r.csv", csv_bytes([["kim@pusan.ac.kr", "Kim", "", "master", "", "PNU"]]))
    db.session.commit()
    with pytest.raises(NotFound):
        roster.confirm(make_exchange_manager(pnu), record.id)


def test_two_confirms_of_one_import_at_once_apply_it_once(app, manager):
    record = roster.preview(manager, "r.csv", csv_bytes([["kim@pusan.ac.kr", "Kim", "", "master", "", "PNU"]]))
    db.session.commit()
    record_id, manager_id = record.id, manager.id

    def job(ready):
        from marketplace.models import User

        actor = db.session.get(User, manager_id)
        roster.get_import(actor, record_id)
        ready()
        roster.confirm(actor, record_id)

    results = run_together(app, [job, job])
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert entries() == 1
    assert db.session.get(RosterImport, record_id).status == RosterImportStatus.APPLIED


def test_a_listed_student_who_already_confirmed_is_verified_at_import_and_only_they_are(manager, pnu):
    from marketplace.models import VerificationStatus, VerifiedVia
    from tests.factories import make_student

    # Registered before the roster came, with addresses outside the group's domains: unverified, waiting.
    confirmed = make_student(group=pnu, email="early@gmail.com", degree_level="master", verified=False)
    unconfirmed = make_student(group=pnu, email="late@gmail.com", degree_level="master", verified=False,
                               confirmed=False)
    other_level = make_student(group=pnu, email="phd@gmail.com", degree_level="master", verified=False)
    for student in (confirmed, unconfirmed, other_level):
        assert student.student_profile.verification_status == VerificationStatus.UNVERIFIED
    rows = [["EARLY@gmail.com", "Early", "Medicine", "master", "", "PNU"],
            ["late@gmail.com", "Late", "Medicine", "master", "", "PNU"],
            ["phd@gmail.com", "Doc", "Medicine", "phd", "", "PNU"]]
    done = roster.confirm(manager, roster.preview(manager, "r.csv", csv_bytes(rows)).id)
    db.session.commit()
    assert done.outcome["verified"] == [confirmed.display_name]
    db.session.expire_all()
    profile = db.session.get(type(confirmed), confirmed.id).student_profile
    assert profile.verification_status == VerificationStatus.VERIFIED and profile.verified_via == VerifiedVia.ROSTER
    assert db.session.get(type(unconfirmed), unconfirmed.id).student_profile.verification_status \
        == VerificationStatus.UNVERIFIED  # verified once they confirm the address
    assert db.session.get(type(other_level), other_level.id).student_profile.verification_status \
        == VerificationStatus.UNVERIFIED  # the roster lists another degree level
    # Importing the same roster again verifies nobody twice.
    again = roster.confirm(manager, roster.preview(manager, "r.csv", csv_bytes(rows)).id)
    db.session.commit()
    assert again.outcome["verified"] == []
