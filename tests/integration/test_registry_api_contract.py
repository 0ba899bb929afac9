"""What the registry's HTTP API promises any request, on real PostgreSQL: writes need a valid token and
the right role, nothing a client sends produces a 500, and the OpenAPI document lists the registry."""
from __future__ import annotations

import uuid

import pytest

from tests.support.registry_api import offer, se, site  # noqa: F401 - fixture
from tests.support.sites import API

pytestmark = pytest.mark.services


def test_writes_need_a_valid_token_and_the_right_role(site):
    site.call("POST", "/organisations", as_=None, json=se(), expect=401)
    resp = site.client.post(f"{API}/organisations", json=se(), headers={"Authorization": "Bearer garbage"})
    assert resp.status_code == 401 and resp.json["code"] == "unauthorized"
    resp = site.client.post(f"{API}/organisations", json=se(), headers={"Authorization": "Basic abc"})
    assert resp.status_code == 401
    site.call("POST", "/organisations", as_="assessor", json=se(), expect=403)
    site.call("POST", "/offers", as_="assessor", json=offer(str(uuid.uuid4())), expect=403)
    site.call("POST", "/organisations", as_="broker", json=se(), expect=201)


def test_nothing_a_client_sends_produces_a_500(site):
    org = site.create("/organisations", se())
    garbage = ['{"kind": ', "[]", "null", "42", '"text"', "\xff\xfe", '{"a": NaN}']
    for path in ("/organisations", "/offers", "/support-statements", "/case-studies",
                 f"/organisations/{org['id']}/withdraw"):
        for body in garbage:
            resp = site.call("POST", path, data=body, content_type="application/json")
            assert resp.status_code in (400, 422), (path, body, resp.status_code)
            assert set(resp.json) == {"code", "status", "message", "errors"}
    for body in ({"name": 10 ** 400}, {"coordinates": {"lat": 1e308, "lon": "x"}}, {"contact": "Maria"},
                 {"website": "javascript:alert(1)"}, {"workers_in_integration": -1}, {"address": None}):
        site.call("PATCH", f"/organisations/{org['id']}", json=body, expect=422)
    for path in ("/organisations/not-a-uuid", "/offers/123", "/case-studies/%00", "/support-statements/x/erase"):
        site.call("GET" if "erase" not in path else "POST", path, expect=404)
    for query in ("page=0", "per_page=100000", "page=99999999999999999999", "cpv=abc", "nuts=%00", "q=%00",
                  "cross_border=perhaps", "organisation_id=nope"):
        site.call("GET", f"/offers?{query}", as_=None, expect=422)
    site.call("GET", "/offers?page=100000", as_=None, expect=200)
    site.call("GET", f"/offers/{uuid.uuid4()}", as_=None, expect=404)


def test_the_openapi_document_lists_the_registry(site):
    paths = site.client.get(f"{API}/openapi.json").json["paths"]
    assert {"/api/v1/offers", "/api/v1/support-statements/{statement_id}/erase"} <= set(paths)
