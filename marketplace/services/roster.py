"""Roster import: an exchange manager's CSV/XLSX list of their group's students, checked row by row (the
preview), then applied all at once (the confirm).

Decisions, for the managers reading the README too:
- Columns are found by their header in the first row, in English or Korean (`email`/`이메일`, `name`/`이름`,
  `major`/`전공`, `degree level`/`학위`, `track`/`트랙`, `group`/`사업단`); e-mail, name and degree level are
  required, a group column is required only of managers of several groups.
- An address outside the group's e-mail domains is a warning, not an error: listing students whose address is
  elsewhere (a personal mailbox, a hospital account) is what a roster is for.
- A row naming an unknown group, a group the manager does not manage, an unknown track, a degree level other
  than bachelor/master/PhD (학사/석사/박사), an invalid address, or an address listed earlier in the file for
  the same group is an error. A file with any error is not imported at all.
- XLSX cells are read as Excel last showed them (openpyxl read-only, data_only: a formula's cached value). A
  formula with no cached value (a file written by a program and never opened in Excel) or an error value
  (`#REF!`, `#N/A`, ...) is an error of that row: re-save it in Excel, or paste values.
- CSV: UTF-8 (with or without BOM), else CP949 (what Korean Excel writes); comma, semicolon or tab.
- The confirm adds and updates entries, never removes any; importing the same file again changes nothing
  and says so. Registered students the roster lists (same group and degree level) who confirmed that
  address are verified at once; the others when they confirm it (services/verification.py).
"""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from marketplace.extensions import db
from marketplace.i18n import lazy_gettext as _l
from marketplace.models import (
    DegreeLevel,
    ProjectGroup,
    RosterEntry,
    RosterImport,
    RosterImportStatus,
    StudentProfile,
    User,
    VerificationStatus,
    VerifiedVia,
)
from marketplace.models.base import utcnow
from marketplace.ownership import reviewable_group_ids
from marketplace.permissions import Permission, user_can
from marketplace.services import audit, verification
from marketplace.services.errors import Conflict, DomainError, NotFound
from marketplace.services.identity import canonical_email, clean_display_name, normalize_email

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024  # an XLSX is a zip: bound what it may expand to
MAX_CELL = 300

FIELD = "roster"

_HEADERS = {
    "email": {"email", "emailaddress", "mail", "이메일", "이메일주소", "전자우편", "메일"},
    "name": {"name", "fullname", "studentname", "이름", "성명", "학생명", "학생이름"},
    "major": {"major", "department", "전공", "학과", "전공학과"},
    "degree_level": {"degreelevel", "degree", "level", "학위", "학위과정", "과정", "학위구분"},
    "track": {"track", "트랙"},
    "group": {"group", "projectgroup", "groupcode", "사업단", "그룹", "소속사업단"},
}
REQUIRED = ("email", "name", "degree_level")

_DEGREES = {
    DegreeLevel.BACHELOR: {"bachelor", "bachelors", "undergraduate", "ba", "bs", "bsc", "학사", "학부", "학부생"},
    DegreeLevel.MASTER: {"master", "masters", "ms", "msc", "ma", "석사"},
    DegreeLevel.PHD: {"phd", "doctor", "doctoral", "doctorate", "박사"},
}
_EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                 "#CALC!"}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if ch.isalnum() or ch == "-").replace("-", "") if text else ""


def degree_of(raw: str) -> DegreeLevel | None:
    key = _key(raw)
    if key.endswith("과정"):
        key = key[:-2]
    for level, names in _DEGREES.items():
        if key in names or key == level.value:
            return level
    return None


# -- reading the file ----------------------------------------------------------------------------------------


def _too_many_rows() -> DomainError:
    return DomainError(str(_l("The roster has more than %(max)s rows. Split it into files of at most %(max)s "
                              "students and import them one after the other.", max=f"{MAX_ROWS:,}")), field=FIELD)


def _not_a_spreadsheet() -> DomainError:
    return DomainError(str(_l("This file is not a spreadsheet we can read. Upload the roster as an Excel "
                              "workbook (.xlsx) or a CSV file.")), field=FIELD)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())[:MAX_CELL]


@dataclass
class Table:
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells), header first
    formula_problems: dict[int, list[str]] = field(default_factory=dict)  # row number -> messages


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise DomainError(str(_l("The workbook is too large. Keep only the roster's sheet and columns, "
                                         "or split it into smaller files.")), field=FIELD)
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except DomainError:
        raise
    except Exception:  # openpyxl raises many kinds (zip, XML, KeyError) for a file that is not a workbook
        raise _not_a_spreadsheet() from None
    try:
        sheet, formula_sheet = values.worksheets[0], formulas.worksheets[0]
        table = Table(rows=[])
        for number, (shown, written) in enumerate(
                zip(sheet.iter_rows(values_only=True), formula_sheet.iter_rows(values_only=True)), start=1):
            if number > MAX_ROWS + 1:
                raise _too_many_rows()
            cells = []
            for column, (value, source) in enumerate(zip(shown, written), start=1):
                if isinstance(source, str) and source.startswith("=") and value is None:
                    table.formula_problems.setdefault(number, []).append(str(_l(
                        "Column %(col)d holds a formula without a saved value: open the file in Excel and save "
                        "it, or paste the values.", col=column)))
                elif isinstance(value, str) and value.strip() in _EXCEL_ERRORS:
                    table.formula_problems.setdefault(number, []).append(str(_l(
                        "Column %(col)d shows the error %(error)s.", col=column, error=value.strip())))
                    value = ""
                cells.append(_cell_text(value))
            table.rows.append((number, cells))
        return table
    except DomainError:
        raise
    except Exception:
        raise _not_a_spreadsheet() from None
    finally:
        values.close()
        formulas.close()


def _read_csv(data: bytes) -> Table:
    if b"\x00" in data[:4096]:
        raise _not_a_spreadsheet()
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DomainError(str(_l("The CSV file is neither UTF-8 nor CP949 text. Save it from Excel as "
                                 "“CSV UTF-8”.")), field=FIELD)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    table = Table(rows=[])
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            if number > MAX_ROWS + 1:
                raise _too_many_rows()
            table.rows.append((number, [_cell_text(c) for c in cells]))
    except csv.Error:
        raise _not_a_spreadsheet() from None
    return table


def read_table(filename: str | None, data: bytes) -> Table:
    """The file's first sheet as text rows; DomainError on `roster` for an empty, oversized or unreadable file."""
    if not data:
        raise DomainError(str(_l("The file is empty. Choose the roster file (CSV or XLSX).")), field=FIELD)
    if len(data) > MAX_BYTES:
        raise DomainError(str(_l("The file may be at most %(mb)d MB.", mb=MAX_BYTES // (1024 * 1024))), field=FIELD)
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DomainError(str(_l("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or CSV "
                                 "and upload that.")), field=FIELD)
    if (filename or "").lower().endswith((".xlsx", ".xlsm")):
        raise _not_a_spreadsheet()  # a .xlsx name on something that is not a zip: a renamed file
    return _read_csv(data)


# -- checking the rows -----------------------------------------------------------------------------------------


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        key = _key(text)
        for name, aliases in _HEADERS.items():
            if key in aliases and name not in found:
                found[name] = index
    return found


def _managed_groups(actor: User) -> list[ProjectGroup]:
    reach = reviewable_group_ids(actor)
    query = select(ProjectGroup).options(selectinload(ProjectGroup.tracks)).order_by(ProjectGroup.code)
    if reach is not None:
        query = query.where(ProjectGroup.id.in_(list(reach) or [-1]))
    return list(db.session.scalars(query))


def _group_named(text: str, groups: list[ProjectGroup]) -> ProjectGroup | None:
    key = _key(text)
    for group in groups:
        if key in {_key(group.code), _key(group.name_en), _key(group.name_ko)}:
            return group
    return None


def check_rows(actor: User, table: Table) -> list[dict]:
    """Every data row with its values, errors and warnings (file-level problems raise DomainError)."""
    rows = [(n, cells) for n, cells in table.rows]
    if not rows:
        raise DomainError(str(_l("The file is empty. Choose the roster file (CSV or XLSX).")), field=FIELD)
    header_number, header = rows[0]
    columns = _columns(header)
    missing = [name for name in REQUIRED if name not in columns]
    mine = _managed_groups(actor)
    if not mine:
        raise NotFound(str(_l("You manage no project group.")))
    if "group" not in columns and len(mine) > 1:
        missing.append("group")
    if missing:
        names = {"email": _l("e-mail (이메일)"), "name": _l("name (이름)"), "degree_level": _l("degree level (학위)"),
                 "group": _l("group (사업단)")}
        raise DomainError(str(_l("The first row must name the columns. Missing: %(missing)s. Columns: e-mail, "
                                 "name, major, degree level, track, group (Korean headers such as 이메일, 이름, "
                                 "전공, 학위, 트랙, 사업단 work too).",
                                 missing=", ".join(str(names[m]) for m in missing))), field=FIELD)
    all_groups = list(db.session.scalars(select(ProjectGroup)))
    seen: dict[tuple[int, str], int] = {}
    out = []

    def cell(cells: list[str], name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    for number, cells in rows[1:]:
        if not any(cells) and number not in table.formula_problems:
            continue
        errors = list(table.formula_problems.get(number, []))
        warnings = []
        raw_email, raw_name = cell(cells, "email"), cell(cells, "name")
        email = None
        try:
            email = normalize_email(raw_email)
        except DomainError:
            errors.append(str(_l("“%(email)s” is not a valid e-mail address.", email=raw_email)) if raw_email
                          else str(_l("The e-mail address is missing.")))
        try:
            name = clean_display_name(raw_name)[:100]
        except DomainError:
            name = raw_name
            errors.append(str(_l("The name is missing.")))
        raw_degree = cell(cells, "degree_level")
        degree = degree_of(raw_degree)
        if degree is None:
            errors.append(str(_l("“%(value)s” is not a degree level: write bachelor, master or PhD (학사, 석사, "
                                 "박사).", value=raw_degree)) if raw_degree
                          else str(_l("The degree level is missing.")))
        group = mine[0] if "group" not in columns else None
        if "group" in columns:
            raw_group = cell(cells, "group")
            group = _group_named(raw_group, mine)
            if group is None:
                if not raw_group:
                    errors.append(str(_l("The group is missing.")))
                elif _group_named(raw_group, all_groups) is not None:
                    errors.append(str(_l("You do not manage the group “%(group)s”; its own exchange managers "
                                         "import its roster.", group=raw_group)))
                else:
                    errors.append(str(_l("“%(group)s” is not a project group. Use a code such as PNU, SNU, "
                                         "SKKU, AJOU or HALLYM.", group=raw_group)))
        track_id = None
        raw_track = cell(cells, "track")
        if raw_track and group is not None:
            track = next((t for t in group.tracks if _key(raw_track) in {_key(t.name_en), _key(t.name_ko)}), None)
            if track is None:
                errors.append(str(_l("“%(track)s” is not a track of %(group)s.", track=raw_track, group=group.code)))
            else:
                track_id = track.id
        if email and group is not None:
            earlier = seen.get((group.id, email))
            if earlier is not None:
                errors.append(str(_l("The same student as row %(row)d (same e-mail address and group).",
                                     row=earlier)))
            else:
                seen[(group.id, email)] = number
            if group.domains and not verification.domain_matches(email, group.domains):
                warnings.append(str(_l("The address is not in %(group)s's e-mail domains (%(domains)s); the "
                                       "student is verified when they confirm it all the same.",
                                       group=group.code, domains=", ".join(group.domains))))
        out.append({
            "row": number, "email": email or raw_email, "name": name, "major": cell(cells, "major")[:200],
            "degree_level": degree.value if degree else raw_degree, "track_id": track_id,
            "track": raw_track, "group_id": group.id if group else None,
            "group": group.code if group else cell(cells, "group"), "errors": errors, "warnings": warnings,
        })
    if not out:
        raise DomainError(str(_l("The file has a header row but no students.")), field=FIELD)
    return out


def preview(actor: User, filename: str | None, data: bytes) -> RosterImport:
    """Read and check an uploaded roster; the checked rows are kept for the confirm (flushed)."""
    if not user_can(actor, Permission.REVIEW_EXCHANGES):
        raise NotFound(str(_l("No such page.")))
    rows = check_rows(actor, read_table(filename, data))
    record = RosterImport(uploaded_by_id=actor.id, filename=(filename or "")[:255], rows=rows, row_count=len(rows),
                          error_count=sum(1 for r in rows if r["errors"]))
    db.session.add(record)
    db.session.flush()
    return record


def get_import(actor: User, import_id: int) -> RosterImport:
    """One of the actor's own imports; anyone else's is 'not found'."""
    record = db.session.get(RosterImport, import_id)
    if record is None or record.uploaded_by_id != actor.id or not user_can(actor, Permission.REVIEW_EXCHANGES):
        raise NotFound(str(_l("No such roster import.")))
    return record


# -- what a confirm does -----------------------------------------------------------------------------------------

_COMPARED = ("name", "major", "degree_level", "track_id")


def _existing(rows: list[dict]) -> dict[tuple[int, str], RosterEntry]:
    pairs = {(r["group_id"], r["email"]) for r in rows}
    found: dict[tuple[int, str], RosterEntry] = {}
    pairs_list = list(pairs)
    for start in range(0, len(pairs_list), 500):
        chunk = pairs_list[start:start + 500]
        for entry in db.session.scalars(select(RosterEntry).where(
                tuple_(RosterEntry.group_id, RosterEntry.email).in_(chunk))):
            found[(entry.group_id, entry.email)] = entry
    return found


def _differences(entry: RosterEntry, row: dict) -> list[str]:
    now = {"name": entry.name, "major": entry.major, "degree_level": entry.degree_level.value,
           "track_id": entry.track_id}
    return [name for name in _COMPARED if now[name] != row[name]]


@dataclass
class Plan:
    new: list[dict]
    changed: list[tuple[dict, RosterEntry, list[str]]]
    unchanged: int


def plan(record: RosterImport) -> Plan:
    """What confirming the import would do to the roster now."""
    rows = [r for r in record.rows if not r["errors"]]
    existing = _existing(rows)
    result = Plan([], [], 0)
    for row in rows:
        entry = existing.get((row["group_id"], row["email"]))
        if entry is None:
            result.new.append(row)
        elif differences := _differences(entry, row):
            result.changed.append((row, entry, differences))
        else:
            result.unchanged += 1
    return result


def confirm(actor: User, import_id: int) -> RosterImport:
    """Apply a previewed roster all at once: nothing when any row has an error; new entries added, changed ones
    updated, listed registered students with a confirmed address verified. Idempotent."""
    record = get_import(actor, import_id)
    if record.status != RosterImportStatus.PREVIEWED:
        raise Conflict(str(_l("This roster was imported already; upload the file again to import it anew.")))
    if record.error_count:
        raise DomainError(str(_l("Nothing was imported: %(n)d rows have errors. Correct them in the file and "
                                 "upload it again.", n=record.error_count)))
    reach = reviewable_group_ids(actor)
    if reach is not None and any(r["group_id"] not in reach for r in record.rows):
        raise DomainError(str(_l("Nothing was imported: you no longer manage every group of this file.")))
    claimed = db.session.execute(
        update(RosterImport).where(RosterImport.id == record.id, RosterImport.status == RosterImportStatus.PREVIEWED)
        .values(status=RosterImportStatus.APPLIED, applied_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount == 1
    if not claimed:
        raise Conflict(str(_l("This roster was imported already; upload the file again to import it anew.")))
    now = utcnow()
    todo = plan(record)
    for row in todo.new:
        db.session.add(RosterEntry(group_id=row["group_id"], email=row["email"], name=row["name"], major=row["major"],
                                   degree_level=DegreeLevel(row["degree_level"]), track_id=row["track_id"],
                                   import_id=record.id, created_at=now, updated_at=now))
    for row, entry, _fields in todo.changed:
        entry.name, entry.major, entry.track_id = row["name"], row["major"], row["track_id"]
        entry.degree_level = DegreeLevel(row["degree_level"])
        entry.import_id, entry.updated_at = record.id, now
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(str(_l("Another import changed this roster at the same moment; nothing of yours was "
                              "imported. Upload the file again."))) from None
    verified = _verify_listed(actor, record.rows)
    record.status, record.applied_at = RosterImportStatus.APPLIED, now
    record.outcome = {
        "created": [r["email"] for r in todo.new],
        "changed": [{"email": row["email"], "fields": fields} for row, _entry, fields in todo.changed],
        "unchanged": todo.unchanged,
        "verified": verified,
    }
    audit.record(actor, "roster_import", record.id, "roster_imported", RosterImportStatus.PREVIEWED.value,
                 RosterImportStatus.APPLIED.value,
                 note=f"{len(todo.new)} new, {len(todo.changed)} changed, {todo.unchanged} unchanged, "
                      f"{len(verified)} verified")
    return record


def _verify_listed(actor: User, rows: list[dict]) -> list[str]:
    """Verify the unverified registered students the roster lists, in its group at its degree level, who
    confirmed their address; their names."""
    listed = {(r["group_id"], r["email"]): r for r in rows}
    emails = list({r["email"] for r in rows})
    names = []
    for start in range(0, len(emails), 500):
        profiles = db.session.scalars(
            select(StudentProfile).join(User, User.id == StudentProfile.user_id)
            .options(joinedload(StudentProfile.user))
            .where(StudentProfile.verification_status == VerificationStatus.UNVERIFIED,
                   User.email.in_(emails[start:start + 500]))
        ).all()
        for profile in profiles:
            row = listed.get((profile.group_id, canonical_email(profile.user.email)))
            if row is None or row["degree_level"] != profile.degree_level.value:
                continue
            if not verification.email_is_confirmed(profile.user):
                continue
            if verification.mark_verified(profile, VerifiedVia.ROSTER, by=actor, note=f"roster row {row['row']}"):
                names.append(profile.user.display_name)
    return names


def roster_counts(actor: User) -> list[tuple[ProjectGroup, int]]:
    """(group, entries on its roster) for the actor's groups."""
    groups = _managed_groups(actor)
    counts = dict(db.session.execute(
        select(RosterEntry.group_id, func.count()).where(RosterEntry.group_id.in_([g.id for g in groups] or [-1]))
        .group_by(RosterEntry.group_id)).all())
    return [(g, counts.get(g.id, 0)) for g in groups]
