"""A site for the web tests: AT12 (German) or HU22 (Hungarian), its users, and members, offers, a case
study, an enquiry and a label entered through its own JSON API, as the demo does.

Requests say they accept HTML, as a browser does; `Browser` keeps the session cookie and reads the
CSRF token from the page it is on. `field_errors` and `form_message` read what a form answered.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from tests.support.sites import Site

PASSWORD = "web-test-pw"
HTML = {"Accept": "text/html,application/xhtml+xml"}
USERS = (("admin", ["site_admin"]), ("broker", ["broker"]), ("assessor", ["assessor"]), ("approver", ["approver"]),
         ("approver2", ["approver"]), ("both", ["assessor", "approver"]))
IN_20_DAYS = (date.today() + timedelta(days=20)).isoformat()
IN_40_DAYS = (date.today() + timedelta(days=40)).isoformat()

ORGANISATIONS = {
    "AT12": [("social_enterprise", "Traisentaler Werkstatt", "AT123", 48.216, 15.624, ["39100000"], "pieces"),
             ("social_enterprise", "Mostviertler Metallwerk", "AT121", 48.122, 14.872, ["44316000"], "parts"),
             ("economic_enterprise", "Donauland Handels AG", "AT127", 48.085, 16.283, None, None)],
    "HU22": [("social_enterprise", "Győri Asztalosműhely", "HU221", 47.687, 17.635, ["39100000"], "darab"),
             ("economic_enterprise", "Zalai Ajándéktárgy Kft.", "HU223", 46.842, 16.844, None, None)],
}


class Browser:
    """A test client that accepts HTML, keeps its cookies, and posts forms with the page's CSRF token."""

    def __init__(self, app):
        self.client = app.test_client()
        self.page = ""

    def get(self, path: str, **kwargs):
        response = self.client.get(path, headers=HTML, **kwargs)
        assert response.status_code != 500, response.get_data(as_text=True)[:2000]
        self.page = response.get_data(as_text=True)
        assert_unique_ids(self.page)
        return response

    def post(self, path: str, data: dict | None = None, csrf: bool = True, **kwargs):
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf_token()
        response = self.client.post(path, data=form, headers=HTML, **kwargs)
        assert response.status_code != 500, response.get_data(as_text=True)[:2000]
        if response.status_code != 302:
            self.page = response.get_data(as_text=True)
            assert_unique_ids(self.page)
        return response

    def csrf_token(self) -> str:
        if "csrf_token" not in self.page:
            self.get("/login")
        return re.search(r'name="csrf_token" value="([^"]+)"', self.page).group(1)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 302, self.page[:2000]

    def logout(self) -> None:
        self.post("/logout")


def assert_unique_ids(page: str) -> None:
    """A label or an error message points at its field by id: an id appears once on a page."""
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def field_errors(page: str) -> dict[str, list[str]]:
    """The messages shown next to each field: {field id: [message, ...]}."""
    found: dict[str, list[str]] = {}
    shown = re.findall(r'<p class="field-error" id="(f-[^"]+)-error">.*?</span>\s*(.*?)</p>', page, re.S)
    for field_id, message in shown:
        found.setdefault(field_id, []).append(unescape(message.strip()))
    return found


def form_message(page: str) -> str | None:
    match = re.search(r'<div class="error-summary"[^>]*>\s*<h2>.*?</h2>\s*<p>(.*?)</p>', page, re.S)
    return unescape(match.group(1)) if match else None


class WebSite(Site):
    """A site with the web tests' users and the members, offers and case study of `ORGANISATIONS`, whose
    ids `ids` keeps by name (an offer as `offer:<organisation name>`)."""

    password = PASSWORD

    def __init__(self, make_settings, site_id: str):
        super().__init__(make_settings(site_id), [(username, roles, None) for username, roles in USERS])
        self.ids: dict[str, str] = {}
        self._seed()

    def browser(self) -> Browser:
        return Browser(self.app)

    def _seed(self) -> None:
        country = self.site_id[:2]
        for kind, name, nuts3, lat, lon, cpv, unit in ORGANISATIONS[self.site_id]:
            se = kind == "social_enterprise"
            org = self.ok("POST", "/organisations", expect=201, json={
                "kind": kind, "name": name, "registration_number": f"REG {name}", "nuts3": nuts3,
                "address": {"street": "Hauptplatz 1", "postcode": "1000", "town": "Town", "country": country},
                "coordinates": {"lat": lat, "lon": lon},
                "labour_market_segment": "second_labour_market" if se else None,
                "workers_in_integration": 20 if se else None})
            self.ids[name] = org["id"]
            if cpv:
                offer = self.ok("POST", "/offers", expect=201, json={
                    "organisation_id": org["id"], "title": f"Offer of {name}", "description": "Made with care.",
                    "cpv_codes": cpv, "capacity_per_week": "500", "unit": unit, "lead_time_days": 7,
                    "price_min": "10", "price_max": "90"})
                self.ids[f"offer:{name}"] = offer["id"]
        se_name, client_name = ORGANISATIONS[self.site_id][0][1], ORGANISATIONS[self.site_id][-1][1]
        study = self.ok("POST", "/case-studies", expect=201, json={
            "title": f"Lighthouse {self.site_id}", "summary": "Furniture from old pallets.", "year": 2025,
            "cpv_codes": ["39100000"], "client_organisation_id": self.ids[client_name],
            "social_enterprise_id": self.ids[se_name],
            "impact": {"value_paid_eur": "14800", "material_diverted_kg": "1250", "integration_hours": "2100"}})
        self.ids["case_study"] = study["id"]
        self.project_registry()

    def submitted_label_application(self) -> str:
        """An application submitted for assessment (the admin applies for a member)."""
        se_name = ORGANISATIONS[self.site_id][0][1]
        app = self.ok("POST", "/label-applications", "admin", 201, json={
            "holder_organisation_id": self.ids[se_name], "holder_name": se_name, "product": "Pallet furniture",
            "cpv_codes": ["39100000"], "evidence": {
                "se_share": {"figure": "62"}, "regional_primary_products": {"figure": "55"},
                "resource_saving": {"figure": "3"},
                "quality_innovation": {"documents": [{"sha256": "9f2c" * 16, "size": 100, "title": "Test report"}]}}})
        self.ok("POST", f"/label-applications/{app['id']}/submit", "admin")
        return app["id"]

    def granted_label(self) -> str:
        app_id = self.submitted_label_application()
        self.ok("POST", f"/label-applications/{app_id}/assessment", "assessor", json={"scores": {
            "se_share": {"reason": "timesheets"}, "regional_primary_products": {"score": 4, "reason": "invoices"},
            "resource_saving": {"score": 3, "reason": "visit"}, "quality_innovation": {"score": 4, "reason": "tests"}}})
        return self.ok("POST", f"/label-applications/{app_id}/decision", "approver",
                         json={"outcome": "granted", "reason": "meets every criterion"})["label_number"]


def new_enquiry(site, title: str) -> str:
    client_name = "Donauland Handels AG" if site.site_id == "AT12" else "Zalai Ajándéktárgy Kft."
    unit = "pieces" if site.site_id == "AT12" else "darab"
    return site.ok("POST", "/enquiries", expect=201, json={
        "type": "production_step", "title": title, "client_kind": "economic_enterprise",
        "client_organisation_id": site.ids[client_name], "cpv_codes": ["39100000"], "quantity": "100", "unit": unit,
        "deadline": IN_40_DAYS, "delivery": {"nuts3": "AT123" if site.site_id == "AT12" else "HU221"},
        "budget": "5000", "submit": True})["id"]
