"""The main pages in every language, in real headless Chromium against the demo federation
(tests/browser/conftest.py): the sites' and the hub's public pages and the agency's dashboard, with
the impact of `delivered` in its charts; on a phone no page is wider than the screen. Screenshots go to
test-artifacts/screenshots/.
"""
from __future__ import annotations

import pytest

from tests.support.browser_flows import LOCALES, shoot
from tests.support.browser_pages import DEMO_LABEL, log_in, tr, url


PUBLIC_PAGES = [("AT12", "/", "at12-home"), ("AT12", "/catalogue", "at12-catalogue"), ("HU22", "/", "hu22-home"),
                ("EU", "/labels", "hub-labels")]
AGENCY_PAGES = ["/agency/", "/agency/members", "/agency/offers", "/agency/enquiries", "/agency/cross-border",
                "/agency/impact", "/agency/health"]


@pytest.mark.parametrize("lang", ["de", "hu", "en"])
def test_main_pages_in_every_language(demo, new_page, delivered, lang):
    page = new_page(locale=LOCALES[lang])
    for site, path, name in PUBLIC_PAGES:
        page.goto(f"{url(demo, site)}{path}?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("main h1").count() >= 1, name
        shoot(page, f"{name}-{lang}")
    log_in(page, url(demo, "EU"), "agency", lang)
    for path in AGENCY_PAGES:
        page.goto(f"{url(demo, 'EU')}{path}?lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        assert tr(lang, "Federation health") in page.locator(".office-nav").inner_text()
        shoot(page, f"hub{path.rstrip('/').replace('/', '-')}-{lang}")
    phone = new_page(viewport=(390, 844), locale=LOCALES[lang])
    log_in(phone, url(demo, "EU"), "analyst", lang)
    for path, name in (("/agency/", "hub-agency-phone"), ("/agency/impact", "hub-impact-phone"),
                       (f"/labels/verify?number={DEMO_LABEL}", "hub-verify-phone")):
        phone.goto(f"{url(demo, 'EU')}{path}{'&' if '?' in path else '?'}lang={lang}")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a phone (wide tables scroll in their own box)"
        shoot(phone, f"{name}-{lang}")
