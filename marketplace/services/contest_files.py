"""Checks of contest uploads by content, never by name: the report must be a PDF that pypdf opens, the optional
code/results archive a ZIP inspected in memory only (never extracted to disk, never executed).

A ZIP is refused when it is too large, encrypted, when an entry's path climbs out (`../`) or is absolute, when
its entries would expand beyond MAX_ZIP_UNCOMPRESSED in total or an entry (or the whole) expands more than
MAX_ZIP_RATIO times (a ZIP bomb: the declared sizes are checked and then the real ones, by streaming each entry
through the decompressor with a running budget), and when an entry starts like a program (ELF, PE, Mach-O).
"""
from __future__ import annotations

import io
import posixpath
import re
import uuid
import zipfile

from flask import current_app

from marketplace import storage
from marketplace.i18n import lazy_gettext as _l
from marketplace.services.errors import DomainError
from marketplace.services.students import looks_like_pdf

MAX_REPORT_BYTES = 10 * 1024 * 1024
MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_ENTRIES = 2000
FOLDER = "contest-files"
_STORAGE_NAME = re.compile(r"[0-9a-f]{32}\.(pdf|zip)")

# The first bytes of programs: ELF, Windows PE ("MZ"), Mach-O (32/64-bit, both byte orders, fat binaries).
EXECUTABLE_MAGIC = (b"\x7fELF", b"MZ", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                    b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


def is_executable(head: bytes) -> bool:
    return any(head.startswith(magic) for magic in EXECUTABLE_MAGIC)


def check_report(data: bytes | None, field: str = "report") -> None:
    """Raise beside `field` unless `data` is a PDF of an allowed size that a PDF reader opens."""
    if not data:
        raise DomainError(str(_l("Choose the report (a PDF file) to upload.")), field=field)
    if len(data) > MAX_REPORT_BYTES:
        raise DomainError(str(_l("The report may be at most %(mb)d MB.", mb=MAX_REPORT_BYTES // (1024 * 1024))),
                          field=field)
    if is_executable(data[:8]):
        raise DomainError(str(_l("This file is a program, not a PDF. Upload the report as a PDF.")), field=field)
    if not looks_like_pdf(data):
        raise DomainError(str(_l("This file is not a PDF. Export the report as PDF and upload that file.")),
                          field=field)
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except Exception:  # noqa: BLE001 - any failure to read means "not a usable PDF"
        raise DomainError(str(_l("This PDF cannot be opened (it is damaged or empty). Export it again and upload "
                                 "the new file.")), field=field) from None


def _unsafe_path(name: str) -> bool:
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in name.split("/") or posixpath.normpath(name).startswith("..")


def check_archive(data: bytes | None, field: str = "archive") -> None:
    """Raise beside `field` unless `data` is a ZIP that is safe to keep and hand to judges."""
    if not data:
        return
    if len(data) > MAX_ZIP_BYTES:
        raise DomainError(str(_l("The archive may be at most %(mb)d MB.", mb=MAX_ZIP_BYTES // (1024 * 1024))),
                          field=field)
    if is_executable(data[:8]):
        raise DomainError(str(_l("This file is a program, not a ZIP archive.")), field=field)
    if not data.startswith(b"PK\x03\x04"):
        raise DomainError(str(_l("This file is not a ZIP archive.")), field=field)
    bomb = DomainError(str(_l("This archive expands to more than %(mb)d MB or far more than its size (a ZIP bomb); "
                              "it is refused.", mb=MAX_ZIP_UNCOMPRESSED // (1024 * 1024))), field=field)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise DomainError(str(_l("The archive may hold at most %(n)d files.", n=MAX_ZIP_ENTRIES)),
                                  field=field)
            declared = 0
            for info in entries:
                if _unsafe_path(info.filename):
                    raise DomainError(str(_l("The archive holds a path outside its folder (%(name)s); paths with "
                                             "“../” or starting with “/” are refused.", name=info.filename[:80])),
                                      field=field)
                if info.flag_bits & 0x1:
                    raise DomainError(str(_l("Encrypted archives cannot be checked; upload it without a password.")),
                                      field=field)
                declared += info.file_size
                if info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1024):
                    raise bomb
            if declared > MAX_ZIP_UNCOMPRESSED or declared > MAX_ZIP_RATIO * max(len(data), 1024):
                raise bomb
            budget = MAX_ZIP_UNCOMPRESSED
            for info in entries:
                if info.is_dir():
                    continue
                # The real sizes, not the declared ones: stream through the decompressor, in memory, with a budget.
                with archive.open(info) as stream:
                    head = stream.read(8)
                    if is_executable(head):
                        raise DomainError(str(_l("The archive holds a program (%(name)s); executables are refused. "
                                                 "Submit source code and results only.", name=info.filename[:80])),
                                          field=field)
                    size = len(head)
                    while chunk := stream.read(1024 * 1024):
                        size += len(chunk)
                        if size > budget or size > MAX_ZIP_RATIO * max(info.compress_size, 1024):
                            raise bomb
                    budget -= size
    except DomainError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError,
            RuntimeError):
        raise DomainError(str(_l("This ZIP archive is damaged or uses a method that cannot be read.")),
                          field=field) from None


def store(data: bytes, extension: str, field: str) -> str:
    """Keep a checked file in the storage backend under a generated name; returns the storage name."""
    name = f"{uuid.uuid4().hex}.{extension}"
    try:
        storage.current().put(f"{FOLDER}/{name}", data)
    except storage.StorageError:
        current_app.logger.exception("could not store a contest file")
        raise DomainError(str(_l("The file could not be stored. Please try again later.")), field=field) from None
    return name


def key(storage_name: str | None) -> str | None:
    if not storage_name or not _STORAGE_NAME.fullmatch(storage_name):
        return None
    return f"{FOLDER}/{storage_name}"


def remove(storage_names) -> None:
    for name in storage_names:
        file_key = key(name)
        if file_key:
            try:
                storage.current().delete(file_key)
            except storage.StorageError:
                current_app.logger.exception("could not remove a contest file")


def read(storage_name: str | None) -> bytes | None:
    file_key = key(storage_name)
    return storage.current().get(file_key) if file_key else None
