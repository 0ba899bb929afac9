"""Forwarded headers count only with SOPRO_TRUSTED_PROXIES (werkzeug's ProxyFix, applied once by the web
kernel to every site's and the hub's app): then the rate limits count the forwarded client, and links are
built with the forwarded scheme and host; without it, a client cannot claim another address, https or host.
X-Forwarded-Port is never trusted (the reverse proxy does not set it, so a client would)."""
from __future__ import annotations

import pytest
from flask import request, url_for

from services.bootstrap import create_app
from services.common.auth import public
from services.common.config import load_settings
from tests.support.migrated import bootstrap

PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "at12.sopro.example"}


def site_app(make_settings, **settings):
    app = create_app(bootstrap(make_settings("AT12", **settings)))
    app.add_url_rule("/probe/url", "probe_url", public(lambda: url_for("probe_url", _external=True)))
    app.add_url_rule("/probe/address", "probe_address", public(lambda: request.remote_addr))
    return app


def from_client(client, address: str):
    return client.get("/probe/address", headers={"X-Forwarded-For": address})


def test_without_the_setting_every_forwarded_address_is_the_one_client_it_comes_from(make_settings):
    client = site_app(make_settings, rate_limit="2/minute").test_client()
    assert [from_client(client, f"203.0.113.{n}").status_code for n in (1, 2, 3)] == [200, 200, 429]


def test_behind_a_trusted_proxy_the_limits_count_each_forwarded_client(make_settings):
    client = site_app(make_settings, rate_limit="2/minute", trusted_proxies=1).test_client()
    first = [from_client(client, "203.0.113.9") for _ in range(3)]
    assert [r.status_code for r in first] == [200, 200, 429]
    assert first[0].get_data(as_text=True) == "203.0.113.9"
    other = from_client(client, "203.0.113.10")
    assert other.status_code == 200, "another client behind the same proxy has its own allowance"


def test_only_the_last_hop_counts_behind_one_proxy(make_settings):
    """The proxy appends the address it saw; whatever the client wrote before it is not believed."""
    client = site_app(make_settings, trusted_proxies=1).test_client()
    answer = client.get("/probe/address", headers={"X-Forwarded-For": "10.0.0.1, 198.51.100.7"})
    assert answer.get_data(as_text=True) == "198.51.100.7"


def test_forwarded_scheme_and_host_make_https_links_only_behind_a_trusted_proxy(make_settings):
    direct = site_app(make_settings).test_client().get("/probe/url", headers=PROXIED)
    assert direct.get_data(as_text=True) == "http://localhost/probe/url"
    assert "Strict-Transport-Security" not in direct.headers

    proxied = site_app(make_settings, trusted_proxies=1).test_client().get("/probe/url", headers=PROXIED)
    assert proxied.get_data(as_text=True) == "https://at12.sopro.example/probe/url"
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_forwarded_port_is_never_trusted(make_settings):
    client = site_app(make_settings, trusted_proxies=1).test_client()
    answer = client.get("/probe/url", headers={**PROXIED, "X-Forwarded-Port": "4444"})
    assert answer.get_data(as_text=True) == "https://at12.sopro.example/probe/url"


def test_secure_cookies_behind_the_tls_proxy(make_settings):
    """The proxy reaches the app over http; the cookies are Secure by the setting (or an https site URL)."""
    client = site_app(make_settings, trusted_proxies=1, secure_cookies=True).test_client()
    answer = client.get("/login", headers={**PROXIED, "Accept": "text/html"})
    assert "Secure" in answer.headers["Set-Cookie"]


@pytest.mark.parametrize("env, hops", [({}, 0), ({"SOPRO_TRUSTED_PROXIES": "1"}, 1)])
def test_the_number_of_trusted_proxies_comes_from_the_environment(federation, env, hops):
    assert load_settings("AT12", env=env, federation=federation).trusted_proxies == hops
