"""Errors answer a browser with the site's HTML page, in its language and with its navigation; the JSON
API and clients that do not prefer HTML keep the JSON error shape. A 500 never shows a traceback."""
from __future__ import annotations

import pytest

from services.common.auth import public
from tests.support.web import HTML

JSON = {"Accept": "application/json"}


def test_an_unknown_address_is_a_page_in_the_visitors_language(at12):
    browser = at12.browser()
    response = browser.get("/no-such-page?lang=de")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "<h1>Nicht gefunden</h1>" in browser.page and '<html lang="de">' in browser.page
    assert 'href="/catalogue"' in browser.page  # the site's navigation
    browser.get("/no-such-page?lang=en")
    assert "<h1>Not found</h1>" in browser.page


def test_a_logged_in_user_keeps_the_office_navigation_on_the_404_page(broker):
    broker.get("/nowhere")
    assert 'class="office-nav"' in broker.page and "<span>broker</span>" in broker.page


@pytest.mark.parametrize("path", ["/no-such-page", "/api/v1/no-such-thing", "/federation/no-such-thing"])
def test_json_clients_and_the_api_keep_the_json_shape(at12, path):
    client = at12.app.test_client()
    for headers in (JSON, {}, {"Accept": "*/*"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response.get_json()["code"] == "not_found", (path, headers)
    if path.startswith(("/api/", "/federation/")):  # even a browser gets JSON from the API
        assert client.get(path, headers=HTML).get_json()["status"] == 404


def test_a_refused_office_page_is_a_page(broker):
    response = broker.get("/office/users")
    assert response.status_code == 403 and "<h1>Nicht erlaubt</h1>" in broker.page


def test_a_failure_is_a_page_without_the_traceback(at12, monkeypatch):
    @public
    def broken(**kwargs):
        raise RuntimeError("secret detail: /srv/sopro/services/registry/pages.py line 42")

    endpoint = at12.app.url_map.bind("localhost").match("/catalogue")[0]
    monkeypatch.setitem(at12.app.view_functions, endpoint, broken)
    client = at12.app.test_client()
    page = client.get("/catalogue?lang=en", headers=HTML)
    text = page.get_data(as_text=True)
    assert page.status_code == 500 and "<h1>Something went wrong</h1>" in text
    assert "secret detail" not in text and "Traceback" not in text and "RuntimeError" not in text
    body = client.get("/catalogue", headers=JSON).get_json()
    assert body["code"] == "internal_error" and "secret" not in body["message"]
