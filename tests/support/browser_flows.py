"""What the browser tests set up through the sites' APIs, and small page helpers.

The demo delivers one agreement at AT12 and one at HU22 (services/demo/seed.py); `deliver_with_impact`
takes one more enquiry of a site through proposal, agreement and delivery (as the brokerage end-to-end
test does), so that the tests see impact they entered themselves reach the hub.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from tests.support import page_audit
from tests.support.tokens import http_session

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

PASSWORD = "sopro-demo"
# The browser's locale of a person working in each page language (new_page(locale=...)): date inputs show
# dates the way that language writes them.
LOCALES = {"de": "de-AT", "hu": "hu-HU", "en": "en-GB"}


class Api:
    """A broker's (or other user's) session on one site's JSON API."""

    def __init__(self, base_url: str, username: str = "broker"):
        self.base = f"{base_url}/api/v1"
        self.http = http_session(base_url, username, PASSWORD)

    def ok(self, method: str, path: str, expect: tuple[int, ...] = (200, 201), **kwargs) -> dict:
        response = self.http.request(method, f"{self.base}{path}", timeout=15, **kwargs)
        assert response.status_code in expect, (method, path, response.status_code, response.text[:500])
        return response.json()


def organisation_id(api: Api, name: str) -> str:
    found = api.ok("GET", "/organisations", params={"q": name})["items"]
    assert found, f"no organisation {name!r}"
    return found[0]["id"]


def offer_of(api: Api, organisation: str) -> dict:
    offers = api.ok("GET", "/offers", params={"organisation_id": organisation})["items"]
    assert offers, f"no offer of {organisation}"
    return offers[0]


def deliver_with_impact(base_url: str, client: str, social_enterprise: str, cpv: str, quantity: str, unit: str,
                        price: str, currency: str, delivery: dict, impact: dict) -> str:
    """A new enquiry of `client` delivered to `delivery` (nuts3, lat, lon), agreed with `social_enterprise`
    and delivered with `impact` (the site measures the distance from the production coordinates). Its id."""
    api = Api(base_url)
    client_id, se_id = organisation_id(api, client), organisation_id(api, social_enterprise)
    offer = offer_of(api, se_id)
    enquiry = api.ok("POST", "/enquiries", json={
        "type": "service", "title": "Browser test: delivered with impact", "cpv_codes": [cpv],
        "quantity": quantity, "unit": unit, "deadline": (date.today() + timedelta(days=40)).isoformat(),
        "client_kind": "economic_enterprise", "client_organisation_id": client_id, "delivery": delivery,
        "submit": True})
    eid = enquiry["id"]
    for state in ("in_consultation", "matching"):
        api.ok("POST", f"/enquiries/{eid}/transitions", json={"to": state, "reason": "browser test"})
    delivery_date = (date.today() + timedelta(days=20)).isoformat()
    proposal = api.ok("POST", f"/enquiries/{eid}/proposals", json={
        "organisation_id": se_id, "offer_id": offer["id"], "quantity": quantity, "unit": unit, "price": price,
        "currency": currency, "delivery_date": delivery_date})
    agreement = api.ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/accept")
    api.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_production"})
    api.ok("POST", f"/enquiries/{eid}/agreements/{agreement['id']}/deliver", json=impact)
    return eid


PHONE = (375, 812)  # the narrow viewport of the phone shots


def shoot_both(page, name: str) -> None:
    """The page as it is now, on a desktop and on a phone: the same page narrowed, so that both show the
    same moment (`<name>-desktop.png`, `<name>-phone.png`)."""
    desktop = page.viewport_size
    shoot(page, f"{name}-desktop")
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    shoot(page, f"{name}-phone")
    page.set_viewport_size(desktop)


def shoot(page, name: str) -> Path:
    """A screenshot of the page, and axe-core's audit of it as it is now (tests/support/page_audit.py)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page_audit.shot(page, name)
    return path
