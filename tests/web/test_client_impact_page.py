"""A client member's impact page (/office/our-impact, issue 14 "What to build" 2): its organisation's delivered
agreements over a period, with the impact recorded at each delivery and their totals, in German at AT12 and
Hungarian at HU22. Totals are the sums of the rows listed (EUR and HUF apart, and in EUR at the federation's
rate); regional share and distance are means weighted by the quantity delivered. A wrong period is said
beside its field; another organisation's deliveries are never listed."""
from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal

import pytest

from tests.support.web import IN_20_DAYS, IN_40_DAYS, ORGANISATIONS, field_errors

THIS_YEAR = date.today().year
NEW_USER = itertools.count()
CLIENTS = {"AT12": ("Wirkung Handels GmbH", "AT127"), "HU22": ("Hatás Kereskedelmi Kft.", "HU223")}


def member(site, username: str, organisation: str):
    site.add_user(username, ["member"], site.ids[organisation])
    browser = site.browser()
    browser.login(username)
    return browser


def own_offer(site) -> str:
    """An offer of the site's first social enterprise with room for these tests' agreements alone."""
    se = ORGANISATIONS[site.site_id][0]
    key = f"impact-offer:{se[1]}"
    if key not in site.ids:
        site.ids[key] = site.ok("POST", "/offers", expect=201, json={
            "organisation_id": site.ids[se[1]], "title": "Impact test offer", "description": "For impact.",
            "cpv_codes": se[5], "capacity_per_week": "100000", "unit": se[6], "lead_time_days": 1})["id"]
        site.project_registry()
    return site.ids[key]


def client_company(site) -> str:
    """A client company of these tests alone, so that no other test's deliveries are among its rows."""
    name, nuts3 = CLIENTS[site.site_id]
    if name not in site.ids:
        site.ids[name] = site.ok("POST", "/organisations", expect=201, json={
            "kind": "economic_enterprise", "name": name, "registration_number": f"REG {name}", "nuts3": nuts3,
            "address": {"street": "Hauptplatz 2", "postcode": "1000", "town": "Town", "country": site.site_id[:2]},
            "coordinates": {"lat": 47.5, "lon": 16.5}})["id"]
        site.project_registry()
    return site.ids[name]


def delivered(site, title: str, quantity: str, price: str, currency: str, impact: dict) -> str:
    """An enquiry of the tests' client company delivered by the first social enterprise, with `impact`."""
    se = ORGANISATIONS[site.site_id][0]
    offer_id = own_offer(site)
    enquiry_id = site.ok("POST", "/enquiries", expect=201, json={
        "type": "production_step", "title": title, "client_kind": "economic_enterprise",
        "client_organisation_id": client_company(site), "cpv_codes": se[5], "quantity": quantity, "unit": se[6],
        "deadline": IN_40_DAYS, "delivery": {"nuts3": CLIENTS[site.site_id][1]}, "submit": True})["id"]
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "matching"})
    proposal = site.ok("POST", f"/enquiries/{enquiry_id}/proposals", expect=201, json={
        "organisation_id": site.ids[se[1]], "offer_id": offer_id, "quantity": quantity, "unit": se[6],
        "price": price, "currency": currency, "delivery_date": IN_20_DAYS})
    agreement = site.ok("POST", f"/enquiries/{enquiry_id}/proposals/{proposal['id']}/accept", expect=201)
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "in_production"})
    site.ok("POST", f"/enquiries/{enquiry_id}/agreements/{agreement['id']}/deliver", json=impact)
    return enquiry_id


def cells(page: str, label: str) -> list[str]:
    """The texts of one column of the rows (by its data-label)."""
    return [re.sub(r"<[^>]+>", "", c).strip() for c in
            re.findall(rf'<td data-label="{re.escape(label)}"[^>]*>(.*?)</td>', page, re.S)]


def fact(page: str, term: str) -> str:
    return re.search(rf"<dt>{re.escape(term)}</dt>\s*<dd>(.*?)</dd>", page, re.S).group(1).strip()


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
    for enquiry_id in at12_deliveries:  # each figure traceable to its agreement
        assert f'href="/office/our-enquiries/{enquiry_id}#agreement-' in page
    assert "Regale für das Lager" in page and "Tische für die Kantine" in page
    paid = cells(page, "Bezahlter Wert")
    assert "2.400,50\xa0€" in paid and "5.000,00\xa0€" in paid
    # the totals are the sums of the rows listed; share and distance weighted by the quantity delivered
    assert len(paid) == 2 and fact(page, "Bezahlter Wert") == "7.400,50\xa0€"
    assert fact(page, "Wert in EUR") == "7.400,50\xa0€"
    assert cells(page, "Stunden in Integration") == ["320,0", "80,2"] or \
        cells(page, "Stunden in Integration") == ["320,0", "80,3"]
    assert fact(page, "Stunden von Menschen in Arbeitsintegration") in ("400,2", "400,3")  # 400.25 to one decimal
    assert fact(page, "Vor dem Abfall bewahrtes Material (kg)") == "950,5"
    assert fact(page, "Regionaler Anteil") == "50,0 %"  # (100 × 0.8 + 300 × 0.4) / 400
    assert fact(page, "Entfernung von der Produktion (km)") == "25,0"  # (100 × 40 + 300 × 20) / 400


def test_an_earlier_period_shows_none_of_this_years_deliveries(at12, at12_deliveries):
    client = member(at12, "wirkung-impact-past", CLIENTS["AT12"][0])
    assert client.get(f"/office/our-impact?from={THIS_YEAR - 2}-01-01&to={THIS_YEAR - 1}-12-31").status_code == 200
    assert "Regale für das Lager" not in client.page and fact(client.page, "Wert in EUR") == "0,00\xa0€"


def test_another_organisation_sees_none_of_it(at12, at12_deliveries):
    werkstatt = member(at12, "werkstatt-impact", "Traisentaler Werkstatt")  # the supplier, not the client
    assert werkstatt.get("/office/our-impact").status_code == 200
    assert "Regale für das Lager" not in werkstatt.page and "Keine Vereinbarung" in werkstatt.page
    assert werkstatt.get(f"/office/our-enquiries/{at12_deliveries[0]}").status_code == 404
    staff = at12.browser()
    staff.login("broker")
    assert staff.get("/office/our-impact").status_code == 403


@pytest.mark.parametrize("query,errors", [
    ("from=&to=", {"f-from": ["Dieses Feld ist erforderlich."], "f-to": ["Dieses Feld ist erforderlich."]}),
    ("from=gestern&to=2026-02-30", {"f-from": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."],
                                    "f-to": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."]}),
    ("from=2026-06-01&to=2026-01-01", {"f-to": ["Das Ende darf nicht vor dem Beginn liegen."]}),
    ("from=%3Cscript%3Ealert(1)%3C/script%3E&to=9999-99-99",
     {"f-from": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."], "f-to": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."]}),
])
def test_a_wrong_period_is_said_beside_its_field_in_german(at12, query, errors):
    client = member(at12, f"wirkung-wrong-{next(NEW_USER)}", "Donauland Handels AG")
    assert client.get(f"/office/our-impact?{query}").status_code == 422
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
    for enquiry_id in (huf, eur):
        assert f'href="/office/our-enquiries/{enquiry_id}#agreement-' in page
    assert "1\xa0200\xa0000\xa0Ft" in fact(page, "Kifizetett érték") and "800,00\xa0EUR" in fact(page, "Kifizetett érték")
    rate = hu22.runtime.settings.federation.rates_to_eur["HUF"]
    in_eur = (Decimal("1200000") * rate).quantize(Decimal("0.01")) + Decimal("800")
    assert fact(page, "Érték euróban") == f"{in_eur:,.2f}".replace(",", "\xa0").replace(".", ",") + "\xa0EUR"
    assert fact(page, "Integrációban foglalkoztatottak munkaórái") == "440,0"
    assert fact(page, "Regionális arány") == "75,0 %"
    assert client.get("/office/our-impact?from=holnap&to=").status_code == 422
    assert set(field_errors(client.page)) == {"f-from", "f-to"}
    assert all(m and "Please" not in m for ms in field_errors(client.page).values() for m in ms)


def test_the_widest_period_is_no_error(at12, at12_deliveries):
    client = member(at12, "wirkung-widest", CLIENTS["AT12"][0])
    assert client.get("/office/our-impact?from=0001-01-01&to=9999-12-31&from=2026-01-01&x=1").status_code == 200
    assert "Regale für das Lager" in client.page
