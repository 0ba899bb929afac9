"""The client's impact report as a PDF (issue 18 "What it must show": its text, read with `pdftotext`, has the
same totals as the page and the CSV). A client company at HU22 has deals delivered in HUF and in EUR; its member
downloads the page, the CSV and the PDF of the same period in German, English and Hungarian. Every total of the
PDF is the page's, written alike, and the CSV's exact figure rounded as the page shows it; the party, the
period and every deal's reference are in it. An empty period is a PDF that says there were no deals."""
from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from html import unescape

import pytest
from babel.numbers import parse_decimal

from tests.support.clock import today
from tests.support.impact_reports import client_company, delivered
from tests.support.pdf_text import need_poppler, one_spaced, pdf_info, pdf_text

CLIENT = ("Jelentés Kereskedelmi Kft.", "HU223")
CENT, TENTH = Decimal("0.01"), Decimal("0.1")
# what the page and the PDF call each total (the same texts), and its column in the CSV as English heads it
TERMS = {
    "de": {"paid": "Bezahlter Wert", "eur": "Wert in EUR", "hours": "Stunden von Menschen in Arbeitsintegration",
           "kg": "Vor dem Abfall bewahrtes Material (kg)", "share": "Regionaler Anteil",
           "km": "Entfernung von der Produktion (km)", "deals": "Anzahl der Aufträge",
           "none": "In diesem Zeitraum wurde kein Auftrag geliefert."},
    "en": {"paid": "Value paid", "eur": "Value paid in EUR", "hours": "Hours of people in integration",
           "kg": "Material kept from waste (kg)", "share": "Regional share", "km": "Distance from production (km)",
           "deals": "Number of deals", "none": "No deal was delivered in this period."},
    "hu": {"paid": "Kifizetett érték", "eur": "Érték euróban", "hours": "Integrációban foglalkoztatottak munkaórái",
           "kg": "Hulladéktól megóvott anyag (kg)", "share": "Regionális arány",
           "km": "Távolság a gyártás helyétől (km)", "deals": "Ügyletek száma",
           "none": "Ebben az időszakban nem teljesült ügylet."},
}
CSV_COLUMNS = {"eur": "Value paid in EUR", "hours": "Hours of people in integration",
               "kg": "Material kept from waste (kg)", "share": "Regional share (0–1)", "km": "Distance (km)"}


@pytest.fixture(scope="module", autouse=True)
def tools():
    need_poppler()


@pytest.fixture(scope="module")
def member(hu22):
    delivered(hu22, CLIENT, "Irodabútor felújítása jelentéshez", "50", "1200000", "HUF",
              {"material_diverted_kg": "1200.4", "integration_hours": "400.25", "regional_share": "0.75",
               "distance_km": "35"})
    delivered(hu22, CLIENT, "Bemutatótermi polcok", "150", "350000.5", "HUF",
              {"material_diverted_kg": "310", "integration_hours": "120", "regional_share": "0.5",
               "distance_km": "12.5"})
    delivered(hu22, CLIENT, "Ajándékdobozok jelentéshez", "50", "800.55", "EUR", {"integration_hours": "40"})
    hu22.add_user("jelentes-pdf", ["member"], client_company(hu22, *CLIENT))
    browser = hu22.browser()
    browser.login("jelentes-pdf")
    browser.site = hu22
    return browser


def period() -> str:
    return f"from={today().year}-01-01&to={today().year}-12-31"


def download(member, path: str) -> bytes:
    response = member.client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    return response.data


def page_facts(page: str) -> dict[str, str]:
    """The totals' terms and values as the page shows them (its first list of facts)."""
    facts = re.search(r'<dl class="facts">(.*?)</dl>', page, re.S).group(1)
    return {unescape(re.sub(r"<[^>]+>", "", term)).strip(): one_spaced(unescape(re.sub(r"<[^>]+>", "", value)).strip())
            for term, value in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", facts, re.S)}


def pdf_fact(text: str, term: str) -> str:
    """The value written beside `term` in the PDF's totals (the first line that begins with it)."""
    return re.search(rf"^ *{re.escape(term)} +(\S.*)$", text, re.M).group(1).strip()


def amounts(shown: str, lang: str) -> dict[str, Decimal]:
    """"800,55 € · 1.550.001 HUF" -> {"EUR": 800.55, "HUF": 1550001}, read as `lang` writes numbers."""
    found = {}
    for piece in shown.split(" · "):
        currency = "EUR" if ("€" in piece or "EUR" in piece) else "HUF" if ("HUF" in piece or "Ft" in piece) else None
        assert currency, piece
        found[currency] = number(piece, lang)
    return found


def number(text: str, lang: str) -> Decimal:
    digits = "".join(c for c in text if c.isdigit() or c in ".,-")
    return parse_decimal(digits.strip(".,"), locale=lang)


def csv_report(member) -> tuple[list[dict], dict[str, Decimal], dict]:
    """The CSV's deal rows, its value paid per currency and its other total line, headed in English."""
    body = download(member, f"/office/our-impact.csv?{period()}&lang=en").decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    header = lines[0]
    records = [dict(zip(header, line)) for line in lines[1:] if len(line) == len(header)]
    deals = [r for r in records if r["Kind"] != "total"]
    paid = {r["Currency"]: Decimal(r["Value paid"]) for r in records if r["Kind"] == "total" and r["Currency"]}
    total = next(r for r in records if r["Kind"] == "total" and not r["Currency"])
    return deals, paid, total


def shown_as_page(value: Decimal, currency: str | None = None) -> Decimal:
    """The exact figure rounded as the page shows it: forints whole (half up, services/web/i18n.show_money),
    other money to the cent and figures to a tenth as Babel rounds (half to even)."""
    if currency == "HUF":
        return value.quantize(Decimal(1), ROUND_HALF_UP)
    return value.quantize(CENT if currency else TENTH, ROUND_HALF_EVEN)


@pytest.mark.parametrize("lang", ["de", "en", "hu"])
def test_the_pdf_has_the_totals_of_the_page_and_the_csv(member, lang):
    deals, csv_paid, csv_total = csv_report(member)
    assert len(deals) >= 3 and set(csv_paid) == {"EUR", "HUF"}

    assert member.get(f"/office/our-impact?{period()}&lang={lang}").status_code == 200
    facts = page_facts(member.page)
    shown_period = one_spaced(unescape(re.search(r'<h2 id="totals">(.*?)</h2>', member.page, re.S).group(1)))
    document = download(member, f"/office/our-impact.pdf?{period()}&lang={lang}")
    text = one_spaced(pdf_text(document))
    terms = TERMS[lang]

    # the party and the period, as the page writes it
    assert CLIENT[0] in text and shown_period in text
    # every total of the PDF is written as the page writes it ...
    for key in ("paid", "eur", "hours", "kg", "share", "km"):
        assert pdf_fact(text, terms[key]) == facts[terms[key]], key
    # ... and is the CSV's exact total, rounded as shown
    pdf_paid = amounts(pdf_fact(text, terms["paid"]), lang)
    assert pdf_paid == {currency: shown_as_page(amount, currency) for currency, amount in csv_paid.items()}
    assert number(pdf_fact(text, terms["eur"]), lang) == shown_as_page(Decimal(csv_total[CSV_COLUMNS["eur"]]), "EUR")
    for key in ("hours", "kg", "km"):
        assert number(pdf_fact(text, terms[key]), lang) == shown_as_page(Decimal(csv_total[CSV_COLUMNS[key]])), key
    assert number(pdf_fact(text, terms["share"]), lang) == shown_as_page(Decimal(csv_total[CSV_COLUMNS["share"]]) * 100)
    assert int(pdf_fact(text, terms["deals"])) == len(deals) == int(csv_total["Deal id"])
    # each total is traceable: every deal of the CSV is in the PDF by its reference
    for deal in deals:
        assert deal["Reference"] in text, deal["Reference"]
    info, site = pdf_info(document), member.site.runtime.settings.site
    assert CLIENT[0] in info["Title"] and info["Author"] == (site.operator.name if site.operator else
                                                             f"{site.name} ({site.id})")
    assert f"/Lang ({lang})".encode() in document


def test_an_empty_period_is_a_pdf_that_says_there_were_no_deals(member):
    for lang in ("de", "en"):
        document = download(member, f"/office/our-impact.pdf?from=2001-01-01&to=2001-12-31&lang={lang}")
        assert document.startswith(b"%PDF-")
        text = one_spaced(pdf_text(document))
        assert TERMS[lang]["none"] in text and CLIENT[0] in text
        assert pdf_fact(text, TERMS[lang]["deals"]) == "0"


def test_a_wrong_period_gives_no_pdf_but_the_page_with_its_message(member):
    response = member.client.get("/office/our-impact.pdf?from=2026-06-01&to=2026-01-01&lang=en",
                                 headers={"Accept": "text/html"})
    assert response.status_code == 422 and not response.data.startswith(b"%PDF")
