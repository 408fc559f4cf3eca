"""Uploaded PDF documents of practices (insurance policies, IRB approvals, signed agreements), kept like CVs.

The one place these files are checked, written and found: checked by content (services/students.py
looks_like_pdf), at most 10 MB, written atomically under a generated name in UPLOAD_FOLDER/documents (never
under static/), downloaded as attachments after an access check in the service that owns the record. A
change returns a students.CvChange, so the route removes the replaced file after its commit (or the new one
when the commit fails), exactly as for CVs. Moving uploads to another storage backend changes this module only.
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from marketplace.services.errors import DomainError, NotFound
from marketplace.services.students import CvChange, _write_atomically, looks_like_pdf, safe_display_name

__all__ = ["MAX_DOCUMENT_BYTES", "FileChange", "check_pdf", "store_pdf", "document_path", "display_name",
           "existing_document"]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_FOLDER = "documents"
_STORAGE_NAME = re.compile(r"[0-9a-f]{32}\.pdf")

FileChange = CvChange


def check_pdf(data: bytes | None, field: str) -> DomainError | None:
    """Why this upload is refused (beside `field`), or None when it is a PDF of an allowed size."""
    if not data:
        return DomainError(str(_l("Choose a PDF file to upload.")), field=field)
    if len(data) > MAX_DOCUMENT_BYTES:
        return DomainError(str(_l("The file may be at most %(mb)d MB.", mb=MAX_DOCUMENT_BYTES // (1024 * 1024))),
                           field=field)
    if not looks_like_pdf(data):
        return DomainError(str(_l("This file is not a PDF. Scan or export the document as PDF and upload that file.")),
                           field=field)
    return None


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / DOCUMENT_FOLDER


def store_pdf(data: bytes, field: str) -> tuple[str, Path]:
    """Write a checked PDF under a new generated name: (storage name, path). Check it with check_pdf first."""
    name = f"{uuid.uuid4().hex}.pdf"
    try:
        return name, _write_atomically(_folder(), name, data)
    except OSError:
        current_app.logger.exception("could not store an uploaded document")
        raise DomainError(str(_l("The file could not be stored. Please try again later.")), field=field) from None


def document_path(storage_name: str | None) -> Path | None:
    if not storage_name or not _STORAGE_NAME.fullmatch(storage_name):
        return None
    return _folder() / storage_name


def existing_document(storage_name: str | None) -> Path:
    """The stored file, or NotFound when it is not (or no longer) there."""
    path = document_path(storage_name)
    if path is None or not path.is_file():
        raise NotFound(str(_l("No such document.")))
    return path


def display_name(filename: str | None, fallback: str) -> str:
    """The uploaded file's name for display and download (no path parts; ends in .pdf)."""
    name = safe_display_name(filename)
    return fallback if name == "cv.pdf" else name
