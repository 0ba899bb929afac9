"""A bookmark of an office page with its language (`?lang=de`) opened without a session: the refusal
comes before the page could remember the language, so the login page is asked in it and the person logs
in and lands on the bookmarked page in that language."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest


@pytest.mark.parametrize("lang, login_button", [("de", "Anmelden"), ("hu", "Belépés")])
def test_a_bookmark_with_its_language_logs_in_in_that_language(at12, lang, login_button):
    browser = at12.browser()
    response = browser.get(f"/office/enquiries?lang={lang}")
    assert response.status_code == 302
    asked = parse_qs(urlsplit(response.headers["Location"]).query)
    assert asked["lang"] == [lang] and asked["next"] == [f"/office/enquiries?lang={lang}"]
    browser.get(response.headers["Location"])
    assert f'<html lang="{lang}"' in browser.page and login_button in browser.page


def test_a_bookmark_without_a_language_or_with_an_unknown_one_adds_none(at12):
    for path in ("/office/enquiries", "/office/enquiries?lang=xx"):
        response = at12.browser().get(path)
        assert "lang" not in parse_qs(urlsplit(response.headers["Location"]).query), path
