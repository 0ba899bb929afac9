"""A visitor verifies a label at the hub, in real headless Chromium against the demo federation
(tests/browser/conftest.py), in de, hu and en: a valid label, a malformed, a missing and an unknown
number, each said in the page's language (from the gettext catalogues). Screenshots go to
test-artifacts/screenshots/.
"""
from __future__ import annotations

import pytest

from tests.support.browser_flows import LOCALES, shoot
from tests.support.browser_pages import DEMO_LABEL, error_of, tr, url


# --- 4. a visitor verifies a label at the hub --------------------------------------------------------

@pytest.mark.parametrize("lang", ["de", "hu", "en"])
def test_4_a_visitor_verifies_a_label_at_the_hub(demo, new_page, lang):
    hub = url(demo, "EU")
    page = new_page(locale=LOCALES[lang])
    page.goto(f"{hub}/?lang={lang}")
    shoot(page, f"hub-home-{lang}")
    page.fill("#f-number", DEMO_LABEL.lower())  # as people type it
    page.locator("main form button[type=submit]").first.click()
    result = page.locator("#verification").inner_text()
    assert DEMO_LABEL in result
    assert tr(lang, "This label is valid today.") in result
    assert "Soproni Textil-Újrahasznosító Szövetkezet" in result
    shoot(page, f"hub-verify-{lang}")

    page.fill("#f-number", "SOPRO-12")
    page.locator("main form button[type=submit]").click()
    assert tr(lang, "A label number looks like SOPRO-HU22-2026-0003.") in error_of(page, "number")
    page.fill("#f-number", "")
    page.locator("main form button[type=submit]").click()
    assert tr(lang, "This field is required.") in error_of(page, "number")
    shoot(page, f"hub-verify-empty-{lang}")

    page.fill("#f-number", "SOPRO-AT12-2026-9999")
    page.locator("main form button[type=submit]").click()
    assert tr(lang, "Unknown label") in page.locator("#verification").inner_text()
