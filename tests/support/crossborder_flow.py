"""The cross-border scenario of issue 5, driven over HTTP, for the embedded and the distributed federation.

A Viennese retailer (enquiry at AT13) wants 5,000 upcycled tote bags in five weeks. Social enterprises
at AT11, AT12, AT22 and HU22 offer bags; none, and no one site, can make 5,000 in time. HU22's cheapest
offer is priced in forint (1,000 HUF = 2.50 EUR), below every euro price: the hub must see that.
"""
from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

import requests
from tests.support.polling import eventually

BAGS = "18930000"
DAYS = 35  # the deadline; with 7 days of lead time, four weeks of production

# site, name, nuts3, lat, lon, capacity per week, price, currency
SUPPLIERS = (
    ("HU22", "Soproni Textil Szövetkezet", "HU221", 47.68, 16.58, 600, "1000", "HUF"),  # 2,400 at 2.50 EUR
    ("AT12", "Traisentaler Taschenwerk", "AT123", 48.03, 15.60, 400, "3.00", "EUR"),  # 1,600
    ("AT22", "Grazer Nähwerkstatt", "AT221", 47.07, 15.44, 300, "3.20", "EUR"),  # 1,200
    ("AT11", "Oberwarter Beschäftigungswerk", "AT113", 47.29, 16.20, 300, "3.60", "EUR"),  # 1,200 (reserve)
    ("HU22", "Győri Zsákmanufaktúra", "HU221", 47.69, 17.63, 400, "1500", "HUF"),  # 1,600 at 3.75 EUR (reserve)
)


@dataclass
class Supplier:
    site: str
    name: str
    organisation_id: str
    offer_id: str


def register_suppliers(sessions: dict[str, requests.Session], urls: dict[str, str], cpv: str = BAGS,
                       suppliers=SUPPLIERS) -> list[Supplier]:
    made = []
    for site, name, nuts3, lat, lon, per_week, price, currency in suppliers:
        http, url = sessions[site], urls[site]
        org = http.post(f"{url}/api/v1/organisations", json={
            "kind": "social_enterprise", "name": name, "registration_number": f"REG {uuid.uuid4().hex[:8]}",
            "address": {"street": "Fő utca 1" if site == "HU22" else "Hauptplatz 1", "postcode": "1000",
                        "town": "Town", "country": site[:2]},
            "nuts3": nuts3, "coordinates": {"lat": lat, "lon": lon},
            "labour_market_segment": "second_labour_market", "workers_in_integration": 12})
        assert org.status_code == 201, org.text
        offer = http.post(f"{url}/api/v1/offers", json={
            "organisation_id": org.json()["id"], "title": f"Tote bags ({name})", "description": "Upcycled tote bags",
            "cpv_codes": [cpv], "capacity_per_week": str(per_week), "unit": "bags", "lead_time_days": 7,
            "price_min": price, "price_max": price, "currency": currency, "cross_border": True})
        assert offer.status_code == 201, offer.text
        made.append(Supplier(site, name, org.json()["id"], offer.json()["id"]))
    return made


def hub_knows_offers(hub: requests.Session, hub_url: str, suppliers: list[Supplier]) -> bool:
    def known():
        ids = {o["id"] for o in hub.get(f"{hub_url}/api/v1/offers", params={"per_page": 200}).json()["items"]}
        return all(s.offer_id in ids for s in suppliers)
    return bool(eventually(known))


def register_client(at13: requests.Session, url: str) -> str:
    """The Viennese retailer, a member of AT13 (its case study names it)."""
    r = at13.post(f"{url}/api/v1/organisations", json={
        "kind": "economic_enterprise", "name": "Wiener Kaufhaus", "registration_number": f"FN {uuid.uuid4().hex[:8]}",
        "address": {"street": "Mariahilfer Straße 1", "postcode": "1060", "town": "Wien", "country": "AT"},
        "nuts3": "AT130", "coordinates": {"lat": 48.2, "lon": 16.35}})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def file_large_order(at13: requests.Session, url: str, quantity: int = 5000, cpv: str = BAGS) -> dict:
    # One distinct CPV group per story keeps two stories in one federation from sharing suppliers.
    deadline = (datetime.date.today() + datetime.timedelta(days=DAYS)).isoformat()
    r = at13.post(f"{url}/api/v1/enquiries", json={
        "type": "csr_product", "title": f"{quantity} upcycled tote bags for a Viennese retailer", "cpv_codes": [cpv],
        "quantity": str(quantity), "unit": "bags", "deadline": deadline, "delivery": {"nuts3": "AT130"},
        "budget": "20000", "currency": "EUR", "cross_border_allowed": True, "submit": True,
        "client_kind": "economic_enterprise", "client_organisation_id": register_client(at13, url)})
    assert r.status_code == 201, r.text
    return r.json()


def consortium(at13: requests.Session, url: str, enquiry_id: str) -> dict:
    r = at13.get(f"{url}/api/v1/enquiries/{enquiry_id}/consortium")
    assert r.status_code == 200, r.text
    return r.json()


def pending_parts(session: requests.Session, url: str, order_id: str) -> list[dict]:
    items = session.get(f"{url}/api/v1/forwarded-parts", params={"per_page": 200}).json()["items"]
    return [p for p in items if p["order_id"] == order_id and p["status"] == "pending"]


def all_parts(session: requests.Session, url: str, order_id: str) -> list[dict]:
    items = session.get(f"{url}/api/v1/forwarded-parts", params={"per_page": 200}).json()["items"]
    return [p for p in items if p["order_id"] == order_id]


def run_scenario(sessions: dict[str, requests.Session], urls: dict[str, str], hub: requests.Session,
                 between=None, timeout: float = 30.0, cpv: str = BAGS, decline: bool = True) -> dict:
    """The whole story; `between(step, order_id)` is called between steps (e.g. to stop or start the hub).

    Returns what the assertions of the calling test need: the suppliers, the enquiry and the final
    consortium as the origin site sees it.
    """
    between = between or (lambda step, order_id: None)
    suppliers = register_suppliers(sessions, urls, cpv)
    assert hub_knows_offers(hub, urls["EU"], suppliers), "the hub's matching view has every offer"
    at13, at13_url = sessions["AT13"], urls["AT13"]
    enquiry = file_large_order(at13, at13_url, cpv=cpv)
    r = at13.post(f"{at13_url}/api/v1/enquiries/{enquiry['id']}/cross-border", json={"max_partners": 5})
    assert r.status_code == 202, r.text

    first = eventually(lambda: (c := consortium(at13, at13_url, enquiry["id"]))["status"] != "requested" and c,
                       timeout)
    assert first and first["status"] == "forwarded", first
    order_id = first["order_id"]
    by_site = {p["site"] for p in first["parts"]}
    between("forwarded", order_id)

    # Every target site sees its parts in the brokers' queue; HU22 declines, the others accept.
    hu22_parts = eventually(lambda: pending_parts(sessions["HU22"], urls["HU22"], order_id), timeout)
    assert hu22_parts, "HU22 received its part"
    for part in hu22_parts if decline else []:
        r = sessions["HU22"].post(f"{urls['HU22']}/api/v1/forwarded-parts/{part['id']}/decline",
                                  json={"reason": "no_capacity",
                                        "note": "the workshop is closed for renovation in those weeks"})
        assert r.status_code == 200 and r.json()["status"] == "declined", r.text
    declined = {p["id"] for p in hu22_parts} if decline else set()
    between("declined", order_id)

    answered = set(declined)

    def accept_the_rest():
        snapshot = consortium(at13, at13_url, enquiry["id"])
        for part in snapshot["parts"]:
            if part["status"] == "forwarded" and part["part_id"] not in answered:
                site = part["site"]
                found = eventually(lambda: [p for p in all_parts(sessions[site], urls[site], order_id)
                                            if p["id"] == part["part_id"]], timeout)
                assert found, f"{site} received part {part['part_id']}"
                if found[0]["status"] == "pending":  # (it may have been accepted already, e.g. while the hub was down)
                    r = sessions[site].post(f"{urls[site]}/api/v1/forwarded-parts/{part['part_id']}/accept", json={})
                    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
                answered.add(part["part_id"])
        return snapshot["status"] == "agreed" and snapshot

    final = eventually(accept_the_rest, timeout * 2, interval=0.5)
    assert final, consortium(at13, at13_url, enquiry["id"])
    return {"suppliers": suppliers, "enquiry": enquiry, "first": first, "final": final, "declined": declined,
            "first_sites": by_site, "order_id": order_id}


# --- after agreement: production, deliveries and impact at the target sites (issue 13) ----------------

def part_at(session: requests.Session, url: str, part_id: str) -> dict:
    r = session.get(f"{url}/api/v1/forwarded-parts/{part_id}")
    assert r.status_code == 200, r.text
    return r.json()


def act(session: requests.Session, url: str, part_id: str, action: str, body: dict | None = None) -> dict:
    r = session.post(f"{url}/api/v1/forwarded-parts/{part_id}/{action}", json=body or {})
    assert r.status_code in (200, 201), f"{action} {part_id}: {r.status_code} {r.text}"
    return r.json()


def figures_for(quantity: int) -> dict:
    """What an SE reports with its last delivery: figures that scale with the part, so sums can be checked."""
    return {"material_diverted_kg": str(quantity // 10), "integration_hours": str(quantity // 4),
            "regional_share": "0.6", "distance_km": "120"}


def deliver_in_two(session: requests.Session, url: str, part_id: str, quantity: int, between=None) -> dict:
    """A partial delivery of about half, then the rest with the impact figures; `between()` runs in the middle."""
    today = datetime.date.today().isoformat()
    first = quantity // 2
    act(session, url, part_id, "deliveries", {"quantity": first, "delivered_on": today})
    if between:
        between()
    return act(session, url, part_id, "deliveries",
               {"quantity": quantity - first, "delivered_on": today, **figures_for(quantity)})


def live_parts(snapshot: dict) -> list[dict]:
    """The parts that hold (or held and delivered) a share of the order: not declined, withdrawn or failed."""
    return [p for p in snapshot["parts"] if p["status"] in ("accepted", "in_production", "delivered")]


def enquiry_state(session: requests.Session, url: str, enquiry_id: str) -> str:
    r = session.get(f"{url}/api/v1/enquiries/{enquiry_id}")
    assert r.status_code == 200, r.text
    return r.json()["state"]
