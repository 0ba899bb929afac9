"""Waiting for something another process or thread will do: the one polling helper of the suite, and
waiting for a process of the test's own to be ready."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path


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


def started(proc: subprocess.Popen, ready, what: str, timeout: float, interval: float = 0.2,
            log: Path | None = None) -> None:
    """Wait until `ready()` is truthy while `proc` starts. Fails at once if `proc` exits meanwhile (with
    the end of its `log`), and when `timeout` seconds have passed."""

    def ready_unless_exited():
        if proc.poll() is not None:
            tail = f":\n{log.read_text(errors='replace')[-3000:]}" if log is not None and log.is_file() else ""
            raise AssertionError(f"{what} exited with {proc.returncode}{tail}")
        return ready()

    if not eventually(ready_unless_exited, timeout, interval):
        raise AssertionError(f"{what} was not ready within {timeout:g}s")
