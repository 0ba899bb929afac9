"""Pure parts of the cross-border flow: the hub's cost model from the federation file, distances, and a
forwarded part's answers at a site (absorbed repeats, conflicts)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from services.common.config import load_federation, load_settings
from services.common.errors import Conflict
from services.enquiries.crossborder.model import ForwardedPart
from services.hub.crossborder import geo
from services.hub.crossborder.flow import CostModel

NOW = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)


def test_the_cost_model_comes_from_the_federation_file_with_defaults_for_what_it_leaves_out(tmp_path):
    settings = load_settings("EU", env={})
    model = CostModel.from_settings(settings)
    assert model == CostModel(Decimal("0.001"), Decimal("150"), 5.0)
    path = tmp_path / "federation.yaml"
    path.write_text("rates_to_eur: {EUR: '1'}\nconsortium: {partner_fixed_eur: '80'}\nsites:\n"
                    "  EU: {name: Hub, country: null, currency: EUR, languages: [en], hub: true,\n"
                    "       coordinates: {lat: 48.2, lon: 16.4}, port: 8000}\n")
    custom = CostModel.from_settings(load_settings("EU", env={}, federation=load_federation(path, env={})))
    assert custom.partner_fixed_eur == Decimal("80") and custom.transport_eur_per_unit_km == Decimal("0.001")


def test_distances_from_nuts3_centroids():
    vienna, graz = geo.centroid("AT130"), geo.centroid("AT221")
    assert 140 < geo.distance_km(vienna, graz) < 150
    assert geo.centroid("HU221") is not None and geo.centroid("XX999") is None and geo.centroid(None) is None


def part() -> ForwardedPart:
    return ForwardedPart(
        id="p1", order_id="o1", origin_site="AT13", correlation_id="c1", forwarded_event_id="e1",
        enquiry_reference="AT13-E-2026-0001", title="Bags", type="csr_product", cpv_codes=["18930000"],
        offer_id="f1", organisation_id="s1", quantity=100, unit="bags", unit_price=Decimal("3"), currency="EUR",
        deadline=date(2026, 12, 31), delivery_nuts3="AT130", label_required=False, reason="cheapest",
        received_at=NOW)


def test_a_forwarded_part_is_answered_once_and_repeats_are_absorbed():
    p = part()
    assert p.accept("anna", NOW) is True and p.accept("anna", NOW) is False
    (event,) = p.pop_events()
    assert event.type == "enquiries.part.accepted" and event.aggregate_version == 1
    with pytest.raises(Conflict):
        p.decline("anna", NOW, "other", "changed my mind")
    declined = part()
    assert declined.decline("ben", NOW, "no_capacity") and not declined.decline("ben", NOW, "no_capacity")
    with pytest.raises(Conflict):
        declined.accept("ben", NOW)
    withdrawn = part()
    assert withdrawn.withdraw("cancelled", NOW) and not withdrawn.withdraw("cancelled", NOW)
    with pytest.raises(Conflict):
        withdrawn.accept("anna", NOW)
