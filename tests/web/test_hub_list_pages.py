"""The hub's lists paged by cursor (issue 20) as pages (the `network` of tests/support/hub_pages.py, SQLite
and PostgreSQL): past the first page a "First page" link leads back to it with the same filters; a cursor
that is not one of the list's is a field message, never a 500."""
from __future__ import annotations

import html
import re

from services.common.keyset import encode_cursor


def first_page_link(page: str) -> str | None:
    found = re.search(r'<a rel="first" href="([^"]+)">([^<]+)</a>', page)
    return (html.unescape(found.group(1)), found.group(2)) if found else None


def test_past_the_first_page_a_first_page_link_keeps_the_filters(network):
    browser = network["hub"].browser("analyst")
    for path in ("/agency/members", "/agency/offers", "/agency/enquiries"):
        assert browser.get(f"{path}?site=AT12&lang=de").status_code == 200
        assert first_page_link(browser.page) is None, path
        assert browser.get(f"{path}?site=AT12&page=2&lang=de").status_code == 200
        href, text = first_page_link(browser.page)
        assert text == "Erste Seite" and href.startswith(path + "?")
        assert "site=AT12" in href and "lang=de" in href and "page=" not in href and "after=" not in href
    browser.get("/agency/enquiries?after=" + encode_cursor(["", "AT12", "A", "0"]) + "&lang=hu")
    assert first_page_link(browser.page)[1] == "Első oldal"


def test_a_cursor_of_another_list_is_a_field_message(network):
    browser = network["hub"].browser("analyst")
    for path, cursor in (("/agency/enquiries", ["not a time", "AT12", "r", "i"]), ("/agency/cross-border", ["x"])):
        response = browser.get(f"{path}?after={encode_cursor(cursor)}&lang=en")
        assert response.status_code == 422, path
    response = network["hub"].browser().get("/labels?after=" + encode_cursor([1, 2]) + "&lang=en")
    assert response.status_code == 422
    # ... beside the field, in the page's language
    for lang, words in (("de", "Dieser Seitenlink ist nicht (mehr) gültig"), ("hu", "Ez az oldalhivatkozás nem érvényes")):
        response = browser.get(f"/agency/members?after=garbage&lang={lang}")
        assert response.status_code == 422 and words in html.unescape(browser.page), lang
        assert "not a cursor" not in browser.page
