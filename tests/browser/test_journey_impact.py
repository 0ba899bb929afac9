"""Impact reports and the comparison of countries, through the pages only, in real headless Chromium against
the demo federation (tests/browser/conftest.py), issue 18 ("What it must show": a browser test):

2. an agency analyst at the hub, in English, compares Austria and Hungary for this year: both countries
   side by side and their sites, each with its figures or the suppression mark as the published table
   (the open data's JSON) has it, and the note that small cells are suppressed.

The demo delivers deals this year at AT12, AT13 and HU22 (services/demo/data.DELIVERED), at least 3 at
each, so that the comparison has figures to show. Other journeys deliver more on the same demo: the test
compares the page with the open data read at the same moment, not with fixed numbers.
"""
from __future__ import annotations

from decimal import Decimal

import requests
from babel.numbers import parse_decimal

from services.demo import data
from tests.support.browser_flows import LOCALES, Api, shoot
from tests.support.browser_pages import log_in, tr, url
from tests.support.clock import today
from tests.support.polling import eventually

CENT = Decimal("0.01")


def number(text: str, lang: str) -> Decimal:
    """"€12,345.60" or "1.234" -> Decimal, read as `lang` writes numbers (currency signs and spaces dropped)."""
    digits = "".join(c for c in text if c.isdigit() or c in ".,-")
    return parse_decimal(digits, locale=lang)


def published_countries(hub: str, year: int) -> dict[str, dict]:
    """The open data's country records of `year`, by country code."""
    records = requests.get(f"{hub}/open-data/impact.json", timeout=15).json()["records"]
    return {r["country"]: r for r in records if r["level"] == "country" and r["year"] == year}


def side_by_side(page) -> dict[str, dict[str, str]]:
    """The comparison table's cells: {country: {row heading: cell text}}."""
    table = page.locator("table.impact-compare")
    countries = [c.strip() for c in table.locator("thead th").all_inner_texts()[1:]]
    cells: dict[str, dict[str, str]] = {country: {} for country in countries}
    for row in table.locator("tbody tr").all():
        heading = row.locator("th").inner_text().strip()
        for country, cell in zip(countries, row.locator("td").all_inner_texts()):
            cells[country][heading] = cell.strip()
    return cells


def test_2_an_analyst_compares_austria_and_hungary_in_english(demo, new_page):
    hub, year = url(demo, "EU"), today().year
    # the demo's own deliveries have reached the hub (the sites send them over the bus)
    expected = {site: len(deals) for site, deals in data.DELIVERED.items()}

    def all_arrived():
        sites = {s["site"]: s["records"] for s in Api(hub, "analyst").ok("GET", "/impact")["sites"]}
        return all(sites.get(site, 0) >= n for site, n in expected.items())

    assert eventually(all_arrived), "the demo's deliveries reached the hub"

    page = new_page(locale=LOCALES["en"])
    log_in(page, hub, "analyst", "en")
    page.get_by_role("link", name="Compare countries").click()
    assert page.locator("main h1").inner_text() == "Compare countries"
    page.fill("#f-countries", "AT, HU")
    page.fill("#f-year", str(year))

    def shown_as_published():
        """The page's AT and HU columns as the open data has them (retried: other journeys' deliveries may
        reach the hub between reading the page and the JSON)."""
        page.get_by_role("button", name="Show").click()
        shown, published = side_by_side(page), published_countries(hub, year)
        for country in ("AT", "HU"):
            cells, record = shown.get(country), published.get(country)
            if not cells or not record:
                return None
            if record["suppressed"]:
                if set(cells.values()) != {"suppressed"}:
                    return None
                continue
            if number(cells["Deals"], "en") != record["deals"] or \
                    abs(number(cells["Value paid (EUR)"], "en") - Decimal(record["value_paid_eur"])) > CENT / 2:
                return None
        return shown, published

    found = eventually(shown_as_published, timeout=20, interval=0.5)
    assert found, "the AT and HU columns show the published figures (or the suppression mark)"
    shown, published = found
    assert list(shown) == ["AT", "HU"], "both countries, side by side, in the order asked for"
    # The demo alone gives each country at least 3 deals this year: a published country shows at least those.
    for country, sites in (("AT", ("AT12", "AT13")), ("HU", ("HU22",))):
        if not published[country]["suppressed"]:
            assert number(shown[country]["Deals"], "en") >= sum(len(data.DELIVERED[s]) for s in sites)
    assert not all(published[c]["suppressed"] for c in ("AT", "HU")), "the demo gives the comparison figures"

    main = page.locator("main").inner_text()
    assert tr("en", "Cells with fewer than %(num)s deals are suppressed, and so are the cells that would reveal "
                    "them by difference from a total.", num=3) in main
    # each country's sites below, every one with figures or the mark
    for site in ("AT11", "AT12", "AT13", "AT22", "HU22"):
        row = page.locator(f'tr[data-cell^="site-{site[:2]}-{site}-{year}"]')
        assert row.count() == 1, f"a row for {site}"
        cells = row.locator("td").all_inner_texts()
        assert cells == ["suppressed"] or len(cells) == 7, (site, cells)
    shoot(page, "agency-impact-compare-at-hu-en")
