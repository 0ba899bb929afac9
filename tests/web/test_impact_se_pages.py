"""A social enterprise's own impact page (/office/our-work-impact, issue 18 item 3) and its impact totals on its
public page if it agrees: the deals it delivered over a period, in German at AT12 and Hungarian at HU22, each
linked to its agreement, their totals and the social value beside them (the federation's proxy, source and
year); a wrong period said beside its field (422). The public page shows the totals of the last twelve months
only after the organisation's own member agreed, and only from the network's suppression threshold (3 deals)
on, saying so below it; never a client's name. No one else can decide it for the organisation."""
from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import date

import pytest

from tests.support.clock import today_iso
from tests.support.pdf_text import pdf_text
from tests.support.web import IN_20_DAYS, IN_40_DAYS, field_errors
from tests.web.test_crossborder_pages_parts import forward

THIS_YEAR = date.today().year
NEW_USER = itertools.count()
# Social enterprises of these tests alone, so that no other test's deliveries are among their deals.
ENTERPRISES = {"AT12": ("Wirkungswerkstatt Ybbstal", "AT121", ["39100000"], "pieces", "Donauland Handels AG"),
               "HU22": ("Hatásműhely Nonprofit Kft.", "HU221", ["39100000"], "darab", "Zalai Ajándéktárgy Kft.")}


def enterprise(site) -> str:
    name, nuts3, cpv, unit, _client = ENTERPRISES[site.site_id]
    if name not in site.ids:
        site.ids[name] = site.ok("POST", "/organisations", expect=201, json={
            "kind": "social_enterprise", "name": name, "registration_number": f"REG {name}", "nuts3": nuts3,
            "address": {"street": "Werkstraße 3", "postcode": "3300", "town": "Town", "country": site.site_id[:2]},
            "coordinates": {"lat": 48.0, "lon": 15.0}, "labour_market_segment": "second_labour_market",
            "workers_in_integration": 12})["id"]
        site.ids[f"offer:{name}"] = site.ok("POST", "/offers", expect=201, json={
            "organisation_id": site.ids[name], "title": "Impact page offer", "description": "For the impact page.",
            "cpv_codes": cpv, "capacity_per_week": "100000", "unit": unit, "lead_time_days": 1})["id"]
        site.project_registry()
    return site.ids[name]


def member(site, organisation_name: str):
    username = f"se-impact-{next(NEW_USER)}"
    site.add_user(username, ["member"], site.ids[organisation_name])
    browser = site.browser()
    browser.login(username)
    return browser, username


def delivered(site, title: str, quantity: str, price: str, currency: str, impact: dict) -> str:
    """An enquiry of the site's client company that the tests' social enterprise delivered, with `impact`."""
    name, nuts3, cpv, unit, client = ENTERPRISES[site.site_id]
    se_id = enterprise(site)
    enquiry_id = site.ok("POST", "/enquiries", expect=201, json={
        "type": "production_step", "title": title, "client_kind": "economic_enterprise",
        "client_organisation_id": site.ids[client], "cpv_codes": cpv, "quantity": quantity, "unit": unit,
        "deadline": IN_40_DAYS, "delivery": {"nuts3": nuts3}, "submit": True})["id"]
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "matching"})
    proposal = site.ok("POST", f"/enquiries/{enquiry_id}/proposals", expect=201, json={
        "organisation_id": se_id, "offer_id": site.ids[f"offer:{name}"], "quantity": quantity, "unit": unit,
        "price": price, "currency": currency, "delivery_date": IN_20_DAYS})
    agreement = site.ok("POST", f"/enquiries/{enquiry_id}/proposals/{proposal['id']}/accept", expect=201)
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "in_production"})
    site.ok("POST", f"/enquiries/{enquiry_id}/agreements/{agreement['id']}/deliver", json=impact)
    return enquiry_id


def fact(page: str, term: str) -> str:
    found = re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def section(page: str, id_: str) -> str:
    found = re.search(rf'<section[^>]*id="{id_}"[^>]*>(.*?)</section>', page, re.S)
    return found.group(1) if found else ""


@pytest.fixture(scope="module")
def at12_deals(at12):
    return [delivered(at12, "Regale aus Altholz", "100", "2000", "EUR",
                      {"integration_hours": "100", "material_diverted_kg": "200"}),
            delivered(at12, "Kantinentische", "50", "1000.50", "EUR",
                      {"integration_hours": "50.5", "material_diverted_kg": "0"}),
            delivered(at12, "Werbegeschenke", "10", "500", "EUR",
                      {"integration_hours": "20", "material_diverted_kg": "30"})]


@pytest.fixture(scope="module")
def at12_part(at12, at12_deals):
    """A part of AT13's cross-border order that the tests' social enterprise delivered (a fourth deal)."""
    part = forward(at12, ENTERPRISES["AT12"][0], quantity=10, title="Grenzenlose Taschen")
    broker = at12.browser()
    broker.login("broker")
    page = f"/office/forwarded-parts/{part}"
    broker.get(page)
    assert broker.post(f"{page}/accept").status_code == 302
    assert broker.post(f"{page}/start").status_code == 302
    assert broker.post(f"{page}/deliveries", {
        "quantity": "10", "delivered_on": today_iso(), "value_paid": "100", "material_diverted_kg": "20",
        "integration_hours": "9,5", "regional_share_percent": "50", "distance_km": "10",
        "production_nuts3": "AT121"}).status_code == 302, field_errors(broker.page)
    return part


@pytest.fixture(scope="module")
def hu22_deals(hu22):
    return [delivered(hu22, "Raklapbútor", "20", "400000", "HUF", {"integration_hours": "40"}),
            delivered(hu22, "Ajándékdobozok", "30", "600000", "HUF",
                      {"integration_hours": "60", "material_diverted_kg": "100"})]


def test_the_social_enterprise_reads_its_deals_totals_and_social_value_in_german(at12, at12_deals, at12_part):
    browser, _user = member(at12, ENTERPRISES["AT12"][0])
    assert browser.get("/office/our-work-impact").status_code == 200
    page = browser.page
    assert "<h1>Wirkung unserer Arbeit</h1>" in page and 'href="/office/our-work-impact"' in page  # nav link
    assert f'value="{THIS_YEAR}-01-01"' in page and f'value="{THIS_YEAR}-12-31"' in page  # this year by default
    for enquiry_id in at12_deals:  # each deal linked to its agreement
        assert f'href="/office/member/enquiries/{enquiry_id}"' in page
    assert f'href="/office/forwarded-parts/{at12_part}"' in page  # the cross-border part, linked to its page
    assert "Regale aus Altholz" in page and "Kantinentische" in page and "Grenzenlose Taschen" in page
    assert "Wien" in page  # the part names the site whose client ordered it, not the client
    assert "4 Aufträge geliefert." in page
    totals = page
    assert fact(totals, "Gelieferter Wert in EUR") == "3.600,50\xa0€"
    assert fact(totals, "Stunden von Menschen in Arbeitsintegration") == "180,0"
    assert fact(totals, "Vor dem Abfall bewahrtes Material (kg)") == "250,0"
    # social value beside the raw figures: 180 h × 44.50 € (the federation's proxy for Austria), its source
    value = re.sub(r"<[^>]+>", " ", page[page.index('id="social-value"'):])
    assert "8.010,00\xa0€" in value and "44,50\xa0€ pro Stunde" in value
    assert "lc_lci_lev" in value and 'data-label="Jahr">2024</td>' in page
    # the public profile: not shown until the member agrees, and what would be public is said
    consent = page[page.index('id="public-profile"'):]
    assert "Ihr öffentliches Profil zeigt Ihre Wirkungszahlen nicht." in consent
    assert "Nie den Namen eines Kunden" in consent
    assert fact(consent, "Gelieferte Aufträge") == "4"


@pytest.mark.parametrize("query,errors", [
    ("from=&to=", {"f-from": ["Dieses Feld ist erforderlich."], "f-to": ["Dieses Feld ist erforderlich."]}),
    ("from=gestern&to=2026-02-30", {"f-from": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."],
                                    "f-to": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."]}),
    ("from=2026-06-01&to=2026-01-01", {"f-to": ["Das Ende darf nicht vor dem Beginn liegen."]}),
])
def test_a_wrong_period_is_said_beside_its_field_in_german(at12, at12_deals, at12_part, query, errors):
    browser, _user = member(at12, ENTERPRISES["AT12"][0])
    assert browser.get(f"/office/our-work-impact?{query}").status_code == 422
    assert field_errors(browser.page) == errors
    assert "Regale aus Altholz" not in browser.page  # no figures for a wrong period


def test_an_earlier_period_lists_none_of_this_years_deals(at12, at12_deals, at12_part):
    browser, _user = member(at12, ENTERPRISES["AT12"][0])
    earlier = f"from={THIS_YEAR - 2}-01-01&to={THIS_YEAR - 1}-12-31"
    assert browser.get(f"/office/our-work-impact?{earlier}").status_code == 200
    assert "Regale aus Altholz" not in browser.page
    assert "Ihre Organisation hat in diesem Zeitraum keinen Auftrag geliefert." in browser.page


def test_the_public_page_shows_the_totals_only_after_the_member_agreed(at12, at12_deals, at12_part):
    se_id = enterprise(at12)
    visitor = at12.browser()
    assert visitor.get(f"/organisations/{se_id}").status_code == 200
    assert 'id="public-impact"' not in visitor.page  # not shown by default
    browser, username = member(at12, ENTERPRISES["AT12"][0])
    browser.get("/office/our-work-impact")
    saved = browser.post("/office/our-work-impact/public-profile", {"shown": "yes"})
    assert saved.status_code == 302
    browser.get("/office/our-work-impact")
    assert "Ihr öffentliches Profil zeigt Ihre Wirkungszahlen." in browser.page
    assert f"Entschieden von {username}" in browser.page  # who decided (and when)
    assert visitor.get(f"/organisations/{se_id}").status_code == 200
    shown = section(visitor.page, "public-impact")
    assert fact(shown, "Gelieferte Aufträge") == "4"
    assert fact(shown, "Stunden von Menschen in Arbeitsintegration") == "180,0"
    assert fact(shown, "Vor dem Abfall bewahrtes Material (kg)") == "250,0"
    assert fact(shown, "Gelieferter Wert in EUR") == "3.600,50\xa0€"
    assert "Donauland Handels AG" not in visitor.page and "2.000,00" not in visitor.page  # no client, no deal
    browser.get("/office/our-work-impact")
    assert browser.post("/office/our-work-impact/public-profile", {"shown": "no"}).status_code == 302
    visitor.get(f"/organisations/{se_id}")
    assert 'id="public-impact"' not in visitor.page and "180,0" not in visitor.page


def test_the_hungarian_social_enterprise_below_the_threshold(hu22, hu22_deals):
    browser, _user = member(hu22, ENTERPRISES["HU22"][0])
    assert browser.get("/office/our-work-impact").status_code == 200
    page = browser.page
    assert "<h1>Munkánk hatása</h1>" in page
    for enquiry_id in hu22_deals:
        assert f'href="/office/member/enquiries/{enquiry_id}"' in page
    assert fact(page, "Integrációban foglalkoztatottak munkaórái") == "100,0"
    assert "1\xa0000\xa0000" in fact(page, "Teljesített érték")
    consent = page[page.index('id="public-profile"'):]
    assert "Kevesebb mint 3 ügylet" in consent  # fewer than the threshold: said, and no figures
    assert browser.post("/office/our-work-impact/public-profile", {"shown": "yes"}).status_code == 302
    visitor = hu22.browser()
    visitor.get(f"/organisations/{enterprise(hu22)}?lang=hu")
    shown = section(visitor.page, "public-impact")
    assert shown and "legalább 3 ügylet" in shown
    assert "<dl" not in shown and "100,0" not in shown  # agreed, but no figures below 3 deals


def test_a_wrong_decision_is_said_beside_its_field(at12, at12_deals, at12_part):
    browser, _user = member(at12, ENTERPRISES["AT12"][0])
    browser.get("/office/our-work-impact")
    assert browser.post("/office/our-work-impact/public-profile", {"shown": "maybe"}).status_code == 422
    assert field_errors(browser.page) == {"f-consent-shown": ["Bitte wählen Sie eine der Möglichkeiten."]}
    assert browser.post("/office/our-work-impact/public-profile", {}).status_code == 422
    assert field_errors(browser.page) == {"f-consent-shown": ["Dieses Feld ist erforderlich."]}


def test_no_one_else_decides_for_the_social_enterprise(at12, at12_deals, at12_part):
    client, _user = member(at12, "Donauland Handels AG")  # a client company's member: not a social enterprise
    assert client.get("/office/our-work-impact").status_code == 200
    assert "Regale aus Altholz" not in client.page
    assert 'action="/office/our-work-impact/public-profile"' not in client.page
    assert "keine geliefert" in client.page  # the page says what it shows, and why nothing
    assert client.post("/office/our-work-impact/public-profile", {"shown": "yes"}).status_code == 403
    staff = at12.browser()
    staff.login("broker")
    staff.get("/")
    assert staff.post("/office/our-work-impact/public-profile", {"shown": "yes"}).status_code == 403
    visitor = at12.browser()
    visitor.get(f"/organisations/{enterprise(at12)}")
    before = section(visitor.page, "public-impact")
    other, _user = member(at12, "Traisentaler Werkstatt")  # another social enterprise decides its own only
    other.get("/office/our-work-impact")
    decision = {"shown": "yes" if not before else "no"}
    assert other.post("/office/our-work-impact/public-profile", decision).status_code == 302
    visitor.get(f"/organisations/{enterprise(at12)}")
    assert section(visitor.page, "public-impact") == before
    visitor.get(f"/organisations/{at12.ids['Traisentaler Werkstatt']}")
    assert ('id="public-impact"' in visitor.page) == (not before)  # the other's own page follows its decision


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "99999999999999999999"])
def test_any_page_number_is_a_page_never_an_error(at12, at12_deals, at12_part, page):
    browser, _user = member(at12, ENTERPRISES["AT12"][0])
    assert browser.get(f"/office/our-work-impact?page={page}").status_code == 200
    assert "4 Aufträge geliefert." in browser.page  # the totals cover every deal, whatever the page


def test_the_social_enterprise_downloads_its_report_as_csv_and_pdf_with_the_pages_totals(at12, at12_deals, at12_part):
    browser, _user = member(at12, ENTERPRISES["AT12"][0])
    browser.get("/office/our-work-impact")
    assert 'href="/office/our-work-impact.csv?from=' in browser.page
    assert 'href="/office/our-work-impact.pdf?from=' in browser.page
    period = f"from={THIS_YEAR}-01-01&to={THIS_YEAR}-12-31"
    answer = browser.client.get(f"/office/our-work-impact.csv?{period}")  # a file, not a page
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))
    references = {row[3] for row in rows[1:] if len(row) > 3}
    titles = {row[4] for row in rows[1:] if len(row) > 4}
    assert {"Regale aus Altholz", "Kantinentische", "Grenzenlose Taschen"} <= titles
    assert len([r for r in references if r.startswith("AT")]) >= 3  # every deal's reference, traceable
    answer = browser.client.get(f"/office/our-work-impact.pdf?{period}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.get_data())
    assert "3.600,50" in text and "180,0" in text and "250,0" in text  # the page's totals, written alike
    assert ENTERPRISES["AT12"][0] in text
    # a wrong period is the page with its errors, not a file; a client company's member gets no such report
    assert browser.get("/office/our-work-impact.csv?from=2026-06-01&to=2026-01-01").status_code == 422
    assert field_errors(browser.page) == {"f-to": ["Das Ende darf nicht vor dem Beginn liegen."]}
    client, _user = member(at12, "Donauland Handels AG")
    assert client.client.get(f"/office/our-work-impact.pdf?{period}").status_code == 403
