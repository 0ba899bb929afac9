"""On a phone (375 CSS pixels wide, in Debian's chromium): no page scrolls sideways; a wide table scrolls
inside its wrapper, with a shadow at the edge that says there is more. Screenshots go to
test-artifacts/screenshots/ (portal-phone-*.png)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from services.serving import AppServer
from tests.support.browser_flows import shoot
from tests.support.services import REQUIRE

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 375, "height": 812}
PAGES = {"catalogue": "/catalogue?lang=de", "home": "/?lang=hu", "imprint": "/imprint?lang=en",
         "not-found": "/no-such-page?lang=de", "login": "/login?lang=de"}


@pytest.fixture(scope="module")
def phone(at12):
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        if REQUIRE:
            pytest.fail(f"{CHROMIUM} is missing and SOPRO_REQUIRE_SERVICES=1")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    server = AppServer(at12.app, "127.0.0.1", 0).start()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        yield page, f"http://127.0.0.1:{server.port}"
        browser.close()
    server.stop()


@pytest.mark.parametrize("name", PAGES)
def test_no_page_scrolls_sideways_on_a_phone(phone, name):
    page, base = phone
    page.goto(base + PAGES[name])
    shoot(page, f"portal-phone-{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name


def test_a_wide_table_scrolls_in_its_wrapper_with_a_cue(phone):
    page, base = phone
    page.goto(base + "/catalogue?lang=de")
    wrapper = page.locator(".table-wrap").first
    assert wrapper.evaluate("w => w.scrollWidth > w.clientWidth")  # five columns do not fit 375 px
    assert "radial-gradient" in wrapper.evaluate("w => getComputedStyle(w).backgroundImage")  # the edge's shadow
    assert wrapper.evaluate("w => getComputedStyle(w.querySelector('table')).backgroundColor") == "rgba(0, 0, 0, 0)"
    wrapper.evaluate("w => w.scrollLeft = w.scrollWidth")
    shoot(page, "portal-phone-catalogue-scrolled")


STACKED_TABLE = """<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main class="wrap"><div class="table-wrap stack"><table>
<thead><tr><th>Offer</th><th>Social enterprise</th><th class="num">Capacity per week</th><th class="num">Price</th></tr></thead>
<tbody><tr><td data-label="Offer">Pallet furniture from the Traisental workshop</td><td data-label="Social enterprise">
Traisentaler Werkstatt</td><td class="num" data-label="Capacity per week">500 pieces</td>
<td class="num" data-label="Price">€10.00 – €90.00</td></tr></tbody></table></div></main></body></html>"""
SHEET = (Path(__file__).resolve().parents[2] / "services" / "web" / "static" / "sopro.css").read_text(encoding="utf-8")


def test_a_table_marked_stack_becomes_a_card_per_row_with_its_column_names(phone):
    page, _ = phone
    page.goto("about:blank")  # no site's policy: the style sheet goes in inline
    page.set_content(STACKED_TABLE)
    page.add_style_tag(content=SHEET)
    price = page.locator("td[data-label=Price]")
    assert price.evaluate("td => getComputedStyle(td).display") == "block"
    assert price.evaluate("td => getComputedStyle(td, '::before').content") == '"Price"'
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "portal-phone-stacked-table")
    page.set_viewport_size({"width": 1024, "height": 768})
    try:
        assert price.evaluate("td => getComputedStyle(td).display") == "table-cell"  # a desktop keeps the table
        assert price.evaluate("td => getComputedStyle(td, '::before').content") == "none"
    finally:
        page.set_viewport_size(PHONE)
