"""The registry's HTTP API at a running AT12 site on PostgreSQL (tests/integration/test_registry_api_*.py):
request bodies for organisations and offers, a person's data, and the `site` with a user of each role."""
from __future__ import annotations

import pytest

from tests.support.sites import STAFF, Site

ADDRESS = {"street": "Hauptstraße 1", "postcode": "3100", "town": "St. Pölten", "country": "AT"}
CONTACT = {"name": "Maria Huber", "email": "maria.huber@example.org", "phone": "+43 2742 555111"}
PERSON = {"first_name": "Hansjörg", "last_name": "Zaunmaier", "phone": "+43 664 9876543", "phone_kind": "mobile",
          "email": "hansjoerg.zaunmaier@example.org"}


def se(**overrides) -> dict:
    return {"kind": "social_enterprise", "name": "Werkstatt Nord", "registration_number": "FN 1234 a",
            "address": ADDRESS, "nuts3": "AT123", "coordinates": {"lat": 48.2, "lon": 15.62},
            "labour_market_segment": "second_labour_market", "workers_in_integration": 12,
            "website": "https://werkstatt.example.org", "contact": CONTACT, **overrides}


def company(**overrides) -> dict:
    return {"kind": "economic_enterprise", "name": "Bau AG", "registration_number": "FN 9999 z",
            "address": {**ADDRESS, "town": "Krems"}, "nuts3": "AT124", **overrides}


def offer(organisation_id: str, **overrides) -> dict:
    return {"organisation_id": organisation_id, "title": "Pallet furniture", "description": "Upcycled pallets",
            "cpv_codes": ["39100000"], "capacity_per_week": "12.5", "unit": "pieces", "lead_time_days": 14,
            "price_min": "10.00", "price_max": "20.00", "delivery_radius_km": 150, "cross_border": True, **overrides}


class RegistrySite(Site):
    """A running AT12 site with a client, and tokens for users of each role."""

    acting_as = "admin"

    def __init__(self, make_settings, pg_url):
        super().__init__(make_settings("AT12", db_url=pg_url), STAFF + (("assessor", ["assessor"], None),))

    def create(self, path: str, body: dict, as_: str = "admin") -> dict:
        return self.call("POST", path, as_, expect=201, json=body).json


@pytest.fixture
def site(make_settings, pg_url):
    s = RegistrySite(make_settings, pg_url)
    yield s
    s.runtime.engine.dispose()
