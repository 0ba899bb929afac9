"""Ranking of offers for an enquiry: CPV levels, capacity, distance, label, segment, and the reasons."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.enquiries.matching.ranking import (
    Candidate, MatchRequest, cpv_fit, haversine_km, rank, score,
)

TODAY = date(2026, 3, 2)
ST_POELTEN = (48.204, 15.626)
VIENNA = (48.208, 16.373)


def request(**changes) -> MatchRequest:
    values = dict(cpv_codes=("39111000",), today=TODAY, quantity=Decimal(100), unit="piece",
                  deadline=date(2026, 4, 27), delivery_lat=ST_POELTEN[0], delivery_lon=ST_POELTEN[1])
    return MatchRequest(**{**values, **changes})


def candidate(offer_id: str = "o1", **changes) -> Candidate:
    values = dict(offer_id=offer_id, organisation_id=f"org-{offer_id}", organisation_name=f"SE {offer_id}",
                  title="Chairs", cpv_codes=("39111000",), free_capacity=Decimal(100), unit="piece",
                  lead_time_days=7, price_min=Decimal("40"), price_max=Decimal("60"), currency="EUR",
                  delivery_radius_km=None, lat=ST_POELTEN[0], lon=ST_POELTEN[1], nuts3="AT123",
                  labour_market_segment="second_labour_market", workers_in_integration=12)
    return Candidate(**{**values, **changes})


@pytest.mark.parametrize("offered, level, points", [
    ("39111000", "exact", 40),
    ("39111100", "exact", 40),  # narrower than asked: still what was asked for
    ("39112000", "class", 26),
    ("39120000", "group", 18),
    ("39000000", "division", 8),  # a division-wide offer is only a division-level fit
    ("39200000", "division", 8),
])
def test_cpv_fit_levels_come_from_the_digits(offered, level, points):
    assert cpv_fit(["39111000"], [offered])[:2] == (level, points)
    ranked = score(request(), candidate(cpv_codes=(offered,)))
    assert ranked.cpv_level == level and ranked.reasons[0].endswith(f"+{points}")


def test_cpv_fit_at_category_level():
    assert cpv_fit(["18937100"], ["18937200"])[:2] == ("category", 32)


def test_cpv_fit_takes_the_best_pair_and_none_when_divisions_differ():
    assert cpv_fit(["45000000", "39111000"], ["39120000", "39111000"])[0] == "exact"
    assert cpv_fit(["39111000"], ["45000000"]) is None
    assert rank(request(), [candidate(cpv_codes=("45000000",))]) == []


def test_a_perfect_nearby_candidate_scores_by_the_table_and_gives_a_reason_per_criterion():
    ranked = score(request(), candidate())
    assert ranked.points == {"cpv": 40, "capacity": 25, "distance": 15.0, "label": 0, "segment": 6, "support": 0}
    assert ranked.score == 86
    assert len(ranked.reasons) == 6
    assert ranked.reasons[0] == "CPV 39111000 exact: +40"
    assert "100 piece free before 2026-04-27, 100% of 100: +25" == ranked.reasons[1]
    assert ranked.reasons[2].startswith("0 km from the delivery place")
    assert ranked.reasons[4] == "second labour market, 12 workers in integration: +6"


def test_capacity_points_follow_the_share_of_the_quantity_covered():
    ranked = score(request(), candidate(free_capacity=Decimal(40)))
    assert ranked.points["capacity"] == 10
    assert "40%" in ranked.reasons[1]
    assert not ranked.covers(Decimal(100)) and ranked.covers(Decimal(40))


def test_a_different_unit_makes_capacity_incomparable():
    ranked = score(request(), candidate(unit="kg"))
    assert ranked.points["capacity"] == 0 and ranked.usable_capacity == 0
    assert "not comparable" in ranked.reasons[1]


def test_without_quantity_any_free_capacity_gets_full_points():
    assert score(request(quantity=None), candidate(free_capacity=Decimal(1))).points["capacity"] == 25
    assert score(request(quantity=None), candidate(free_capacity=Decimal(0))).points["capacity"] == 0


def test_haversine_st_poelten_to_vienna_is_about_55_km():
    assert haversine_km(*ST_POELTEN, *VIENNA) == pytest.approx(55.4, abs=1)


def test_distance_falls_with_km_and_is_zero_beyond_the_delivery_radius():
    near = score(request(), candidate(lat=VIENNA[0], lon=VIENNA[1]))
    assert near.points["distance"] == pytest.approx(15 * (1 - near.distance_km / 200), abs=0.1)
    beyond = score(request(), candidate(lat=VIENNA[0], lon=VIENNA[1], delivery_radius_km=30))
    assert beyond.points["distance"] == 0
    assert "beyond its delivery radius of 30 km" in beyond.reasons[2]


def test_without_coordinates_distance_goes_by_nuts_region():
    no_coords = dict(delivery_lat=None, delivery_lon=None, delivery_nuts3="AT123")
    assert score(request(**no_coords), candidate(lat=None, nuts3="AT123")).points["distance"] == 15
    assert score(request(**no_coords), candidate(lat=None, nuts3="AT127")).points["distance"] == 8
    assert score(request(**no_coords), candidate(lat=None, nuts3="AT130")).points["distance"] == 3
    assert score(request(**no_coords), candidate(lat=None, nuts3="HU221")).points["distance"] == 0
    unknown = score(request(delivery_lat=None, delivery_lon=None), candidate())
    assert unknown.points["distance"] == 0 and unknown.reasons[2] == "distance unknown: +0"


def test_label_counts_and_a_required_label_missing_costs_points():
    assert score(request(), candidate(labelled=True)).points["label"] == 10
    assert score(request(), candidate()).points["label"] == 0
    missing = score(request(label_required=True), candidate())
    assert missing.points["label"] == -10 and "label required" in missing.reasons[3]


def test_segment_prefers_the_third_labour_market():
    assert score(request(), candidate(labour_market_segment="third_labour_market")).points["segment"] == 10
    assert score(request(), candidate(labour_market_segment=None)).points["segment"] == 0


def test_rank_orders_by_score_then_free_capacity_then_price():
    best = candidate("best", labour_market_segment="third_labour_market")
    cheap = candidate("cheap", price_min=Decimal(10), price_max=Decimal(20))
    dear = candidate("dear")
    roomy = candidate("roomy", free_capacity=Decimal(500))  # same points as dear (capacity capped at 25)
    far = candidate("far", lat=VIENNA[0], lon=VIENNA[1])
    order = [r.candidate.offer_id for r in rank(request(), [far, dear, roomy, cheap, best])]
    assert order == ["best", "roomy", "cheap", "dear", "far"]


def test_unit_price_is_the_middle_of_the_range_or_its_known_end():
    assert candidate().unit_price == Decimal(50)
    assert candidate(price_min=None).unit_price == Decimal(60)
    assert candidate(price_min=None, price_max=None).unit_price is None


def test_without_deadline_capacity_is_counted_over_the_default_horizon():
    assert request(deadline=None).until == date(2026, 4, 27)
