"""PostgreSQL and RabbitMQ for the tests: where they are, and what a test does without them.

Without them the tests that need them skip with the reason, unless SOPRO_REQUIRE_SERVICES=1 (as in
CI), where they fail instead.
"""
from __future__ import annotations

import os
import socket
import subprocess

import pytest
from sqlalchemy.engine import make_url

PG_BASE = os.environ.get("SOPRO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# The same database for psycopg itself (libpq's URI form), for the harness's own statements.
PG_CONNINFO = make_url(PG_BASE).set(drivername="postgresql").render_as_string(hide_password=False)
PG_ADDRESS = (make_url(PG_BASE).host or "127.0.0.1", make_url(PG_BASE).port or 5432)  # for need()
AMQP_HOST = os.environ.get("SOPRO_TEST_AMQP_HOST", "127.0.0.1")
REQUIRE = os.environ.get("SOPRO_REQUIRE_SERVICES") == "1"
# Tests fire requests far faster than any client: the limits stay on, only higher.
TEST_RATE_LIMIT = "1000000/minute"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def need(service: str, host: str, port: int) -> None:
    """Skip (or, with SOPRO_REQUIRE_SERVICES=1, fail) the test unless `service` answers at host:port."""
    if _reachable(host, port):
        return
    message = f"{service} is not reachable at {host}:{port}"
    if REQUIRE:
        pytest.fail(message + " and SOPRO_REQUIRE_SERVICES=1")
    pytest.skip(message)


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)
