"""What the label does with the hub's directed messages (the site's inbox, `to.<SITE>.#`).

- `hub.criteria.published`: a version of the network's criteria catalogue, as the agency published it.
  Stored as it came (services.label.catalogues.store_published) and applied from its `applies_from` on;
  a version this site holds already is left as it is (a redelivery changes nothing).
The inbox accepts only messages signed by the hub and addressed to this site; a catalogue the label
cannot read raises, so the message is dead-lettered with its reason instead of half applied.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone

from sqlalchemy import Connection

from services.common.envelope import Envelope
from services.contracts.events.criteria import CriteriaPublished
from services.label import catalogues

log = logging.getLogger("sopro.label")


def on_criteria_published(conn: Connection, env: Envelope) -> None:
    body = env.data
    if not catalogues.store_published(conn, body, date.fromisoformat(body["applies_from"]),
                                      published_at=_utc(env.occurred_at), event_id=str(env.id)):
        log.info("criteria version %s is held already; message %s changes nothing", body["version"], env.id)


def _utc(timestamp: str | datetime) -> datetime:
    moment = timestamp if isinstance(timestamp, datetime) else datetime.fromisoformat(timestamp)
    return moment.astimezone(timezone.utc)


HANDLERS = {CriteriaPublished.TYPE: on_criteria_published}
