"""An AT12 site for the enquiry lifecycle's tests, with members registered through the registry's API
and projected into matching, and the bodies of an enquiry and of its terms."""
from __future__ import annotations

from datetime import date, timedelta

from tests.support.sites import Site

IN_30_DAYS = (date.today() + timedelta(days=30)).isoformat()
IN_20_DAYS = (date.today() + timedelta(days=20)).isoformat()
ADDRESS = {"street": "Hauptstraße 1", "postcode": "3100", "town": "St. Pölten", "country": "AT"}


def enquiry_body(**overrides) -> dict:
    return {"type": "production_step", "title": "Pallet furniture for the canteen", "cpv_codes": ["39100000"],
            "quantity": "100", "unit": "pieces", "deadline": IN_30_DAYS,
            "delivery": {"nuts3": "AT123", "lat": 48.204, "lon": 15.626}, "budget": "5000", "currency": "EUR",
            "label_required": False, "cross_border_allowed": True, **overrides}


def terms(**overrides) -> dict:
    return {"quantity": "100", "unit": "pieces", "price": "4200.00", "currency": "EUR", "delivery_date": IN_20_DAYS,
            "conditions": "delivery free house", **overrides}


class LifecycleSite(Site):
    def __init__(self, make_settings, db_url: str | None):
        super().__init__(make_settings("AT12", db_url=db_url))

    # -- members --

    def company(self, name: str = "Bau AG", username: str = "client") -> str:
        org = self.ok("POST", "/organisations", "admin", 201, json={
            "kind": "economic_enterprise", "name": name, "registration_number": f"FN {name}", "address": ADDRESS,
            "nuts3": "AT124"})
        self.add_user(username, ["member"], org["id"])
        return org["id"]

    def social_enterprise(self, name: str = "Werkstatt Nord", capacity: str = "70", username: str | None = None,
                          cpv: str = "39100000") -> tuple[str, str]:
        """An SE with one offer, projected into matching; returns (organisation id, offer id)."""
        org = self.ok("POST", "/organisations", "admin", 201, json={
            "kind": "social_enterprise", "name": name, "registration_number": f"ZVR {name}", "address": ADDRESS,
            "nuts3": "AT123", "coordinates": {"lat": 48.2, "lon": 15.62},
            "labour_market_segment": "second_labour_market", "workers_in_integration": 12})
        offer = self.ok("POST", "/offers", "admin", 201, json={
            "organisation_id": org["id"], "title": "Pallet furniture", "description": "Upcycled pallets",
            "cpv_codes": [cpv], "capacity_per_week": capacity, "unit": "pieces", "lead_time_days": 0,
            "price_min": "30", "price_max": "50"})
        if username:
            self.add_user(username, ["member"], org["id"])
        self.project_registry()
        return org["id"], offer["id"]

    # -- the outbox --

    def events(self, prefix: str = "enquiries.") -> list:
        return self.outbox_rows(prefix)
