"""How the site's registry events build the matching projection.

The consumer runner (services/workers.site_members) calls `HANDLERS[env.type](conn, env)` in the
transaction that writes the event's tracking row, only for new, verified and validated events of this
site. A handler only has to get the order right: per aggregate, the greatest `aggregate_version` wins,
whatever order events arrive in; `store.upsert_newer` does that in one statement.
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import Connection, Table

from services.common.envelope import Envelope
from services.contracts.events import label, registry
from services.contracts.rows import label_values, offer_values, organisation_values
from services.enquiries.matching import store

log = logging.getLogger("sopro.matching")

Handler = Callable[[Connection, Envelope], None]


def binding_keys(site_id: str) -> list[str]:
    """The site's own organisation, offer and label facts (routed as `<site>.<type>`)."""
    return [f"{site_id}.registry.organisation.*", f"{site_id}.registry.offer.*", f"{site_id}.label.label.*"]


def _columns_of(table: Table, values: dict) -> dict:
    """The payload's values this projection keeps: those its table has a column for."""
    return {name: value for name, value in values.items() if name in table.c}


def _apply(conn: Connection, env: Envelope, table: Table, row: dict) -> bool:
    values = {"id": env.aggregate_id, "aggregate_version": env.aggregate_version, "last_event_id": str(env.id), **row}
    applied = store.upsert_newer(conn, table, values)
    log.debug("matching %s %s %s v%s", "applied" if applied else "ignored stale", env.type, env.aggregate_id,
              env.aggregate_version)
    return applied


def apply_organisation(conn: Connection, env: Envelope) -> None:
    table = store.matching_organisation
    row = _columns_of(table, organisation_values(env.data))
    if _apply(conn, env, table, {**row, **store.unit_vector(row.get("lat"), row.get("lon"))}):
        store.refresh_eligibility(conn, organisation_id=env.aggregate_id)


def apply_offer(conn: Connection, env: Envelope) -> None:
    row = _columns_of(store.matching_offer, offer_values(env.data))
    if _apply(conn, env, store.matching_offer, row):
        store.replace_offer_divisions(conn, env.aggregate_id, row["cpv_codes"])
        store.refresh_eligibility(conn, offer_id=env.aggregate_id)


def withdraw_organisation(conn: Connection, env: Envelope) -> None:
    if _apply(conn, env, store.matching_organisation, {"status": "withdrawn"}):
        store.refresh_eligibility(conn, organisation_id=env.aggregate_id)


def withdraw_offer(conn: Connection, env: Envelope) -> None:
    if _apply(conn, env, store.matching_offer, {"status": "withdrawn"}):
        store.refresh_eligibility(conn, offer_id=env.aggregate_id)


def apply_label(conn: Connection, env: Envelope) -> None:
    """Any label event is a full snapshot: the newest one wins, a stale one is ignored."""
    values = {"label_id": env.aggregate_id, "aggregate_version": env.aggregate_version,
              "last_event_id": str(env.id), **_columns_of(store.matching_label, label_values(env.data))}
    applied = store.upsert_newer(conn, store.matching_label, values, key="label_id")
    if applied:
        store.replace_label_divisions(conn, env.aggregate_id, values.get("cpv_codes"))
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
