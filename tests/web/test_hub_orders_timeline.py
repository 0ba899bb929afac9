"""The agency's page of one cross-border order (hub on SQLite and PostgreSQL, the `network` of
tests/support/hub_pages.py with the orders of tests/web/hub_orders.py): its timeline of allocation rounds,
forwards, answers, production, deliveries, a failure and its shortfall; its parts with prices in their
currency and in EUR and the reason for each share; the consortium's impact. Reasons are stored as codes
and worded in the page's language: German, Hungarian and English, and no code leaks into the page."""
from __future__ import annotations

import re
import uuid
from html import unescape

import pytest

from services.contracts.reasons import CODES
from tests.web.hub_orders import orders


def page_of(network, lang: str) -> str:
    browser = network["hub"].browser("analyst")
    response = browser.get(f"/agency/cross-border/{orders(network)['delivered']}?lang={lang}")
    assert response.status_code == 200
    return unescape(browser.page)


def text_of(page: str) -> str:
    """What a reader sees: the page without its tags (and without attributes such as ids and classes)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("<main", 1)[-1]))


@pytest.mark.parametrize("lang, wording", [
    ("de", ["Der Preis deckt die Kosten nicht.",
            "Das Sozialunternehmen hat 100 von 150 Einheiten geliefert und seinen Teil abgeschlossen "
            "(50 Einheiten fehlen).",
            "Bis zur Frist bleibt zu wenig Zeit, um die fehlenden Einheiten neu zu vergeben.",
            "14,2 EUR je gelieferte Einheit, Platz 1 von 2 Kandidaten nach Lieferkosten",
            "Győri Asztalosműhely (HU22) hat seinen Teil von 150 Einheiten abgelehnt."]),
    ("hu", ["Az ár nem fedezi a költségeket.",
            "A szociális vállalkozás 150 egységből 100 egységet szállított le, és lezárta a részét "
            "(50 egység hiányzik).",
            "A határidőig túl kevés idő maradt a hiányzó egységek újraosztására.",
            "Győri Asztalosműhely (HU22) elutasította a(z) 150 egységnyi részét."]),
    ("en", ["The price does not cover the costs.",
            "The social enterprise delivered 100 of 150 units and closed its part (50 units missing).",
            "Too little time is left before the deadline to re-allocate the missing units.",
            "14.2 EUR per delivered unit, number 1 of 2 candidates by delivered cost"]),
])
def test_reasons_are_worded_in_the_pages_language_and_no_code_leaks(network, lang, wording):
    text = text_of(page_of(network, lang))
    for sentence in wording:
        assert sentence in text, sentence
    # the codes that are identifiers (the others, such as "capacity" or "label", are English words too)
    leaked = [code for code in CODES if "_" in code and code in text]
    assert leaked == [], f"codes shown as they are stored: {leaked}"
    assert "%(" not in text, "a wording with a parameter left unfilled"


def test_the_timeline_has_every_round_answer_delivery_and_the_failure_in_order(network):
    text = text_of(page_of(network, "en"))
    steps = ["AT12 asked for a consortium of 400 units.",
             "Allocation: 400 of 400 units allocated, 0 missing.", "Method: exact optimisation (MILP).",
             "A part of 250 units forwarded to Traisentaler Werkstatt (AT12).",
             "A part of 150 units forwarded to Győri Asztalosműhely (HU22).",
             "Traisentaler Werkstatt (AT12) accepted its part of 250 units.",
             "Győri Asztalosműhely (HU22) declined its part of 150 units.", "Note: Holz ist teurer geworden",
             "Re-allocation after a decline: 150 of 150 units allocated, 0 missing.", "Method: greedy fallback.",
             "Mostviertler Metallwerk (AT12) accepted its part of 150 units.",
             "The consortium is agreed", "Traisentaler Werkstatt (AT12) started production.",
             "Traisentaler Werkstatt (AT12) delivered 150 units on",
             "Mostviertler Metallwerk (AT12) delivered 100 units on",
             "The part of Mostviertler Metallwerk (AT12) failed: 50 units missing.",
             "Shortfall: 50 units will not be delivered.",
             "Traisentaler Werkstatt (AT12) delivered 100 units on",
             "The order is delivered: 350 units."]
    timeline = text.split("Timeline", 1)[1]
    positions = [timeline.find(step) for step in steps]
    assert -1 not in positions, [s for s, p in zip(steps, positions) if p == -1]
    assert positions == sorted(positions), "the steps in the order they happened"


def test_the_parts_show_prices_in_their_currency_and_in_eur_status_and_delivered(network):
    page = page_of(network, "de")
    rows = {re.sub(r"<[^>]+>", " ", row).split()[1]: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))
            for row in re.findall(r"<tr>\s*<td>(?:AT12|HU22)</td>.*?</tr>", page.split('class="parts"')[1], re.S)}
    assert set(rows) == {"Traisentaler", "Győri", "Mostviertler"}
    assert "250" in rows["Traisentaler"] and "15,00 €" in rows["Traisentaler"] and "Geliefert" in rows["Traisentaler"]
    assert "5.200 HUF" in rows["Győri"] and "Abgelehnt" in rows["Győri"]
    assert re.search(r"1[23],\d\d €", rows["Győri"]), "5,200 forints in euros at the federation's rate"
    assert " 100 " in rows["Mostviertler"], "what the failed part delivered"


def test_the_consortium_impact_sums_the_parts(network):
    text = text_of(page_of(network, "en"))
    impact = text.split("Impact of the consortium", 1)[1].split("Timeline", 1)[0]
    assert "The sum of what 2 parts recorded at their sites." in impact
    assert "€5,350.00 paid to social enterprises" in impact
    assert "160 kg material diverted from waste" in impact
    assert "400 hours of work in integration" in impact
    # regional share weighted by delivered units: (250 x 0.9 + 100 x 0.5) / 350 = 0.7857
    assert "79 % regional share (mean)" in impact


def test_the_list_and_the_enquiry_link_to_the_order_and_an_unknown_order_is_a_404(network):
    browser = network["hub"].browser("analyst")
    order_id = orders(network)["delivered"]
    browser.get("/agency/cross-border?status=delivered&lang=en")
    assert f"/agency/cross-border/{order_id}" in browser.page
    assert "Der Preis deckt" not in browser.page and "The price does not cover the costs." in browser.page
    browser.get(f"/agency/enquiries/{orders(network)['delivered_enquiry']}?lang=hu")
    assert f"/agency/cross-border/{order_id}" in browser.page and "Az ár nem fedezi a költségeket." in browser.page
    assert browser.get(f"/agency/cross-border/{uuid.uuid4()}?lang=en").status_code == 404
    assert browser.get("/agency/cross-border/not-a-uuid?lang=en").status_code == 404


def test_the_order_page_is_for_the_agency_only(network):
    hub, order_id = network["hub"], orders(network)["delivered"]
    assert hub.browser("stranger").get(f"/agency/cross-border/{order_id}").status_code == 403
    response = hub.browser().get(f"/agency/cross-border/{order_id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
