"""Domain errors raised by services and mapped by views onto form fields or HTTP statuses."""
from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. `field` names the form field the message belongs beside (or None)."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """An illegal state transition or a race lost to another request."""

    status = 409
