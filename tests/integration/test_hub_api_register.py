"""The hub's consolidated register on PostgreSQL: organisations, offers and case studies, public, with
filters, paging and details; withdrawn ones hidden."""
from __future__ import annotations

import uuid

import pytest

from tests.support.hub_api import client, data, names, runtime, titles  # noqa: F401 - fixture

pytestmark = pytest.mark.services


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
