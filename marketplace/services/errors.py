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
    """Collects every field error of one call, to raise them together:

        problems = Reasons()
        name = problems.collect(clean_name, data.name)       # None when clean_name raised a DomainError
        if not data.title:
            problems.add("title", _("Enter a title."))
        problems.raise_if_any()

    One problem is raised as it is (a Conflict stays a 409); several as one ValidationFailed.
    """

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def add(self, field: str | None, message) -> None:
        self.errors.append(DomainError(str(message), field=field))

    def collect(self, check, *args, **kwargs):
        """check(*args, **kwargs), or None with its DomainError noted; NotFound/Forbidden still propagate."""
        try:
            return check(*args, **kwargs)
        except (NotFound, Forbidden):
            raise
        except DomainError as error:
            self.errors.append(error)
            return None

    def choice(self, enum_cls, value, field: str, message):
        """The member of enum_cls named by value, or None with `message` noted beside `field`."""
        try:
            return enum_cls(value)
        except ValueError:
            self.add(field, message)
            return None

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ValidationFailed([reason for error in self.errors for reason in error.field_messages()])


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """An illegal state transition or a race lost to another request."""

    status = 409
