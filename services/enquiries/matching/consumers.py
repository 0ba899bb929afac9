"""How the site's registry events build the matching projection.

The consumer runner (services/workers.site_members) calls `HANDLERS[env.type](conn, env)` in the
transaction that writes the event's tracking row, only for new, verified and validated events of this
site. A handler only has to get the order right: per aggregate, the greatest `aggregate_version` wins,
whatever order events arrive in; `store.upsert_newer` does that in one statement.
"""
from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Callable

from sqlalchemy import Connection, Table

from services.common.envelope import Envelope
from services.enquiries.matching import store
from services.contracts.events import label
from services.contracts.events import registry

log = logging.getLogger("sopro.matching")

Handler = Callable[[Connection, Envelope], None]


def binding_keys(site_id: str) -> list[str]:
    """The site's own organisation, offer and label facts (routed as `<site>.<type>`)."""
    return [f"{site_id}.registry.organisation.*", f"{site_id}.registry.offer.*", f"{site_id}.label.label.*"]


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def organisation_row(data: dict) -> dict:
    return {
        "status": data["status"],
        "kind": data["kind"],
        "name": data["name"],
        "nuts3": data["nuts3"],
        "lat": data["lat"],
        "lon": data["lon"],
        "labour_market_segment": data["labour_market_segment"],
        "workers_in_integration": data["workers_in_integration"],
    }


def offer_row(data: dict) -> dict:
    return {
        "status": data["status"],
        "organisation_id": str(data["organisation_id"]),
        "title": data["title"],
        "cpv_codes": list(data["cpv_codes"]),
        "capacity_per_week": _decimal(data["capacity_per_week"]),
        "unit": data["unit"],
        "lead_time_days": data["lead_time_days"],
        "price_min": _decimal(data["price_min"]),
        "price_max": _decimal(data["price_max"]),
        "currency": data["currency"],
        "delivery_radius_km": data["delivery_radius_km"],
        "cross_border": data["cross_border"],
    }


def _apply(conn: Connection, env: Envelope, table: Table, row: dict) -> bool:
    values = {"id": env.aggregate_id, "aggregate_version": env.aggregate_version, "last_event_id": str(env.id), **row}
    applied = store.upsert_newer(conn, table, values)
    log.debug("matching %s %s %s v%s", "applied" if applied else "ignored stale", env.type, env.aggregate_id,
              env.aggregate_version)
    return applied


def apply_organisation(conn: Connection, env: Envelope) -> None:
    _apply(conn, env, store.matching_organisation, organisation_row(env.data))


def apply_offer(conn: Connection, env: Envelope) -> None:
    row = offer_row(env.data)
    if _apply(conn, env, store.matching_offer, row):
        store.replace_offer_divisions(conn, env.aggregate_id, row["cpv_codes"])


def withdraw_organisation(conn: Connection, env: Envelope) -> None:
    _apply(conn, env, store.matching_organisation, {"status": "withdrawn"})


def withdraw_offer(conn: Connection, env: Envelope) -> None:
    _apply(conn, env, store.matching_offer, {"status": "withdrawn"})


def label_row(data: dict) -> dict:
    valid_until = data["valid_until"]
    return {
        "number": data["number"],
        "holder_organisation_id": str(data["holder_organisation_id"]),
        "cpv_codes": list(data["cpv_codes"]),
        "status": data["status"],
        "valid_until": valid_until if isinstance(valid_until, date) else date.fromisoformat(str(valid_until)),
    }


def apply_label(conn: Connection, env: Envelope) -> None:
    """Any label event is a full snapshot: the newest one wins, a stale one is ignored."""
    values = {"label_id": env.aggregate_id, "aggregate_version": env.aggregate_version,
              "last_event_id": str(env.id), **label_row(env.data)}
    applied = store.upsert_newer(conn, store.matching_label, values, key="label_id")
    log.debug("matching %s %s %s v%s", "applied" if applied else "ignored stale", env.type, env.aggregate_id,
              env.aggregate_version)


HANDLERS: dict[str, Handler] = {
    registry.OrganisationRegistered.TYPE: apply_organisation,
    registry.OrganisationUpdated.TYPE: apply_organisation,
    registry.OrganisationWithdrawn.TYPE: withdraw_organisation,
    registry.OfferPublished.TYPE: apply_offer,
    registry.OfferUpdated.TYPE: apply_offer,
    registry.OfferWithdrawn.TYPE: withdraw_offer,
    **{event.TYPE: apply_label for event in (label.LabelGranted, label.LabelRenewed, label.LabelSuspended,
                                             label.LabelReinstated, label.LabelRevoked, label.LabelExpired)},
}
