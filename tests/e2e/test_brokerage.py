"""End to end, distributed: brokerage at AT12 through its API, every site and the hub in its own
`sopro serve` process on PostgreSQL and RabbitMQ (the federation of tests/support/distributed.py).

A company's enquiry is submitted, goes through consultation and matching (the shortlist comes from
the site's matching projection, fed by its own registry events over RabbitMQ), a proposal comes in
and is revised, an agreement is made, it is delivered and its impact recorded; the hub then shows
the enquiry, its agreement and the network's impact totals."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests

from tests.support.distributed import federation, organisation, session_for  # noqa: F401 - fixture
from tests.support.polling import eventually

pytestmark = pytest.mark.services


def test_a_company_enquiry_from_submission_to_impact_at_the_hub(federation):  # noqa: F811
    urls = federation["urls"]
    site, api = session_for(urls["AT12"]), f"{urls['AT12']}/api/v1"

    def ok(method: str, path: str, expect: int = 200, **kwargs) -> dict:
        r = site.request(method, f"{api}{path}", **kwargs)
        assert r.status_code == expect, (method, path, r.status_code, r.text)
        return r.json()

    company = ok("POST", "/organisations", 201, json=organisation("Mostviertler Bau AG", "FN 4711 b", "AT121", "AT",
                                                                  kind="economic_enterprise"))
    se = ok("POST", "/organisations", 201, json=organisation("Werkstatt Ybbstal", "ZVR 4712", "AT121", "AT"))
    offer = ok("POST", "/offers", 201, json={
        "organisation_id": se["id"], "title": "Möbel aus Paletten", "description": "Upcycling",
        "cpv_codes": ["39100000"], "capacity_per_week": "50", "unit": "pieces", "lead_time_days": 0,
        "price_min": "30", "price_max": "50"})

    # 1. the company's enquiry is submitted (the broker files it for the company, as after a phone call)
    deadline = (date.today() + timedelta(days=30)).isoformat()
    enquiry = ok("POST", "/enquiries", 201, json={
        "type": "csr_product", "title": "Give-away furniture for the trade fair", "cpv_codes": ["39100000"],
        "quantity": "60", "unit": "pieces", "deadline": deadline, "budget": "3000", "currency": "EUR",
        "client_organisation_id": company["id"], "client_kind": "economic_enterprise",
        "contact": {"name": "Franz Gruber", "email": "franz.gruber@mostbau.example"},
        "delivery": {"nuts3": "AT121", "lat": 48.12, "lon": 14.87}, "submit": True})
    eid = enquiry["id"]
    assert enquiry["state"] == "submitted" and enquiry["reference"].startswith("AT12-E-")

    # 2. consultation and matching
    ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_consultation", "reason": "first consultation"})
    ok("POST", f"/enquiries/{eid}/transitions", json={"to": "matching"})

    def shortlisted():
        candidates = ok("GET", f"/enquiries/{eid}/shortlist")["shortlist"]["candidates"]
        return [c for c in candidates if c["offer_id"] == offer["id"]]

    assert eventually(shortlisted), "the SE reached the site's matching projection"

    # 3. a proposal comes in, is revised after a message, and is accepted
    delivery_date = (date.today() + timedelta(days=21)).isoformat()
    proposal = ok("POST", f"/enquiries/{eid}/proposals", 201, json={
        "organisation_id": se["id"], "offer_id": offer["id"], "quantity": "60", "unit": "pieces", "price": "2700",
        "currency": "EUR", "delivery_date": delivery_date})
    ok("POST", f"/enquiries/{eid}/messages", 201, json={"body": "2500 would fit the budget", "organisation_id": se["id"]})
    ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/revisions", 201, json={
        "quantity": "60", "unit": "pieces", "price": "2500", "currency": "EUR", "delivery_date": delivery_date})
    agreement = ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/accept", 201)
    assert ok("GET", f"/enquiries/{eid}")["state"] == "agreed"

    # 4. production, delivery and the impact record
    ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_production"})
    delivered = ok("POST", f"/enquiries/{eid}/agreements/{agreement['id']}/deliver", json={
        "material_diverted_kg": "400", "regional_share": "0.9", "production_nuts3": "AT121",
        "production_lat": 48.0, "production_lon": 14.9, "integration_hours": "180"})
    assert Decimal(delivered["impact"]["value_paid_eur"]) == 2500
    assert ok("GET", f"/enquiries/{eid}")["state"] == "delivered"
    ok("POST", f"/enquiries/{eid}/transitions", json={"to": "closed"})

    # 5. the hub shows the enquiry, its agreement and impact, and the totals
    hub, hub_api = session_for(urls["EU"]), f"{urls['EU']}/api/v1"

    def hub_enquiry():
        r = hub.get(f"{hub_api}/enquiries/{eid}")
        return r.json() if r.ok and r.json()["state"] == "closed" and r.json().get("impact") else None

    seen = eventually(hub_enquiry, timeout=60)
    assert seen, "the closed enquiry and its impact reached the hub"
    assert seen["site"] == "AT12" and seen["reference"] == enquiry["reference"]
    assert [a["id"] for a in seen["agreements"]] == [agreement["id"]]
    assert "Gruber" not in str(seen) and "mostbau" not in str(seen)  # no personal data at the hub

    totals = hub.get(f"{hub_api}/impact", params={"site": "AT12"}).json()
    at12 = next(s for s in totals["sites"] if s["site"] == "AT12")
    assert at12["records"] >= 1 and Decimal(at12["economic"]["value_paid_eur"]) >= 2500
    assert Decimal(at12["social"]["integration_hours"]) >= 180
    assert Decimal(at12["ecological"]["material_diverted_kg"]) >= 400
    listed = hub.get(f"{hub_api}/enquiries", params={"site": "AT12"}).json()
    assert eid in {e["id"] for e in listed["items"]}
    assert requests.get(f"{hub_api}/impact").status_code == 401  # agency roles only
