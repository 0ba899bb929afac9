"""Errors the domain and the API raise, each with its HTTP status and a stable code."""
from __future__ import annotations


class SoproError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, errors: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if code:
            self.code = code


class Invalid(SoproError):
    status, code = 422, "invalid"


class NotFound(SoproError):
    status, code = 404, "not_found"


class Conflict(SoproError):
    status, code = 409, "conflict"


class Unauthorized(SoproError):
    status, code = 401, "unauthorized"


class Forbidden(SoproError):
    status, code = 403, "forbidden"


class Unavailable(SoproError):
    status, code = 503, "unavailable"


class BadRequest(SoproError):
    status, code = 400, "bad_request"


class UnsupportedMediaType(SoproError):
    status, code = 415, "unsupported_media_type"


def invalid(field_name: str, message: str) -> Invalid:
    """The 422 of one broken rule: a message naming the field, and the field's message for a form."""
    return Invalid(f"{field_name}: {message}", {field_name: [message]})
