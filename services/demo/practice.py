"""A dead letter for the agency to practise on (services/sync/agency_pages.py: /agency/operations/).

A demo federation delivers every message as it should, so the hub would hold no dead letter and its
agency admin could never try re-driving one. The demo therefore plays what can happen in production: a
party with access to the bus puts a copy of a site's real event, its payload changed, straight into the
hub's ingest queue (not through the events exchange, so no site's consumer sees it); one of AT12's and
one of HU22's, so that there is one to practise on in German and one in Hungarian. The
signature no longer matches, so the hub's ingest dead-letters it as forged, with that reason, under the
real event's stream, seq and id (nothing of the tampered copy is applied). Re-driving it reads the genuine
event from the site's feed: the hub had applied it already, so the letter is closed and the record says who
re-drove it. It is played at the start of every fresh demo, after the seed; the description written to
federation.json names them (`practice_dead_letters`).
"""
from __future__ import annotations

import json
import logging
import time

from sqlalchemy import Engine, func, select

from services.common.bus import OutgoingMessage, Publisher, connect
from services.common.envelope import dumps
from services.common.inbox import dead_letter
from services.common.outbox import outbox
from services.workers import HUB_INGEST_QUEUE

log = logging.getLogger("sopro.demo")

STREAMS = ("AT12/registry", "HU22/registry")  # the first event of each is copied
TAMPERED_BY = " (altered on the way)"


def tampered_copy(site_engine: Engine, stream: str) -> dict:
    """The stream's first published event with its payload changed after signing."""
    with site_engine.connect() as conn:
        row = conn.execute(select(outbox.c.envelope).where(
            outbox.c.stream == stream, outbox.c.envelope.is_not(None)).order_by(outbox.c.seq)).first()
    if row is None:
        raise RuntimeError(f"{stream} has published nothing to copy")
    message = json.loads(row.envelope)
    data = message["data"]
    data["name"] = str(data.get("name", "")) + TAMPERED_BY
    return message


def open_letters(hub_engine: Engine) -> int:
    with hub_engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(dead_letter).where(
            dead_letter.c.consumer == HUB_INGEST_QUEUE, dead_letter.c.redriven_at.is_(None))).scalar()


def send_forged_events(bus_url: str, site_engines: dict[str, Engine], hub_engine: Engine,
                       timeout: float = 15.0) -> list[dict]:
    """Send the tampered copies to the hub's ingest and wait until the hub has dead-lettered them; what was
    sent (stream, seq, event id of each)."""
    messages = [tampered_copy(site_engines[stream.split("/")[0]], stream) for stream in STREAMS]
    expected = open_letters(hub_engine) + len(messages)
    with connect(bus_url) as conn:  # the default exchange routes by queue name
        Publisher(conn).publish([OutgoingMessage(HUB_INGEST_QUEUE, dumps(m), m["id"]) for m in messages], exchange="")
    deadline = time.monotonic() + timeout
    while open_letters(hub_engine) < expected:
        if time.monotonic() > deadline:
            log.warning("the hub has not dead-lettered the demo's forged events within %.0fs", timeout)
            break
        time.sleep(0.1)
    return [{"stream": m["stream"], "seq": m["seq"], "event_id": m["id"]} for m in messages]
