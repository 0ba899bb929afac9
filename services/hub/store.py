"""Every table of the hub in one place: the metadata its migrations describe, for the composition root.

Each capability defines its tables in its own `store` module on `rows.metadata`; importing them here
registers them all, so `COMPONENT` describes every hub table whichever module was imported first.
"""
from __future__ import annotations

from pathlib import Path

from services.common.db import Component
from services.hub.criteria import store as criteria_store  # noqa: F401  (registers its tables)
from services.hub.crossborder import store as crossborder_store  # noqa: F401  (registers its tables)
from services.hub.enquiries import store as enquiry_store  # noqa: F401
from services.hub.labels import store as label_store  # noqa: F401
from services.hub.register import store as register_store  # noqa: F401
from services.hub.register import tallies  # noqa: F401  (tallies kept by triggers, list indexes)
from services.hub.rows import metadata

COMPONENT = Component("hub", metadata, Path(__file__).parent / "migrations" / "versions")
