"""The NUTS-3 regions of the federation's sites (data/nuts3.csv): their names, and the choices of a
region field or filter.

Region names are the official NUTS names, which are the same in every language.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

NUTS3_FILE = Path(__file__).resolve().parent / "data" / "nuts3.csv"


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    with NUTS3_FILE.open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


def region_choices(site_id: str, is_hub: bool = False) -> list[tuple[str, str]]:
    """(code, "code – name") of the site's NUTS-3 regions (every region at the hub)."""
    return [(code, f"{code} – {name}") for code, name in names().items() if is_hub or code.startswith(site_id)]


def region_name(code: str | None) -> str:
    return names().get(code or "", code or "–")
