"""Structured logs: the JSON line carries the correlation id and the event's place from the log context."""
from __future__ import annotations

import io
import json
import logging
import uuid
from types import SimpleNamespace

import pytest

from services.common import logs


@pytest.fixture
def captured():
    stream = io.StringIO()
    logger = logging.getLogger("sopro.test.logs")
    handler = logs.make_handler("json", stream)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def test_json_line_carries_the_bound_event_and_restores_the_context_after(captured):
    logger, lines = captured
    env = SimpleNamespace(correlation_id="corr-1", id=uuid.UUID(int=7), stream="AT12/registry", seq=42)
    with logs.bound_event(env):
        logger.info("applied %s", "it", extra={"count": 3})
    logger.info("outside")
    inside, outside = lines()
    assert inside["message"] == "applied it"
    assert inside["level"] == "INFO" and inside["logger"] == "sopro.test.logs"
    assert (inside["correlation_id"], inside["event_id"], inside["stream"], inside["seq"]) == (
        "corr-1", str(uuid.UUID(int=7)), "AT12/registry", 42)
    assert inside["count"] == 3
    assert inside["time"].endswith("Z")
    assert "correlation_id" not in outside and "stream" not in outside


def test_nested_binding_adds_fields_and_unwinds(captured):
    logger, lines = captured
    with logs.bound(correlation_id="outer"):
        with logs.bound(stream="HU22/label"):
            logger.warning("inner")
        logger.warning("outer only")
    inner, outer = lines()
    assert (inner["correlation_id"], inner["stream"]) == ("outer", "HU22/label")
    assert outer["correlation_id"] == "outer" and "stream" not in outer
    assert logs.current() == {}


def test_exceptions_are_logged_with_their_traceback(captured):
    logger, lines = captured
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("failed")
    (line,) = lines()
    assert "RuntimeError: boom" in line["exception"]


def test_text_format_shows_the_correlation_id_or_a_dash():
    stream = io.StringIO()
    logger = logging.getLogger("sopro.test.text")
    handler = logs.make_handler("text", stream)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("without")
        with logs.bound(correlation_id="abc"):
            logger.error("with")
    finally:
        logger.removeHandler(handler)
    first, second = stream.getvalue().splitlines()
    assert "[-]: without" in first
    assert "[abc]: with" in second


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError):
        logs.make_handler("xml")


@pytest.mark.parametrize("header", ["req-123", "00000000-0000-4000-8000-000000000000", "a.b:c/d@e"])
def test_a_plain_correlation_id_from_the_caller_is_kept(header):
    assert logs.correlation_id_from(header) == header


@pytest.mark.parametrize("header", [None, "", "x" * 201, "evil\nline", "sp ace", "<script>"])
def test_a_missing_or_unsafe_correlation_id_is_replaced_by_a_new_one(header):
    made = logs.correlation_id_from(header)
    assert made != header
    uuid.UUID(made)


def test_configure_logging_replaces_only_its_own_handler():
    root = logging.getLogger()
    foreign = logging.NullHandler()
    root.addHandler(foreign)
    before = root.level
    try:
        logs.configure_logging("text", "INFO", io.StringIO())
        logs.configure_logging("json", "INFO", io.StringIO())
        ours = [h for h in root.handlers if getattr(h, "sopro", False)]
        assert len(ours) == 1 and isinstance(ours[0].formatter, logs.JsonFormatter)
        assert foreign in root.handlers
    finally:
        for handler in [h for h in root.handlers if getattr(h, "sopro", False)] + [foreign]:
            root.removeHandler(handler)
        root.setLevel(before)
