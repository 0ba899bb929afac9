"""The hub's pages with the Flask test client, the hub on SQLite and on PostgreSQL (the sites on SQLite):
public label verification and register, and the agency dashboard (login, consolidated lists with
filters, enquiry detail, cross-border orders, impact charts, federation health), in de, hu and en;
wrong filter values are field messages, never a 500.

The hub's store is filled the way the hub fills it: the events in two sites' outboxes (AT12 and HU22,
seeded through their own APIs) applied by the hub's consumer handlers, with tracking rows; impact
records, a cross-border order, a paused stream and a dead letter are written directly.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import insert, select

from services.bootstrap import bootstrap, create_app
from services.common import inbox
from services.common.users import add_user
from services.common.config import load_settings
from services.common.envelope import Envelope
from services.common.outbox import outbox
from services.hub.crossborder import store as consortium_store
from services.hub.enquiries import store as enquiry_store
from services.hub.consumers import HANDLERS
from tests.support.databases import pg_schemas
from tests.support.web import PASSWORD, Browser, WebSite, field_errors

HUB_TRANSLATIONS = Path(__file__).resolve().parents[2] / "services" / "hub" / "translations"
IN_40_DAYS = (date.today() + timedelta(days=40)).isoformat()


class Hub:
    def __init__(self, settings):
        self.runtime = bootstrap(settings)
        self.app = create_app(self.runtime)
        with self.runtime.engine.begin() as conn:
            for username, roles in (("analyst", ["agency_viewer"]), ("agency", ["agency_admin"]),
                                    ("stranger", ["member"])):
                add_user(conn, username, PASSWORD, roles)

    def browser(self, username: str | None = None) -> Browser:
        browser = Browser(self.app)
        if username:
            browser.login(username)
        return browser

    def ingest(self, site: WebSite) -> None:
        """Apply every event of the site's outbox with the hub's handlers, tracked as the consumer does."""
        with site.runtime.engine.connect() as source:
            rows = source.execute(select(outbox).order_by(outbox.c.id)).all()
        seqs: dict[str, int] = {}
        with self.runtime.engine.begin() as conn:
            for r in rows:
                if r.to_site:
                    continue  # directed messages are not facts for the hub
                seq = seqs[r.stream] = seqs.get(r.stream, 0) + 1  # the relay numbers each stream 1, 2, 3, ...
                env = Envelope(id=r.event_id, type=r.type, version=r.version, site=site.site_id, stream=r.stream,
                               seq=seq, aggregate_id=r.aggregate_id, aggregate_version=r.aggregate_version,
                               occurred_at=r.occurred_at.isoformat(), correlation_id=None, causation_id=None,
                               data=r.data)
                if inbox.track(conn, "hub.ingest", r.stream, seq, str(r.event_id)) and r.type in HANDLERS:
                    HANDLERS[r.type](conn, env)
                inbox.advance(conn, "hub.ingest", r.stream, seq)


def settings_in(tmp_path_factory, federation, federation_files, label: str, hub_db: str | None = None):
    root = tmp_path_factory.mktemp(label)

    def make(site_id: str):
        db = hub_db if site_id == "EU" and hub_db else f"sqlite:///{root / site_id}.sqlite"
        return load_settings(site_id, env={}, federation=federation, db_url=db, bus_url="memory://",
                             key_file=federation_files[1] / f"{site_id}.pem", var_dir=root)
    return make


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def hub_db(request):
    """The hub's database: SQLite (the embedded mode) and PostgreSQL (the distributed mode, a schema of its
    own), so that the pages' queries are checked on both."""
    if request.param == "sqlite":
        yield None
        return
    with pg_schemas("t_hub_pages") as schema_url:
        yield schema_url("hub")


@pytest.fixture(scope="module")
def network(hub_db, tmp_path_factory, federation, federation_files):
    make = settings_in(tmp_path_factory, federation, federation_files, "hub-pages", hub_db)
    at12, hu22 = WebSite(make, "AT12"), WebSite(make, "HU22")
    enquiry = at12.ok("POST", "/enquiries", expect=201, json={
        "type": "csr_product", "title": "Messe-Giveaways aus Holz", "cpv_codes": ["39100000"], "quantity": "400",
        "unit": "pieces", "deadline": IN_40_DAYS, "budget": "6000", "client_kind": "economic_enterprise",
        "client_organisation_id": at12.ids["Donauland Handels AG"], "delivery": {"nuts3": "AT127"},
        "cross_border_allowed": True, "submit": True})
    label = hu22.granted_label()
    # Hundreds of page requests from one test client: the per-client rate limit is not under test here.
    hub = Hub(make("EU").with_(rate_limit="100000/minute"))
    hub.ingest(at12)
    hub.ingest(hu22)
    with hub.runtime.engine.begin() as conn:
        _impact(conn, "AT12", 2025, "14800", "1250", "2100")
        _impact(conn, "HU22", 2026, "8128", "420", "640")
        order_id = _order(conn, enquiry, at12.ids["Mostviertler Metallwerk"], hu22.ids["Győri Asztalosműhely"])
        now = datetime.now(timezone.utc)
        conn.execute(insert(inbox.stream_pause).values(consumer="hub.ingest", stream="HU22/label", paused_at=now,
                                                       paused_by="agency", reason="checking a complaint"))
        inbox.record_dead_letter(conn, "hub.ingest", "forged: signature does not match AT12", "{}", "AT12/registry", 99)
    yield {"hub": hub, "at12": at12, "hu22": hu22, "enquiry": enquiry, "label": label, "order_id": order_id}
    for runtime in (hub.runtime, at12.runtime, hu22.runtime):
        runtime.engine.dispose()


def _impact(conn, site: str, year: int, eur: str, kg: str, hours: str) -> None:
    conn.execute(insert(enquiry_store.hub_impact).values(
        site=site, id=str(uuid.uuid4()), aggregate_version=1, last_event_id=str(uuid.uuid4()),
        last_occurred_at=datetime.now(timezone.utc), agreement_id=str(uuid.uuid4()), enquiry_id=str(uuid.uuid4()),
        year=year, value_paid=Decimal(eur), currency="EUR", value_paid_eur=Decimal(eur),
        material_diverted_kg=Decimal(kg),
        regional_share=Decimal("0.8"), distance_km=Decimal("42"), production_nuts3=f"{site}1",
        integration_hours=Decimal(hours)))


def _order(conn, enquiry: dict, at12_se: str, hu22_se: str) -> str:
    now = datetime.now(timezone.utc)
    order_id = str(uuid.uuid4())
    consortium_store.add_order(conn, {
        "id": order_id, "origin_site": "AT12", "enquiry_id": enquiry["id"], "correlation_id": enquiry["id"],
        "reference": enquiry["reference"], "title": enquiry["title"], "type": "csr_product",
        "client_kind": "economic_enterprise", "cpv_codes": ["39100000"], "quantity": 400, "unit": "pieces",
        "deadline": date.today() + timedelta(days=40), "delivery_nuts3": "AT127", "budget": Decimal("6000"),
        "currency": "EUR", "label_required": False, "max_partners": 3, "min_lot": 50, "sites": ["AT12", "HU22"],
        "status": "forwarded", "version": 1, "allocation": {}, "created_at": now, "updated_at": now})
    consortium_store.add_parts(conn, [
        {"id": str(uuid.uuid4()), "order_id": order_id, "site": site, "organisation_id": se,
         "offer_id": str(uuid.uuid4()),
         "quantity": quantity, "unit_price": Decimal(price), "currency": currency, "unit_cost_eur": Decimal("14"),
         "reason": reason, "status": status, "answer": None, "version": 1, "forwarded_at": now, "answered_at": None}
        for site, se, quantity, price, currency, reason, status in (
            ("AT12", at12_se, 250, "15", "EUR", "nearest with capacity", "accepted"),
            ("HU22", hu22_se, 150, "5200", "HUF", "cheapest for the rest", "forwarded"))])
    return order_id


# --- public pages ------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, valid_text", [("de", "Dieses Gütesiegel ist heute gültig."),
                                              ("hu", "Ez a címke ma érvényes."),
                                              ("en", "This label is valid today.")])
def test_a_label_is_verified_in_the_pages_language(network, lang, valid_text):
    browser = network["hub"].browser()
    response = browser.get(f"/labels/verify?number={network['label'].lower()}&lang={lang}")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in browser.page
    assert valid_text in browser.page and network["label"] in browser.page
    assert "Győri Asztalosműhely" in browser.page, "the holder"


def test_an_unknown_malformed_or_missing_number_is_said_so_in_the_pages_language(network):
    browser = network["hub"].browser()
    assert browser.get("/labels/verify?number=SOPRO-AT12-2026-9999&lang=de").status_code == 404
    assert "Unbekanntes Gütesiegel" in browser.page
    assert browser.get("/labels/verify?number=SOPRO-12&lang=hu").status_code == 422
    assert field_errors(browser.page) == {"f-number": ["A címkeszám így néz ki: SOPRO-HU22-2026-0003."]}
    assert browser.get("/labels/verify?number=&lang=de").status_code == 422
    assert field_errors(browser.page) == {"f-number": ["Dieses Feld ist erforderlich."]}
    assert browser.get("/labels/verify?lang=en").status_code == 200, "the empty form before asking"
    assert field_errors(browser.page) == {}


def test_the_label_register_filters_and_refuses_wrong_values(network):
    browser = network["hub"].browser()
    browser.get("/labels?site=HU22&status=valid&cpv=39&lang=en")
    assert network["label"] in browser.page
    browser.get("/labels?site=AT12&lang=en")
    assert network["label"] not in browser.page and "No label matches these filters." in browser.page
    assert browser.get("/labels?site=XX&status=shiny&lang=de").status_code == 422
    errors = field_errors(browser.page)
    assert errors["f-site"] == ["Bitte wählen Sie eine der Servicestellen."]
    assert errors["f-status"] == ["Bitte wählen Sie eine der Möglichkeiten."]


def test_the_home_page_links_every_sites_portal_and_counts_valid_labels(network):
    browser = network["hub"].browser()
    assert browser.get("/?lang=hu").status_code == 200
    federation = network["hub"].runtime.settings.federation
    for site in federation.member_sites:
        assert f'<a href="{site.url}/?lang=hu">{site.name}</a>' in browser.page
    assert "1 érvényes címke a hálózatban." in browser.page


# --- access ------------------------------------------------------------------------------------------

def test_the_dashboard_needs_an_agency_login(network):
    hub = network["hub"]
    browser = hub.browser()
    response = browser.get("/agency/enquiries")
    assert response.status_code == 302 and "/login?next=/agency/enquiries" in response.headers["Location"]
    api = hub.app.test_client().get("/agency/", headers={"Accept": "application/json"})
    assert api.status_code == 401 and api.get_json()["code"] == "unauthorized"
    stranger = hub.browser("stranger")
    assert stranger.get("/agency/?lang=de").status_code == 403
    assert "Nicht erlaubt" in stranger.page or "Not allowed" in stranger.page
    analyst = hub.browser("analyst")
    assert analyst.get("/agency/").status_code == 200


# --- the dashboard -----------------------------------------------------------------------------------

def test_the_overview_shows_enquiries_charts_and_health(network):
    browser = network["hub"].browser("analyst")
    browser.get("/agency/?lang=de")
    page = browser.page
    assert network["enquiry"]["reference"] in page and "Messe-Giveaways aus Holz" in page
    assert page.count("<svg") == 4 and 'aria-label="Wirtschaftlich: an Sozialunternehmen bezahlter Wert"' in page
    assert "14.800" in page and "8.128" in page, "values in German number format"
    assert "1 Datenstrom ist angehalten." in page
    assert "1 unzustellbare Nachricht ist offen." in page
    assert "grenzüberschreitend" in page, "the cross-border flag"


def test_members_offers_and_enquiries_filter_by_site_kind_and_cpv_division(network):
    browser = network["hub"].browser("analyst")
    browser.get("/agency/members?site=HU22&lang=en")
    assert "Győri Asztalosműhely" in browser.page and "Traisentaler Werkstatt" not in browser.page
    browser.get("/agency/members?kind=economic_enterprise&lang=en")
    assert "Donauland Handels AG" in browser.page and "Traisentaler Werkstatt" not in browser.page
    browser.get("/agency/offers?cpv=44&lang=en")
    assert "Offer of Mostviertler Metallwerk" in browser.page and "Offer of Traisentaler Werkstatt" not in browser.page
    browser.get("/agency/enquiries?site=AT12&type=csr_product&cpv=39&cross_border_flagged=false&lang=en")
    assert network["enquiry"]["reference"] in browser.page
    browser.get("/agency/enquiries?site=HU22&lang=en")
    assert network["enquiry"]["reference"] not in browser.page


def test_wrong_filter_values_are_field_messages_in_the_pages_language(network):
    browser = network["hub"].browser("analyst")
    response = browser.get("/agency/enquiries?year=tavaly&state=lost&cpv=4x&site=XX&lang=hu")
    assert response.status_code == 422
    assert field_errors(browser.page) == {
        "f-year": ["Kérjük, egész számot adjon meg."], "f-state": ["Kérjük, válasszon a lehetőségek közül."],
        "f-cpv": ["Kérjük, válasszon CPV-főcsoportot."], "f-site": ["Kérjük, válasszon a szolgáltatópontok közül."]}
    assert "A beadás éve: Kérjük, egész számot adjon meg." in browser.page, "the summary names the field"
    assert browser.get("/agency/members?kind=robot&page=0&lang=de").status_code == 422
    assert field_errors(browser.page) == {"f-kind": ["Bitte wählen Sie eine der Möglichkeiten."]}
    assert "Bitte geben Sie einen Wert von 1 bis 100000 ein." in browser.page, "the page number, in the summary"
    assert browser.get("/agency/impact?year=1800&lang=en").status_code == 422
    assert field_errors(browser.page) == {"f-year": ["Please enter a value from 1990 to 2100."]}
    assert browser.get("/agency/cross-border?status=lost&lang=en").status_code == 422


def test_an_enquiry_shows_its_cross_border_parts_and_an_unknown_one_is_a_404(network):
    browser = network["hub"].browser("agency")
    browser.get(f"/agency/enquiries/{network['enquiry']['id']}?lang=de")
    page = browser.page
    assert network["enquiry"]["reference"] in page
    assert "Mostviertler Metallwerk" in page and "Győri Asztalosműhely" in page, "parts name their enterprises"
    assert "An die Servicestellen weitergeleitet" in page, "the order's status"
    assert browser.get(f"/agency/enquiries/{uuid.uuid4()}?lang=en").status_code == 404


def test_cross_border_orders_list_their_parts(network):
    browser = network["hub"].browser("analyst")
    browser.get("/agency/cross-border?site=AT12&lang=en")
    page = browser.page
    assert network["enquiry"]["reference"] in page
    assert "nearest with capacity" in page and "cheapest for the rest" in page
    assert "Accepted" in page and "Awaiting the site&#39;s answer" in page and "Forwarded to the sites" in page
    browser.get("/agency/cross-border?status=agreed&lang=en")
    assert "No cross-border order matches these filters." in browser.page


def test_the_impact_page_charts_each_dimension_per_site_and_year(network):
    browser = network["hub"].browser("analyst")
    response = browser.get("/agency/impact?lang=hu")
    page = browser.page
    assert page.count("<svg") == 4
    # The charts' <style> elements carry the nonce that this response's CSP allows (no 'unsafe-inline').
    nonces = set(re.findall(r'<style nonce="([^"]+)"', page))
    assert len(nonces) == 1 and page.count("<style") == page.count("<style nonce=") == 4
    assert f"style-src 'self' 'nonce-{nonces.pop()}';" in response.headers["Content-Security-Policy"]
    assert "Gazdasági: szociális vállalkozásoknak kifizetett érték" in page
    assert "14\xa0800" in page, "Hungarian number format"
    assert "42,0" in page, "the mean distance of the records stating one"
    browser.get("/agency/impact?site=HU22&lang=en")
    assert "8,128" in browser.page and "14,800" not in browser.page


def test_health_lists_every_expected_stream_with_pauses_and_dead_letters(network):
    browser = network["hub"].browser("analyst")
    browser.get("/agency/health?lang=en")
    page = browser.page
    for site in ("AT11", "AT12", "AT13", "AT22", "HU22"):
        for service in ("registry", "enquiries", "label"):
            assert f"<th scope=\"row\">{site}/{service}</th>" in page
    assert "paused" in page and "forged: signature does not match AT12" in page
    assert "nothing received yet" in page, "AT11 has published nothing to this hub"


# --- catalogues --------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["de", "hu"])
def test_every_hub_message_is_translated_and_compiled(lang):
    template = read_po((HUB_TRANSLATIONS / "messages.pot").open("rb"))
    catalog = read_po((HUB_TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb"))
    compiled = read_mo((HUB_TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb"))

    def entries(messages) -> dict:
        return {_key(m.id): _key(m.string) for m in messages if m.id}

    translated = entries(catalog)
    assert set(entries(template)) <= set(translated), "make translations"
    assert all(all(part for part in (s if isinstance(s, tuple) else (s,))) for s in translated.values())
    assert translated == entries(compiled), "the .mo is compiled from the .po"


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


# --- hostile query strings ---------------------------------------------------------------------------

HOSTILE = ["\x00", "a" * 5000, "'; drop table hub_enquiries;--", "%_", "-1", "1e309", "99999999999999999999", "<b>"]
FILTERS = {
    "/agency/members": ("site", "kind", "cpv", "region", "q", "page", "per_page"),
    "/agency/offers": ("site", "kind", "cpv", "region", "q", "page"),
    "/agency/enquiries": ("site", "type", "state", "cpv", "year", "cross_border_flagged", "page"),
    "/agency/cross-border": ("site", "status", "page"),
    "/agency/impact": ("site", "year"),
    "/labels": ("holder", "site", "status", "cpv", "page"),
    "/labels/verify": ("number",),
}


def test_hostile_filter_values_are_refused_or_shown_never_a_5xx(network):
    browser = network["hub"].browser("analyst")  # Browser.get asserts no 500 and keeps the page
    for path, names in FILTERS.items():
        for name in names:
            for value in HOSTILE:
                status = browser.get(path, query_string={name: value}).status_code
                assert status in (200, 404, 422), (path, name, value[:20], status)
                assert "<b>" not in browser.page, "what was typed is escaped"
