"""Rebuild the hub's consolidated store from the sites' feeds alone (DESIGN.md §3, guarantee 4).

A new (or wiped) hub database is migrated, then every expected stream `<site>/<service>` is pulled
from seq 0 through the same EventProcessor that ingests from the bus: signatures, schemas, tracking
and the newer-snapshot-wins rule apply exactly as in normal operation. Run it with the hub's ingest
stopped; the bus consumer can start afterwards, and tracking absorbs whatever it redelivers.
"""
from __future__ import annotations

import logging

import requests
from sqlalchemy import func, select

from services.bootstrap import bootstrap
from services.common import inbox
from services.common.config import Settings
from services.sync.reconcile import make_reconciler
from services.workers import hub_ingest

log = logging.getLogger("sopro.rebuild")


def rebuild_hub(settings: Settings, allow_non_empty: bool = False,
                runtime=None) -> tuple[dict[str, int], dict[str, str]]:
    """Pull every member stream from zero into the hub's database.

    Returns the events applied per stream, and the streams whose feed could not be read (with why):
    one site being down does not stop the others; run it again once that site is back.
    """
    if not settings.is_hub:
        raise ValueError(f"{settings.site_id} is not the hub")
    runtime = runtime or bootstrap(settings)
    _, processor, streams = hub_ingest(runtime)
    with runtime.engine.connect() as conn:
        tracked = conn.execute(select(func.count()).select_from(inbox.inbox)).scalar()
    if tracked and not allow_non_empty:
        raise RuntimeError(f"the hub's database already tracks {tracked} events; rebuild into an empty "
                           "database (or pass --allow-non-empty to only fill what is missing)")
    reconciler = make_reconciler(runtime, processor, streams)
    applied: dict[str, int] = {}
    failed: dict[str, str] = {}
    for stream in streams:
        try:
            applied[stream] = reconciler.heal(stream)
        except requests.RequestException as exc:
            failed[stream] = str(exc)
            log.warning("could not read the feed of %s: %s", stream, exc)
            continue
        log.info("rebuilt %s: %d events", stream, applied[stream])
    return applied, failed
