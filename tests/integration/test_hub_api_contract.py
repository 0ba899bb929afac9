"""What the hub's API promises whatever its data, on PostgreSQL: bad query parameters are 422 with field
messages, every endpoint declares its access, and the OpenAPI document lists the paths."""
from __future__ import annotations

import pytest

from services.bootstrap import create_app
from tests.support.hub_api import client, runtime  # noqa: F401 - fixture
from tests.support.tokens import bearer

pytestmark = pytest.mark.services


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
