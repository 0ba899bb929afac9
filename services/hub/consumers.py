"""How the hub applies the registry's events to its consolidated store.

The consumer runner (services/sync) calls `HANDLERS[env.type](conn, env)` inside the transaction that
also writes the event's tracking row, only for events it has not applied before, after checking the
signature and validating `env.data`. So a handler only has to get the order right: per aggregate,
the event with the greatest `aggregate_version` wins, whatever order events arrive in (a gap pulled
from the feed later, a redelivery). `store.upsert_newer` does that in one statement.

The row key is (env.site, env.aggregate_id): the envelope, not the payload, says whose entity it is.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Callable

from sqlalchemy import Connection, Table

from services.common.envelope import Envelope
from services.hub import store
from services.registry import events as registry

log = logging.getLogger("sopro.hub")

# The services whose streams the hub ingests (its queue `hub.ingest` binds their facts from every site).
INGEST_SERVICES = ("registry",)

Handler = Callable[[Connection, Envelope], None]


def binding_keys() -> list[str]:
    """Facts are routed as `<site>.<type>`: every site's events of each ingested service."""
    return [f"*.{service}.#" for service in INGEST_SERVICES]


# --- translating payloads to rows --------------------------------------------------------------------

def _bookkeeping(env: Envelope) -> dict:
    return {
        "site": env.site,
        "id": env.aggregate_id,
        "aggregate_version": env.aggregate_version,
        "last_event_id": str(env.id),
        # In UTC: SQLite keeps no offset, so a "+02:00" would otherwise be stored as the wrong instant.
        "last_occurred_at": datetime.fromisoformat(env.occurred_at).astimezone(timezone.utc),
    }


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def organisation_row(data: dict) -> dict:
    return {
        "status": data["status"],
        "reference": data["reference"],
        "kind": data["kind"],
        "name": data["name"],
        "town": data["town"],
        "postcode": data["postcode"],
        "country": data["country"],
        "nuts3": data["nuts3"],
        "lat": data["lat"],
        "lon": data["lon"],
        "labour_market_segment": data["labour_market_segment"],
        "workers_in_integration": data["workers_in_integration"],
        "website": data["website"],
        "search_text": store.searchable(data["name"], data["town"], data["reference"]),
    }


def offer_row(data: dict) -> dict:
    return {
        "status": data["status"],
        "organisation_id": str(data["organisation_id"]),
        "title": data["title"],
        "description": data["description"],
        "cpv_codes": list(data["cpv_codes"]),
        "capacity_per_week": _decimal(data["capacity_per_week"]),
        "unit": data["unit"],
        "lead_time_days": data["lead_time_days"],
        "price_min": _decimal(data["price_min"]),
        "price_max": _decimal(data["price_max"]),
        "currency": data["currency"],
        "delivery_radius_km": data["delivery_radius_km"],
        "cross_border": data["cross_border"],
        "search_text": store.searchable(data["title"], data["description"]),
    }


def support_statement_row(data: dict) -> dict:
    # Only what the event carries: the hub never sees who gave the statement.
    given_on = data["given_on"]
    return {
        "status": store.STATEMENT_ACTIVE,
        "kind": data["kind"],
        "organisation_kind": data["organisation_kind"],
        "nuts3": data["nuts3"],
        "given_on": given_on if isinstance(given_on, date) else date.fromisoformat(given_on),
    }


def case_study_row(data: dict) -> dict:
    return {
        "status": data["status"],
        "title": data["title"],
        "summary": data["summary"],
        "client_organisation_id": _optional_str(data["client_organisation_id"]),
        "social_enterprise_id": _optional_str(data["social_enterprise_id"]),
        "cpv_codes": list(data["cpv_codes"]),
        "year": data["year"],
        "value_paid_eur": _decimal(data["value_paid_eur"]),
        "material_diverted_kg": _decimal(data["material_diverted_kg"]),
        "integration_hours": _decimal(data["integration_hours"]),
        "search_text": store.searchable(data["title"], data["summary"]),
    }


def _optional_str(value) -> str | None:
    return None if value is None else str(value)


# --- handlers ----------------------------------------------------------------------------------------

def _apply(conn: Connection, env: Envelope, table: Table, row: dict) -> bool:
    applied = store.upsert_newer(conn, table, {**_bookkeeping(env), **row})
    log.info("hub %s %s %s %s v%s seq=%s", "applied" if applied else "ignored stale", env.site, env.type,
             env.aggregate_id, env.aggregate_version, env.seq)
    return applied


def _snapshot(table: Table, to_row: Callable[[dict], dict]) -> Handler:
    def handle(conn: Connection, env: Envelope) -> None:
        _apply(conn, env, table, to_row(env.data))

    handle.__name__ = f"apply_{table.name}_snapshot"
    return handle


def _status_change(table: Table, status: str) -> Handler:
    """A withdrawal or erasure: only the status changes; a tombstone if the snapshot is not yet here."""

    def handle(conn: Connection, env: Envelope) -> None:
        _apply(conn, env, table, {"status": status})

    handle.__name__ = f"mark_{table.name}_{status}"
    return handle


def apply_offer(conn: Connection, env: Envelope) -> None:
    row = offer_row(env.data)
    if _apply(conn, env, store.hub_offer, row):
        store.replace_offer_cpv_codes(conn, env.site, env.aggregate_id, row["cpv_codes"])


HANDLERS: dict[str, Handler] = {
    registry.OrganisationRegistered.TYPE: _snapshot(store.hub_organisation, organisation_row),
    registry.OrganisationUpdated.TYPE: _snapshot(store.hub_organisation, organisation_row),
    registry.OrganisationWithdrawn.TYPE: _status_change(store.hub_organisation, "withdrawn"),
    registry.OfferPublished.TYPE: apply_offer,
    registry.OfferUpdated.TYPE: apply_offer,
    registry.OfferWithdrawn.TYPE: _status_change(store.hub_offer, "withdrawn"),
    registry.SupportStatementRecorded.TYPE: _snapshot(store.hub_support_statement, support_statement_row),
    registry.SupportStatementWithdrawn.TYPE: _status_change(store.hub_support_statement, "withdrawn"),
    registry.SupportStatementErased.TYPE: _status_change(store.hub_support_statement, "erased"),
    registry.CaseStudyPublished.TYPE: _snapshot(store.hub_case_study, case_study_row),
    registry.CaseStudyUpdated.TYPE: _snapshot(store.hub_case_study, case_study_row),
    registry.CaseStudyWithdrawn.TYPE: _status_change(store.hub_case_study, "withdrawn"),
}
