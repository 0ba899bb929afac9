"""The hub's consolidated API fed two sites' registry events (tests/integration/test_hub_api_*.py): the
`Federation` that feeds them, the hub's runtime and client, and the `data` of Lower Austria (AT12) and
West Hungary (HU22)."""
from __future__ import annotations

import uuid

import pytest

from services.bootstrap import create_app
from tests.support import hub
from tests.support.events import envelope
from tests.support.migrated import bootstrap


class Federation:
    """Feeds the hub registry events, as the consumer runner would after its checks."""

    def __init__(self, runtime):
        self.runtime = runtime

    def apply(self, env) -> None:
        hub.apply(self.runtime, env)

    def organisation(self, site: str, name: str, kind: str = "social_enterprise", nuts3: str = "AT123",
                     town: str = "Town") -> str:
        org_id = str(uuid.uuid4())
        self.apply(envelope("registry.organisation.registered", org_id, 1, site=site, data={
            "organisation_id": org_id, "reference": f"{site}-O-{name[:4]}", "kind": kind, "name": name, "town": town,
            "postcode": "1000", "country": site[:2], "nuts3": nuts3, "lat": None, "lon": None,
            "labour_market_segment": None, "workers_in_integration": None, "website": None, "status": "active",
        }))
        return org_id

    def offer(self, site: str, org_id: str, title: str, cpv_codes: list[str], description: str = "") -> str:
        offer_id = str(uuid.uuid4())
        self.apply(envelope("registry.offer.published", offer_id, 1, site=site, data={
            "offer_id": offer_id, "organisation_id": org_id, "title": title, "description": description,
            "cpv_codes": cpv_codes, "capacity_per_week": "100", "unit": "piece", "lead_time_days": 7,
            "price_min": "1.50", "price_max": None, "currency": "HUF" if site == "HU22" else "EUR",
            "delivery_radius_km": 200, "cross_border": True, "status": "published",
        }))
        return offer_id

    def statement(self, site: str, kind: str, nuts3: str, organisation_kind: str | None = None,
                  confirmed: bool = True) -> str:
        """Recorded (version 1) and, unless said otherwise, confirmed (version 2)."""
        st_id = str(uuid.uuid4())
        data = {"statement_id": st_id, "kind": kind, "organisation_kind": organisation_kind, "nuts3": nuts3,
                "given_on": "2026-01-20"}
        self.apply(envelope("registry.support_statement.recorded", st_id, 1, data, site))
        if confirmed:
            self.apply(envelope("registry.support_statement.confirmed", st_id, 2, data, site))
        return st_id

    def withdraw(self, type_name: str, site: str, aggregate_id: str, version: int = 2) -> None:
        self.apply(envelope(type_name, aggregate_id, version, {"id": aggregate_id, "reason": None}, site))


@pytest.fixture
def runtime(make_settings, pg_url):
    rt = bootstrap(make_settings("EU", db_url=pg_url))
    yield rt
    rt.engine.dispose()


@pytest.fixture
def client(runtime):
    return create_app(runtime).test_client()


@pytest.fixture
def data(runtime):
    """Two sites' registries: Lower Austria (AT12) and West Hungary (HU22)."""
    fed = Federation(runtime)
    ids = {}
    ids["textil"] = fed.organisation("AT12", "Textilwerkstatt St. Pölten", nuts3="AT123", town="St. Pölten")
    ids["bau"] = fed.organisation("AT12", "Bau & Recycling", nuts3="AT127")
    ids["client"] = fed.organisation("AT12", "Stadtwerke Amstetten", kind="public_institution", nuts3="AT121")
    ids["gyor"] = fed.organisation("HU22", "Győri Szociális Műhely", nuts3="HU221", town="Győr")
    ids["gone"] = fed.organisation("HU22", "Closed Workshop", nuts3="HU222")
    fed.withdraw("registry.organisation.withdrawn", "HU22", ids["gone"])

    ids["bags"] = fed.offer("AT12", ids["textil"], "Bags from banners", ["18930000", "39500000"],
                            description="Upcycled festival banners")
    ids["demolition"] = fed.offer("AT12", ids["bau"], "Selective demolition", ["45110000"])
    ids["paving"] = fed.offer("AT12", ids["bau"], "Paving repairs", ["45233000"])
    ids["woodwork"] = fed.offer("HU22", ids["gyor"], "Wooden toys", ["37520000"])
    ids["withdrawn_offer"] = fed.offer("HU22", ids["gyor"], "Old offer", ["45000000"])
    fed.withdraw("registry.offer.withdrawn", "HU22", ids["withdrawn_offer"])
    ids["orphan"] = fed.offer("HU22", ids["gone"], "Offer of a withdrawn organisation", ["45000000"])

    fed.statement("AT12", "person", "AT123")
    fed.statement("AT12", "person", "AT123")
    fed.statement("AT12", "organisation", "AT127", organisation_kind="economic_enterprise")
    erased = fed.statement("AT12", "person", "AT127")
    fed.withdraw("registry.support_statement.erased", "AT12", erased, version=3)
    fed.statement("AT12", "person", "AT123", confirmed=False)  # anyone may file one: it does not count
    fed.statement("HU22", "person", "HU221")

    cs = str(uuid.uuid4())
    fed.apply(envelope("registry.case_study.published", cs, 1, site="AT12", data={
        "case_study_id": cs, "title": "Banners to bags", "summary": "A festival's banners became bags.",
        "client_organisation_id": ids["client"], "social_enterprise_id": ids["textil"], "cpv_codes": ["18930000"],
        "year": 2025, "value_paid_eur": "12000.00", "material_diverted_kg": "800.5", "integration_hours": "1200",
        "status": "published",
    }))
    ids["case_study"] = cs
    return ids


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["items"]]


def titles(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["title"] for item in response.get_json()["items"]]
