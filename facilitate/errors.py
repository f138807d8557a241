"""Domain errors: raised by operations, rendered as form messages, JSON errors or acks."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString


class DomainError(Exception):
    """A refusal the user can act on.

    ``code`` is stable and machine-readable; ``message`` is a lazy translated string,
    rendered in the locale of whoever receives it; ``field`` names the input at fault.
    """

    code = "invalid"
    status = 400

    def __init__(
        self, message: str | LazyString, *, field: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.field is not None:
            error["field"] = self.field
        return error


class ValidationError(DomainError):
    code = "validation_error"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Unavailable(DomainError):
    """The database (or another service) cannot take the write now; nothing was saved."""

    code = "unavailable"
    status = 503
