"""How the hub applies the registry's, the enquiries service's and the label service's events to its consolidated register_store.

The consumer runner (services/sync) calls `HANDLERS[env.type](conn, env)` inside the transaction that
also writes the event's tracking row, only for events it has not applied before, after checking the
signature and validating `env.data`. So a handler only has to get the order right: per aggregate,
the event with the greatest `aggregate_version` wins, whatever order events arrive in (a gap pulled
from the feed later, a redelivery). `rows.upsert_newer` does that in one statement.

The row key is (env.site, env.aggregate_id): the envelope, not the payload, says whose entity it is.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Callable

from sqlalchemy import Connection, Table

from services.common.envelope import Envelope
from services.contracts.events import enquiries
from services.hub import rows
from services.hub.crossborder.flow import CrossBorder
from services.hub.enquiries import store as enquiry_store
from services.hub.labels import store as label_store
from services.hub.register import store as register_store
from services.contracts.events import label
from services.contracts.events import registry

log = logging.getLogger("sopro.hub")

# The services whose streams the hub ingests (its queue `hub.ingest` binds their facts from every site).
# Each service here is also a stream `<site>/<service>` the reconciler expects from every member site.
INGEST_SERVICES = ("registry", "enquiries", "label")

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
        "last_occurred_at": _utc(env.occurred_at),
    }


def _utc(timestamp: str | datetime) -> datetime:
    # In UTC: SQLite keeps no offset, so a "+02:00" would otherwise be stored as the wrong instant.
    moment = timestamp if isinstance(timestamp, datetime) else datetime.fromisoformat(timestamp)
    return moment.astimezone(timezone.utc)


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


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
        "search_text": rows.searchable(data["name"], data["town"], data["reference"]),
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
        "search_text": rows.searchable(data["title"], data["description"]),
    }


def support_statement_row(data: dict, status: str = register_store.STATEMENT_UNCONFIRMED) -> dict:
    # Only what the event carries: the hub never sees who gave the statement. A recorded statement does
    # not count until its confirmation (the same data, active) arrives: anyone may file one.
    return {
        "status": status,
        "kind": data["kind"],
        "organisation_kind": data["organisation_kind"],
        "nuts3": data["nuts3"],
        "given_on": _date(data["given_on"]),
    }


def confirmed_statement_row(data: dict) -> dict:
    return support_statement_row(data, register_store.STATEMENT_ACTIVE)


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
        "search_text": rows.searchable(data["title"], data["summary"]),
    }


def enquiry_row(data: dict) -> dict:
    submitted_at = None if data["submitted_at"] is None else _utc(data["submitted_at"])
    return {
        "reference": data["reference"],
        "type": data["type"],
        "state": data["state"],
        "client_kind": data["client_kind"],
        "client_organisation_id": _optional_str(data["client_organisation_id"]),
        "title": data["title"],
        "cpv_codes": list(data["cpv_codes"]),
        "quantity": _decimal(data["quantity"]),
        "unit": data["unit"],
        "deadline": _date(data["deadline"]),
        "delivery_nuts3": data["delivery_nuts3"],
        "budget": _decimal(data["budget"]),
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
        "offer_id": _optional_str(data["offer_id"]),
        "quantity": _decimal(data["quantity"]),
        "unit": data["unit"],
        "price": _decimal(data["price"]),
        "currency": data["currency"],
        "delivery_date": _date(data["delivery_date"]),
        "status": data["status"],
    }


def impact_row(data: dict) -> dict:
    return {
        "agreement_id": str(data["agreement_id"]),
        "enquiry_id": str(data["enquiry_id"]),
        "year": data["year"],
        "value_paid": _decimal(data["value_paid"]),
        "currency": data["currency"],
        "value_paid_eur": _decimal(data["value_paid_eur"]),
        "material_diverted_kg": _decimal(data["material_diverted_kg"]),
        "regional_share": _decimal(data["regional_share"]),
        "distance_km": _decimal(data["distance_km"]),
        "production_nuts3": data["production_nuts3"],
        "integration_hours": _decimal(data["integration_hours"]),
    }


def label_row(data: dict) -> dict:
    # Every label event is a full snapshot; `label_id` is the row's id, taken from the envelope.
    return {
        "number": data["number"],
        "holder_organisation_id": str(data["holder_organisation_id"]),
        "holder_name": data["holder_name"],
        "product": data["product"],
        "cpv_codes": list(data["cpv_codes"]),
        "catalogue_version": data["catalogue_version"],
        "status": data["status"],
        "valid_from": _date(data["valid_from"]),
        "valid_until": _date(data["valid_until"]),
        "suspended_until": _date(data["suspended_until"]),
        "reason": data["reason"],
        "holder_search": rows.searchable(data["holder_name"]),
    }


def _optional_str(value) -> str | None:
    return None if value is None else str(value)


# --- handlers ----------------------------------------------------------------------------------------

def _apply(conn: Connection, env: Envelope, table: Table, row: dict) -> bool:
    applied = rows.upsert_newer(conn, table, {**_bookkeeping(env), **row})
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
    if _apply(conn, env, register_store.hub_offer, row):
        register_store.replace_offer_cpv_codes(conn, env.site, env.aggregate_id, row["cpv_codes"])


def apply_enquiry(conn: Connection, env: Envelope) -> None:
    row = enquiry_row(env.data)
    if _apply(conn, env, enquiry_store.hub_enquiries, row):
        enquiry_store.replace_enquiry_cpv_codes(conn, env.site, env.aggregate_id, row["cpv_codes"])


class ForeignLabelNumber(ValueError):
    """A site published a label whose number names another site."""


def apply_label(conn: Connection, env: Envelope) -> None:
    # A number names its deciding site (SOPRO-<site>-...): a site cannot grant or change another's label.
    # Raising quarantines the event (dead-lettered with this reason); the stream moves on.
    # A number already held by another label id fails the same way, on the table's unique constraint.
    if not env.data["number"].startswith(f"SOPRO-{env.site}-"):
        raise ForeignLabelNumber(f"{env.site} published label {env.data['number']} of another site")
    row = label_row(env.data)
    if _apply(conn, env, label_store.hub_labels, row):
        label_store.replace_label_cpv_codes(conn, env.site, env.aggregate_id, row["cpv_codes"])


# Agreement events are full snapshots whatever their verb: the status says made, cancelled or delivered.
apply_agreement = _snapshot(enquiry_store.hub_agreements, agreement_row)

HANDLERS: dict[str, Handler] = {
    registry.OrganisationRegistered.TYPE: _snapshot(register_store.hub_organisation, organisation_row),
    registry.OrganisationUpdated.TYPE: _snapshot(register_store.hub_organisation, organisation_row),
    registry.OrganisationWithdrawn.TYPE: _status_change(register_store.hub_organisation, "withdrawn"),
    registry.OfferPublished.TYPE: apply_offer,
    registry.OfferUpdated.TYPE: apply_offer,
    registry.OfferWithdrawn.TYPE: _status_change(register_store.hub_offer, "withdrawn"),
    registry.SupportStatementRecorded.TYPE: _snapshot(register_store.hub_support_statement, support_statement_row),
    registry.SupportStatementConfirmed.TYPE: _snapshot(register_store.hub_support_statement, confirmed_statement_row),
    registry.SupportStatementWithdrawn.TYPE: _status_change(register_store.hub_support_statement, "withdrawn"),
    registry.SupportStatementErased.TYPE: _status_change(register_store.hub_support_statement, "erased"),
    registry.CaseStudyPublished.TYPE: _snapshot(register_store.hub_case_study, case_study_row),
    registry.CaseStudyUpdated.TYPE: _snapshot(register_store.hub_case_study, case_study_row),
    registry.CaseStudyWithdrawn.TYPE: _status_change(register_store.hub_case_study, "withdrawn"),
    enquiries.EnquirySubmitted.TYPE: apply_enquiry,
    enquiries.EnquiryChanged.TYPE: apply_enquiry,
    enquiries.AgreementMade.TYPE: apply_agreement,
    enquiries.AgreementCancelled.TYPE: apply_agreement,
    enquiries.AgreementDelivered.TYPE: apply_agreement,
    enquiries.ImpactRecorded.TYPE: _snapshot(enquiry_store.hub_impact, impact_row),
    # Label events are full snapshots whatever their verb: the status says which decision it was.
    label.LabelGranted.TYPE: apply_label,
    label.LabelRenewed.TYPE: apply_label,
    label.LabelSuspended.TYPE: apply_label,
    label.LabelReinstated.TYPE: apply_label,
    label.LabelRevoked.TYPE: apply_label,
    label.LabelExpired.TYPE: apply_label,
}


def handlers(settings) -> dict[str, Handler]:
    """Every handler of the hub's ingest: the consolidated store's, and the cross-border flow's
    (`crossborder.flow`), which needs the federation's rates, costs and site coordinates."""
    return {**HANDLERS, **CrossBorder(settings).handlers(apply_enquiry)}
