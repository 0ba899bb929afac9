"""Every route of every app declares its access rule, and no request a client can send gives a 500.

The rule itself lives on each view (`@public` / `@roles`); `services.common.auth.enforce_access`
applies it before every request and refuses a route that declared nothing.
"""
from __future__ import annotations

import re

import pytest

from services.bootstrap import create_app
from services.common.auth import PUBLIC, access_rule
from services.common.tokens import ROLES
from tests.support.migrated import bootstrap
from tests.support.tokens import bearer

pytestmark = pytest.mark.services

HOSTILE_BODIES = [None, b"{not json", b"[]", b'{"kind": 1e400}', b'{"a": "\\u0000"}', b'"x"' * 1000]


@pytest.fixture(params=["AT12", "EU"])
def app_and_runtime(request, make_settings, pg_url):
    runtime = bootstrap(make_settings(request.param, db_url=pg_url))
    return create_app(runtime), runtime


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def concrete_path(rule) -> str:
    path = re.sub(r"<uuid:[^>]+>", "00000000-0000-4000-8000-000000000000", rule.rule)
    path = re.sub(r"<path:[^>]+>", "AT12/registry", path)
    path = re.sub(r"<int:[^>]+>", "1", path)
    return re.sub(r"<[^>]+>", "x", path)


def test_every_route_declares_its_access_rule(app_and_runtime):
    app, _ = app_and_runtime
    undeclared = [f"{m} {r.rule}" for r, m in routes(app) if access_rule(app, r.endpoint, m) is None]
    assert undeclared == []
    for rule, method in routes(app):
        declared = access_rule(app, rule.endpoint, method)
        assert declared == PUBLIC or (declared and set(declared) <= set(ROLES)), (method, rule.rule)


def test_protected_routes_refuse_without_token_and_with_a_wrong_role(app_and_runtime):
    app, runtime = app_and_runtime
    client = app.test_client()
    checked = 0
    for rule, method in routes(app):
        declared = access_rule(app, rule.endpoint, method)
        if declared == PUBLIC:
            continue
        path = concrete_path(rule)
        assert client.open(path, method=method, json={}).status_code == 401, (method, path)
        outsiders = [r for r in ROLES if r not in declared]
        response = client.open(path, method=method, json={}, headers=bearer(runtime, outsiders, "outsider"))
        assert response.status_code == 403, (method, path, response.status_code)
        checked += 1
    assert checked > 0


def test_no_hostile_request_gives_a_500(app_and_runtime):
    app, runtime = app_and_runtime
    client = app.test_client()
    admin = bearer(runtime, ROLES, "admin")
    for rule, method in routes(app):
        for path in {concrete_path(rule), concrete_path(rule) + "?page=-1&per_page=abc&after=x&q=%00"}:
            for body in HOSTILE_BODIES:
                for headers in ({}, admin, {"Authorization": "Bearer garbage"}):
                    response = client.open(path, method=method, data=body, headers=headers,
                                           content_type="application/json")
                    assert response.status_code < 500, (method, path, body, response.get_data()[:300])
                    if response.status_code >= 400 and response.mimetype == "text/html":
                        # A human page answers in HTML (its errors next to the fields); the API never does.
                        assert not rule.rule.startswith(("/api/", "/federation/")), (method, path)
                    elif response.status_code >= 400:
                        error = response.get_json()
                        assert set(error) == {"code", "status", "message", "errors"}, (method, path, error)
