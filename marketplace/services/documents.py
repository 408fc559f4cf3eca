"""Uploaded PDF documents of practices (insurance policies, IRB approvals, signed agreements), kept like CVs.

The one place these files are checked, written and read: checked by content (services/students.py
looks_like_pdf), at most 10 MB, written under a generated key `documents/<hex>.pdf` in the configured storage
backend (marketplace/storage.py: the database, S3 or the local disk, as for CVs, so every server sees them),
downloaded as attachments after an access check in the service that owns the record. A change returns a
students.CvChange, so the route removes the replaced file after its commit (or the new one when the commit
fails), exactly as for CVs.
"""
from __future__ import annotations

import re
import uuid

from flask import current_app

from marketplace import storage
from marketplace.i18n import lazy_gettext as _l
from marketplace.services.errors import DomainError, NotFound
from marketplace.services.students import CvChange, looks_like_pdf, safe_display_name

__all__ = ["MAX_DOCUMENT_BYTES", "FileChange", "check_pdf", "store_pdf", "document_key", "read_document",
           "display_name"]

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_FOLDER = "documents"
_STORAGE_NAME = re.compile(r"[0-9a-f]{32}\.pdf")

FileChange = CvChange  # new_key / old_key: committed() removes the replaced file, failed() the new one


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


def document_key(storage_name: str | None) -> str | None:
    if not storage_name or not _STORAGE_NAME.fullmatch(storage_name):
        return None
    return f"{DOCUMENT_FOLDER}/{storage_name}"


def store_pdf(data: bytes, field: str) -> tuple[str, str]:
    """Store a checked PDF under a new generated name: (storage name, key). Check it with check_pdf first."""
    name = f"{uuid.uuid4().hex}.pdf"
    key = f"{DOCUMENT_FOLDER}/{name}"
    try:
        storage.current().put(key, data)
    except storage.StorageError:
        current_app.logger.exception("could not store an uploaded document")
        raise DomainError(str(_l("The file could not be stored. Please try again later.")), field=field) from None
    return name, key


def read_document(storage_name: str | None) -> bytes:
    """The stored file's bytes, or NotFound when it is not (or no longer) there."""
    key = document_key(storage_name)
    data = storage.current().get(key) if key else None
    if data is None:
        raise NotFound(str(_l("No such document.")))
    return data


def display_name(filename: str | None, fallback: str) -> str:
    """The uploaded file's name for display and download (no path parts; ends in .pdf)."""
    name = safe_display_name(filename)
    return fallback if name == "cv.pdf" else name
