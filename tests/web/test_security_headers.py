"""Every response carries the security headers (pages, API, errors, static files); HSTS only over
https; forwarded headers count only from trusted proxies; cookies are Secure when the setting says so;
the server names no versions. (The hub's charts under the CSP: tests/web/test_hub_pages_dashboard.py.)"""
from __future__ import annotations

import urllib.request

import pytest
from flask import request

from services.bootstrap import create_app
from services.common.auth import public
from services.common.config import load_settings
from services.serving import AppServer
from tests.support.migrated import bootstrap

HTML = {"Accept": "text/html"}
POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
          "frame-ancestors 'none'")
FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def site_app(make_settings, **settings):
    app = create_app(bootstrap(make_settings("AT12", **settings)))
    # What the app takes for the client's address, as the rate limits do.
    app.add_url_rule("/probe/address", "probe_address", public(lambda: request.remote_addr))
    return app


@pytest.fixture
def app(make_settings):
    return site_app(make_settings)


@pytest.mark.parametrize("path, headers, status", [
    ("/", HTML, 200), ("/login", HTML, 200), ("/support", HTML, 200), ("/no-such-page", HTML, 404),
    ("/office/users", HTML, 302), ("/static/web/sopro.css", {}, 200),
    ("/api/v1/offers", {}, 200), ("/api/v1/support-statements", {}, 401), ("/api/v1/openapi.json", {}, 200),
])
def test_every_response_carries_the_security_headers(app, path, headers, status):
    response = app.test_client().get(path, headers=headers)
    assert response.status_code == status
    assert response.headers["Content-Security-Policy"] == POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers, "not over plain http"


def test_https_requests_get_hsts(app):
    response = app.test_client().get("/", headers=HTML, base_url="https://at12.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(app, make_settings):
    direct = app.test_client().get("/probe/address", headers=FORWARDED)
    assert direct.get_data(as_text=True) == "127.0.0.1", "a client cannot claim another address"
    assert "Strict-Transport-Security" not in direct.headers, "nor https"

    behind_proxy = site_app(make_settings, trusted_proxies=1).test_client().get("/probe/address", headers=FORWARDED)
    assert behind_proxy.get_data(as_text=True) == "203.0.113.9"
    assert "Strict-Transport-Security" in behind_proxy.headers


def test_session_cookies_are_secure_when_the_setting_says_so(app, make_settings):
    assert "Secure" not in app.test_client().get("/login", headers=HTML).headers["Set-Cookie"], "http:// site URL"
    secure = site_app(make_settings, secure_cookies=True).test_client().get("/login", headers=HTML)
    assert "Secure" in secure.headers["Set-Cookie"]


@pytest.mark.parametrize("env, secure, hops", [
    ({}, None, 0),
    ({"SOPRO_SECURE_COOKIES": "1", "SOPRO_TRUSTED_PROXIES": "1"}, True, 1),
    ({"SOPRO_SECURE_COOKIES": "off", "SOPRO_TRUSTED_PROXIES": "2"}, False, 2),
])
def test_the_settings_come_from_the_environment(federation, env, secure, hops):
    settings = load_settings("AT12", env=env, federation=federation)
    assert (settings.secure_cookies, settings.trusted_proxies) == (secure, hops)


@pytest.mark.parametrize("env", [{"SOPRO_SECURE_COOKIES": "maybe"}, {"SOPRO_TRUSTED_PROXIES": "-1"}])
def test_a_wrong_setting_is_refused_at_start(federation, env):
    with pytest.raises(ValueError, match=next(iter(env))):
        load_settings("AT12", env=env, federation=federation)


def test_the_server_names_no_versions(app):
    server = AppServer(app, "127.0.0.1", 0).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz") as response:
            announced = response.headers["Server"]
    finally:
        server.stop()
    assert announced == "sopro"
