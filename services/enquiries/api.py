"""The HTTP API of the enquiries service: every part's blueprint."""
from __future__ import annotations

from services.enquiries._parts import part_modules


def blueprints() -> list:
    return [m.blp for m in part_modules("api")]
