"""The origin's consortium API (AT12 on SQLite): staff only, the v2 picture with reasons as codes and the
impact, the client-facing agreement only once agreed (404 before, and for an enquiry never passed to the
hub), both documented in the OpenAPI document; never a 500."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from services.enquiries.crossborder import store
from tests.support.consortium_snapshots import Order, part, part_impact
from tests.support.lifecycle import LifecycleSite


@pytest.fixture
def site(make_settings):
    s = LifecycleSite(make_settings, None)
    yield s
    s.runtime.engine.dispose()


def test_only_staff_read_the_consortium_and_its_agreement(site):
    order = Order(site)
    order.report("agreed", part("HU22", 300, unit_price="1000", currency="HUF"))
    site.company(username="member")
    for path in (f"/enquiries/{order.enquiry_id}/consortium", f"/enquiries/{order.enquiry_id}/consortium/agreement"):
        site.call("GET", path, None, expect=401)
        site.call("GET", path, "member", expect=403)
        answer = site.call("GET", path, "admin", expect=200).get_json()
        assert answer["enquiry_id"] == order.enquiry_id, answer


def test_the_agreement_is_404_until_the_consortium_is_agreed_and_for_an_enquiry_without_one(site):
    order = Order(site)
    requested = order.picture()
    assert (requested["status"], requested["order_id"], requested["parts"]) == ("requested", None, [])
    order.agreement(expect=404)
    order.report("short", part("AT11", 100, "forwarded"), quantity=300,
                 shortfalls=[{"code": "capacity", "quantity": 200, "params": {"quantity": 200}}])
    assert order.picture()["shortfalls"] == [{"code": "capacity", "quantity": 200, "params": {"quantity": 200}}]
    order.agreement(expect=404)
    site.call("GET", f"/enquiries/{uuid.uuid4()}/consortium/agreement", expect=404)
    site.call("GET", "/enquiries/not-a-uuid/consortium/agreement", expect=404)


def test_the_picture_carries_every_part_with_its_reason_price_in_eur_delivery_and_impact(site):
    order = Order(site)
    hu = part("HU22", 300, "delivered", unit_price="1000", currency="HUF", name="Soproni Textil", delivered=300,
              impact=part_impact("762.00", "12.5", "80"))
    total = {"parts": 1, "value_paid_eur": "762.00", "material_diverted_kg": "12.5", "integration_hours": "80",
             "distance_km": None, "regional_share": None}
    order.report("delivered", hu, impact=total)
    picture = order.picture()
    (p,) = picture["parts"]
    assert (p["organisation_name"], p["unit_price"], p["currency"], p["unit_price_eur"], p["status"],
            p["delivered"]) == ("Soproni Textil", "1000", "HUF", "2.54", "delivered", 300)
    assert p["reason"] == hu["reason"] and p["impact"]["material_diverted_kg"] == "12.5"
    assert p["deliveries"][0]["quantity"] == 300
    assert picture["impact"] == total and picture["delivered"] == 300


def test_the_openapi_document_describes_both_routes(site):
    paths = site.client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/api/v1/enquiries/{enquiry_id}/consortium"]
    assert "get" in paths["/api/v1/enquiries/{enquiry_id}/consortium/agreement"]


def test_a_snapshot_kept_before_the_upgrade_is_shown_in_the_v2_shape(site):
    """Rows the site stored as the hub's version 1 data, before it read snapshots as version 2."""
    order = Order(site)
    v1 = {"order_id": order.order_id, "enquiry_id": order.enquiry_id, "enquiry_reference": "AT12-E-2026-0001",
          "status": "forwarded", "quantity": 300, "allocated": 300, "accepted": 0, "missing": 0,
          "total_cost_eur": "762.00", "method": "milp", "solver_status": "optimal", "gap": None,
          "parts": [{"part_id": str(uuid.uuid4()), "site": "HU22", "organisation_id": str(uuid.uuid4()),
                     "offer_id": str(uuid.uuid4()), "quantity": 300, "unit_price": "1000", "currency": "HUF",
                     "status": "forwarded", "reason": "cheapest in time", "answer": None}],
          "shortfalls": []}
    with site.runtime.engine.begin() as conn:
        store.save_consortium(conn, {"id": order.order_id, "enquiry_id": order.enquiry_id, "aggregate_version": 1,
                                     "status": "forwarded", "snapshot": v1, "correlation_id": "corr-old",
                                     "updated_at": datetime.now(timezone.utc)})
    picture = order.picture()
    (p,) = picture["parts"]
    assert (picture["version"], picture["correlation_id"], p["reason"], p["unit_price_eur"]) == \
        (1, "corr-old", "cheapest in time", "2.54")
