"""What the hub writes for an ingested event: the row its payload becomes, and the row's bookkeeping.

Pure: one function per kind of payload (`organisation_row`, `offer_row`, ...), used by the handlers in
consumers.py. Timestamps are stored in UTC and decimals as Decimal, whatever form the JSON carried them in.
Organisations, offers and labels read as the contract's `services.contracts.rows` (which a site's
matching projection reads them as too), plus the hub's search text.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable

from sqlalchemy import Connection, Table

from services.common import bulk
from services.common.envelope import Envelope
from services.contracts.rows import (
    as_date, as_decimal, label_values, offer_values, optional_str, organisation_values,
)
from services.hub import rows
from services.hub.register import store as register_store

log = logging.getLogger("sopro.hub")

Handler = Callable[[Connection, Envelope], None]


def bookkeeping(env: Envelope) -> dict:
    """The columns every event-built row has: its key (from the envelope) and the event it is as of."""
    return {
        "site": env.site,
        "id": env.aggregate_id,
        "aggregate_version": env.aggregate_version,
        "last_event_id": str(env.id),
        "last_occurred_at": utc(env.occurred_at),
    }


def utc(timestamp: str | datetime) -> datetime:
    # In UTC: SQLite keeps no offset, so a "+02:00" would otherwise be stored as the wrong instant.
    moment = timestamp if isinstance(timestamp, datetime) else datetime.fromisoformat(timestamp)
    return moment.astimezone(timezone.utc)


@dataclass
class Snapshot:
    """One event's row for `table` (with the event's bookkeeping), not yet written. `then` runs on the
    rows that were written (newer than the stored one), all of a batch's at once (side tables)."""

    env: Envelope
    table: Table
    row: dict
    then: Callable[[Connection, list["Snapshot"]], None] | None = None


def snapshot(env: Envelope, table: Table, row: dict,
             then: Callable[[Connection, list[Snapshot]], None] | None = None) -> Snapshot:
    return Snapshot(env, table, {**bookkeeping(env), **row}, then)


def write_snapshots(conn: Connection, snapshots: list[Snapshot]) -> list[Snapshot]:
    """Write many events' snapshots with one multi-row upsert per table and column set, as if each had been
    written one by one in the given order: per row, the greatest `aggregate_version` wins, an equal one
    later changes nothing, and a partial row (a status change) keeps the stored columns it lacks.
    Returns the snapshots that were written; their `then` has run."""
    written: list[Snapshot] = []
    for wave in _waves(snapshots):
        for (table, _), group in _by_statement(wave).items():
            dialect, columns = conn.dialect.name, tuple(sorted(group[0].row))
            result = conn.execute(_upsert_statement(dialect, table, columns),
                                  bulk.parameters(dialect, table, columns, [s.row for s in group]))
            keys = {tuple(key) for key in result}
            for s in group:
                applied = (s.row["site"], s.row["id"]) in keys
                log.info("hub %s %s %s %s v%s seq=%s", "applied" if applied else "ignored stale", s.env.site,
                         s.env.type, s.env.aggregate_id, s.env.aggregate_version, s.env.seq)
                if applied:
                    written.append(s)
    followers: dict[Callable, list[Snapshot]] = {}
    for s in written:
        if s.then is not None:
            followers.setdefault(s.then, []).append(s)
    for then, group in followers.items():
        then(conn, group)
    return written


def _waves(snapshots: list[Snapshot]) -> list[list[Snapshot]]:
    """Split the snapshots into statements' worth, each row key at most once per wave (one statement cannot
    touch a row twice), in their order. Of one row's events, one that is not newer than an event before it
    is dropped: written one by one, it would have found that one's version stored, and been ignored. So is
    one that a later event with all its columns overwrites anyway. The newest always stays."""
    chains: dict[tuple, list[Snapshot]] = {}
    for s in snapshots:
        chain = chains.setdefault((s.table.name, s.row["site"], s.row["id"]), [])
        if not chain or s.row["aggregate_version"] > chain[-1].row["aggregate_version"]:
            chain.append(s)
    waves: list[list[Snapshot]] = []
    for chain in chains.values():
        if len(chain) > 1:
            chain = [c for i, c in enumerate(chain)
                     if not any(c.row.keys() <= later.row.keys() for later in chain[i + 1:])]
        for i, s in enumerate(chain):
            if i == len(waves):
                waves.append([])
            waves[i].append(s)
    return waves


def _by_statement(snapshots: list[Snapshot]) -> dict[tuple, list[Snapshot]]:
    groups: dict[tuple, list[Snapshot]] = {}
    for s in snapshots:
        groups.setdefault((s.table, frozenset(s.row)), []).append(s)
    return groups


@lru_cache(maxsize=256)
def _upsert_statement(dialect: str, table: Table, columns: tuple[str, ...]):
    # services.common.projection's upsert, for many rows at once, returning the keys of the rows written.
    stmt = bulk.insert(dialect, table, columns)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.site, table.c.id],
        set_={name: stmt.excluded[name] for name in columns if name not in ("site", "id")},
        where=table.c.aggregate_version < stmt.excluded.aggregate_version,
    )
    return stmt.returning(table.c.site, table.c.id)


def batched(prepare: Callable[[Envelope], Snapshot]) -> Handler:
    """The handler of an event that becomes one snapshot: called alone it writes it; the processor
    (services.sync.processing) may instead `prepare` a batch's events and `write_prepared` them together."""
    def handle(conn: Connection, env: Envelope) -> None:
        write_snapshots(conn, [prepare(env)])

    handle.prepare = prepare
    handle.write_prepared = write_snapshots
    handle.__name__ = getattr(prepare, "__name__", "write_snapshot")
    return handle


def snapshot_handler(table: Table, to_row: Callable[[dict], dict]) -> Handler:
    """The handler of an event whose data is its aggregate's whole snapshot: `to_row(data)`, newest wins."""
    def prepare(env: Envelope) -> Snapshot:
        return snapshot(env, table, to_row(env.data))

    prepare.__name__ = f"apply_{table.name}_snapshot"
    return batched(prepare)


def organisation_row(data: dict) -> dict:
    return {**organisation_values(data), "search_text": rows.searchable(data["name"], data["town"], data["reference"])}


def profile_row(data: dict) -> dict:
    """{language: text}: public text its organisation wrote for everyone (no person's data)."""
    return {"texts": {entry["language"]: entry["text"] for entry in data["texts"]}}


def offer_row(data: dict) -> dict:
    return {**offer_values(data), "search_text": rows.searchable(data["title"], data["description"])}


def support_statement_row(data: dict, status: str = register_store.STATEMENT_UNCONFIRMED) -> dict:
    # Only what the event carries: the hub never sees who gave the statement. A recorded statement does
    # not count until its confirmation (the same data, active) arrives: anyone may file one.
    return {
        "status": status,
        "kind": data["kind"],
        "organisation_kind": data["organisation_kind"],
        "nuts3": data["nuts3"],
        "given_on": as_date(data["given_on"]),
    }


def confirmed_statement_row(data: dict) -> dict:
    return support_statement_row(data, register_store.STATEMENT_ACTIVE)


def case_study_row(data: dict) -> dict:
    """Either version: version 2 adds `texts` (the title and summary in further languages), which a
    version 1 event has none of."""
    texts = data.get("texts")
    return {
        "status": data["status"],
        "title": data["title"],
        "summary": data["summary"],
        "client_organisation_id": optional_str(data["client_organisation_id"]),
        "social_enterprise_id": optional_str(data["social_enterprise_id"]),
        "cpv_codes": list(data["cpv_codes"]),
        "year": data["year"],
        "value_paid_eur": as_decimal(data["value_paid_eur"]),
        "material_diverted_kg": as_decimal(data["material_diverted_kg"]),
        "integration_hours": as_decimal(data["integration_hours"]),
        "search_text": rows.searchable(data["title"], data["summary"],
                                       *(x for t in texts or () for x in (t["title"], t["summary"]))),
        "texts": None if texts is None else [
            {"language": t["language"], "title": t["title"], "summary": t["summary"]} for t in texts],
    }


def enquiry_row(data: dict) -> dict:
    submitted_at = None if data["submitted_at"] is None else utc(data["submitted_at"])
    return {
        "reference": data["reference"],
        "type": data["type"],
        "state": data["state"],
        "client_kind": data["client_kind"],
        "client_organisation_id": optional_str(data["client_organisation_id"]),
        "title": data["title"],
        "cpv_codes": list(data["cpv_codes"]),
        "quantity": as_decimal(data["quantity"]),
        "unit": data["unit"],
        "deadline": as_date(data["deadline"]),
        "delivery_nuts3": data["delivery_nuts3"],
        "budget": as_decimal(data["budget"]),
        "currency": data["currency"],
        "label_required": data["label_required"],
        "cross_border_allowed": data["cross_border_allowed"],
        "cross_border_flagged": data["cross_border_flagged"],
        "submitted_at": submitted_at,
        "submitted_year": None if submitted_at is None else submitted_at.year,
    }


def agreement_row(data: dict) -> dict:
    return {
        "enquiry_id": str(data["enquiry_id"]),
        "organisation_id": str(data["organisation_id"]),
        "offer_id": optional_str(data["offer_id"]),
        "quantity": as_decimal(data["quantity"]),
        "unit": data["unit"],
        "price": as_decimal(data["price"]),
        "currency": data["currency"],
        "delivery_date": as_date(data["delivery_date"]),
        "status": data["status"],
    }


def impact_row(data: dict) -> dict:
    return {
        "agreement_id": str(data["agreement_id"]),
        "enquiry_id": str(data["enquiry_id"]),
        "year": data["year"],
        "value_paid": as_decimal(data["value_paid"]),
        "currency": data["currency"],
        "value_paid_eur": as_decimal(data["value_paid_eur"]),
        "material_diverted_kg": as_decimal(data["material_diverted_kg"]),
        "regional_share": as_decimal(data["regional_share"]),
        "distance_km": as_decimal(data["distance_km"]),
        "production_nuts3": data["production_nuts3"],
        "integration_hours": as_decimal(data["integration_hours"]),
    }


def label_row(data: dict) -> dict:
    # Every label event is a full snapshot; `label_id` is the row's id, taken from the envelope.
    return {**label_values(data), "holder_search": rows.searchable(data["holder_name"])}
