"""The access rules of every route, read from the one place that lists them (services/common/access.py).

Every route of the site's and the hub's app, the JSON API's and any other blueprint's (the web pages,
static files, a blueprint added later), has a rule; protected ones refuse a request without a token
(401) and one with a wrong role (403); the OpenAPI document states the same rules; `sopro routes`
prints them; and a route added without a rule is listed as such and refused.
"""
from __future__ import annotations

import re

import pytest
from flask import Blueprint

from services.bootstrap import create_app
from services.cli import main as sopro
from services.common.access import UNDECLARED, format_rules, route_rules
from services.common.auth import roles
from services.common.tokens import ROLES
from services.common.config import load_settings
from tests.support.databases import pg_schemas
from tests.support.migrated import bootstrap
from tests.support.services import TEST_RATE_LIMIT
from tests.support.tokens import bearer

pytestmark = pytest.mark.services

SAMPLES = {"uuid": "00000000-0000-4000-8000-000000000000", "int": "1", "float": "1.5", "path": "AT12/registry"}
ERROR_KEYS = {"code", "status", "message", "errors"}


@pytest.fixture(scope="module", params=["AT12", "EU"])
def runtime(request, federation, federation_files, tmp_path_factory):
    """One migrated app per site kind for the whole module, on a PostgreSQL schema of its own."""
    with pg_schemas("t_routes") as schema_url:
        settings = load_settings(request.param, env={}, federation=federation, db_url=schema_url(request.param),
                                 key_file=federation_files[1] / f"{request.param}.pem",
                                 var_dir=tmp_path_factory.mktemp("routes"),
                                 rate_limit=TEST_RATE_LIMIT, token_rate_limit=TEST_RATE_LIMIT,
                                 public_write_rate_limit=TEST_RATE_LIMIT)
        runtime = bootstrap(settings)
        yield runtime
        runtime.engine.dispose()


def concrete(path: str) -> str:
    """A URL for a rule's path: each variable replaced by a value its converter accepts."""
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", lambda m: SAMPLES.get(m.group(1) or "", "x"), path)


def openapi_path(path: str) -> str:
    return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", path)


def test_every_route_of_every_blueprint_is_listed_with_a_rule(runtime):
    app = create_app(runtime)
    rules = route_rules(app)
    expected = {(m, r.rule) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}
    assert {(r.method, r.path) for r in rules} == expected
    assert [f"{r.method} {r.path}" for r in rules if not r.declared] == []
    assert any(r.roles for r in rules) and any(r.public for r in rules)


def test_protected_routes_refuse_without_a_token_and_with_a_wrong_role(runtime):
    app = create_app(runtime)
    client = app.test_client()
    checked = 0
    for route in route_rules(app):
        url = concrete(route.path)
        if route.public:
            response = client.open(url, method=route.method, json={})
            assert response.status_code not in (401, 403), (route.method, url, response.status_code)
            continue
        response = client.open(url, method=route.method, json={})
        assert response.status_code == 401, (route.method, url, response.status_code)
        assert set(response.get_json()) == ERROR_KEYS
        outsider = bearer(runtime, [r for r in ROLES if r not in route.roles])
        response = client.open(url, method=route.method, json={}, headers=outsider)
        assert response.status_code == 403, (route.method, url, response.status_code)
        assert set(response.get_json()) == ERROR_KEYS
        allowed = client.open(url, method=route.method, json={}, headers=bearer(runtime, route.roles))
        assert allowed.status_code != 401, (route.method, url)  # the rule lets its own roles in
        checked += 1
    assert checked > 0


def test_the_openapi_document_states_the_rule_of_every_operation(runtime):
    app = create_app(runtime)
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    by_operation = {(r.method.lower(), openapi_path(r.path)): r for r in route_rules(app)}
    documented = set()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            route = by_operation[(method, path)]
            if route.public:
                assert "security" not in operation and "x-sopro-roles" not in operation, (method, path)
            else:
                assert operation["security"] == [{"bearer": []}], (method, path)
                assert operation["x-sopro-roles"] == sorted(route.roles), (method, path)
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
            assert "429" in operation["responses"], (method, path)
            documented.add((method, path))
    # Every JSON API route is in the document (the document's own route aside).
    api_routes = {key for key, r in by_operation.items() if r.path.startswith("/api/") and not r.endpoint.startswith("api-docs.")}
    assert api_routes - documented == set()


def test_a_page_added_later_is_listed_and_its_rule_enforced(runtime):
    app = create_app(runtime)
    later = Blueprint("later", __name__, url_prefix="/later")

    @later.route("/report")
    @roles("agency_admin")
    def report():
        return "<h1>report</h1>"

    @later.route("/forgotten")
    def forgotten():  # declares nothing
        return "<h1>open?</h1>"

    app.register_blueprint(later)
    rules = {(r.method, r.path): r for r in route_rules(app)}
    assert rules[("GET", "/later/report")].roles == {"agency_admin"}
    assert rules[("GET", "/later/forgotten")].rule == UNDECLARED
    assert "GET     /later/forgotten" in format_rules(list(rules.values()))

    client = app.test_client()
    assert client.get("/later/report").status_code == 401
    assert client.get("/later/report", headers=bearer(runtime, ["broker"])).status_code == 403
    assert client.get("/later/report", headers=bearer(runtime, ["agency_admin"])).status_code == 200
    refused = client.get("/later/forgotten", headers=bearer(runtime, ROLES))
    assert refused.status_code == 403 and set(refused.get_json()) == ERROR_KEYS


def test_sopro_routes_prints_every_route_with_its_rule(runtime, federation_files, monkeypatch, capsys):
    site = runtime.settings.site_id
    monkeypatch.setenv("SOPRO_FEDERATION_FILE", str(federation_files[0]))
    monkeypatch.setenv("SOPRO_DB_URL", runtime.settings.db_url)
    monkeypatch.setenv("SOPRO_VAR_DIR", str(runtime.settings.var_dir))
    monkeypatch.setenv("SOPRO_KEY_FILE", str(runtime.settings.key_file))
    assert sopro(["routes", "--site", site]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rules = route_rules(create_app(runtime))
    assert lines[:-1] == format_rules(rules).splitlines()
    assert lines[-1] == f"{site}: {len(rules)} routes, {sum(r.public for r in rules)} public, 0 without a rule (refused)"
