"""The hub's event consumers: which events they cover, how payloads become rows, what the queue binds."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from services.common.envelope import routing_key
from services.common.events import declared_types
from services.hub import consumers
from services.registry import events as registry_events  # noqa: F401 - registers the registry's event types


def _topic_matches(binding: str, key: str) -> bool:
    # RabbitMQ topic semantics: "*" is exactly one word, "#" zero or more.
    pattern = re.escape(binding).replace(r"\*", r"[^.]+").replace(r"\.\#", r"(\.[^.]+)*").replace(r"\#", r".*")
    return re.fullmatch(pattern, key) is not None


def test_there_is_a_handler_for_every_registry_event_type():
    registry_types = {name for name, _ in declared_types() if name.startswith("registry.")}
    assert len(registry_types) == 12
    assert set(consumers.HANDLERS) == registry_types


def test_the_ingest_queue_binds_every_sites_registry_facts_and_nothing_else():
    keys = consumers.binding_keys()
    assert consumers.INGEST_SERVICES == ("registry",)
    assert any(_topic_matches(b, routing_key("AT12", "registry.offer.published")) for b in keys)
    assert any(_topic_matches(b, routing_key("HU22", "registry.support_statement.erased")) for b in keys)
    assert not any(_topic_matches(b, routing_key("AT12", "enquiries.enquiry.submitted")) for b in keys)
    assert not any(_topic_matches(b, routing_key("EU", "registry.offer.published", to="AT12")) for b in keys)


def test_offer_row_keeps_money_as_decimals():
    row = consumers.offer_row({
        "offer_id": "0c4f2d2e-0000-4000-8000-000000000001", "organisation_id": "0c4f2d2e-0000-4000-8000-000000000002",
        "title": "t", "description": "d", "cpv_codes": ["45000000"], "capacity_per_week": "12.5", "unit": "m2",
        "lead_time_days": 3, "price_min": "0.10", "price_max": None, "currency": "EUR", "delivery_radius_km": None,
        "cross_border": False, "status": "published",
    })
    assert row["capacity_per_week"] == Decimal("12.5") and row["price_min"] == Decimal("0.10")
    assert row["price_max"] is None and row["cpv_codes"] == ["45000000"] and "offer_id" not in row


def test_support_statement_row_holds_only_kind_region_and_date():
    row = consumers.support_statement_row({
        "statement_id": "0c4f2d2e-0000-4000-8000-000000000003", "kind": "organisation",
        "organisation_kind": "economic_enterprise", "nuts3": "HU221", "given_on": "2026-02-14",
    })
    assert row == {"status": "active", "kind": "organisation", "organisation_kind": "economic_enterprise",
                   "nuts3": "HU221", "given_on": date(2026, 2, 14)}
