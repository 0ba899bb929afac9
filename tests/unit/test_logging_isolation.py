"""A test that configures logging (the CLI in-process does) leaves the root logger as it found it
(tests/conftest.py `_root_logging_restored`): its handler's stream is the test's captured stderr, closed
after the test. The two tests run in this order, in one process (a module runs on one worker)."""
from __future__ import annotations

import io
import logging

from services.common import logs

STREAM = io.StringIO()


def test_a_test_configures_logging_onto_its_own_stream():
    logs.configure_logging("text", "DEBUG", STREAM)
    assert any(getattr(h, "stream", None) is STREAM for h in logging.getLogger().handlers)
    assert logging.getLogger().level == logging.DEBUG


def test_the_next_test_finds_the_root_logger_as_it_was():
    STREAM.close()  # as pytest closes a test's captured stderr
    root = logging.getLogger()
    assert not any(getattr(h, "stream", None) is STREAM for h in root.handlers)
    assert root.level != logging.DEBUG
