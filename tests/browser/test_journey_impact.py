"""Impact reports and the comparison of countries, through the pages only, in real headless Chromium against
the demo federation (tests/browser/conftest.py), issue 18 ("What it must show": a browser test):

1. the client company's member at AT12, in German, opens Unsere Wirkung, picks a period (this year up to
   today), sees the demo's deals and the totals, and downloads the report as CSV and as PDF: the CSV's exact
   totals, rounded as the page shows them, are the page's, and its deal lines add up to them; the PDF's
   text (`pdftotext`) writes every total as the page does;
2. an agency analyst at the hub, in English, compares Austria and Hungary for this year: both countries
   side by side and their sites, each with its figures or the suppression mark as the published table
   (the open data's JSON) has it, and the note that small cells are suppressed.

The demo delivers deals this year at AT12, AT13 and HU22 (services/demo/data.DELIVERED), at least 3 at
each, so that the comparison has figures to show. Other journeys deliver more on the same demo: the test
compares the page with the open data read at the same moment, not with fixed numbers.
"""
from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_EVEN, Decimal

import requests
from babel.numbers import parse_decimal

from services.demo import data
from tests.support.browser_flows import LOCALES, Api, shoot
from tests.support.browser_pages import log_in, tr, url
from tests.support.clock import today
from tests.support.pdf_text import need_poppler, one_spaced, pdf_text
from tests.support.polling import eventually

CENT, TENTH = Decimal("0.01"), Decimal("0.1")
# The totals as the page and the PDF name them (gettext msgids), and the CSV columns holding them.
TOTALS = {"Value paid in EUR": "Value paid in EUR", "Hours of people in integration": "Hours of people in integration",
          "Material kept from waste (kg)": "Material kept from waste (kg)", "Regional share": "Regional share (0–1)",
          "Distance from production (km)": "Distance (km)"}


def number(text: str, lang: str) -> Decimal:
    """"€12,345.60" or "84,5 %" -> Decimal, read as `lang` writes numbers (currency signs and spaces dropped)."""
    digits = "".join(c for c in text if c.isdigit() or c in ".,-")
    return parse_decimal(digits.strip(".,"), locale=lang)


def facts(page) -> dict[str, str]:
    """The totals as the page shows them: {term: value}, spaces as plain single spaces."""
    totals = page.locator("dl.facts").first
    return {term.strip(): one_spaced(value).strip() for term, value in
            zip(totals.locator("dt").all_inner_texts(), totals.locator("dd").all_inner_texts())}


def downloaded(page, link_text: str) -> tuple[str, bytes]:
    """Click the download link: the file's suggested name and its bytes."""
    with page.expect_download() as waiting:
        page.get_by_role("link", name=link_text).click()
    download = waiting.value
    with open(download.path(), "rb") as file:
        return download.suggested_filename, file.read()


def csv_report(body: bytes, lang: str) -> tuple[list[dict], dict[str, Decimal], dict]:
    """The CSV's deal lines, its value paid per currency, and its other total line, keyed by the English
    column names (the header is in `lang`)."""
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    english = {tr(lang, name): name for name in ("Kind", "Deal id", "Reference", "Title", "Value paid", "Currency",
                                                 *TOTALS.values())}
    header = [english.get(label, label) for label in lines[0]]
    records = [dict(zip(header, line)) for line in lines[1:] if len(line) == len(header)]
    deals = [r for r in records if r["Kind"] != "total"]
    paid = {r["Currency"]: Decimal(r["Value paid"]) for r in records if r["Kind"] == "total" and r["Currency"]}
    total = next(r for r in records if r["Kind"] == "total" and not r["Currency"])
    return deals, paid, total


def as_shown(value: Decimal, money: bool) -> Decimal:
    """An exact total rounded as the page shows it (euros to the cent, figures to a tenth, half to even as Babel)."""
    return value.quantize(CENT if money else TENTH, ROUND_HALF_EVEN)


def pdf_fact(text: str, term: str) -> str:
    """The value written beside `term` in the PDF's totals (the first line that begins with it)."""
    return re.search(rf"^ *{re.escape(term)} +(\S.*)$", text, re.M).group(1).strip()


def test_1_the_client_member_downloads_its_report_in_german(demo, new_page):
    need_poppler()
    at12, lang, year = url(demo, "AT12"), "de", today().year
    page = new_page(locale=LOCALES[lang])
    log_in(page, at12, "client-member", lang)
    page.get_by_role("link", name=tr(lang, "Our impact")).click()
    assert page.locator("main h1").inner_text() == tr(lang, "Our impact")
    page.fill("#f-from", f"{year}-01-01")
    page.fill("#f-to", today().isoformat())
    page.get_by_role("button", name=tr(lang, "Show")).click()
    assert f"from={year}-01-01" in page.url and f"to={today().isoformat()}" in page.url
    rows = page.locator("tbody tr[id^=deal-]")
    listed = rows.all_inner_texts()
    demo_deals = [deal[1] for deal in data.DELIVERED["AT12"] if deal[2] == "Donauland Handels AG"]
    assert len(demo_deals) >= 3 and all(any(title in row for row in listed) for title in demo_deals)
    shown = facts(page)
    shoot(page, "client-impact-report-de")

    name, body = downloaded(page, tr(lang, "Download as CSV"))
    assert name.endswith(".csv")
    deals, paid, total = csv_report(body, lang)
    # the same deals, every one traceable by its reference, and their lines add up to the totals
    assert len(deals) == int(total["Deal id"]) == len(listed)
    assert all(any(deal["Reference"] in row for row in listed) for deal in deals)
    assert sum(Decimal(d[TOTALS["Value paid in EUR"]]) for d in deals) == Decimal(total[TOTALS["Value paid in EUR"]])
    assert set(paid) == {"EUR"} and sum(Decimal(d["Value paid"]) for d in deals) == paid["EUR"]
    # the CSV's exact totals, rounded as shown, are the page's
    assert number(shown[tr(lang, "Value paid")], lang) == as_shown(paid["EUR"], True)
    assert number(shown[tr(lang, "Value paid in EUR")], lang) == as_shown(Decimal(total["Value paid in EUR"]), True)
    for term in ("Hours of people in integration", "Material kept from waste (kg)", "Distance from production (km)"):
        assert number(shown[tr(lang, term)], lang) == as_shown(Decimal(total[TOTALS[term]]), False), term
    share = Decimal(total[TOTALS["Regional share"]]) * 100
    assert number(shown[tr(lang, "Regional share")], lang) == as_shown(share, False)

    name, document = downloaded(page, tr(lang, "Download as PDF"))
    assert name.endswith(".pdf") and document.startswith(b"%PDF-")
    text = one_spaced(pdf_text(document))
    assert "Donauland Handels AG" in text
    for term in ("Value paid", *TOTALS):  # every total written as the page writes it
        assert pdf_fact(text, tr(lang, term)) == shown[tr(lang, term)], term
    assert int(pdf_fact(text, tr(lang, "Number of deals"))) == len(deals)
    assert all(deal["Reference"] in text for deal in deals)


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
