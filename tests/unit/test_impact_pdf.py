"""The impact report's PDF (issue 18), from a hand-built report: `pdftotext` reads the party, the period, the
totals in the locale's number format (de "1.234,5", hu "1 234,5", en "1,234.5"), the social value with its
source and year, the ESRS references, every deal's reference and the rates; a long report runs over pages
with the deals' header on each; an empty one says that no deal was delivered. Metadata: title, author,
language."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask_babel import Babel

from services.contracts.impact_policy import Proxy, ValuedLine
from services.enquiries.impact import esrs, pdf
from services.enquiries.impact.model import (
    AGREEMENT, CLIENT, CROSSBORDER_PART, SOCIAL_ENTERPRISE, DealRow, Party, Report, Totals,
)
from services.web.i18n import TRANSLATIONS
from tests.support.pdf_text import need_poppler, one_spaced, pdf_info, pdf_text

RATES = {"EUR": Decimal("1"), "HUF": Decimal("0.0025")}
PARTY = Party("org-1", "Wirkung Handels GmbH – Ősz & Űr", CLIENT)


@pytest.fixture(scope="module", autouse=True)
def tools():
    need_poppler()


@pytest.fixture()
def app():
    app = Flask("impact_pdf")
    Babel(app, default_translation_directories=str(TRANSLATIONS))
    with app.app_context():
        yield app


def deal(n: int, currency: str = "EUR", recorded: bool = True, **figures) -> DealRow:
    paid = Decimal(figures.pop("paid", "1000.50"))
    return DealRow(
        kind=AGREEMENT if n % 2 else CROSSBORDER_PART, deal_id=f"d{n}", enquiry_id=f"e{n}",
        reference=f"AT12-2026-{n:05d}", title=f"Regale für das Lager {n}", counterpart_id="se-1",
        counterpart_name="Traisentaler Werkstatt", site="AT12", country="AT", delivered_on=date(2026, 3, 1 + n % 28),
        quantity=Decimal(100), unit="piece", recorded=recorded,
        **({} if not recorded else dict(
            value_paid=paid, currency=currency, value_paid_eur=(paid * RATES[currency]).quantize(Decimal("0.01")),
            integration_hours=Decimal("320.25"), material_diverted_kg=Decimal("850.5"),
            regional_share=Decimal("0.8"), distance_km=Decimal("40"), **figures)))


def report_of(rows: list[DealRow], social_value=()) -> Report:
    recorded = [r for r in rows if r.recorded]
    paid: dict[str, Decimal] = {}
    for r in recorded:
        paid[r.currency] = paid.get(r.currency, Decimal(0)) + r.value_paid
    totals = Totals(deals=len(rows), recorded=len(recorded), value_paid=paid,
                    value_paid_eur=sum((r.value_paid_eur for r in recorded), Decimal(0)),
                    integration_hours=sum((r.integration_hours for r in recorded), Decimal(0)),
                    material_diverted_kg=sum((r.material_diverted_kg for r in recorded), Decimal(0)),
                    regional_share=Decimal("0.8") if recorded else None,
                    distance_km=Decimal("40") if recorded else None)
    return Report(party=PARTY, start=date(2026, 1, 1), end=date(2026, 12, 31), totals=totals, rows=rows,
                  social_value=list(social_value), rates_to_eur=RATES)


HOURS = ValuedLine(Proxy("AT", "integration_hours", Decimal("18.40"), "EUR", "AMS Eingliederungsbeihilfe", 2025),
                   Decimal("640.5"), Decimal("11785.20"), Decimal("11785.20"))
KILOS = ValuedLine(Proxy("HU", "material_diverted_kg", Decimal("95"), "HUF", "KSH hulladékstatisztika", 2024),
                   Decimal("850.5"), Decimal("80797.50"), Decimal("202.00"))


@pytest.mark.parametrize("locale, words, numbers", [
    ("de", ("Wirkungsbericht", "Summen", "Regionaler Anteil", "Die Aufträge", "Verwendete Kurse"),
     ("Anzahl der Aufträge 4", "Bezahlter Wert 2.000,00 € · 500.000 HUF", "Wert in EUR 3.250,00 €",
      "Arbeitsintegration", "960,8", "Vor dem Abfall bewahrtes Material (kg) 2.551,5", "Regionaler Anteil 80,0 %",
      "Entfernung von der Produktion (km) 40,0", "11.785,20 €", "80.798 HUF", "202,00 €", "11.987,20 €")),
    ("hu", ("Hatásjelentés", "Összesítés", "Regionális arány", "Az ügyletek", "Alkalmazott árfolyamok"),
     ("Ügyletek száma 4", "Kifizetett érték 2 000,00 EUR · 500 000 Ft", "Érték euróban 3 250,00 EUR", "960,8",
      "Hulladéktól megóvott anyag (kg) 2 551,5", "Regionális arány 80,0 %", "(km) 40,0", "11 785,20 EUR",
      "80 798 Ft", "11 987,20 EUR")),
    ("en", ("Impact report", "Totals", "Regional share", "The deals", "Rates used"),
     ("Number of deals 4", "Value paid €2,000.00 · HUF", "Value paid in EUR €3,250.00",
      "Hours of people in integration 960.8", "Material kept from waste (kg) 2,551.5", "Regional share 80.0 %",
      "Distance from production (km) 40.0", "€11,785.20", "€202.00", "€11,987.20")),
])
def test_the_report_reads_back_with_its_totals_in_the_locales_format(app, locale, words, numbers):
    rows = [deal(1, paid="1000"), deal(2, paid="1000"), deal(3, "HUF", paid="500000"), deal(4, recorded=False)]
    document = pdf.render(report_of(rows, [HOURS, KILOS]), locale, author="Servicestelle Niederösterreich")
    text = one_spaced(pdf_text(document))
    assert all(word in text for word in words), text
    assert "Wirkung Handels GmbH – Ősz & Űr" in text  # ő and ű intact, & escaped and back
    for number in numbers:
        assert number in text, (number, text)
    for row in rows:  # every deal, also the one without an impact record
        assert row.reference in text
    assert "2025 AMS" in text and "Eingliederungsbeihilfe" in text and "2024 KSH hulladékstatisztika" in text
    for disclosure in esrs.DISCLOSURES:
        if disclosure.reference:
            assert disclosure.reference.split(" – ")[0] in text  # "ESRS E5-5" etc.
    assert re.search(r"1 HUF = 0[.,]00250 EUR", text)
    info = pdf_info(document)
    assert info["Author"] == "Servicestelle Niederösterreich"
    assert info["Title"] == f"{words[0]} – {PARTY.name}" and f"/Lang ({locale})".encode() in document


def test_the_dates_of_the_period_are_written_in_the_locale(app):
    report = report_of([deal(1)])
    assert "Vom 01.01.2026 bis 31.12.2026" in one_spaced(pdf_text(pdf.render(report, "de")))
    assert "From 1 Jan 2026 to 31 Dec 2026" in one_spaced(pdf_text(pdf.render(report, "en")))


def test_a_long_report_runs_over_pages_with_the_deals_header_on_each(app):
    rows = [deal(n) for n in range(1, 301)]
    document = pdf.render(report_of(rows), "de", author="AT12")
    pages = pdf_text(document).split("\f")
    pages = [page for page in pages if page.strip()]
    assert len(pages) >= 5
    with_deals = [page for page in pages if "AT12-2026-" in page]
    assert len(with_deals) >= 4 and all("Referenz" in page for page in with_deals)
    text = "".join(pages)
    assert all(row.reference in text for row in rows)
    assert "300.150,00 €" in one_spaced(text)  # the total row: 300 × 1.000,50


def test_an_empty_period_gives_a_pdf_that_says_there_were_no_deals(app):
    for locale, says in (("de", "In diesem Zeitraum wurde kein Auftrag geliefert."),
                         ("en", "No deal was delivered in this period."),
                         ("hu", "Ebben az időszakban nem teljesült ügylet.")):
        document = pdf.render(report_of([]), locale, author="AT12")
        assert document.startswith(b"%PDF-")
        text = one_spaced(pdf_text(document))
        assert says in text and PARTY.name in text
        assert pdf_info(document)["Pages"] in ("1", "2")  # the ESRS section may run over


def test_a_social_enterprises_report_names_its_clients(app):
    rows = [replace(deal(1), counterpart_name="Donauland Handels AG")]
    report = replace(report_of(rows), party=Party("se-1", "Traisentaler Werkstatt", SOCIAL_ENTERPRISE))
    text = one_spaced(pdf_text(pdf.render(report, "de", author="AT12")))
    assert "Aufträge, die dieses Sozialunternehmen geliefert hat" in text
    assert "Auftraggeber" in text and "Donauland Handels AG" in text


def test_a_title_without_spaces_is_cut_inside_its_cell_and_a_source_links_to_its_address(app):
    title = "Q" + "ő" * 198 + "ű"  # the longest title an enquiry takes, typed without a space
    proxy = replace(HOURS.proxy, url="https://ec.europa.eu/eurostat/lc_lci_lev?a=1&b=\"2\"")
    report = report_of([replace(deal(1), title=title)], [replace(HOURS, proxy=proxy)])
    document = pdf.render(report, "en", author="AT12")
    pieces = re.findall(r"Q?ő+ű?", pdf_text(document))
    assert len(pieces) > 3 and "".join(pieces) == title  # every character, cut over several lines
    assert b"https://ec.europa.eu/eurostat/lc_lci_lev?a=1&b=" in document  # the link's address
