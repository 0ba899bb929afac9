"""Structured logs: every line carries the correlation_id (and the event's id, stream and seq) of
the work it belongs to.

The context lives in a contextvar: the API binds a correlation id per request (the caller's
`X-Correlation-ID`, or a new one), the event processor binds the event's while it applies it. A
filter copies the context onto each record in the logging thread, so both the JSON and the text
format can show it. `configure_logging("json")` is what `sopro serve` uses in production.
"""
from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import traceback
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone

CONTEXT_FIELDS = ("correlation_id", "event_id", "stream", "seq")
CORRELATION_HEADER = "X-Correlation-ID"
# A caller's correlation id is echoed and logged: only plain tokens of sane length are taken.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,200}$")
# A URL path segment that is a secret: the token of a mailed link (secrets.token_urlsafe(32), 43 characters:
# a password reset, an invitation, a confirmation, an unsubscribe link). Whoever reads the logs must not be
# able to follow it. Ids (UUIDs, site ids, codes) stay.
_SECRET_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{24,}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("sopro_log_context", default={})

# The attributes every LogRecord has; anything else on a record came from `extra=` and is logged too.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName", "correlation"}


def current() -> dict:
    return dict(_context.get())


def bind(**fields) -> contextvars.Token:
    """Add fields to the log context; pass the token to `unbind` to restore the previous context."""
    return _context.set({**_context.get(), **{k: v for k, v in fields.items() if v is not None}})


def unbind(token: contextvars.Token) -> None:
    _context.reset(token)


@contextmanager
def bound(**fields):
    token = bind(**fields)
    try:
        yield
    finally:
        unbind(token)


def bound_event(env):
    """The log context of applying one event."""
    return bound(correlation_id=env.correlation_id, event_id=str(env.id), stream=env.stream, seq=env.seq)


def masked_path(path: str | None) -> str:
    """The path as access logs write it: each secret token replaced by `<token>`."""
    return "/".join("<token>" if _SECRET_SEGMENT.match(part) and not _UUID.match(part) else part
                    for part in (path or "").split("/"))


def correlation_id_from(header_value: str | None) -> str:
    """The caller's correlation id if it is an acceptable token, else a new one."""
    if header_value and _ACCEPTABLE_ID.match(header_value):
        return header_value
    return str(uuid.uuid4())


class ContextFilter(logging.Filter):
    """Copies the log context onto the record (in the thread that logged it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get()
        for name in CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, context.get(name))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the context, any `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and value is not None:
                doc[key] = value
        if record.exc_info:
            doc["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(doc, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation)s]: %(message)s"


class TextFormatter(logging.Formatter):
    """The classic line, with the correlation id (or "-") in brackets."""

    def format(self, record: logging.LogRecord) -> str:
        record.correlation = getattr(record, "correlation_id", None) or "-"
        return super().format(record)


def make_handler(fmt: str = "text", stream=None) -> logging.Handler:
    if fmt not in ("json", "text"):
        raise ValueError(f"log format must be json or text, not {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(TEXT_FORMAT))
    return handler


def configure_logging(fmt: str = "text", level: str | int = "INFO", stream=None) -> None:
    """Log to stderr (or `stream`) as `fmt`, json or text, replacing a handler set here before (others,
    such as a test runner's, stay)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "sopro", False)]:
        root.removeHandler(old)
    handler = make_handler(fmt, stream)
    handler.sopro = True
    root.addHandler(handler)
    root.setLevel(level)
    # `sopro.http` logs every request with its correlation id; werkzeug's own line would repeat it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def register_request_context(app) -> None:
    """Per request: bind the correlation id (the caller's `X-Correlation-ID`, else a new one), echo it
    in the response, and log one access line with it. Registered before the access check, so a
    refused request is traced too."""
    from flask import g, request

    access_log = logging.getLogger("sopro.http")

    @app.before_request
    def bind_correlation():
        g.correlation_id = correlation_id_from(request.headers.get(CORRELATION_HEADER))
        g.log_context_token = bind(correlation_id=g.correlation_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def echo_correlation(response):
        correlation = g.get("correlation_id")
        if correlation:
            response.headers[CORRELATION_HEADER] = correlation
            path = masked_path(request.path)  # a mailed link's token is a secret
            access_log.info("%s %s %s", request.method, path, response.status_code,
                            extra={"method": request.method, "path": path, "status": response.status_code,
                                   "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2)})
        return response

    @app.teardown_request
    def unbind_correlation(_exc):
        token = g.pop("log_context_token", None)
        if token is not None:
            try:
                unbind(token)
            except ValueError:  # bound in another context (a server that switched threads): drop it
                _context.set({})
