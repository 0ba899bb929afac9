"""The hub's consolidated API on PostgreSQL: filters, paging, details, statistics and their access."""
from __future__ import annotations

import uuid

import pytest

from services.bootstrap import bootstrap, create_app
from tests.support import hub
from tests.support.events import envelope
from tests.support.tokens import bearer

pytestmark = pytest.mark.services


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


# --- organisations -----------------------------------------------------------------------------------

def test_organisations_are_public_and_withdrawn_ones_are_hidden(client, data):
    response = client.get("/api/v1/organisations")
    assert names(response) == ["Bau & Recycling", "Győri Szociális Műhely", "Stadtwerke Amstetten",
                               "Textilwerkstatt St. Pölten"]
    assert response.get_json()["total"] == 4


@pytest.mark.parametrize("query, expected", [
    ("site=HU22", ["Győri Szociális Műhely"]),
    ("kind=public_institution", ["Stadtwerke Amstetten"]),
    ("region=AT12", ["Bau & Recycling", "Stadtwerke Amstetten", "Textilwerkstatt St. Pölten"]),
    ("region=AT127", ["Bau & Recycling"]),
    ("region=HU", ["Győri Szociális Műhely"]),
    ("q=PÖLTEN", ["Textilwerkstatt St. Pölten"]),
    ("q=győr", ["Győri Szociális Műhely"]),
    ("cpv=45", ["Bau & Recycling"]),
    ("cpv=189", ["Textilwerkstatt St. Pölten"]),
    ("site=AT12&kind=social_enterprise&cpv=4511", ["Bau & Recycling"]),
    ("q=100%25", []),  # a literal "%" matches nothing, it is not a wildcard
])
def test_organisation_filters(client, data, query, expected):
    assert names(client.get(f"/api/v1/organisations?{query}")) == expected


def test_organisations_are_paged(client, data):
    first = client.get("/api/v1/organisations?per_page=3").get_json()
    second = client.get("/api/v1/organisations?per_page=3&page=2").get_json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (4, 1, 3, 3)
    assert [i["name"] for i in second["items"]] == ["Textilwerkstatt St. Pölten"]
    assert client.get("/api/v1/organisations?page=9").get_json()["items"] == []


def test_organisation_detail_lists_its_published_offers(client, data):
    body = client.get(f"/api/v1/organisations/{data['bau']}").get_json()
    assert (body["site"], body["name"], body["nuts3"], body["aggregate_version"]) == ("AT12", "Bau & Recycling", "AT127", 1)
    assert body["updated_at"] == "2026-03-01T10:00:00+00:00"
    assert [o["title"] for o in body["offers"]] == ["Paving repairs", "Selective demolition"]


def test_unknown_or_withdrawn_organisation_is_404(client, data):
    for org_id in (uuid.uuid4(), data["gone"]):
        response = client.get(f"/api/v1/organisations/{org_id}")
        assert response.status_code == 404
        assert response.get_json()["code"] == "not_found"
    assert client.get("/api/v1/organisations/not-a-uuid").status_code == 404


# --- offers ------------------------------------------------------------------------------------------

def test_offers_show_published_ones_with_their_organisation(client, data):
    response = client.get("/api/v1/offers")
    assert titles(response) == ["Bags from banners", "Paving repairs", "Selective demolition", "Wooden toys"]
    bags = response.get_json()["items"][0]
    assert (bags["organisation_name"], bags["nuts3"], bags["price_min"], bags["price_max"]) == (
        "Textilwerkstatt St. Pölten", "AT123", "1.5000", None)
    assert bags["cpv_codes"] == ["18930000", "39500000"]


@pytest.mark.parametrize("query, expected", [
    ("site=HU22", ["Wooden toys"]),
    ("cpv=45", ["Paving repairs", "Selective demolition"]),
    ("cpv=4523", ["Paving repairs"]),
    ("cpv=39500000", ["Bags from banners"]),
    ("cpv=9", []),
    ("region=AT127", ["Paving repairs", "Selective demolition"]),
    ("region=HU221", ["Wooden toys"]),
    ("kind=public_institution", []),
    ("q=festival", ["Bags from banners"]),  # the description
    ("q=textilwerkstatt", ["Bags from banners"]),  # the organisation's name
    ("site=AT12&cpv=45&q=paving", ["Paving repairs"]),
])
def test_offer_filters(client, data, query, expected):
    assert titles(client.get(f"/api/v1/offers?{query}")) == expected


def test_offers_are_paged(client, data):
    body = client.get("/api/v1/offers?per_page=1&page=4").get_json()
    assert (body["total"], [i["title"] for i in body["items"]]) == (4, ["Wooden toys"])


# --- case studies ------------------------------------------------------------------------------------

def test_case_studies_are_public_with_filters_and_detail(client, data):
    body = client.get("/api/v1/case-studies").get_json()
    assert [c["title"] for c in body["items"]] == ["Banners to bags"]
    assert body["items"][0]["material_diverted_kg"] == "800.500"
    assert client.get("/api/v1/case-studies?site=HU22").get_json()["total"] == 0
    assert client.get("/api/v1/case-studies?year=2024").get_json()["total"] == 0
    assert client.get("/api/v1/case-studies?q=festival").get_json()["total"] == 1
    detail = client.get(f"/api/v1/case-studies/{data['case_study']}")
    assert detail.status_code == 200 and detail.get_json()["site"] == "AT12"
    assert client.get(f"/api/v1/case-studies/{uuid.uuid4()}").status_code == 404


# --- statistics --------------------------------------------------------------------------------------

def test_statistics_need_a_token(client, data):
    response = client.get("/api/v1/statistics")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_statistics_refuse_other_roles(client, runtime, data):
    response = client.get("/api/v1/statistics", headers=bearer(runtime, ["broker", "site_admin"]))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["agency_viewer", "agency_admin"])
def test_statistics_per_site_count_only_what_is_active(client, runtime, data, role):
    response = client.get("/api/v1/statistics", headers=bearer(runtime, [role]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    sites = {s["site"]: s for s in body["sites"]}
    assert set(sites) == {"AT11", "AT12", "AT13", "AT22", "HU22"}  # every member site, even an empty one

    at12 = sites["AT12"]
    assert at12["members"]["total"] == 3
    assert at12["members"]["by_kind"] == {"social_enterprise": 2, "public_institution": 1,
                                          "economic_enterprise": 0, "consulting_institution": 0}
    assert at12["offers_published"] == 3
    assert at12["support_statements"]["total"] == 3  # the erased and the unconfirmed ones do not count
    assert at12["support_statements"]["by_kind"] == {"person": 2, "organisation": 1}
    assert at12["support_statements"]["by_region"] == {"AT123": 2, "AT127": 1}
    assert at12["support_statements"]["by_kind_and_region"] == [
        {"nuts3": "AT123", "kind": "person", "count": 2}, {"nuts3": "AT127", "kind": "organisation", "count": 1}]

    hu22 = sites["HU22"]
    assert (hu22["members"]["total"], hu22["offers_published"], hu22["support_statements"]["total"]) == (1, 1, 1)
    assert sites["AT11"]["members"]["total"] == 0
    assert body["totals"] == {"members": 4, "offers_published": 4, "support_statements": 4, "enquiries": 0}


def test_statistics_of_one_site(client, runtime, data):
    body = client.get("/api/v1/statistics?site=HU22", headers=bearer(runtime, ["agency_viewer"])).get_json()
    assert [s["site"] for s in body["sites"]] == ["HU22"]
    assert body["totals"]["members"] == 1


# --- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, field", [
    ("/api/v1/organisations?site=XX99", "site"),
    ("/api/v1/organisations?site=EU", "site"),  # the hub has no register of its own
    ("/api/v1/organisations?kind=bakery", "kind"),
    ("/api/v1/organisations?cpv=45x", "cpv"),
    ("/api/v1/offers?cpv=123456789", "cpv"),
    ("/api/v1/offers?region=at12", "region"),
    ("/api/v1/offers?region=AT12345", "region"),
    ("/api/v1/offers?page=0", "page"),
    ("/api/v1/offers?per_page=1000", "per_page"),
    ("/api/v1/offers?page=abc", "page"),
    ("/api/v1/offers?q=", "q"),
    ("/api/v1/offers?q=%00", "q"),  # PostgreSQL text cannot hold NUL: a 500 unless refused
    ("/api/v1/organisations?q=a%00b", "q"),
    ("/api/v1/case-studies?q=%00", "q"),
    ("/api/v1/offers?colour=red", "colour"),
    ("/api/v1/case-studies?year=1066", "year"),
])
def test_bad_query_parameters_are_422_with_field_messages(client, path, field):
    response = client.get(path)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid" and field in body["errors"], body


def test_bad_statistics_site_is_422(client, runtime):
    response = client.get("/api/v1/statistics?site=XX99", headers=bearer(runtime, ["agency_admin"]))
    assert response.status_code == 422 and "site" in response.get_json()["errors"]


def test_every_hub_endpoint_declares_its_access(runtime):
    from services.common.auth import access_rule

    app = create_app(runtime)
    hub_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("hub.")]
    assert hub_rules
    for rule in hub_rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert access_rule(app, rule.endpoint, method) is not None, rule


def test_openapi_document_lists_the_hub_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/organisations", "/api/v1/organisations/{organisation_id}", "/api/v1/offers",
                 "/api/v1/case-studies", "/api/v1/case-studies/{case_study_id}", "/api/v1/statistics"):
        assert path in paths
