"""What an order amounts to from its parts (services/hub/crossborder/snapshot.py, pure): what each part
covers, the order's status from forwarded to delivered, its shortfalls, and its impact as the sum of
its parts' (means weighted by the units delivered)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.hub.crossborder import snapshot

RATES = {"EUR": Decimal(1), "HUF": Decimal("0.0025")}


def order(quantity: int = 1000, status: str = "forwarded", rounds=(), failures=()) -> dict:
    return {"id": "o1", "enquiry_id": "e1", "reference": "AT13-E-1", "quantity": quantity, "status": status,
            "deadline": date(2026, 12, 7), "allocation": {"rounds": list(rounds), "failures": list(failures)}}


def part(pid: str, quantity: int, status: str, delivered: int = 0, impact=None, currency="EUR", price="3") -> dict:
    return {"id": pid, "site": "AT12", "organisation_id": f"org-{pid}", "offer_id": f"offer-{pid}",
            "quantity": quantity, "unit_price": Decimal(price), "currency": currency, "unit_cost_eur": Decimal(price),
            "status": status, "reason": {"code": "whole_capacity", "params": {}}, "answer": None, "note": None,
            "delivered": delivered, "deliveries": [], "failure": None, "impact": impact}


@pytest.mark.parametrize("statuses, expected", [
    (("forwarded", "forwarded"), "forwarded"),
    (("accepted", "forwarded"), "forwarded"),
    (("accepted", "declined"), "short"),
    (("accepted", "accepted"), "agreed"),
    (("in_production", "accepted"), "in_production"),
    (("delivered", "forwarded"), "in_production"),  # a replacement still to come
    (("delivered", "delivered"), "delivered"),
])
def test_the_status_follows_the_parts(statuses, expected):
    parts = [part("a", 600, statuses[0], 600 if statuses[0] == "delivered" else 0),
             part("b", 400, statuses[1], 400 if statuses[1] == "delivered" else 0)]
    assert snapshot.status(order(), parts) == expected


def test_a_failed_part_covers_what_it_delivered_and_the_order_is_delivered_once_nothing_is_to_come():
    parts = [part("a", 600, "delivered", 600), part("b", 400, "failed", 150)]
    assert snapshot.allocated(parts) == 750 and snapshot.partners(parts) == 2
    assert snapshot.status(order(), parts) == "delivered"
    assert snapshot.status(order(status="cancelled"), parts) == "cancelled"
    assert snapshot.status(order(), [part("a", 600, "failed", 0)]) == "short"  # nothing delivered


def test_shortfalls_are_the_failures_left_over_and_the_last_compositions_while_units_are_unplaced():
    failure = {"code": "deadline_missed", "quantity": 250, "params": {"missing": 250}}
    composition = {"cause": "decline", "shortfalls": [{"code": "capacity", "quantity": 100, "params": {}}]}
    after_failure = {"cause": "failure", "shortfalls": [{"code": "capacity", "quantity": 250, "params": {}}]}
    parts = [part("a", 600, "delivered", 600), part("b", 400, "failed", 150)]
    o = order(quantity=1100, rounds=[composition, after_failure], failures=[failure])
    assert snapshot.shortfalls(o, parts) == [failure, {"code": "capacity", "quantity": 100, "params": {}}]
    assert sum(s["quantity"] for s in snapshot.shortfalls(o, parts)) == 1100 - snapshot.allocated(parts)
    legacy = {"rounds": [{"shortfalls": [{"reason": "capacity", "quantity": 350, "detail": "an English sentence"}]}]}
    assert snapshot.shortfalls({**o, "allocation": legacy}, parts) == [
        {"code": "capacity", "quantity": 350, "params": {"quantity": 350}}]


def impact(paid: str, kg: str | None, hours: str | None, km: str | None, share: str | None) -> dict:
    return {"year": 2026, "value_paid": paid, "currency": "EUR", "value_paid_eur": paid, "material_diverted_kg": kg,
            "regional_share": share, "distance_km": km, "production_nuts3": None, "integration_hours": hours}


def test_the_consortiums_impact_is_the_sum_of_its_parts_with_means_weighted_by_units_delivered():
    parts = [part("a", 600, "delivered", 600, impact("1800", "100", "40", "100", "0.2")),
             part("b", 400, "failed", 200, impact("600.50", None, "10", "400", None)),
             part("c", 500, "in_production", 100)]
    total = snapshot.impact(parts)
    assert total == {"parts": 2, "value_paid_eur": Decimal("2400.50"), "material_diverted_kg": Decimal("100"),
                     "integration_hours": Decimal("50"), "distance_km": Decimal("175.0000"),
                     "regional_share": Decimal("0.2000")}
    assert snapshot.impact([part("c", 500, "accepted")]) == {
        "parts": 0, "value_paid_eur": 0, "material_diverted_kg": 0, "integration_hours": 0, "distance_km": None,
        "regional_share": None}


def test_the_message_carries_each_parts_price_in_eur_and_name_and_the_cost_of_what_is_covered():
    parts = [part("a", 600, "accepted", currency="HUF", price="1000"), part("b", 400, "declined")]
    parts[0]["unit_cost_eur"] = Decimal("2.6")
    data = snapshot.consortium(order(rounds=[{"method": "milp", "status": "optimal", "gap": 0.0}]), parts,
                               {("AT12", "org-a"): "Soproni Textil"}, RATES, Decimal(150))
    a, b = data["parts"]
    assert (a["unit_price_eur"], a["organisation_name"], b["organisation_name"]) == (
        Decimal("2.5000"), "Soproni Textil", None)
    assert data["total_cost_eur"] == Decimal("1710.00")  # 600 x 2.60 + one partner's 150
    assert (data["allocated"], data["accepted"], data["missing"], data["method"]) == (600, 600, 400, "milp")
    assert snapshot.as_reason("an old English sentence") == {"code": "text",
                                                              "params": {"text": "an old English sentence"}}
