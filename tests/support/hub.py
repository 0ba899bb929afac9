"""The hub fed events directly, for tests of its store, API and pages: its handlers, no bus, no checks."""
from __future__ import annotations

from services.common.envelope import Envelope
from services.hub.consumers import HANDLERS
from tests.support import events


def apply(runtime, *envelopes: Envelope) -> None:
    """Apply `envelopes` to the hub's store in order, one transaction each."""
    events.apply(HANDLERS, runtime, *envelopes)
