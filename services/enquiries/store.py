"""The tables of the enquiries service: one Alembic component (branch) per part."""
from __future__ import annotations

from services.enquiries._parts import part_modules

COMPONENTS = [m.COMPONENT for m in part_modules("store") if hasattr(m, "COMPONENT")]
