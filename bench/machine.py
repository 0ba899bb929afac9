"""The machine's load while the benchmarks ran: figures from a busy machine are not quiet figures.

A sampler thread reads /proc/stat and the load average once a second. It reports how busy all cores were
over the run (mean and peak), the load average, and the cores, so that a reader can tell a quiet run
from one that shared the machine with other work.
"""
from __future__ import annotations

import os
import resource
import statistics
import time
import threading
from dataclasses import dataclass, field


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of all cores since boot; None where /proc/stat is missing."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


@dataclass
class LoadSampler:
    interval: float = 1.0
    busy: list[float] = field(default_factory=list)
    load1: list[float] = field(default_factory=list)
    load_before: float = 0.0

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-load", daemon=True)

    def __enter__(self) -> "LoadSampler":
        self.load_before = os.getloadavg()[0]
        self._started, self._own_cpu = time.monotonic(), _own_cpu_seconds()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._elapsed = time.monotonic() - self._started
        self._own_cpu = _own_cpu_seconds() - self._own_cpu
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        last = _cpu_times()
        while not self._stop.wait(self.interval):
            now = _cpu_times()
            if last and now and now[1] > last[1]:
                self.busy.append(100.0 * (now[0] - last[0]) / (now[1] - last[1]))
            last = now
            self.load1.append(os.getloadavg()[0])

    def summary(self) -> str:
        cores = os.cpu_count() or 1
        if not self.busy:
            return f"machine: {cores} cores; load average before the run {self.load_before:.2f}"
        return (f"machine: {cores} cores, busy {statistics.mean(self.busy):.0f}% on average over the run "
                f"(peak {max(self.busy):.0f}%), load average {statistics.mean(self.load1):.2f} "
                f"(peak {max(self.load1):.2f}; {self.load_before:.2f} before the run); the benchmark's own "
                f"processes used {100.0 * self._own_cpu / (self._elapsed * cores):.0f}% of the machine, "
                f"PostgreSQL and RabbitMQ working for them some more, and the rest was other work.")


def _own_cpu_seconds() -> float:
    """User + system CPU of this process and of its finished child processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
