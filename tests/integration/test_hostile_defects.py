"""Each request that answered 500 (issue 11, "No request gives a 500"), at a site and at the hub, on
SQLite and PostgreSQL: now refused in the one error shape, by the kernel (services/common/request_guard.py,
jsonbody.py, api.py), so a new endpoint cannot bring it back. tests/integration/test_hostile_requests.py
throws the whole corpus at every operation."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text

from services.bootstrap import create_app
from tests.support.databases import BACKENDS
from tests.support.hostile_apps import runtimes, user_token  # noqa: F401 - a fixture
from tests.support.lifecycle import enquiry_body

ERROR_KEYS = {"code", "status", "message", "errors"}
PAUSE = "/api/v1/federation/streams/HU22/registry/pause"
DEEP = ("[" * 1000 + "]" * 1000).encode()  # 2 KB


def refused(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert set(body) == ERROR_KEYS and body["status"] == status, body
    return body


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="module")
def site(runtimes, backend):
    runtime = runtimes("HU22", backend)
    return runtime, create_app(runtime).test_client()


@pytest.fixture(scope="module")
def hub(runtimes, backend):
    runtime = runtimes("EU", backend)
    return runtime, create_app(runtime).test_client()


def post_json(client, path: str, raw: bytes, headers=None):
    return client.post(path, data=raw, content_type="application/json", headers=headers or {})


@pytest.mark.parametrize("where", ["site", "hub"])
def test_json_nested_1000_deep_is_a_422(where, site, hub):
    runtime, client = site if where == "site" else hub
    body = refused(post_json(client, "/api/v1/auth/token", DEEP), 422)
    assert "nests deeper" in body["message"] and body["errors"] == {"_schema": ["nested deeper than 32 levels"]}
    # Also inside an object, on an operation behind a token.
    path, role = ("/api/v1/label-applications", "member") if where == "site" else (PAUSE, "agency_admin")
    nested = b'{"reason": ' + DEEP + b"}"
    refused(post_json(client, path, nested, user_token(runtime, client, role)), 422)


@pytest.mark.parametrize("where", ["site", "hub"])
def test_a_lone_surrogate_in_the_token_request_is_a_422(where, site, hub):
    _, client = site if where == "site" else hub
    body = refused(post_json(client, "/api/v1/auth/token", b'{"username": "\\ud800", "password": "x"}'), 422)
    assert body["errors"] == {"username": ["contains characters that are not allowed"]}


@pytest.mark.parametrize("reason", ["\ud800", "paused\x00"], ids=["surrogate", "nul"])
def test_the_hub_refuses_a_pause_reason_it_cannot_store(reason, hub):
    runtime, client = hub
    raw = json.dumps({"reason": reason}).encode()  # \ud800 and \u0000 as JSON escapes
    body = refused(post_json(client, PAUSE, raw, user_token(runtime, client, "agency_admin")), 422)
    assert body["errors"] == {"reason": ["contains characters that are not allowed"]}
    with runtime.engine.connect() as conn:  # on SQLite the NUL was stored
        assert conn.execute(text("SELECT count(*) FROM stream_pause")).scalar() == 0


@pytest.mark.parametrize("where", ["site", "hub"])
def test_nul_in_the_token_username_is_a_422(where, site, hub):
    _, client = site if where == "site" else hub
    body = refused(client.post("/api/v1/auth/token", json={"username": "admin\x00", "password": "x"}), 422)
    assert body["errors"] == {"username": ["contains characters that are not allowed"]}


def test_nul_in_the_public_label_endpoints_is_a_422(site):
    _, client = site
    by_number = refused(client.get("/api/v1/labels/SOPRO-HU22-2026-0001%00"), 422)
    assert by_number["errors"] == {"number": ["contains characters that are not allowed"]}
    register = refused(client.get("/api/v1/labels?holder=Textil%00"), 422)
    assert register["errors"] == {"holder": ["contains characters that are not allowed"]}


def test_nul_in_a_page_form_field_is_refused(site):
    _, client = site
    answer = client.post("/login", data={"username": "admin\x00", "password": "x"})
    assert answer.status_code == 422
    assert "contains characters" in answer.get_data(as_text=True)


def test_a_feed_position_beyond_bigint_is_a_422(site):
    runtime, client = site
    headers = user_token(runtime, client, "site_admin")
    body = refused(client.get("/federation/feed/HU22/registry?after=9223372036854775808", headers=headers), 422)
    assert body["errors"] == {"after": ["a number out of range"]}
    assert client.get("/federation/feed/HU22/registry?after=9223372036854775807", headers=headers).status_code == 200


def draft_application(site) -> tuple[str, dict]:
    """The path of a new label application's draft, and its member's headers."""
    runtime, client = site
    organisation = str(uuid.uuid4())
    headers = user_token(runtime, client, "member", organisation)
    created = client.post("/api/v1/label-applications", headers=headers, json={
        "holder_organisation_id": organisation, "holder_name": "Textil Kft", "product": "Tote bag",
        "cpv_codes": ["18930000"]})
    assert created.status_code == 201, created.get_data(as_text=True)
    return f"/api/v1/label-applications/{created.get_json()['id']}", headers


def test_a_partial_label_application_update_needs_complete_documents(site):
    client = site[1]
    path, headers = draft_application(site)
    body = refused(client.patch(path, headers=headers, json={"evidence": {"c1": {"documents": [{"size": 0}]}}}), 422)
    assert body["errors"]["evidence"]["c1"]["value"]["documents"]["0"] == {"sha256": ["Missing data for required field."]}
    assert client.patch(path, headers=headers, json={"product": "Tote bag, large"}).status_code == 200


def test_a_json_operation_refuses_a_form_body_and_an_empty_body(site):
    client = site[1]
    path, headers = draft_application(site)
    form = refused(client.patch(path, headers=headers, data={"product": "x"}), 415)
    assert form["code"] == "unsupported_media_type"
    empty = refused(client.patch(path, headers=headers, content_type="application/json"), 422)
    assert empty["errors"] == {"_schema": ["a JSON body is required"]}
    refused(client.patch(path, headers=headers), 422)
    assert client.patch(path, headers=headers, json={}).status_code == 200  # an empty object is a body


def test_a_405_keeps_its_allow_header(site, hub):
    for _, client in (site, hub):
        body = refused(client.delete("/api/v1/auth/token"), 405)
        assert body["code"] == "method_not_allowed"
        assert set(client.delete("/api/v1/auth/token").headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_a_partial_enquiry_update_needs_a_complete_contact_and_material(site):
    """The same pattern as the label application's: found by looking for partial=True elsewhere."""
    runtime, client = site
    headers = user_token(runtime, client, "broker")
    created = client.post("/api/v1/enquiries", headers=headers, json=enquiry_body(
        delivery={"nuts3": "HU223"}, currency="HUF", contact={"name": "Kovács Anna", "phone": "+36 30 123 4567"}))
    assert created.status_code == 201, created.get_data(as_text=True)
    path = f"/api/v1/enquiries/{created.get_json()['id']}"
    contact = refused(client.patch(path, headers=headers, json={"contact": {"email": "anna@example.hu"}}), 422)
    assert contact["errors"] == {"contact": {"name": ["Missing data for required field."]}}
    material = refused(client.patch(path, headers=headers, json={"residual_material": {"unit": "kg"}}), 422)
    assert set(material["errors"]["residual_material"]) == {"material", "amount", "frequency"}
    assert client.patch(path, headers=headers, json={"quantity": "120"}).status_code == 200
