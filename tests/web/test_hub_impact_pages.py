"""The hub's impact statistics, open data and the agency's country comparison, with the Flask test client,
the hub on SQLite and on PostgreSQL (its own store, filled directly: impact records and a delivered
cross-border part). The page, the CSV and the JSON publish the same table; small cells are suppressed and
said to be; wrong query values are field messages (422), never a 500."""
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert

from services.hub.crossborder import store as consortium_store
from services.hub.enquiries import store as enquiry_store
from tests.support.databases import pg_schemas
from tests.support.hub_pages import Hub, settings_in
from tests.support.web import field_errors

# (site, year, deals): AT13's single deal of 2025 is below the threshold of 3; HU22's 2025 deals include
# one delivered cross-border part.
DEALS = [("AT11", 2025, 4), ("AT12", 2025, 3), ("AT13", 2025, 1), ("AT22", 2025, 3), ("HU22", 2025, 4),
         ("AT11", 2026, 3), ("AT12", 2026, 4), ("AT13", 2026, 3), ("AT22", 2026, 3), ("HU22", 2026, 3)]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def hub(request, tmp_path_factory, federation, federation_files):
    with pg_schemas("t_hub_impact") as schema_url:
        db = schema_url("hub") if request.param == "postgresql" else None
        hub = Hub(settings_in(tmp_path_factory, federation, federation_files, "hub-impact", db)("EU")
                  .with_(rate_limit="100000/minute"))
        with hub.runtime.engine.begin() as conn:
            for site, year, deals in DEALS:
                for i in range(deals - (1 if (site, year) == ("HU22", 2025) else 0)):
                    _record(conn, site, year, Decimal(1000 + 100 * i), Decimal(200), Decimal(50 + i))
            _delivered_part(conn, "HU22", 2025)
            _delivered_part(conn, "HU22", 2025, impact=None)  # one still in production: no deal yet
        yield hub
        hub.runtime.engine.dispose()


def _record(conn, site: str, year: int, eur: Decimal, hours: Decimal, kg: Decimal) -> None:
    conn.execute(insert(enquiry_store.hub_impact).values(
        site=site, id=str(uuid.uuid4()), aggregate_version=1, last_event_id=str(uuid.uuid4()),
        last_occurred_at=datetime.now(timezone.utc), agreement_id=str(uuid.uuid4()), enquiry_id=str(uuid.uuid4()),
        year=year, value_paid=eur, currency="EUR", value_paid_eur=eur, material_diverted_kg=kg,
        regional_share=Decimal("0.5"), distance_km=Decimal("40"), production_nuts3=None, integration_hours=hours))


def _delivered_part(conn, site: str, year: int, impact: str | None = "recorded") -> None:
    """A cross-border part its site delivered: 2 032 000 HUF, 812.8 EUR at the configured rate; with
    `impact=None` one still in production, whose impact the hub stores as JSON null."""
    now = datetime.now(timezone.utc)
    order_id = str(uuid.uuid4())
    consortium_store.add_order(conn, {
        "id": order_id, "origin_site": "AT12", "enquiry_id": str(uuid.uuid4()), "correlation_id": order_id,
        "reference": "AT12-E-2025-0001", "title": "Holzspielzeug", "type": "csr_product",
        "client_kind": "economic_enterprise", "cpv_codes": ["37500000"], "quantity": 400, "unit": "pieces",
        "deadline": date(year, 6, 30), "delivery_nuts3": "AT127", "budget": None, "currency": "EUR",
        "label_required": False, "max_partners": 3, "min_lot": 50, "sites": ["AT12", site], "status": "delivered",
        "version": 3, "allocation": {}, "created_at": now, "updated_at": now})
    consortium_store.add_parts(conn, [{
        "id": str(uuid.uuid4()), "order_id": order_id, "site": site, "organisation_id": str(uuid.uuid4()),
        "offer_id": str(uuid.uuid4()), "quantity": 400, "unit_price": Decimal("5080"), "currency": "HUF",
        "unit_cost_eur": Decimal("13"), "reason": {"code": "cheapest", "params": {}}, "status": "delivered",
        "answer": None, "version": 3, "forwarded_at": now, "answered_at": now, "delivered": 400,
        "deliveries": [{"delivery_id": str(uuid.uuid4()), "quantity": 400, "delivered_on": f"{year}-05-02"}],
        "impact": {"year": year, "value_paid": "2032000", "currency": "HUF", "value_paid_eur": "812.80",
                   "material_diverted_kg": "120", "regional_share": None, "distance_km": "190",
                   "production_nuts3": "HU221", "integration_hours": "300"} if impact else None}])


def _row(page: str, cell: str) -> str:
    match = re.search(rf'<tr[^>]*data-cell="{cell}">(.*?)</tr>', page, re.S)
    assert match, f"no row {cell}"
    return match.group(1)


@pytest.mark.parametrize("lang, said", [
    ("en", "cells with fewer than 3 deals are suppressed, and so are the cells that would reveal them by difference"),
    ("de", "Zellen mit weniger als 3 Aufträgen"),
    ("hu", "3 ügyletnél kevesebbet"),
])
def test_the_statistics_page_says_small_cells_are_suppressed_in_the_pages_language(hub, lang, said):
    browser = hub.browser()
    assert browser.get(f"/statistics?lang={lang}").status_code == 200
    assert f'<html lang="{lang}">' in browser.page
    assert said in browser.page
    assert 'class="suppressed"' in _row(browser.page, "site-AT-AT13-2025"), "one deal: suppressed"
    hungary = _row(browser.page, "country-HU--2025")
    assert "suppressed" not in hungary


def test_the_page_the_csv_and_the_json_publish_the_same_table(hub):
    browser = hub.browser()
    browser.get("/statistics?lang=en")
    page = browser.page
    rows = list(csv.DictReader(io.StringIO(browser.get("/open-data/impact.csv").get_data(as_text=True))))
    body = browser.get("/open-data/impact.json").get_json()
    assert body["licence"] == "CC BY 4.0" and body["suppression_min_deals"] == 3
    assert [{k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for k, v in r.items()}
            for r in body["records"]] == rows, "CSV and JSON hold the same records"
    by_cell = {(r["level"], r["country"], r["site"], r["year"]): r for r in rows}
    at13 = by_cell[("site", "AT", "AT13", "2025")]
    assert at13["suppressed"] == "true" and at13["deals"] == "" and at13["value_paid_eur"] == "", "marked, not zero"
    hidden = [key for key, r in by_cell.items() if r["suppressed"] == "true"]
    assert len([k for k in hidden if k[0] == "site" and k[1] == "AT" and k[3] == "2025"]) >= 2, \
        "a complement hides AT13 from the difference with Austria's 2025 total"
    # HU 2025: three records of 1000, 1100, 1200 EUR and the part's 812.80 EUR, 3 × 200 h + 300 h
    hu = by_cell[("country", "HU", "", "2025")]
    assert (hu["suppressed"], hu["deals"], hu["value_paid_eur"]) == ("false", "4", "4112.8000")
    assert Decimal(hu["integration_hours"]) == 900
    assert Decimal(hu["integration_hours_value_eur"]) == Decimal("12690.00"), "900 h at HU's 14.10 EUR"
    assert Decimal(hu["distance_km_mean"]) == Decimal("77.5"), "(3 × 40 + 190) / 4"
    for (level, country, site, year), r in by_cell.items():
        cell = f"{level}-{country}-{site}-{year or 'all'}"
        if r["suppressed"] == "true":
            assert 'class="suppressed"' in _row(page, cell)
        else:
            assert f'<td class="num">{r["deals"]}</td>' in _row(page, cell)
    assert not [r for r in rows if r["suppressed"] == "false" and 0 < int(r["deals"]) < 3]


def test_the_open_data_page_documents_the_columns_and_links_the_downloads_and_ocds(hub):
    browser = hub.browser()
    assert browser.get("/open-data?lang=de").status_code == 200
    page = browser.page
    for href in ("/open-data/impact.csv", "/open-data/impact.json", "/api/v1/ocds/completed/release-package"):
        assert f'href="{href}' in page
    assert "<code>integration_hours_value_eur</code>" in page and "CC BY 4.0" in page
    assert "Offene Daten" in page
    assert browser.get("/statistics?lang=en").status_code == 200
    assert 'href="/open-data"' in browser.page and 'href="/statistics"' in browser.page, "in the navigation"
    browser.get("/?lang=hu")
    assert 'id="impact-heading">Hatásstatisztika</h2>' in browser.page, "and on the home page"


def test_a_year_filter_shows_part_of_the_same_table_and_a_wrong_year_is_a_field_message(hub):
    browser = hub.browser()
    assert browser.get("/statistics?year=2026&lang=en").status_code == 200
    assert 'data-cell="site-AT-AT11-2026"' in browser.page and 'data-cell="site-AT-AT11-2025"' not in browser.page
    assert browser.get("/statistics?year=soon&lang=de").status_code == 422
    assert field_errors(browser.page) == {"f-year": ["Bitte geben Sie eine ganze Zahl ein."]}


def test_an_analyst_compares_austria_and_hungary_and_wrong_values_are_field_messages(hub):
    assert hub.browser().get("/agency/impact/compare?countries=AT,HU").status_code in (302, 401, 403)
    assert hub.browser("stranger").get("/agency/impact/compare?lang=en").status_code == 403
    analyst = hub.browser("analyst")
    assert analyst.get("/agency/impact/compare?countries=at, HU&year=2025&lang=en").status_code == 200
    page = analyst.page
    assert "Countries side by side" in page
    assert re.search(r'<td class="num" data-country="HU">4</td>', page), "HU's four deals of 2025"
    assert 'data-cell="site-AT-AT13-2025"' in page
    assert analyst.get("/agency/impact/compare?countries=AT,XX&year=1800&lang=en").status_code == 422
    errors = field_errors(analyst.page)
    assert errors["f-countries"] == ["Unknown country XX: choose among AT, HU."]
    assert list(errors) == ["f-countries", "f-year"]
    assert analyst.get("/agency/impact/compare?year=2019&lang=hu").status_code == 200
    assert "2019" in analyst.page and "data-country" not in analyst.page, "an honest empty comparison"
