"""Rolling impact sums up to sites, years and the network (pure)."""
from __future__ import annotations

from decimal import Decimal

from services.hub.enquiries.impact import Cell, summarise


def cell(site: str, year: int, records: int = 1, eur: str = "0", kg: str = "0", share_sum: str = "0",
         share_records: int = 0, km: str = "0", hours: str = "0") -> Cell:
    return Cell(site, year, records, Decimal(eur), Decimal(kg), Decimal(share_sum), share_records, Decimal(km),
                Decimal(hours))


def test_nothing_recorded_lists_every_site_with_zeros_and_no_average():
    body = summarise(["AT11", "HU22"], [])
    assert [s["site"] for s in body["sites"]] == ["AT11", "HU22"]
    assert body["years"] == [] and body["sites"][0]["years"] == []
    assert body["totals"] == {
        "records": 0,
        "economic": {"value_paid_eur": Decimal(0)},
        "ecological": {"material_diverted_kg": Decimal(0), "regional_share_average": None},
        "regional": {"distance_km": Decimal(0), "production_regions": {}},
        "social": {"integration_hours": Decimal(0)},
    }


def test_sums_roll_up_per_site_per_year_and_for_the_network():
    body = summarise(["AT12", "HU22"], [
        cell("AT12", 2025, records=2, eur="1000.10", kg="50", hours="100", km="30"),
        cell("AT12", 2026, records=1, eur="0.20", kg="5.5", hours="10"),
        cell("HU22", 2026, records=3, eur="300", hours="7.25"),
    ])
    assert body["totals"]["records"] == 6
    assert body["totals"]["economic"]["value_paid_eur"] == Decimal("1300.30")
    assert body["totals"]["social"]["integration_hours"] == Decimal("117.25")

    at12, hu22 = body["sites"]
    assert (at12["records"], at12["economic"]["value_paid_eur"], at12["ecological"]["material_diverted_kg"]) == (
        3, Decimal("1000.30"), Decimal("55.5"))
    assert [(y["year"], y["economic"]["value_paid_eur"]) for y in at12["years"]] == [
        (2025, Decimal("1000.10")), (2026, Decimal("0.20"))]
    assert [y["year"] for y in hu22["years"]] == [2026]

    assert [(y["year"], y["records"], y["economic"]["value_paid_eur"]) for y in body["years"]] == [
        (2025, 2, Decimal("1000.10")), (2026, 4, Decimal("300.20"))]
    assert body["years"][0]["regional"]["distance_km"] == Decimal("30")


def test_regional_share_is_the_mean_of_the_records_that_state_one():
    # Three of the four records state a share (two in 2026, summing 1.4; 0.9 in 2025); the fourth states
    # none and must not pull the mean down.
    body = summarise(["AT12"], [cell("AT12", 2026, records=3, share_sum="1.4", share_records=2),
                                cell("AT12", 2025, records=1, share_sum="0.9", share_records=1)])
    assert body["totals"]["ecological"]["regional_share_average"] == Decimal("2.3") / 3
    assert body["sites"][0]["years"][1]["ecological"]["regional_share_average"] == Decimal("0.7")


def test_production_regions_are_counted_per_site_year_and_network():
    body = summarise(["AT12", "HU22"], [cell("AT12", 2026, records=3), cell("HU22", 2026)],
                     regions=[("AT12", 2026, "AT123", 2), ("AT12", 2026, "AT127", 1), ("HU22", 2026, "AT127", 1)])
    assert body["totals"]["regional"]["production_regions"] == {"AT123": 2, "AT127": 2}
    assert body["sites"][1]["regional"]["production_regions"] == {"AT127": 1}
    assert body["years"][0]["regional"]["production_regions"] == {"AT123": 2, "AT127": 2}


def test_a_site_not_listed_but_reporting_is_still_shown():
    body = summarise(["AT12"], [cell("SI03", 2026, eur="5")])
    assert [s["site"] for s in body["sites"]] == ["AT12", "SI03"]
