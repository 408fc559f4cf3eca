"""Domain errors raised by services and mapped by views onto form fields or HTTP statuses."""
from __future__ import annotations


class DomainError(Exception):
    """A rule was broken. `field` names the form field the message belongs beside (or None)."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def field_messages(self) -> list[tuple[str | None, str]]:
        """Every (field, message) of the error; one for a plain DomainError."""
        return [(self.field, self.message)]


class ValidationFailed(DomainError):
    """Several fields are wrong at once (flaskbb's StopValidation): every reason, so users fix a form in one go."""

    def __init__(self, reasons: list[tuple[str | None, str]]):
        if not reasons:
            raise ValueError("ValidationFailed needs at least one reason")
        field, message = reasons[0]
        super().__init__(message, field)
        self.reasons = list(reasons)

    def field_messages(self) -> list[tuple[str | None, str]]:
        return list(self.reasons)


class Reasons:
    """Collects the field errors of one call; `raise_if_any()` raises them together as ValidationFailed.

        problems = Reasons()
        if not name: problems.add("name", _("Enter a name."))
        problems.raise_if_any()
    """

    def __init__(self) -> None:
        self.items: list[tuple[str | None, str]] = []

    def add(self, field: str | None, message) -> None:
        self.items.append((field, str(message)))

    def has(self, field: str) -> bool:
        return any(f == field for f, _ in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationFailed(self.items)


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """An illegal state transition or a race lost to another request."""

    status = 409
