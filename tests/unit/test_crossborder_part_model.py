"""A forwarded part at its target site, from the answer to delivered impact (pure model): every move,
the events each publishes, the impact and failure records, and the 409s and 422s of illegal moves."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.common.errors import Conflict, Invalid
from services.enquiries.crossborder.model import ForwardedPart
from services.enquiries.crossborder.production import Delivery, ImpactFigures, figures_as_json, figures_from_json

NOW = datetime(2026, 11, 22, 12, tzinfo=timezone.utc)
TODAY = NOW.date()
RATES = {"EUR": Decimal("1"), "HUF": Decimal("0.0025")}


def part(status: str = "pending", quantity: int = 100, currency: str = "EUR", unit_price: str = "3") -> ForwardedPart:
    p = ForwardedPart(
        id="p1", order_id="o1", origin_site="AT13", correlation_id="c1", forwarded_event_id="e1",
        enquiry_reference="AT13-E-2026-0001", title="Bags", type="csr_product", cpv_codes=["18930000"],
        offer_id="f1", organisation_id="s1", quantity=quantity, unit="bags", unit_price=Decimal(unit_price),
        currency=currency, deadline=date(2026, 12, 31), delivery_nuts3="AT130", label_required=False,
        reason={"code": "whole_capacity", "params": {"quantity": quantity}}, received_at=NOW)
    if status != "pending":
        p.accept("anna", NOW)
    if status == "in_production":
        p.start_production(NOW)
    p.pop_events()
    return p


def deliver(p: ForwardedPart, quantity: int, n: int = 1, **figures) -> None:
    p.record_delivery(Delivery(quantity, TODAY, ImpactFigures(**figures)), id=f"d{n}", by="anna",
                      now=NOW + timedelta(minutes=n), rates_to_eur=RATES)


def events(p: ForwardedPart) -> list[tuple[str, int, int, str]]:
    return [(e.type, e.version, e.aggregate_version, e.data()["status"]) for e in p.pop_events()]


def test_answers_are_version_2_with_a_decline_code_and_the_note_beside_it():
    accepted = part()
    accepted.accept("anna", NOW, "we can")
    (event,) = accepted.pop_events()
    assert (event.type, event.version, event.aggregate_version) == ("enquiries.part.accepted", 2, 1)
    assert event.data()["reason"] is None and event.data()["note"] == "we can"

    declined = part()
    declined.decline("ben", NOW, "deadline_too_short", "closed in December")
    (event,) = declined.pop_events()
    assert (event.type, event.version) == ("enquiries.part.declined", 2)
    assert event.data()["reason"] == {"code": "deadline_too_short", "params": {}}
    assert event.data()["note"] == "closed in December" and declined.decline_reason["code"] == "deadline_too_short"


def test_a_decline_needs_a_known_reason_code():
    p = part()
    with pytest.raises(Invalid) as err:
        p.decline("ben", NOW, "the workshop is closed")
    assert "reason" in err.value.errors and p.status == "pending" and not p.pop_events()


def test_start_then_partial_and_last_delivery_record_the_impact_from_the_last_figures():
    p = part("accepted")
    p.start_production(NOW)
    assert events(p) == [("enquiries.part.production_started", 1, 2, "in_production")]
    deliver(p, 40, 1, material_diverted_kg=Decimal("100"), regional_share=Decimal("0.5"))
    assert (p.status, p.delivered, p.open_quantity, p.impact) == ("in_production", 40, 60, None)
    assert events(p) == [("enquiries.part.delivery_recorded", 1, 3, "in_production")]
    deliver(p, 60, 2, material_diverted_kg=Decimal("250"), production_nuts3="HU221",
            integration_hours=Decimal("80"))
    assert (p.status, p.delivered, p.closed_at) == ("delivered", 100, NOW + timedelta(minutes=2))
    (event,) = p.pop_events()
    data = event.data()
    assert (event.type, event.aggregate_version, data["status"]) == ("enquiries.part.delivery_recorded", 4, "delivered")
    assert [(d["delivery_id"], d["quantity"]) for d in data["deliveries"]] == [("d1", 40), ("d2", 60)]
    assert data["impact"] == {
        "year": 2026, "value_paid": "300.00", "currency": "EUR", "value_paid_eur": "300.00",
        "material_diverted_kg": "250",  # the last given wins
        "regional_share": "0.5",  # given once, kept
        "distance_km": None, "production_nuts3": "HU221", "integration_hours": "80"}
    assert data["failure"] is None and not p.holds_capacity


def test_a_delivery_on_an_accepted_part_starts_production_and_a_reported_value_paid_is_valued_in_eur():
    p = part("accepted", quantity=10, currency="HUF", unit_price="1500")
    deliver(p, 10, value_paid=Decimal("16000"))
    assert events(p) == [("enquiries.part.production_started", 1, 2, "in_production"),
                         ("enquiries.part.delivery_recorded", 1, 3, "delivered")]
    assert (p.impact["value_paid"], p.impact["currency"], p.impact["value_paid_eur"]) == ("16000.00", "HUF", "40.00")
    assert p.started_at == NOW + timedelta(minutes=1)


def test_a_delivery_above_the_open_quantity_or_in_the_future_or_with_bad_figures_is_a_422():
    p = part("in_production")
    deliver(p, 70)
    p.pop_events()
    for delivery, field in ((Delivery(31, TODAY), "quantity"), (Delivery(0, TODAY), "quantity"),
                            (Delivery(5, TODAY + timedelta(days=1)), "delivered_on"),
                            (Delivery(5, TODAY, ImpactFigures(regional_share=Decimal("1.5"))), "regional_share"),
                            (Delivery(5, TODAY, ImpactFigures(distance_km=Decimal("-1"))), "distance_km")):
        with pytest.raises(Invalid) as err:
            p.record_delivery(delivery, id="dx", by="anna", now=NOW, rates_to_eur=RATES)
        assert field in err.value.errors, (delivery, err.value.errors)
        if delivery.quantity == 31:
            assert err.value.errors["quantity"] == ["only 30 still open"]
    assert (p.delivered, p.status, p.pop_events()) == (70, "in_production", [])


@pytest.mark.parametrize("status", ["pending", "declined", "withdrawn", "failed", "delivered"])
def test_a_delivery_on_a_part_that_does_not_run_is_a_409(status):
    p = part("accepted" if status in ("failed", "delivered") else "pending")
    if status == "declined":
        p.decline("ben", NOW, "no_capacity")
    elif status == "withdrawn":
        p.withdraw({"code": "order_cancelled", "params": {}}, NOW)
    elif status == "failed":
        p.withdraw_by_se(NOW, RATES)
    elif status == "delivered":
        deliver(p, 100)
    p.pop_events()
    with pytest.raises(Conflict) as err:
        deliver(p, 1, 9)
    assert err.value.code == f"part_{status}" and status in err.value.message and not p.pop_events()


def test_accept_after_a_withdrawal_and_starting_twice_are_409s_while_a_repeated_accept_is_absorbed():
    withdrawn = part()
    assert withdrawn.withdraw("the enquiry was cancelled", NOW)  # a version 1 message's text
    with pytest.raises(Conflict):
        withdrawn.accept("anna", NOW)
    running = part("in_production")
    with pytest.raises(Conflict) as err:
        running.start_production(NOW)
    assert err.value.code == "part_in_production"
    assert running.accept("anna", NOW) is False and not running.pop_events()  # accepted before: absorbed
    with pytest.raises(Conflict):
        running.decline("anna", NOW, "other")
    with pytest.raises(Conflict):
        part().start_production(NOW)


def test_the_se_withdraws_after_accepting_and_what_it_delivered_is_its_impact():
    nothing = part("accepted")
    nothing.withdraw_by_se(NOW, RATES, note="our machine broke")
    (event,) = nothing.pop_events()
    assert (event.type, event.data()["status"]) == ("enquiries.part.failed", "failed")
    assert event.data()["failure"] == {"code": "se_withdrew", "params": {"quantity": 100, "delivered": 0, "missing": 100}}
    assert event.data()["impact"] is None and nothing.failure_note == "our machine broke"
    assert "our machine broke" not in str(event.data())  # the typed note stays at the site

    some = part("in_production")
    deliver(some, 30)
    some.withdraw_by_se(NOW, RATES)
    assert some.failure["params"] == {"quantity": 100, "delivered": 30, "missing": 70}
    assert some.impact["value_paid"] == "90.00"
    with pytest.raises(Conflict):
        some.withdraw_by_se(NOW, RATES)


def test_closing_short_needs_a_delivery_and_records_the_impact_of_what_was_delivered():
    p = part("in_production")
    with pytest.raises(Conflict) as err:
        p.close_short(NOW, RATES)
    assert err.value.code == "nothing_delivered"
    deliver(p, 80, material_diverted_kg=Decimal("10"))
    p.pop_events()
    p.close_short(NOW, RATES, "the rest is not coming", ImpactFigures(integration_hours=Decimal("12")))
    (event,) = p.pop_events()
    assert event.data()["failure"] == {"code": "delivered_short",
                                       "params": {"quantity": 100, "delivered": 80, "missing": 20}}
    assert (p.impact["value_paid"], p.impact["material_diverted_kg"], p.impact["integration_hours"]) == \
        ("240.00", "10", "12")
    with pytest.raises(Conflict):
        part("accepted").close_short(NOW, RATES)


def test_a_missed_deadline_fails_a_running_part_once_and_nothing_else():
    after = datetime(2027, 1, 1, 3, tzinfo=timezone.utc)
    on_the_day = datetime(2026, 12, 31, 23, tzinfo=timezone.utc)
    running = part("in_production")
    deliver(running, 25)
    running.pop_events()
    assert running.miss_deadline(on_the_day, RATES) is False  # the deadline day itself is still in time
    assert running.miss_deadline(after, RATES) is True
    assert running.failure == {"code": "deadline_missed", "params": {"quantity": 100, "delivered": 25, "missing": 75}}
    assert running.impact["value_paid"] == "75.00" and len(running.pop_events()) == 1
    assert running.miss_deadline(after, RATES) is False and not running.pop_events()
    for other in (part(), part("accepted")):
        if other.status == "pending":
            assert other.miss_deadline(after, RATES) is False
        else:
            assert other.miss_deadline(after, RATES) and other.impact is None  # nothing delivered, no impact


def test_the_hub_withdraws_only_a_part_that_has_not_ended():
    running = part("in_production")
    assert running.withdraw({"code": "order_cancelled", "params": {}}, NOW) and running.status == "withdrawn"
    delivered = part("accepted", quantity=5)
    deliver(delivered, 5)
    assert delivered.withdraw({"code": "order_cancelled", "params": {}}, NOW) is False
    assert delivered.status == "delivered"


def test_impact_figures_round_trip_through_json():
    figures = ImpactFigures(value_paid=Decimal("12.50"), regional_share=Decimal("0.25"), production_nuts3="AT123")
    assert figures_from_json(figures_as_json(figures)) == figures
    assert figures_as_json(ImpactFigures()) == {} and figures_from_json(None) == ImpactFigures()


def test_a_retried_delivery_with_the_same_id_is_recorded_once_even_after_the_part_was_delivered():
    p = part("in_production", quantity=10)
    retry = Delivery(10, TODAY, id="retry-key")
    assert p.record_delivery(retry, id="retry-key", by="anna", now=NOW, rates_to_eur=RATES) is True
    p.pop_events()
    assert p.record_delivery(retry, id="retry-key", by="anna", now=NOW, rates_to_eur=RATES) is False  # not a 409
    assert (p.delivered, p.status, p.pop_events()) == (10, "delivered", [])
    with pytest.raises(Conflict) as err:
        p.record_delivery(Delivery(3, TODAY, id="retry-key"), id="retry-key", by="anna", now=NOW, rates_to_eur=RATES)
    assert err.value.code == "delivery_id_taken"
