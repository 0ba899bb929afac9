"""The contract's reading of registry and label payloads as column values, shared by the hub and the
sites' matching projection."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.contracts.rows import as_date, as_decimal, label_values, offer_values, optional_str, organisation_values
from services.enquiries.matching import store as matching_store
from services.hub import payload_rows
from services.hub.labels.store import hub_labels
from services.hub.register.store import hub_offer, hub_organisation

ORG_ID = "8d1c7c44-1f7c-4b7c-9f55-2a2f0f0f0f0f"
ORGANISATION = {
    "organisation_id": ORG_ID, "reference": "AT12-O-2026-0001", "kind": "social_enterprise", "name": "Ökö Werk",
    "town": "Graz", "postcode": "8010", "country": "AT", "nuts3": "AT221", "lat": 47.07, "lon": 15.44,
    "labour_market_segment": "second_labour_market", "workers_in_integration": 12, "website": None, "status": "active",
}
OFFER = {
    "offer_id": "0b8f", "organisation_id": ORG_ID, "title": "Sewing", "description": "Bags", "cpv_codes": ["18930000"],
    "capacity_per_week": 12.1, "unit": "pcs", "lead_time_days": 3, "price_min": "1.10", "price_max": None,
    "currency": "EUR", "delivery_radius_km": 50, "cross_border": True, "status": "active",
}
LABEL = {
    "number": "SOPRO-AT12-2026-0001", "holder_organisation_id": ORG_ID, "holder_name": "Ökö Werk", "product": "Bags",
    "cpv_codes": ["18930000"], "catalogue_version": 1, "status": "suspended", "valid_from": "2026-01-01",
    "valid_until": "2028-01-01", "suspended_until": "2026-06-30", "reason": "audit",
}


def test_numbers_become_exact_decimals_through_their_text():
    assert as_decimal(12.1) == Decimal("12.1")  # not 12.0999999999999996447286321199499070644378662109375
    assert as_decimal("1.10") == Decimal("1.10") and as_decimal(None) is None


def test_dates_and_optional_ids():
    assert as_date("2026-06-30") == date(2026, 6, 30)
    assert as_date(date(2026, 1, 1)) == date(2026, 1, 1) and as_date(None) is None
    assert optional_str(None) is None and optional_str(42) == "42"


def test_an_offer_reads_as_plain_values():
    values = offer_values(OFFER)
    assert values["capacity_per_week"] == Decimal("12.1") and values["price_min"] == Decimal("1.10")
    assert values["price_max"] is None and values["cpv_codes"] == ["18930000"]
    assert "offer_id" not in values  # the row's key comes from the envelope


def test_a_label_reads_with_its_dates():
    values = label_values(LABEL)
    assert (values["valid_from"], values["valid_until"], values["suspended_until"]) == (
        date(2026, 1, 1), date(2028, 1, 1), date(2026, 6, 30))


def test_the_matching_projection_has_a_column_for_each_value_it_keeps():
    for table, values, kept in (
        (matching_store.matching_organisation, organisation_values(ORGANISATION), {"kind", "name", "nuts3", "status"}),
        (matching_store.matching_offer, offer_values(OFFER), {"capacity_per_week", "cpv_codes", "price_min"}),
        (matching_store.matching_label, label_values(LABEL), {"number", "status", "valid_until"}),
    ):
        assert kept <= set(values) & set(table.c.keys())


def test_the_hub_keeps_every_value_and_adds_its_search_text():
    for row_of, table, data, search in (
        (payload_rows.organisation_row, hub_organisation, ORGANISATION, "search_text"),
        (payload_rows.offer_row, hub_offer, OFFER, "search_text"),
        (payload_rows.label_row, hub_labels, LABEL, "holder_search"),
    ):
        row = row_of(data)
        assert set(row) <= set(table.c.keys()) and search in row
    assert payload_rows.offer_row(OFFER)["capacity_per_week"] == offer_values(OFFER)["capacity_per_week"]
