"""A part's production and delivery as its site reports them (`enquiries.part.production_started`,
`delivery_recorded`, `failed`): each event is a snapshot of the part, and the newest
`aggregate_version` wins, whatever order the events arrive in.

Only the site a part was forwarded to may report on it: anything else is raised, so the ingest
dead-letters the event with the reason and the stream moves on (like a forged answer).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from sqlalchemy import Connection

from services.common.envelope import Envelope
from services.contracts.reasons import reason
from services.hub.crossborder import store as crossborder_store
from services.hub.crossborder import timeline

log = logging.getLogger("sopro.hub.crossborder")


class PartMessageRejected(Exception):
    """A message about a part the hub cannot take: an unknown part, another site's part, or figures that
    cannot be. Raised inside the ingest transaction, so the message is dead-lettered with this reason."""


def owned_part(conn: Connection, env: Envelope) -> Mapping:
    """The part `env` is about, locked, when `env`'s site is the one it was forwarded to."""
    part = crossborder_store.part(conn, str(env.data["part_id"]), lock=True)
    if part is None:
        raise PartMessageRejected(f"{env.site} sent {env.type} for part {env.data['part_id']}, "
                                  f"which the hub never forwarded")
    if part["site"] != env.site:
        raise PartMessageRejected(f"{env.site} sent {env.type} for part {part['id']} of site {part['site']}")
    if str(env.data["order_id"]) != part["order_id"]:
        raise PartMessageRejected(f"{env.site} sent {env.type} for part {part['id']} of order {part['order_id']} "
                                  f"naming order {env.data['order_id']}")
    return part


@dataclass(frozen=True)
class Applied:
    part: dict  # the part after the report
    failed_now: bool  # this report is the part's failure (re-allocate what it will not deliver)


def apply(conn: Connection, env: Envelope, part: Mapping, now: datetime) -> Applied | None:
    """Store the site's snapshot of `part` and write the timeline steps it brings; None when it changes
    nothing (an older snapshot, or a part the hub no longer wants)."""
    data = env.data
    if data["delivered"] > part["quantity"] or sum(d["quantity"] for d in data["deliveries"]) != data["delivered"]:
        raise PartMessageRejected(f"{env.site} reported {data['delivered']} units delivered of part {part['id']} "
                                  f"({part['quantity']} units) in deliveries adding up to something else")
    if part["progress_version"] is not None and env.aggregate_version <= part["progress_version"]:
        log.info("part %s: report v%s is not newer than v%s; ignored", part["id"], env.aggregate_version,
                 part["progress_version"])
        return None
    if part["status"] in (crossborder_store.DECLINED, crossborder_store.WITHDRAWN):
        log.info("part %s is %s; %s %s changes nothing", part["id"], part["status"], env.type, env.id)
        return None
    failed_now = data["status"] == crossborder_store.FAILED and part["status"] != crossborder_store.FAILED
    failure = _failure(part, data) if data["status"] == crossborder_store.FAILED else None
    changes = {
        "status": data["status"], "delivered": data["delivered"], "deliveries": list(data["deliveries"]),
        "failure": failure, "impact": data["impact"], "progress_version": env.aggregate_version,
        "progressed_at": now, "version": part["version"] + 1,
        # A report of production means the site accepted the part, even if its answer is still on its way.
        "answered_at": part["answered_at"] or now,
    }
    crossborder_store.update_part(conn, part["id"], **changes)
    after = {**part, **changes}
    _record_steps(conn, env, part, after, now)
    return Applied(after, failed_now)


def _failure(part: Mapping, data: Mapping) -> dict:
    """The failure's cause (the site's code; without one, what the figures show) with the figures."""
    code = (data.get("failure") or {}).get("code") or ("se_withdrew" if data["delivered"] == 0 else "delivered_short")
    return reason(code, site=part["site"], part_id=part["id"], quantity=part["quantity"], delivered=data["delivered"],
                  missing=part["quantity"] - data["delivered"])


def _record_steps(conn: Connection, env: Envelope, before: Mapping, after: Mapping, now: datetime) -> None:
    order_id = before["order_id"]
    if before["status"] not in (crossborder_store.IN_PRODUCTION, crossborder_store.DELIVERED,
                                crossborder_store.FAILED) and after["status"] != crossborder_store.FAILED:
        timeline.record(conn, env, order_id, timeline.PRODUCTION_STARTED, now, part=after)
    known = {d["delivery_id"] for d in before["deliveries"] or []}
    for d in after["deliveries"]:
        if d["delivery_id"] not in known:
            timeline.record(conn, env, order_id, timeline.DELIVERY, now, part=after, quantity=d["quantity"],
                            params={"delivery_id": d["delivery_id"], "delivered_on": d["delivered_on"]})
    if after["status"] == crossborder_store.FAILED and before["status"] != crossborder_store.FAILED:
        failure = after["failure"]
        timeline.record(conn, env, order_id, timeline.FAILED, now, part=after, quantity=failure["params"]["missing"],
                        code=failure["code"], params=failure["params"])
