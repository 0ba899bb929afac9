"""How pages and files travel: compressed when the client accepts it, static files cached a year under
a URL that carries their version, and revalidated when asked for without it; the favicon."""
from __future__ import annotations

import gzip
import re

from services.web.static_files import fingerprint
from tests.support.web import HTML

GZIP = {**HTML, "Accept-Encoding": "gzip"}
CHROMIUM = {**HTML, "Accept-Encoding": "gzip, deflate, br, zstd"}  # Flask-Compress streams files in zstd, br or deflate


def test_pages_and_the_api_are_compressed_for_clients_that_accept_it(at12):
    client = at12.app.test_client()
    page = client.get("/catalogue", headers=GZIP)
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    assert "<html" in gzip.decompress(page.get_data()).decode()
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip" and gzip.decompress(api.get_data()).startswith(b"{")
    assert "Content-Encoding" not in client.get("/catalogue", headers=HTML).headers  # nobody is forced


def test_the_style_sheet_is_linked_by_version_and_kept_a_year(at12):
    client = at12.app.test_client()
    page = client.get("/", headers=HTML).get_data(as_text=True)
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    assert href == f"/static/web/sopro.css?v={fingerprint('sopro.css')}"
    sheet = client.get(href, headers=CHROMIUM)
    assert sheet.status_code == 200 and sheet.headers["Content-Encoding"] == "zstd"
    assert sheet.cache_control.max_age == 365 * 24 * 3600 and sheet.cache_control.immutable
    again = client.get(href, headers={**CHROMIUM, "If-None-Match": sheet.headers["ETag"]})
    assert again.status_code == 304


def test_a_static_file_without_its_version_is_revalidated(at12):
    client = at12.app.test_client()
    for href in ("/static/web/sopro.css", "/static/web/sopro.css?v=an-old-version"):
        sheet = client.get(href)
        assert sheet.status_code == 200 and sheet.cache_control.no_cache and not sheet.cache_control.immutable
        assert client.get(href, headers={"If-None-Match": sheet.headers["ETag"]}).status_code == 304


def test_every_page_names_its_icon_and_the_browsers_default_address_finds_it(at12):
    client = at12.app.test_client()
    page = client.get("/", headers=HTML).get_data(as_text=True)
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page).group(1)
    answer = client.get(icon)
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml" and b"<svg" in answer.get_data()
    assert client.get("/favicon.ico").headers["Location"] == icon
    assert '<meta name="application-name" content="SoPro Niederösterreich (AT12)">' in page
