"""An order's timeline for the agency: every step of a cross-border order as the hub took it.

Steps are written in the ingest transaction of the event that caused them (`event_id`), so a crash
loses them with everything else that event did, and its redelivery writes them once. A step holds
codes and figures, never sentences: the agency's page words them in its reader's language.

| kind               | part | quantity                 | code                          | params                      |
|--------------------|------|--------------------------|-------------------------------|-----------------------------|
| requested          |      | the order's              |                               | deadline, max_partners, ... |
| allocated          |      | allocated in the round   |                               | cause, requested, missing.. |
| forwarded          | yes  | the part's               | why the share                 | its figures                 |
| accepted, declined | yes  | the part's               | a decline's reason            | note                        |
| withdrawn          | yes  | the part's               | order_cancelled/order_expired | reference                   |
| production_started | yes  |                          |                               |                             |
| delivery           | yes  | the delivery's           |                               | delivery_id, delivered_on   |
| failed             | yes  | missing units            | se_withdrew/delivered_short/… | delivered, missing          |
| reallocated        | yes  | units re-allocated       |                               |                             |
| shortfall          | yes  | units nobody will make   | the failure's cause           | reallocation: no_time_left… |
| agreed, in_production, delivered, cancelled | | |                    |                             |
"""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from sqlalchemy import Connection

from services.common.envelope import Envelope
from services.hub.crossborder import store as crossborder_store

REQUESTED, ALLOCATED, FORWARDED, WITHDRAWN = "requested", "allocated", "forwarded", "withdrawn"
PRODUCTION_STARTED, DELIVERY, FAILED, REALLOCATED, SHORTFALL = (
    "production_started", "delivery", "failed", "reallocated", "shortfall")


def record(conn: Connection, env: Envelope, order_id: str, kind: str, at: datetime, *,
           part: Mapping | None = None, quantity: int | None = None, code: str | None = None,
           params: Mapping | None = None) -> None:
    """One step of the order, caused by `env`."""
    crossborder_store.add_timeline(conn, [{
        "order_id": order_id, "at": at, "kind": kind, "part_id": part["id"] if part else None,
        "site": part["site"] if part else None, "quantity": quantity, "code": code, "params": dict(params or {}),
        "event_id": str(env.id),
    }])
