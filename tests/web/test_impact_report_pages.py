"""A client member's impact report (/office/our-impact, issue 18 item 1): its organisation's delivered deals over
a period, with the impact recorded at each delivery, their totals, the social value beside the raw figures,
where each figure can feed an ESRS disclosure, and the same report as CSV and PDF, in German at AT12,
Hungarian at HU22 and English on request. Totals are the sums of the rows listed (EUR and HUF apart, and in
EUR at the federation's rate); regional share and distance are means weighted by the quantity delivered. Each
deal links to its agreement or order. A wrong period is said beside its field; an empty period is an honest
empty report; another organisation's deliveries are never listed."""
from __future__ import annotations

import csv
import io
import itertools
import re
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert

from services.enquiries.crossborder import store as crossborder_store
from services.enquiries.impact import pages as impact_pages
from services.enquiries.lifecycle import tables

from tests.support import impact_reports
from tests.support.impact_reports import member
from tests.support.web import field_errors

THIS_YEAR = date.today().year
NEW_USER = itertools.count()
CLIENTS = {"AT12": ("Wirkung Handels GmbH", "AT127"), "HU22": ("Hatás Kereskedelmi Kft.", "HU223")}


def client_company(site) -> str:
    return impact_reports.client_company(site, *CLIENTS[site.site_id])


def delivered(site, title: str, quantity: str, price: str, currency: str, impact: dict) -> tuple[str, str]:
    return impact_reports.delivered(site, CLIENTS[site.site_id], title, quantity, price, currency, impact)


def cells(page: str, label: str) -> list[str]:
    """The texts of one column of the rows (by its data-label)."""
    return [re.sub(r"<[^>]+>", "", c).strip() for c in
            re.findall(rf'<td data-label="{re.escape(label)}"[^>]*>(.*?)</td>', page, re.S)]


def fact(page: str, term: str) -> str:
    return re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", page, re.S).group(1).strip()


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode()), "a byte order mark, for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def esrs_entries(page: str, figure: str) -> str:
    """The ESRS section's entries of one figure (its <dt> and the <dd>s up to the next <dt>)."""
    return re.search(rf'<dt id="esrs-{figure}">.*?(?=<dt |</dl>)', page, re.S).group(0)


@pytest.fixture(scope="module")
def at12_deliveries(at12):
    return [delivered(at12, "Regale für das Lager", "100", "2400.50", "EUR",
                      {"material_diverted_kg": "850.5", "integration_hours": "320", "regional_share": "0.8",
                       "distance_km": "40"}),
            delivered(at12, "Tische für die Kantine", "300", "5000", "EUR",
                      {"material_diverted_kg": "100", "integration_hours": "80.25", "regional_share": "0.4",
                       "distance_km": "20"})]


def test_the_client_reads_its_impact_in_german_and_the_totals_add_up(at12, at12_deliveries):
    client = member(at12, "wirkung-impact", CLIENTS["AT12"][0])
    assert client.get("/office/our-impact").status_code == 200
    page = client.page
    assert "<h1>Unsere Wirkung</h1>" in page and 'href="/office/our-impact"' in page  # its own nav link
    assert f'value="{THIS_YEAR}-01-01"' in page and f'value="{THIS_YEAR}-12-31"' in page  # this year by default
    for enquiry_id, agreement_id in at12_deliveries:  # each figure traceable to its agreement
        assert f'href="/office/our-enquiries/{enquiry_id}#agreement-{agreement_id}"' in page
    assert "Regale für das Lager" in page and "Tische für die Kantine" in page
    assert cells(page, "Sozialunternehmen") == ["Traisentaler Werkstatt"] * 2
    paid = cells(page, "Bezahlter Wert")
    assert "2.400,50\xa0€" in paid and "5.000,00\xa0€" in paid
    # the totals are the sums of the rows listed; share and distance weighted by the quantity delivered
    assert len(paid) == 2 and fact(page, "Bezahlter Wert") == "7.400,50\xa0€"
    assert fact(page, "Wert in EUR") == "7.400,50\xa0€"
    assert cells(page, "Stunden in Integration") in (["320,0", "80,2"], ["320,0", "80,3"])
    assert fact(page, "Stunden von Menschen in Arbeitsintegration") in ("400,2", "400,3")  # 400.25 to one decimal
    assert fact(page, "Vor dem Abfall bewahrtes Material (kg)") == "950,5"
    assert fact(page, "Regionaler Anteil") == "50,0 %"  # (100 × 0.8 + 300 × 0.4) / 400
    assert fact(page, "Entfernung von der Produktion (km)") == "25,0"  # (100 × 40 + 300 × 20) / 400


def test_the_social_value_stands_beside_the_raw_figures_with_its_source(at12, at12_deliveries):
    client = member(at12, "wirkung-social-value", CLIENTS["AT12"][0])
    client.get("/office/our-impact")
    page = client.page
    # the raw hours stay, and beside them the Austrian proxy: 400.25 h × 44.50 € = 17,811.125 -> 17,811.13
    assert fact(page, "Stunden von Menschen in Arbeitsintegration") in ("400,2", "400,3")
    section = re.search(r'<section class="card" aria-labelledby="social-value">(.*?)</section>', page, re.S).group(1)
    assert cells(section, "Land") == ["Österreich"]
    assert cells(section, "Sozialer Wert") == ["17.811,13\xa0€"] and cells(section, "in EUR") == ["17.811,13\xa0€"]
    assert "Eurostat" in cells(section, "Quelle")[0] and cells(section, "Jahr") == ["2024"]
    assert "44,50\xa0€" in cells(section, "Richtwert")[0]


def test_the_esrs_section_says_where_a_figure_can_feed_a_disclosure_and_where_not(at12, at12_deliveries):
    client = member(at12, "wirkung-esrs", CLIENTS["AT12"][0])
    client.get("/office/our-impact")
    page = client.page
    material = esrs_entries(page, "material_diverted_kg")
    assert "ESRS E5-5 – Resource outflows, §37(b)" in material and 'data-fit="conditional"' in material
    assert "ESRS S2-4" in esrs_entries(page, "integration_hours")
    for figure in ("regional_share", "distance_km", "social_value"):  # said plainly: no disclosure to feed
        entries = esrs_entries(page, figure)
        assert 'data-fit="none"' in entries and 'data-fit="conditional"' not in entries
    assert 'data-fit="supports"' in esrs_entries(page, "value_paid")


def test_the_csv_has_every_deal_with_its_ids_and_the_totals_in_the_pages_language(at12, at12_deliveries):
    client = member(at12, "wirkung-csv", CLIENTS["AT12"][0])
    client.get("/office/our-impact")
    link = re.search(r'href="(/office/our-impact\.csv\?[^"]+)"', client.page).group(1).replace("&amp;", "&")
    assert f"from={THIS_YEAR}-01-01" in link and f"to={THIS_YEAR}-12-31" in link  # the page's query string
    response = client.client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response.data)
    header = rows[0]
    assert "Bezahlter Wert" in header and "Stunden von Menschen in Arbeitsintegration" in header
    column = {name: header.index(label) for name, label in [
        ("kind", "Art"), ("deal_id", "Auftrags-ID"), ("enquiry_id", "Anfrage-ID"), ("value_paid", "Bezahlter Wert"),
        ("currency", "Währung"), ("eur", "Wert in EUR"),
        ("hours", "Stunden von Menschen in Arbeitsintegration"), ("share", "Regionaler Anteil (0–1)")]}
    deals = [r for r in rows[1:] if r and r[column["kind"]] == "agreement"]
    assert sorted((r[column["enquiry_id"]], r[column["deal_id"]]) for r in deals) == sorted(at12_deliveries)
    assert sorted(Decimal(r[column["value_paid"]]) for r in deals) == [Decimal("2400.50"), Decimal("5000")]
    assert all("," not in r[column["value_paid"]] and "E" not in r[column["value_paid"]] for r in deals)  # plain
    totals = [r for r in rows[1:] if r and r[column["kind"]] == "total"]
    assert [(Decimal(r[column["value_paid"]]), r[column["currency"]]) for r in totals if r[column["currency"]]] == \
        [(Decimal("7400.50"), "EUR")]
    overall = next(r for r in totals if not r[column["currency"]])
    assert Decimal(overall[column["eur"]]) == Decimal("7400.50")
    assert Decimal(overall[column["hours"]]) == Decimal("400.25")
    assert Decimal(overall[column["share"]]) == Decimal("0.5")
    social = [r for r in rows if r and r[0] == "social_value"]
    assert social and social[0][1] == "AT" and Decimal(social[0][7]) == Decimal("17811.13")


def test_the_pdf_is_the_same_report(at12, at12_deliveries):
    client = member(at12, "wirkung-pdf", CLIENTS["AT12"][0])
    client.get("/office/our-impact")
    link = re.search(r'href="(/office/our-impact\.pdf\?[^"]+)"', client.page).group(1).replace("&amp;", "&")
    response = client.client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_the_deals_are_paged_and_each_page_links_the_next(at12, at12_deliveries, monkeypatch):
    monkeypatch.setattr(impact_pages, "PER_PAGE", 1)
    client = member(at12, "wirkung-pages", CLIENTS["AT12"][0])
    client.get("/office/our-impact")
    first = client.page
    assert len(cells(first, "Bezahlter Wert")) == 1 and "Seite 1 von 2" in first
    assert fact(first, "Bezahlter Wert") == "7.400,50\xa0€"  # the totals are the whole period's on every page
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "page=2" in following and f"from={THIS_YEAR}-01-01" in following
    client.get(following)
    assert len(cells(client.page, "Bezahlter Wert")) == 1 and 'rel="prev"' in client.page
    shown = {m for p in (first, client.page) for m in re.findall(r"#agreement-([0-9a-f-]{36})", p)}
    assert shown == {agreement_id for _e, agreement_id in at12_deliveries}


def test_a_cross_border_part_is_a_deal_of_its_own_site_and_country(at12, at12_deliveries):
    """A part of the client's cross-border order, delivered by a Hungarian social enterprise last year: a deal
    of HU22, linked to its order, whose hours the Hungarian proxy values."""
    enquiry_id, order_id, part_id = (str(uuid.uuid4()) for _ in range(3))
    now = datetime.now(timezone.utc)
    with at12.runtime.engine.begin() as conn:
        conn.execute(insert(tables.enquiry).values(
            id=enquiry_id, reference=f"AT12-E-{THIS_YEAR - 1}-9{enquiry_id[:3]}", type="service",
            title="Grenzüberschreitende Möbel", client_kind="economic_enterprise",
            client_organisation_id=client_company(at12), cpv_codes=["39100000"], currency="EUR", unit="pieces",
            label_required=False, cross_border_allowed=True, cross_border_flagged=True, state="delivered", version=1,
            created_at=now, updated_at=now))
        conn.execute(insert(crossborder_store.consortium).values(
            id=order_id, enquiry_id=enquiry_id, aggregate_version=1, status="delivered", updated_at=now, snapshot={
                "version": 2, "order_id": order_id, "enquiry_id": enquiry_id, "status": "delivered", "shortfalls": [],
                "parts": [{"part_id": part_id, "site": "HU22", "organisation_id": str(uuid.uuid4()),
                           "organisation_name": "Győri Asztalosműhely", "quantity": 20, "delivered": 20,
                           "status": "delivered",
                           "deliveries": [{"delivered_on": f"{THIS_YEAR - 1}-05-04", "quantity": 20}],
                           "impact": {"value_paid": "300000.00", "currency": "HUF", "value_paid_eur": "750.00",
                                      "integration_hours": "30", "material_diverted_kg": None,
                                      "regional_share": None, "distance_km": "310"}}]}))
    client = member(at12, "wirkung-crossborder", CLIENTS["AT12"][0])
    assert client.get(f"/office/our-impact?from={THIS_YEAR - 1}-01-01&to={THIS_YEAR - 1}-12-31").status_code == 200
    page = client.page
    assert f'href="/office/our-enquiries/{enquiry_id}"' in page and "Grenzüberschreitende Möbel" in page
    assert cells(page, "Sozialunternehmen") == ["Győri Asztalosműhely"]
    assert "HU22, Ungarn" in page
    assert fact(page, "Bezahlter Wert") == "300.000\xa0HUF" and fact(page, "Wert in EUR") == "750,00\xa0€"
    section = re.search(r'aria-labelledby="social-value">(.*?)</section>', page, re.S).group(1)
    assert cells(section, "Land") == ["Ungarn"] and cells(section, "in EUR") == ["423,00\xa0€"]  # 30 h × 14.10 €


def test_an_earlier_period_is_an_honest_empty_report(at12, at12_deliveries):
    client = member(at12, "wirkung-impact-past", CLIENTS["AT12"][0])
    empty = f"from={THIS_YEAR - 3}-01-01&to={THIS_YEAR - 2}-12-31"
    assert client.get(f"/office/our-impact?{empty}").status_code == 200
    assert "Regale für das Lager" not in client.page and fact(client.page, "Wert in EUR") == "0,00\xa0€"
    assert "Ihrer Organisation wurde in diesem Zeitraum kein Auftrag geliefert." in client.page
    response = client.client.get(f"/office/our-impact.csv?{empty}")
    assert response.status_code == 200
    rows = csv_rows(response.data)
    assert len(rows) == 2 and rows[1][0] == "total" and rows[1][1] == "0"  # the header, and no deal


def test_another_organisation_sees_none_of_it(at12, at12_deliveries):
    werkstatt = member(at12, "werkstatt-impact", "Traisentaler Werkstatt")  # the supplier, not the client
    assert werkstatt.get("/office/our-impact").status_code == 200
    assert "Regale für das Lager" not in werkstatt.page and "kein Auftrag geliefert" in werkstatt.page
    assert werkstatt.get(f"/office/our-enquiries/{at12_deliveries[0][0]}").status_code == 404
    staff = at12.browser()
    staff.login("broker")
    assert staff.get("/office/our-impact").status_code == 403
    assert staff.get("/office/our-impact.csv").status_code == 403


@pytest.mark.parametrize("query,errors", [
    ("from=&to=", {"f-from": ["Dieses Feld ist erforderlich."], "f-to": ["Dieses Feld ist erforderlich."]}),
    ("from=gestern&to=2026-02-30", {"f-from": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."],
                                    "f-to": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."]}),
    ("from=2026-06-01&to=2026-01-01", {"f-to": ["Das Ende darf nicht vor dem Beginn liegen."]}),
    ("from=%3Cscript%3Ealert(1)%3C/script%3E&to=9999-99-99",
     {"f-from": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."],
      "f-to": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."]}),
])
@pytest.mark.parametrize("path", ["/office/our-impact", "/office/our-impact.csv", "/office/our-impact.pdf"])
def test_a_wrong_period_is_said_beside_its_field_in_german(at12, query, errors, path):
    client = member(at12, f"wirkung-wrong-{next(NEW_USER)}", "Donauland Handels AG")
    assert client.get(f"{path}?{query}").status_code == 422
    assert field_errors(client.page) == errors
    assert "<script>alert(1)</script>" not in client.page


def test_the_hungarian_client_sees_forints_and_euros_apart_and_in_euros(hu22):
    huf = delivered(hu22, "Irodabútor felújítása", "50", "1200000", "HUF",
                    {"material_diverted_kg": "1200", "integration_hours": "400", "regional_share": "0.75"})
    eur = delivered(hu22, "Ajándékdobozok", "50", "800", "EUR", {"integration_hours": "40"})
    client = member(hu22, "hatas-impact", CLIENTS["HU22"][0])
    assert client.get("/office/our-impact").status_code == 200
    page = client.page
    assert "<h1>Hatásunk</h1>" in page
    for enquiry_id, agreement_id in (huf, eur):
        assert f'href="/office/our-enquiries/{enquiry_id}#agreement-{agreement_id}"' in page
    paid = fact(page, "Kifizetett érték")
    assert "1\xa0200\xa0000\xa0Ft" in paid and "800,00\xa0EUR" in paid
    rate = hu22.runtime.settings.federation.rates_to_eur["HUF"]
    in_eur = (Decimal("1200000") * rate).quantize(Decimal("0.01")) + Decimal("800")
    assert fact(page, "Érték euróban") == f"{in_eur:,.2f}".replace(",", "\xa0").replace(".", ",") + "\xa0EUR"
    assert fact(page, "Integrációban foglalkoztatottak munkaórái") == "440,0"
    assert fact(page, "Regionális arány") == "75,0\xa0%" or fact(page, "Regionális arány") == "75,0 %"
    section = re.search(r'aria-labelledby="social-value">(.*?)</section>', page, re.S).group(1)
    assert "Magyarország" in section and "6\xa0204,00\xa0EUR" in section  # 440 h × 14.10 EUR, beside the hours
    assert "Hol kerülhetnek be a számok ESRS-közzétételbe" in page
    assert client.get("/office/our-impact?from=holnap&to=").status_code == 422
    assert set(field_errors(client.page)) == {"f-from", "f-to"}
    assert all(m and "Please" not in m for ms in field_errors(client.page).values() for m in ms)


def test_the_report_reads_in_english_on_request(at12, at12_deliveries):
    client = member(at12, "wirkung-english", CLIENTS["AT12"][0])
    assert client.get("/office/our-impact?lang=en").status_code == 200
    page = client.page
    assert "<h1>Our impact</h1>" in page and "Where the figures can feed an ESRS disclosure" in page
    assert fact(page, "Value paid in EUR") == "€7,400.50" and fact(page, "Regional share") == "50.0 %"
    assert "Download as CSV" in page and "Social value in money" in page
    response = client.client.get(f"/office/our-impact.csv?from={THIS_YEAR}-01-01&to={THIS_YEAR}-12-31")
    assert "Value paid in EUR" in csv_rows(response.data)[0]


def test_the_widest_period_is_no_error(at12, at12_deliveries):
    client = member(at12, "wirkung-widest", CLIENTS["AT12"][0])
    assert client.get("/office/our-impact?from=0001-01-01&to=9999-12-31&from=2026-01-01&x=1").status_code == 200
    assert "Regale für das Lager" in client.page
