"""Waiting for something another process or thread will do: the one polling helper of the suite."""
from __future__ import annotations

import time


def eventually(fetch, timeout: float = 30.0, interval: float = 0.1):
    """Call `fetch` until it returns something truthy and return that.

    After `timeout` seconds it returns `fetch`'s last (falsy) answer, so the caller's assertion
    fails with what was seen rather than with a timeout error.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fetch()
        if value:
            return value
        time.sleep(interval)
    return fetch()
