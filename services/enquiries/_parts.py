"""Import a module of every part that has it (a part may not have an API, or tables)."""
from __future__ import annotations

import importlib

from services.enquiries import PARTS


def part_modules(name: str) -> list:
    found = []
    for part in PARTS:
        qualified = f"services.enquiries.{part}.{name}"
        try:
            found.append(importlib.import_module(qualified))
        except ModuleNotFoundError as exc:
            if exc.name not in (qualified, f"services.enquiries.{part}"):
                raise
    return found
