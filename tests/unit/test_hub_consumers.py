"""The hub's event consumers: which events they cover, how payloads become rows, what the queue binds."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import json
from datetime import datetime, timezone
from pathlib import Path

from services.common.envelope import routing_key
from services.contracts.events import declared_types
from services.hub import consumers
from services.hub.payload_rows import agreement_row, enquiry_row, impact_row, offer_row, support_statement_row

DEFINITIONS = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq" / "definitions.json"


def _topic_matches(binding: str, key: str) -> bool:
    # RabbitMQ topic semantics: "*" is exactly one word, "#" zero or more.
    pattern = re.escape(binding).replace(r"\*", r"[^.]+").replace(r"\.\#", r"(\.[^.]+)*").replace(r"\#", r".*")
    return re.fullmatch(pattern, key) is not None


def test_there_is_a_handler_for_every_event_type_of_the_ingested_services():
    ingested = {name for name, _ in declared_types() if name.split(".")[0] in consumers.INGEST_SERVICES}
    assert len([t for t in ingested if t.startswith("registry.")]) == 14
    assert len([t for t in ingested if t.startswith("enquiries.")]) == 12
    assert len([t for t in ingested if t.startswith("label.")]) == 6
    assert len([t for t in ingested if t.startswith("community.")]) == 8
    cross_border = {"enquiries.enquiry.cross_border_requested", "enquiries.part.accepted", "enquiries.part.declined",
                    "enquiries.part.production_started", "enquiries.part.delivery_recorded", "enquiries.part.failed"}
    assert set(consumers.HANDLERS) == ingested - cross_border
    assert set(consumers.handlers(_settings())) == ingested


def _settings():
    from services.common.config import load_settings

    return load_settings("EU", env={})


def test_the_ingest_queue_binds_every_sites_registry_enquiries_label_and_community_facts_and_nothing_else():
    keys = consumers.binding_keys()
    assert consumers.INGEST_SERVICES == ("registry", "enquiries", "label", "community")
    assert keys == ["*.registry.#", "*.enquiries.#", "*.label.#", "*.community.#"]
    assert any(_topic_matches(b, routing_key("AT12", "registry.offer.published")) for b in keys)
    assert any(_topic_matches(b, routing_key("HU22", "registry.support_statement.erased")) for b in keys)
    assert any(_topic_matches(b, routing_key("AT12", "enquiries.enquiry.submitted")) for b in keys)
    assert any(_topic_matches(b, routing_key("HU22", "enquiries.impact.recorded")) for b in keys)
    assert any(_topic_matches(b, routing_key("AT12", "community.event.updated")) for b in keys)
    assert any(_topic_matches(b, routing_key("HU22", "label.label.suspended")) for b in keys)
    assert not any(_topic_matches(b, routing_key("AT12", "matching.offer.indexed")) for b in keys)
    assert not any(_topic_matches(b, routing_key("EU", "registry.offer.published", to="AT12")) for b in keys)
    # A forwarded part of a cross-border enquiry is a directed message for one site, not a fact for the hub.
    assert not any(_topic_matches(b, routing_key("EU", "enquiries.enquiry.forwarded", to="AT12")) for b in keys)


def test_the_broker_definitions_bind_the_ingest_queue_to_every_key_the_hub_consumes():
    # In production the queue exists before the hub starts; its bindings must not lag behind the code.
    definitions = json.loads(DEFINITIONS.read_text())
    bound = {b["routing_key"] for b in definitions["bindings"] if b["destination"] == "hub.ingest"}
    assert bound == set(consumers.binding_keys())


def test_offer_row_keeps_money_as_decimals():
    row = offer_row({
        "offer_id": "0c4f2d2e-0000-4000-8000-000000000001", "organisation_id": "0c4f2d2e-0000-4000-8000-000000000002",
        "title": "t", "description": "d", "cpv_codes": ["45000000"], "capacity_per_week": "12.5", "unit": "m2",
        "lead_time_days": 3, "price_min": "0.10", "price_max": None, "currency": "EUR", "delivery_radius_km": None,
        "cross_border": False, "status": "published",
    })
    assert row["capacity_per_week"] == Decimal("12.5") and row["price_min"] == Decimal("0.10")
    assert row["price_max"] is None and row["cpv_codes"] == ["45000000"] and "offer_id" not in row


def test_support_statement_row_holds_only_kind_region_and_date():
    row = support_statement_row({
        "statement_id": "0c4f2d2e-0000-4000-8000-000000000003", "kind": "organisation",
        "organisation_kind": "economic_enterprise", "nuts3": "HU221", "given_on": "2026-02-14",
    })
    assert row == {"status": "unconfirmed", "kind": "organisation", "organisation_kind": "economic_enterprise",
                   "nuts3": "HU221", "given_on": date(2026, 2, 14)}  # it counts once confirmed


ENQUIRY = {
    "enquiry_id": "0c4f2d2e-0000-4000-8000-000000000010", "reference": "AT12-E-2026-0007", "type": "service",
    "state": "matching", "client_kind": "economic_enterprise",
    "client_organisation_id": "0c4f2d2e-0000-4000-8000-000000000011", "title": "Catering for 200",
    "cpv_codes": ["55520000"], "quantity": "200", "unit": "meal", "deadline": "2026-06-30",
    "delivery_nuts3": "AT123", "budget": "4000.00", "currency": "EUR", "label_required": True,
    "cross_border_allowed": False, "cross_border_flagged": False, "submitted_at": "2026-12-31T23:30:00-02:00",
}


def test_enquiry_row_converts_dates_decimals_and_submission_year_in_utc():
    row = enquiry_row(ENQUIRY)
    # Submitted at 23:30 on New Year's Eve at UTC-2: that is 2027 in UTC.
    assert row["submitted_at"] == datetime(2027, 1, 1, 1, 30, tzinfo=timezone.utc)
    assert row["submitted_year"] == 2027
    assert row["deadline"] == date(2026, 6, 30)
    assert (row["quantity"], row["budget"]) == (Decimal("200"), Decimal("4000.00"))
    assert (row["label_required"], row["cross_border_allowed"], row["cross_border_flagged"]) == (True, False, False)
    assert "enquiry_id" not in row


def test_enquiry_row_of_an_anonymous_first_contact_keeps_the_optional_fields_empty():
    row = enquiry_row({**ENQUIRY, "client_kind": "anonymous", "client_organisation_id": None,
                       "quantity": None, "budget": None, "deadline": None, "submitted_at": None})
    assert (row["client_organisation_id"], row["quantity"], row["budget"], row["deadline"]) == (None,) * 4
    assert (row["submitted_at"], row["submitted_year"]) == (None, None)


def test_the_hub_enquiry_table_has_no_column_for_a_person():
    from services.hub.enquiries.store import hub_agreements, hub_enquiries, hub_impact

    personal = {"name", "first_name", "last_name", "email", "phone", "contact", "client_name", "person"}
    for table in (hub_enquiries, hub_agreements, hub_impact):
        assert not personal & set(table.c.keys()), table.name


def test_agreement_and_impact_rows_keep_money_as_decimals():
    agreement = agreement_row({
        "agreement_id": "0c4f2d2e-0000-4000-8000-000000000020", "enquiry_id": ENQUIRY["enquiry_id"],
        "organisation_id": "0c4f2d2e-0000-4000-8000-000000000021", "offer_id": None, "quantity": "200",
        "unit": "meal", "price": "3800.50", "currency": "EUR", "delivery_date": "2026-06-20", "status": "active",
    })
    assert (agreement["price"], agreement["delivery_date"], agreement["offer_id"]) == (
        Decimal("3800.50"), date(2026, 6, 20), None)
    impact = impact_row({
        "agreement_id": "0c4f2d2e-0000-4000-8000-000000000020", "enquiry_id": ENQUIRY["enquiry_id"], "year": 2026,
        "value_paid": "1500000", "currency": "HUF", "value_paid_eur": "3750.00", "material_diverted_kg": None,
        "regional_share": "0.8", "distance_km": "12.5", "production_nuts3": "HU221", "integration_hours": "340",
    })
    assert (impact["value_paid"], impact["value_paid_eur"], impact["regional_share"]) == (
        Decimal("1500000"), Decimal("3750.00"), Decimal("0.8"))
    assert impact["material_diverted_kg"] is None and impact["year"] == 2026
