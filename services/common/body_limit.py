"""A larger request body for the few routes that take a file (an evidence document), and a clear 422
when a body is larger still.

Every app reads at most MAX_CONTENT_LENGTH (1 MiB, services/common/api.py) of a body. A route marked
`@allows_body(limit, field)` reads up to `limit()` bytes instead (Flask 3.1's per-request
`request.max_content_length`); a body that says it is larger is refused before it is read, as a 422
naming `field`, not werkzeug's 413. The hook runs after the access check (strangers learn no limits) and
before anything reads the form (the request guard, the CSRF check).
"""
from __future__ import annotations

from typing import Callable

from flask import current_app, request

from services.common.auth import view_of
from services.common.errors import Invalid

MARK = "__sopro_body_limit__"


def allows_body(limit: Callable[[], int], field: str = "file"):
    """Mark a view (a function, or a MethodView's method) as reading a body of up to `limit()` bytes."""
    def mark(fn):
        setattr(fn, MARK, (limit, field))
        return fn
    return mark


def apply_body_limit() -> None:
    """before_request hook: the marked route's limit for this request; a declared larger body is a 422."""
    if request.endpoint is None:
        return
    marked = getattr(view_of(current_app, request.endpoint, request.method), MARK, None)
    if marked is None:
        return
    limit, field = marked
    request.max_content_length = most = limit()
    if request.content_length is not None and request.content_length > most:
        raise Invalid(f"the request is larger than {most} bytes", {field: [f"the file is larger than {most} bytes"]},
                      code="too_large")
