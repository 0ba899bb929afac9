"""The access rules and bad input of the hub's brokerage API on PostgreSQL (and SQLite, for the embedded
mode): only the agency's roles see it, bad query parameters are 422 with field messages, hostile ones
never a 500, and the OpenAPI document lists the paths."""
from __future__ import annotations

import uuid

import pytest

from services.common.tokens import ROLES
from tests.support.hub_enquiries import client, data, runtime, sites  # noqa: F401 - fixture
from tests.support.tokens import bearer


# A fixed id of no enquiry: parameters must be the same in every collection (pytest-xdist's workers compare them).
AGENCY_PATHS = ["/api/v1/enquiries", f"/api/v1/enquiries/{uuid.UUID(int=0x5090)}", "/api/v1/impact"]


@pytest.mark.parametrize("path", AGENCY_PATHS)
def test_brokerage_views_need_a_token(client, path):
    response = client.get(path)
    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


@pytest.mark.parametrize("path", AGENCY_PATHS)
def test_brokerage_views_refuse_site_roles(client, runtime, path):
    outsiders = [r for r in ROLES if r not in ("agency_viewer", "agency_admin")]
    assert client.get(path, headers=bearer(runtime, outsiders)).status_code == 403


@pytest.mark.parametrize("path, field", [
    ("/api/v1/enquiries?site=XX99", "site"),
    ("/api/v1/enquiries?site=EU", "site"),
    ("/api/v1/enquiries?state=lost", "state"),
    ("/api/v1/enquiries?type=bakery", "type"),
    ("/api/v1/enquiries?cpv=18x", "cpv"),
    ("/api/v1/enquiries?cpv=123456789", "cpv"),
    ("/api/v1/enquiries?year=1066", "year"),
    ("/api/v1/enquiries?year=twenty", "year"),
    ("/api/v1/enquiries?cross_border_flagged=perhaps", "cross_border_flagged"),
    ("/api/v1/enquiries?page=0", "page"),
    ("/api/v1/enquiries?per_page=1000", "per_page"),
    ("/api/v1/enquiries?client=acme", "client"),
    ("/api/v1/impact?site=XX99", "site"),
    ("/api/v1/impact?year=99999", "year"),
    ("/api/v1/impact?dimension=social", "dimension"),
])
def test_bad_query_parameters_are_422_with_field_messages(client, runtime, path, field):
    response = client.get(path, headers=bearer(runtime, ["agency_admin"]))
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "invalid" and field in body["errors"], body


@pytest.mark.parametrize("path", [
    "/api/v1/enquiries/not-a-uuid", "/api/v1/enquiries?cpv=%25&q=%00", "/api/v1/enquiries?cpv=_",
    "/api/v1/impact?year=-1", "/api/v1/impact?site=%00",
])
def test_hostile_requests_never_give_a_500(client, runtime, data, path):
    response = client.get(path, headers=bearer(runtime, ["agency_admin"]))
    assert response.status_code < 500
    assert set(response.get_json()) == {"code", "status", "message", "errors"}


def test_openapi_document_lists_the_brokerage_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/enquiries", "/api/v1/enquiries/{enquiry_id}", "/api/v1/impact"):
        assert path in paths
