"""Deliveries for the impact report tests (tests/web/test_impact_report_*): a member's browser, a client
company of one module alone, and an enquiry of it delivered through the site's JSON API with its impact."""
from __future__ import annotations

from tests.support.web import IN_20_DAYS, IN_40_DAYS, ORGANISATIONS


def member(site, username: str, organisation: str):
    site.add_user(username, ["member"], site.ids[organisation])
    browser = site.browser()
    browser.login(username)
    return browser


def own_offer(site) -> str:
    """An offer of the site's first social enterprise with room for these tests' agreements alone."""
    se = ORGANISATIONS[site.site_id][0]
    key = f"impact-offer:{se[1]}"
    if key not in site.ids:
        site.ids[key] = site.ok("POST", "/offers", expect=201, json={
            "organisation_id": site.ids[se[1]], "title": "Impact test offer", "description": "For impact.",
            "cpv_codes": se[5], "capacity_per_week": "100000", "unit": se[6], "lead_time_days": 1})["id"]
        site.project_registry()
    return site.ids[key]


def client_company(site, name: str, nuts3: str) -> str:
    """A client company of one test module alone, so that no other test's deliveries are among its rows."""
    if name not in site.ids:
        site.ids[name] = site.ok("POST", "/organisations", expect=201, json={
            "kind": "economic_enterprise", "name": name, "registration_number": f"REG {name}", "nuts3": nuts3,
            "address": {"street": "Hauptplatz 2", "postcode": "1000", "town": "Town", "country": site.site_id[:2]},
            "coordinates": {"lat": 47.5, "lon": 16.5}})["id"]
        site.project_registry()
    return site.ids[name]


def delivered(site, client: tuple[str, str], title: str, quantity: str, price: str, currency: str,
              impact: dict) -> tuple[str, str]:
    """An enquiry of the client company `client` (name, NUTS-3) delivered by the site's first social
    enterprise, with `impact`: (enquiry id, agreement id)."""
    se = ORGANISATIONS[site.site_id][0]
    offer_id = own_offer(site)
    enquiry_id = site.ok("POST", "/enquiries", expect=201, json={
        "type": "production_step", "title": title, "client_kind": "economic_enterprise",
        "client_organisation_id": client_company(site, *client), "cpv_codes": se[5], "quantity": quantity,
        "unit": se[6],
        "deadline": IN_40_DAYS, "delivery": {"nuts3": client[1]}, "submit": True})["id"]
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "matching"})
    proposal = site.ok("POST", f"/enquiries/{enquiry_id}/proposals", expect=201, json={
        "organisation_id": site.ids[se[1]], "offer_id": offer_id, "quantity": quantity, "unit": se[6],
        "price": price, "currency": currency, "delivery_date": IN_20_DAYS})
    agreement = site.ok("POST", f"/enquiries/{enquiry_id}/proposals/{proposal['id']}/accept", expect=201)
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "in_production"})
    site.ok("POST", f"/enquiries/{enquiry_id}/agreements/{agreement['id']}/deliver", json=impact)
    return enquiry_id, agreement["id"]
