"""Jepsen-style accounting of a fault test: every event written at the sites, and what became of it.

From the sites' outboxes (what was written) and the hub's counting probe (how often each event's
effects were applied, counted in the transaction of those effects) every event falls in one class:

- lost: written, and never applied (nor dead-lettered on purpose by the test);
- duplicated: applied two or more times at the hub;
- unexpected: applied at the hub, but never written at any site;
- recovered: in doubt when the fault struck (written but not yet applied) and applied exactly once
  after all, by redelivery or from the feed;
- ok: the rest, applied exactly once.

Alongside: deliveries the hub received again and dropped by its tracking rows (absorbed), which
route first applied each event (bus or feed), and the test's own figures (rates, times). Each test
prints its figures, appends them to test-artifacts/faults.json, and asserts zero lost, duplicated
and unexpected.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from services.common.config import REPO_ROOT

ARTIFACTS = Path(os.environ.get("SOPRO_TEST_ARTIFACTS") or REPO_ROOT / "test-artifacts")


@dataclass
class Figures:
    fault: str
    written: int
    applied: int
    lost: int
    duplicated: int
    unexpected: int
    recovered: int
    in_doubt: int
    dead_lettered: int = 0
    absorbed_duplicates: int = 0
    via_bus: int = 0
    via_feed: int = 0
    extra: dict = field(default_factory=dict)
    lost_ids: list = field(default_factory=list)
    duplicated_ids: list = field(default_factory=list)
    unexpected_ids: list = field(default_factory=list)

    def line(self) -> str:
        extra = "".join(f" {k}={v}" for k, v in self.extra.items())
        return (f"[fault] {self.fault}: written={self.written} applied={self.applied} lost={self.lost} "
                f"duplicated={self.duplicated} unexpected={self.unexpected} recovered={self.recovered}"
                f"/{self.in_doubt} in doubt dead_lettered={self.dead_lettered} "
                f"absorbed_duplicates={self.absorbed_duplicates} via_bus={self.via_bus} "
                f"via_feed={self.via_feed}{extra}")


def classify(fault: str, written: list[str], applications: dict[str, int], routes: dict[str, str] | None = None,
             in_doubt: set[str] = frozenset(), dead_lettered: set[str] = frozenset(), absorbed: int = 0,
             **extra) -> Figures:
    """`written`: event ids of every site's outbox; `applications`: event id -> times applied at the hub;
    `in_doubt`: ids written but not applied when the fault struck; `dead_lettered`: ids the test
    expects to be refused (poison), which are therefore not lost."""
    written_set = set(written)
    applied_once = {i for i, n in applications.items() if n == 1}
    lost = sorted(written_set - set(applications) - set(dead_lettered))
    duplicated = sorted(i for i, n in applications.items() if n > 1)
    unexpected = sorted(set(applications) - written_set)
    routes = routes or {}
    return Figures(
        fault=fault, written=len(written_set), applied=len(applications), lost=len(lost),
        duplicated=len(duplicated), unexpected=len(unexpected),
        recovered=len(set(in_doubt) & applied_once), in_doubt=len(in_doubt),
        dead_lettered=len(set(dead_lettered) & written_set), absorbed_duplicates=absorbed,
        via_bus=sum(1 for r in routes.values() if r == "bus"),
        via_feed=sum(1 for r in routes.values() if r == "feed"),
        extra=extra, lost_ids=lost[:20], duplicated_ids=duplicated[:20], unexpected_ids=unexpected[:20],
    )


def report(figures: Figures) -> Figures:
    """Print the figures and append them to test-artifacts/faults.json."""
    print(figures.line())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "faults.json"
    try:
        runs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        runs = []
    runs.append({"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **asdict(figures)})
    path.write_text(json.dumps(runs, indent=1, default=str) + "\n", encoding="utf-8")
    return figures


def assert_clean(figures: Figures) -> None:
    """Nothing lost, nothing applied twice, nothing made up."""
    report(figures)
    assert figures.lost == 0, f"{figures.fault}: {figures.lost} events lost, e.g. {figures.lost_ids[:5]}"
    assert figures.duplicated == 0, (f"{figures.fault}: {figures.duplicated} events applied twice, "
                                     f"e.g. {figures.duplicated_ids[:5]}")
    assert figures.unexpected == 0, (f"{figures.fault}: {figures.unexpected} events applied that no site "
                                     f"wrote, e.g. {figures.unexpected_ids[:5]}")
