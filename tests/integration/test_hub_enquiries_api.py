"""The agency's brokerage API at the hub on PostgreSQL (and SQLite, for the embedded mode): the enquiry
list with filters and paging, the enquiry detail, counts per site and state, and impact totals per
site, year and dimension."""
from __future__ import annotations

import uuid

import pytest

from tests.support.hub_enquiries import client, data, runtime, sites  # noqa: F401 - fixture
from tests.support.tokens import bearer


def references(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["reference"] for item in response.get_json()["items"]]


def test_enquiries_are_listed_newest_first_without_personal_data(client, runtime, data):
    response = client.get("/api/v1/enquiries", headers=bearer(runtime, ["agency_viewer"]))
    assert references(response) == ["AT12-E-2026-0002", "AT12-E-2026-0001", "HU22-E-2026-0001", "AT12-E-2025-0009"]
    catering = response.get_json()["items"][0]
    assert (catering["state"], catering["client_kind"], catering["client_organisation_id"]) == (
        "delivered", "anonymous", None)
    assert (catering["quantity"], catering["budget"], catering["deadline"]) == ("500.000", "4500.0000", "2026-09-30")
    assert catering["submitted_at"] == "2026-04-01T09:00:00+00:00"
    assert set(catering) == {
        "site", "id", "aggregate_version", "updated_at", "reference", "type", "state", "client_kind",
        "client_organisation_id", "title", "cpv_codes", "quantity", "unit", "deadline", "delivery_nuts3", "budget",
        "currency", "label_required", "cross_border_allowed", "cross_border_flagged", "submitted_at"}


@pytest.mark.parametrize("query, expected", [
    ("site=HU22", ["HU22-E-2026-0001"]),
    ("state=delivered", ["AT12-E-2026-0002"]),
    ("type=give_away", ["HU22-E-2026-0001"]),
    ("cpv=189", ["AT12-E-2026-0001"]),
    ("cpv=4", ["AT12-E-2025-0009"]),
    ("cpv=9", []),
    ("year=2025", ["AT12-E-2025-0009"]),
    ("year=2026&site=AT12", ["AT12-E-2026-0002", "AT12-E-2026-0001"]),
    ("cross_border_flagged=true", ["HU22-E-2026-0001"]),
    ("site=AT12&state=submitted&type=production_step&cpv=18930000&year=2026", ["AT12-E-2026-0001"]),
])
def test_enquiry_filters(client, runtime, data, query, expected):
    assert references(client.get(f"/api/v1/enquiries?{query}", headers=bearer(runtime, ["agency_admin"]))) == expected


def test_enquiries_are_paged(client, runtime, data):
    body = client.get("/api/v1/enquiries?per_page=3&page=2", headers=bearer(runtime, ["agency_viewer"])).get_json()
    assert (body["total"], body["page"], body["per_page"]) == (4, 2, 3)
    assert [i["reference"] for i in body["items"]] == ["AT12-E-2025-0009"]


def test_enquiry_detail_carries_its_agreements_and_impact(client, runtime, data):
    response = client.get(f"/api/v1/enquiries/{data['catering']}", headers=bearer(runtime, ["agency_viewer"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["site"], body["state"], body["aggregate_version"]) == ("AT12", "delivered", 5)
    [agreement] = body["agreements"]
    assert (agreement["id"], agreement["status"], agreement["price"]) == (data["agreement"], "delivered", "4200.0000")
    [record] = body["impact"]
    assert (record["agreement_id"], record["value_paid_eur"], record["regional_share"]) == (
        data["agreement"], "4200.0000", "0.8000")


def test_unknown_enquiry_is_404(client, runtime, data):
    response = client.get(f"/api/v1/enquiries/{uuid.uuid4()}", headers=bearer(runtime, ["agency_viewer"]))
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_statistics_count_enquiries_per_site_state_and_type(client, runtime, data):
    body = client.get("/api/v1/statistics", headers=bearer(runtime, ["agency_viewer"])).get_json()
    sites = {s["site"]: s for s in body["sites"]}
    at12 = sites["AT12"]["enquiries"]
    assert at12["total"] == 3
    assert {k: v for k, v in at12["by_state"].items() if v} == {"submitted": 1, "delivered": 1, "cancelled": 1}
    assert {k: v for k, v in at12["by_type"].items() if v} == {"production_step": 2, "service": 1}
    assert sites["HU22"]["enquiries"]["by_state"]["submitted"] == 1
    assert sites["AT11"]["enquiries"]["total"] == 0
    assert body["totals"]["enquiries"] == 4


def test_impact_totals_per_site_year_and_dimension(client, runtime, data):
    response = client.get("/api/v1/impact", headers=bearer(runtime, ["agency_viewer"]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["totals"] == {
        "records": 3,
        "economic": {"value_paid_eur": "6200.01"},  # 4200 + 1000.005 (rounded half up) + 1000 (from HUF)
        "ecological": {"material_diverted_kg": "150.500", "regional_share_average": "0.6500"},
        "regional": {"distance_km": "50.000", "production_regions": {"AT123": 1, "AT127": 1, "HU221": 1}},
        "social": {"integration_hours": "430.500"},
    }
    sites = {s["site"]: s for s in body["sites"]}
    assert set(sites) == {"AT11", "AT12", "AT13", "AT22", "HU22"}
    at12 = sites["AT12"]
    assert (at12["records"], at12["economic"]["value_paid_eur"]) == (2, "5200.01")
    assert [(y["year"], y["economic"]["value_paid_eur"], y["ecological"]["regional_share_average"])
            for y in at12["years"]] == [(2025, "1000.01", None), (2026, "4200.00", "0.8000")]
    assert (sites["AT11"]["records"], sites["AT11"]["economic"]["value_paid_eur"], sites["AT11"]["years"]) == (
        0, "0.00", [])
    assert [(y["year"], y["records"], y["social"]["integration_hours"]) for y in body["years"]] == [
        (2025, 1, "40.500"), (2026, 2, "390.000")]


def test_impact_totals_of_one_site_and_year(client, runtime, data):
    body = client.get("/api/v1/impact?site=AT12&year=2026", headers=bearer(runtime, ["agency_admin"])).get_json()
    assert [s["site"] for s in body["sites"]] == ["AT12"]
    assert (body["totals"]["records"], body["totals"]["economic"]["value_paid_eur"]) == (1, "4200.00")
    assert [y["year"] for y in body["years"]] == [2026]
    empty = client.get("/api/v1/impact?year=2030", headers=bearer(runtime, ["agency_admin"])).get_json()
    assert (empty["totals"]["records"], empty["years"]) == (0, [])


def test_an_enquiry_whose_client_did_not_allow_cross_border_work_does_not_count_as_flagged(client, runtime, sites):
    # An event from a site before the fix could carry the flag on an enquiry the client kept local.
    sites.enquiry("AT12", reference="AT12-E-2026-0007", cross_border_flagged=True, cross_border_allowed=False)
    sites.enquiry("AT22", reference="AT22-E-2026-0001", cross_border_flagged=True, cross_border_allowed=True)
    headers = bearer(runtime, ["agency_viewer"])
    assert references(client.get("/api/v1/enquiries?cross_border_flagged=true", headers=headers)) == [
        "AT22-E-2026-0001"]
    assert references(client.get("/api/v1/enquiries?cross_border_flagged=false", headers=headers)) == [
        "AT12-E-2026-0007"]
    page = client.get("/agency/enquiries?lang=en", headers=headers).get_data(as_text=True)
    local, sought = page.split("AT12-E-2026-0007")[1][:400], page.split("AT22-E-2026-0001")[1][:400]
    assert "cross-border" not in local.split("</tr>")[0] and "cross-border" in sought.split("</tr>")[0]
