"""End to end, embedded: the whole federation in this process (SQLite, in-memory bus), as `sopro demo`."""
from __future__ import annotations

import pytest
import requests

from services.demo.data import DEMO_PASSWORD
from services.demo.federation import EmbeddedFederation
from tests.support.polling import eventually
from tests.support.tokens import http_logged_in


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    fed = EmbeddedFederation(tmp_path_factory.mktemp("embedded"), ephemeral_ports=True).start()
    yield fed
    fed.stop()


def test_organisation_registered_at_at12_appears_at_the_hub(federation):
    at12 = federation.federation.site("AT12").url
    hub = federation.federation.hub.url
    headers = http_logged_in(at12, "broker", DEMO_PASSWORD)
    created = requests.post(f"{at12}/api/v1/organisations", headers=headers, json={
        "kind": "social_enterprise", "name": "Weinviertler Werkstätte", "registration_number": "ZVR 1",
        "address": {"street": "Hauptplatz 1", "postcode": "2130", "town": "Mistelbach", "country": "AT"},
        "nuts3": "AT125", "coordinates": {"lat": 48.57, "lon": 16.57},
        "labour_market_segment": "second_labour_market", "workers_in_integration": 12,
        "contact": {"name": "Petra Leitner", "email": "p.leitner@example.at", "phone": "+43 2572 1234"},
    })
    assert created.status_code == 201, created.text
    org_id = created.json()["id"]

    found = eventually(lambda: requests.get(f"{hub}/api/v1/organisations", params={"site": "AT12"}).json()["items"])
    ours = [o for o in found if o["id"] == org_id]
    assert ours and ours[0]["name"] == "Weinviertler Werkstätte"
    assert "Leitner" not in requests.get(f"{hub}/api/v1/organisations/{org_id}").text, "no person at the hub"


def test_demo_data_reaches_the_hub_and_description_is_written(federation):
    federation.seed()
    path = federation.write_description()
    hub = federation.federation.hub.url
    analyst = http_logged_in(hub, "analyst", DEMO_PASSWORD)

    def every_site_counted():
        stats = requests.get(f"{hub}/api/v1/statistics", headers=analyst).json()
        sites = {s["site"]: s for s in stats["sites"]}
        return sites if all(sites[s]["offers_published"] > 0 for s in ("AT11", "AT12", "AT13", "AT22", "HU22")) \
            else None

    sites = eventually(every_site_counted, timeout=30)
    assert sites, "every site's offers reached the hub"
    assert path.is_file() and "HU22" in path.read_text()

    # The demo's large order at AT13 went to the hub, which split it across sites and forwarded the parts.
    agency = http_logged_in(hub, "agency", DEMO_PASSWORD)

    def composed():
        orders = requests.get(f"{hub}/api/v1/cross-border/orders", headers=agency).json()["items"]
        return orders if orders and orders[0]["status"] != "requested" else None

    (order,) = eventually(composed, timeout=30)
    detail = requests.get(f"{hub}/api/v1/cross-border/orders/{order['id']}", headers=agency).json()
    assert order["origin_site"] == "AT13" and order["status"] == "forwarded", detail
    assert sum(p["quantity"] for p in detail["parts"]) == 5000
    assert len({p["site"] for p in detail["parts"]}) >= 3, detail["parts"]

    # The demo delivers agreements at AT12 and HU22, so the agency's impact figures are not empty.
    def delivered():
        totals = requests.get(f"{hub}/api/v1/impact", headers=agency).json()
        records = {s["site"]: s["records"] for s in totals["sites"]}
        return records if records["AT12"] and records["HU22"] else None

    records = eventually(delivered, timeout=30)
    assert records and records["AT12"] >= 1 and records["HU22"] >= 1, "the demo's deliveries reached the hub"


def test_an_enquiry_moving_through_its_states_reaches_the_hub_on_sqlite(federation):
    """Embedded mode stores timestamps in SQLite; its events must still carry RFC 3339 UTC times."""
    at13 = federation.federation.site("AT13").url
    hub = federation.federation.hub.url
    headers = http_logged_in(at13, "broker", DEMO_PASSWORD)
    client = requests.post(f"{at13}/api/v1/organisations", headers=headers, json={
        "kind": "economic_enterprise", "name": "Modehaus am Ring", "registration_number": "FN 4711",
        "address": {"street": "Kärntner Straße 1", "postcode": "1010", "town": "Wien", "country": "AT"},
        "nuts3": "AT130"})
    assert client.status_code == 201, client.text
    enquiry = requests.post(f"{at13}/api/v1/enquiries", headers=headers, json={
        "type": "csr_product", "title": "Tote Bags", "client_kind": "economic_enterprise",
        "client_organisation_id": client.json()["id"],
        "cpv_codes": ["18930000"], "quantity": "5000", "unit": "bags", "deadline": "2099-01-31",
        "delivery": {"nuts3": "AT130"}, "submit": True})
    assert enquiry.status_code == 201, enquiry.text
    enquiry_id = enquiry.json()["id"]
    moved = requests.post(f"{at13}/api/v1/enquiries/{enquiry_id}/transitions", headers=headers,
                          json={"to": "in_consultation", "reason": "first consultation booked"})
    assert moved.status_code == 200, moved.text
    analyst = http_logged_in(hub, "analyst", DEMO_PASSWORD)

    def at_hub():
        r = requests.get(f"{hub}/api/v1/enquiries/{enquiry_id}", headers=analyst)
        return r.json() if r.ok and r.json()["state"] == "in_consultation" else None

    seen = eventually(at_hub)
    assert seen, "the state change reached the hub"
    assert seen["submitted_at"].endswith(("Z", "+00:00"))
