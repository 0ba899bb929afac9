"""Cross-border orders in the hub's store for the order pages' tests (tests/web/test_hub_orders_*.py), on
top of the package's `network` (tests/support/hub_pages.py), written as the hub's flow writes them:
coded reasons, deliveries, a failure and its shortfall, impact, and the order's timeline.

- a delivered order for an AT12 enquiry of Donauland Handels AG: Traisentaler Werkstatt delivers its
  250 pieces in two deliveries; Győri Asztalosműhely (HU22, in forints) declines, the price being too
  low; Mostviertler Metallwerk takes the 150 over, delivers 100 and closes its part short; the 50
  missing pieces are a shortfall, too little time being left to re-allocate them;
- an order in production for another enquiry of the same client (never public).

`orders(network)` adds them once per network and returns their ids and the client's.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from services.contracts.reasons import reason
from services.hub.crossborder import store as crossborder_store
from tests.support.clock import in_days
from tests.support.web import new_enquiry

START = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=20)
def deadline():
    return in_days(10)



def orders(network) -> dict:
    if "orders" not in network:
        network["orders"] = _add(network)
    return network["orders"]


def _add(network) -> dict:
    hub, at12, hu22 = network["hub"], network["at12"], network["hu22"]
    delivered_enquiry = new_enquiry(at12, "Recycelte Messetaschen")
    running_enquiry = new_enquiry(at12, "Laufende Fertigung")
    hub.ingest(at12)
    ses = {"traisental": at12.ids["Traisentaler Werkstatt"], "mostviertel": at12.ids["Mostviertler Metallwerk"],
           "gyor": hu22.ids["Győri Asztalosműhely"]}
    with hub.runtime.engine.begin() as conn:
        delivered = _delivered_order(conn, delivered_enquiry, ses)
        running = _order(conn, running_enquiry, "in_production", 100, "AT12-E-RUNNING")
        _part(conn, running, "AT12", ses["traisental"], 100, "15", "EUR", "in_production",
              reason("whole_capacity", unit_cost_eur="14.20", rank=1, eligible=1, capacity=100))
    return {"delivered": delivered, "running": running, "delivered_enquiry": delivered_enquiry,
            "client_id": at12.ids["Donauland Handels AG"], "client_name": "Donauland Handels AG"}


def _delivered_order(conn, enquiry_id: str, ses: dict) -> str:
    shortfall = {"code": "delivered_short", "quantity": 50,
                 "params": {"site": "AT12", "quantity": 150, "delivered": 100, "missing": 50,
                            "reallocation": "no_time_left"}}
    order_id = _order(conn, enquiry_id, "delivered", 400, "AT12-E-DELIVERED",
                      allocation={"rounds": [], "failures": [shortfall]})
    traisental = _part(conn, order_id, "AT12", ses["traisental"], 250, "15", "EUR", "delivered",
                       reason("whole_capacity", unit_cost_eur="14.20", rank=1, eligible=2, capacity=250),
                       deliveries=[(150, 12), (100, 16)],
                       impact=_impact("3750", "120", "0.9", "35", "310"))
    gyor = _part(conn, order_id, "HU22", ses["gyor"], 150, "5200", "HUF", "declined",
                 reason("rest_of_order", unit_cost_eur="14.90", rank=2, eligible=2, quantity=150, capacity=500),
                 answer=reason("price_too_low"), note="Holz ist teurer geworden")
    mostviertel = _part(conn, order_id, "AT12", ses["mostviertel"], 150, "16", "EUR", "failed",
                        reason("rest_of_order", unit_cost_eur="16.10", rank=1, eligible=1, quantity=150,
                               capacity=300),
                        deliveries=[(100, 14)], failure=reason("delivered_short", **{
                            k: v for k, v in shortfall["params"].items() if k != "reallocation"}),
                        impact=_impact("1600", "40", "0.5", "60", "90"))
    steps = [
        ("requested", None, 400, None, {}),
        ("allocated", None, 400, None, {"cause": "request", "requested": 400, "allocated": 400, "missing": 0,
                                        "method": "milp", "status": "optimal"}),
        ("forwarded", traisental, 250, "whole_capacity", traisental["reason"]["params"]),
        ("forwarded", gyor, 150, "rest_of_order", gyor["reason"]["params"]),
        ("accepted", traisental, 250, None, {}),
        ("declined", gyor, 150, "price_too_low", {"note": "Holz ist teurer geworden"}),
        ("allocated", None, 150, None, {"cause": "decline", "requested": 150, "allocated": 150, "missing": 0,
                                        "method": "greedy", "status": "feasible"}),
        ("forwarded", mostviertel, 150, "rest_of_order", mostviertel["reason"]["params"]),
        ("accepted", mostviertel, 150, None, {}),
        ("agreed", None, 400, None, {}),
        ("production_started", traisental, None, None, {}),
        ("in_production", None, 0, None, {}),
        ("delivery", traisental, 150, None, {"delivery_id": str(uuid.uuid4()), "delivered_on": _day(12)}),
        ("delivery", mostviertel, 100, None, {"delivery_id": str(uuid.uuid4()), "delivered_on": _day(14)}),
        ("failed", mostviertel, 50, "delivered_short", mostviertel["failure"]["params"]),
        ("shortfall", mostviertel, 50, "delivered_short", shortfall["params"]),
        ("delivery", traisental, 100, None, {"delivery_id": str(uuid.uuid4()), "delivered_on": _day(16)}),
        ("delivered", None, 350, None, {}),
    ]
    crossborder_store.add_timeline(conn, [
        {"order_id": order_id, "at": START + timedelta(hours=n), "kind": kind, "part_id": part["id"] if part else None,
         "site": part["site"] if part else None, "quantity": quantity, "code": code, "params": dict(params),
         "event_id": str(uuid.uuid4())} for n, (kind, part, quantity, code, params) in enumerate(steps)])
    return order_id


def _day(offset: int) -> str:
    return (START + timedelta(days=offset)).date().isoformat()


def _impact(eur: str, kg: str, share: str, km: str, hours: str) -> dict:
    return {"year": START.year, "value_paid": eur, "currency": "EUR", "value_paid_eur": eur,
            "material_diverted_kg": kg, "regional_share": share, "distance_km": km, "production_nuts3": "AT123",
            "integration_hours": hours}


def _order(conn, enquiry_id: str, status: str, quantity: int, reference: str, allocation: dict | None = None) -> str:
    order_id = str(uuid.uuid4())
    crossborder_store.add_order(conn, {
        "id": order_id, "origin_site": "AT12", "enquiry_id": enquiry_id, "correlation_id": enquiry_id,
        "reference": reference, "title": f"Taschen {reference}", "type": "production_step",
        "client_kind": "economic_enterprise", "cpv_codes": ["39100000"], "quantity": quantity, "unit": "pieces",
        "deadline": deadline(), "delivery_nuts3": "AT123", "budget": Decimal("5000"), "currency": "EUR",
        "label_required": False, "max_partners": 3, "min_lot": 50, "sites": ["AT12", "HU22"], "status": status,
        "version": 5, "allocation": allocation or {"rounds": [], "failures": []}, "agreed_at": START,
        "created_at": START, "updated_at": START + timedelta(days=17)})
    return order_id


def _part(conn, order_id: str, site: str, se: str, quantity: int, price: str, currency: str, status: str,
          why: dict, *, answer: dict | None = None, note: str | None = None, deliveries=(), failure=None,
          impact=None) -> dict:
    row = {
        "id": str(uuid.uuid4()), "order_id": order_id, "site": site, "organisation_id": se,
        "offer_id": str(uuid.uuid4()), "quantity": quantity, "unit_price": Decimal(price), "currency": currency,
        "unit_cost_eur": Decimal("14"), "reason": why, "status": status, "answer": answer, "note": note,
        "version": 3, "forwarded_at": START, "answered_at": START + timedelta(hours=5),
        "delivered": sum(q for q, _ in deliveries),
        "deliveries": [{"delivery_id": str(uuid.uuid4()), "quantity": q, "delivered_on": _day(day)}
                       for q, day in deliveries] or None,
        "failure": failure, "impact": impact, "progress_version": 4 if deliveries or failure else None,
        "progressed_at": START + timedelta(days=16) if deliveries or failure else None,
    }
    crossborder_store.add_parts(conn, [row])
    return row
