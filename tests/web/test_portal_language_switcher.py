"""Every page's language switcher links to the three languages by their whole codes. A page whose view
passed its own `languages` once shadowed the layout's, and the switcher read "e u n" with lang="d"."""
from __future__ import annotations

import re

import pytest

from services.web.i18n import LANGUAGE_NAMES

SWITCHER = re.compile(r'<nav class="langs"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="[^"]*[?&]lang=(\w+)[^"]*" hreflang="(\w+)" lang="(\w+)"[^>]*>([^<]*)</a>')


def switcher_links(page: str) -> list[tuple[str, str, str, str]]:
    return LINK.findall(SWITCHER.search(page).group(1))


def assert_whole_codes(page: str, path: str) -> None:
    links = switcher_links(page)
    assert [(code, name) for code, _, _, name in links] == [(c, n) for c, n in LANGUAGE_NAMES.items()], path
    assert all(code == hreflang == lang for code, hreflang, lang, _ in links), (path, links)


def pages_without_arguments(app) -> list[str]:
    """Every page a GET can open without filling in an id."""
    paths = []
    for rule in app.url_map.iter_rules():
        blueprint = app.blueprints.get(rule.endpoint.rpartition(".")[0])
        if getattr(blueprint, "sopro_pages", False) and "GET" in rule.methods and not rule.arguments:
            if not rule.rule.startswith("/static/") and not rule.rule.endswith((".pdf", ".ics")):  # downloads
                paths.append(rule.rule)
    return sorted(paths)


@pytest.mark.parametrize("username", [None, "broker", "admin"])
def test_every_page_switches_to_whole_language_codes(at12, no_hub, username):
    browser = at12.browser()
    if username:
        browser.login(username)
    opened = 0
    for path in pages_without_arguments(at12.app):
        if browser.get(path).status_code == 200:
            assert_whole_codes(browser.page, path)
            opened += 1
    assert opened >= 5


def test_the_programme_and_consultant_pages_switch_whole_languages(at12, broker):
    broker.get("/office/programmes")
    assert_whole_codes(broker.page, "/office/programmes")
    assert broker.post("/office/consultants", {}).status_code == 422  # the consultant form again, with errors
    assert_whole_codes(broker.page, "/office/consultants")
    assert 'lang="d"' not in broker.page and 'hreflang="e"' not in broker.page
