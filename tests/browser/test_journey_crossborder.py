"""A cross-border order from request to delivered impact, done by brokers in real headless Chromium
against the demo federation (tests/browser/conftest.py), only through the pages:

1. the AT13 broker, in German, asks the hub for a consortium from the enquiry's page and sees its parts
   at HU22 and AT12, each with the reason for its share in German;
2. the HU22 broker, in Hungarian, declines one of HU22's two parts with a reason and accepts the other;
   the hub re-allocates the declined part to a second AT12 social enterprise, and the AT12 broker, in
   German, accepts both AT12 parts;
3. the AT13 broker sees the consortium agreed, the agreement with the client (prices in the part's
   currency and in EUR) and the enquiry "Vereinbart";
4. the target brokers start production (the origin's enquiry goes "In Produktion") and record partial
   and final deliveries with impact figures typed in their language's number format ("1 200,5" in
   Hungarian, "1.250,75" in German); a delivery above what is open is refused beside the field;
5. the AT13 broker sees the enquiry delivered and the consortium's impact summed; the agency, in
   English, reads the order's timeline: both allocation rounds, the answers and the deliveries.

The demo's seed (services/demo/data.py) makes the split certain: only HU22 and AT12 make wooden toys
(CPV group 375), and with four weeks of production none makes the 1,800 ordered. The cheapest delivered
costs are Sopron (600, its whole capacity), Kőszeg (600, its whole capacity), Zwettl (600 of 800); when
Kőszeg declines, Hollabrunn (AT12) is the one left. The steps build on one another, in this order; the
people keep their sessions (one browser context each) for the whole module. Screenshots go to
test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

import pytest

from tests.support.browser_crossborder import flat, main_text, reload_until, rows, rows_with, site_tr, wording
from tests.support.browser_flows import shoot
from tests.support.browser_pages import error_of, log_in, url

TITLE = "1.800 Holzspielzeuge für die Weihnachtsaktion"  # seeded at AT13, cross-border allowed, not passed on
SOPRON = "Soproni Fajátékkészítő Műhely Nonprofit Kft."  # HU22, 1,200 HUF a piece
KOSZEG = "Kőszegi Játékmanufaktúra Szociális Szövetkezet"  # HU22, 1,300 HUF: declines
ZWETTL = "Waldviertler Spielzeugwerkstatt"  # AT12, 3.60 EUR
HOLLABRUNN = "Weinviertler Werkstätte Hollabrunn"  # AT12, 3.90 EUR: takes what Kőszeg declined
HU22_NAME, AT12_NAME = "Nyugat-Dunántúl (HU22)", "Niederösterreich (AT12)"

PARTS_TABLE = "#parts + .table-wrap table"
AGREEMENT_TABLE = "#agreement ~ .table-wrap table"  # after the line saying when it was made
# The reasons' English source texts (services/contracts/reason_texts.py): the pages must show their translation.
WHOLE_CAPACITY = ("%(unit_cost_eur)s EUR per delivered unit, number %(rank)s of %(eligible)s candidates by delivered "
                  "cost; delivers its whole capacity of %(capacity)s units before the deadline.")
REST_OF_ORDER = ("%(unit_cost_eur)s EUR per delivered unit, number %(rank)s of %(eligible)s candidates by delivered "
                 "cost; delivers %(quantity)s of its %(capacity)s units, what the order still needs after cheaper "
                 "partners.")
CODES = ("whole_capacity", "rest_of_order", "minimum_lot", "deadline_too_short", "unit_cost_eur", "in_production")


@pytest.fixture(scope="module")
def people(demo, browser):
    """The four people of the story, each logged in once in a browser context of their own (their own
    cookies), in their language: every 5xx any of their pages receives is collected in `errors`."""
    errors: list[str] = []
    contexts, pages = [], {}
    for who, site, username, lang, locale in (("AT13", "AT13", "broker", "de", "de-AT"),
                                              ("HU22", "HU22", "broker", "hu", "hu-HU"),
                                              ("AT12", "AT12", "broker", "de", "de-AT"),
                                              ("agency", "EU", "agency", "en", "en-GB")):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("response", lambda r: errors.append(f"{r.status} {r.request.method} {r.url}")
                if r.status >= 500 else None)
        log_in(page, url(demo, site), username, lang)
        pages[who] = page
    yield {**pages, "errors": errors}
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def no_server_errors(people):
    yield
    assert not people["errors"], f"server errors: {people['errors']}"


@pytest.fixture(scope="module")
def story() -> dict:
    """What the steps pass on: the enquiry's reference and the pages' addresses."""
    return {}


def part_row(page, name: str, table: str = PARTS_TABLE) -> list[str]:
    found = rows_with(page, name, table)
    assert len(found) == 1, (name, rows(page, table))
    return found[0]


def in_order(steps: list[str], expected: list[str]) -> None:
    """Each of `expected` begins one of `steps`, in this order (other steps may come between)."""
    at = 0
    for text in expected:
        found = next((i for i in range(at, len(steps)) if steps[i].startswith(text)), None)
        assert found is not None, (text, steps[at:])
        at = found + 1


def no_codes(text: str) -> None:
    shown = [code for code in CODES if code in text]
    assert not shown, f"code identifiers on the page: {shown}"


# --- 1. the AT13 broker asks for a consortium, in German ---------------------------------------------

def test_1_the_at13_broker_asks_for_a_consortium_and_sees_its_parts_in_german(demo, people, story):
    page, at13 = people["AT13"], url(demo, "AT13")
    page.goto(f"{at13}/office/enquiries?lang=de")
    page.locator("main li", has_text=TITLE).locator("a").first.click()
    story["enquiry"] = page.url.split("?")[0]
    reference = re.search(r"AT13-E-\d{4}-\d{4}", main_text(page))
    assert reference, main_text(page)
    story["reference"] = reference.group(0)
    assert site_tr("de", "Cross-border consortium") in main_text(page)
    # Looking at the enquiry passes nothing to the hub: the broker chooses the consortium's terms.
    page.reload()
    assert page.locator("#f-cb-quantity").count() == 1, \
        f"the request form is gone after viewing the page once: {flat(page.locator('#consortium ~ p').first.inner_text())}"
    request = page.locator("form:has(#f-cb-quantity)")

    # A minimum lot that is no number: the form comes back with the message beside the field, in German.
    page.fill("#f-cb-quantity", "1.800")  # the German grouping
    page.fill("#f-cb-max_partners", "4")
    page.fill("#f-cb-min_lot", "zweihundert")
    request.locator("input[name=sites][value=HU22]").check()
    request.locator("input[name=sites][value=AT12]").check()
    request.locator("button[type=submit]").click()
    assert page.locator("#f-cb-min_lot-error").count() == 1, main_text(page)[:2000]
    assert site_tr("de", "Please enter a whole number.") in error_of(page, "cb-min_lot")
    assert page.input_value("#f-cb-quantity") == "1.800", "the form keeps what was typed"
    assert page.locator("input[name=sites][value=HU22]").is_checked()
    shoot(page, "crossborder-1-request-wrong-de")

    page.fill("#f-cb-min_lot", "200")
    page.locator("form:has(#f-cb-quantity) button[type=submit]").click()
    assert page.locator(".notice.success").inner_text() == site_tr(
        "de", "The hub has been asked for a consortium. It answers within minutes.")
    story["consortium"] = page.url.split("?")[0]
    assert story["consortium"].endswith("/consortium"), page.url

    def three_parts(p):
        return len(rows(p, PARTS_TABLE)) == 3
    reload_until(page, f"{story['consortium']}?lang=de", three_parts)
    shoot(page, "crossborder-1-consortium-forwarded-de")
    assert page.locator("main .tag").first.inner_text() == site_tr("de", "Forwarded to the sites")
    sites = sorted(row[0] for row in rows(page, PARTS_TABLE))
    assert sites == sorted([HU22_NAME, HU22_NAME, AT12_NAME]), sites

    whole, rest = wording("de", WHOLE_CAPACITY), wording("de", REST_OF_ORDER)
    awaiting = site_tr("de", "Forwarded, waiting for the site's answer")
    sopron, koszeg, zwettl = (part_row(page, name) for name in (SOPRON, KOSZEG, ZWETTL))
    # site, SE, quantity, delivered, unit price, unit price in EUR, status, why this share
    assert sopron[2:6] == ["600", "0", "1.200 HUF", "3,05 €"] and sopron[6] == awaiting, sopron
    assert koszeg[2:6] == ["600", "0", "1.300 HUF", "3,30 €"] and koszeg[6] == awaiting, koszeg
    assert zwettl[2:6] == ["600", "0", "3,60 €", "3,60 €"] and zwettl[6] == awaiting, zwettl
    first, second, third = whole.fullmatch(sopron[7]), whole.fullmatch(koszeg[7]), rest.fullmatch(zwettl[7])
    assert first and (first["rank"], first["eligible"], first["capacity"]) == ("1", "4", "600"), sopron[7]
    assert second and (second["rank"], second["capacity"]) == ("2", "600"), koszeg[7]
    assert third and (third["rank"], third["quantity"], third["capacity"]) == ("3", "600", "800"), zwettl[7]
    assert re.fullmatch(r"3,\d+", first["unit_cost_eur"]), "the cost per unit in German notation"
    no_codes(main_text(page))
    assert "per delivered unit" not in main_text(page), "no English on the German page"


# --- 2. HU22 declines one part and accepts the other (Hungarian); AT12 accepts its two (German) ------

def test_2_hu22_declines_one_part_in_hungarian_and_at12_accepts_its_parts_in_german(demo, people, story):
    reference = story["reference"]
    page, hu22 = people["HU22"], url(demo, "HU22")
    inbox = f"{hu22}/office/forwarded-parts?lang=hu"
    reload_until(page, inbox, lambda p: len(rows_with(p, reference)) == 2)
    shoot(page, "crossborder-2-hu22-inbox-hu")
    assert page.locator("main h1").inner_text() == site_tr("hu", "Parts of cross-border orders")
    # order, social enterprise, quantity, unit price, needed by, status
    by_name = {row[1]: row for row in rows_with(page, reference)}
    assert set(by_name) == {SOPRON, KOSZEG}, by_name
    assert by_name[SOPRON][3] == "1 200 Ft" and by_name[KOSZEG][3] == "1 300 Ft", by_name
    assert {row[5] for row in by_name.values()} == {site_tr("hu", "Awaiting an answer")}

    page.locator("main tr", has_text=reference).filter(has_text=KOSZEG).locator("a").first.click()
    story["koszeg"] = page.url.split("?")[0]
    why = wording("hu", WHOLE_CAPACITY).search(main_text(page))
    assert why and (why["rank"], why["capacity"]) == ("2", "600"), main_text(page)
    decline = page.locator("form:has(#f-decline-reason)")
    decline.locator("button[type=submit]").click()  # a decline needs a reason
    assert flat(error_of(page, "decline-reason")).endswith(site_tr("hu", "This field is required.")), \
        error_of(page, "decline-reason")
    shoot(page, "crossborder-2-hu22-decline-without-reason-hu")
    page.select_option("#f-decline-reason", "deadline_too_short")
    page.fill("#f-decline-note", "Decemberben leltár miatt zárva vagyunk.")
    page.locator("form:has(#f-decline-reason) button[type=submit]").click()
    assert page.locator(".notice.success").inner_text() == site_tr(
        "hu", "The part is declined; the hub looks for another social enterprise.")
    assert page.locator("main .tag").first.inner_text() == site_tr("hu", "Declined")
    assert site_tr("hu", "The deadline is too short.") in main_text(page)
    shoot(page, "crossborder-2-hu22-declined-hu")

    page.goto(inbox)
    page.locator("main tr", has_text=reference).filter(has_text=SOPRON).locator("a").first.click()
    story["sopron"] = page.url.split("?")[0]
    page.fill("#f-accept-note", "Vállaljuk, a kockák már készülnek.")
    page.locator("form:has(#f-accept-note) button[type=submit]").click()
    assert page.locator(".notice.success").inner_text() == site_tr("hu", "The part is accepted; the capacity is reserved.")
    assert page.locator("main .tag").first.inner_text() == site_tr("hu", "Accepted")

    # AT12: Zwettl's part, and Hollabrunn's once the hub has re-allocated what Kőszeg declined.
    page, at12 = people["AT12"], url(demo, "AT12")
    inbox = f"{at12}/office/forwarded-parts?lang=de"
    reload_until(page, inbox, lambda p: len(rows_with(p, reference)) == 2)
    shoot(page, "crossborder-2-at12-inbox-de")
    assert {row[1] for row in rows_with(page, reference)} == {ZWETTL, HOLLABRUNN}
    for name in (ZWETTL, HOLLABRUNN):
        page.goto(inbox)
        page.locator("main tr", has_text=reference).filter(has_text=name).locator("a").first.click()
        story[name] = page.url.split("?")[0]
        page.locator("form:has(#f-accept-note) button[type=submit]").click()
        assert page.locator(".notice.success").inner_text() == site_tr(
            "de", "The part is accepted; the capacity is reserved.")
        assert page.locator("main .tag").first.inner_text() == site_tr("de", "Accepted")
    shoot(page, "crossborder-2-at12-accepted-de")


# --- 3. AT13 sees the consortium agreed, the agreement and the enquiry "Vereinbart" ------------------

def test_3_the_at13_broker_sees_the_consortium_agreed_and_the_agreement_in_german(demo, people, story):
    page = people["AT13"]
    agreed = site_tr("de", "Agreed")
    reload_until(page, f"{story['consortium']}?lang=de",
                 lambda p: p.locator("main .tag").first.inner_text() == agreed)
    shoot(page, "crossborder-3-consortium-agreed-de")
    koszeg, hollabrunn = part_row(page, KOSZEG), part_row(page, HOLLABRUNN)
    assert site_tr("de", "Declined") in koszeg[6] and site_tr("de", "The deadline is too short.") in koszeg[6], koszeg
    assert "Decemberben leltár miatt zárva vagyunk." in koszeg[6], "the HU22 broker's note, as typed"
    again = wording("de", REST_OF_ORDER).fullmatch(hollabrunn[7])
    assert again and (again["rank"], again["eligible"], again["quantity"]) == ("1", "1", "600"), hollabrunn
    assert hollabrunn[2:6] == ["600", "0", "3,90 €", "3,90 €"], hollabrunn
    no_codes(main_text(page))

    # site, SE, quantity, price (and per unit), price in EUR, status
    lines = {row[1]: row for row in rows(page, AGREEMENT_TABLE)}
    assert set(lines) == {SOPRON, ZWETTL, HOLLABRUNN}, lines
    per_unit = site_tr("de", "%(price)s per unit", price="1.200 HUF")
    assert lines[SOPRON][2:5] == [f"600 {site_tr('de', 'pieces')}", f"720.000 HUF {per_unit}", "1.828,80 €"], lines[SOPRON]
    assert lines[ZWETTL][3:5] == [f"2.160,00 € {site_tr('de', '%(price)s per unit', price='3,60 €')}", "2.160,00 €"]
    assert lines[HOLLABRUNN][4] == "2.340,00 €", lines[HOLLABRUNN]
    total = flat(page.locator(f"{AGREEMENT_TABLE} tfoot").inner_text())
    assert total == f"{site_tr('de', 'Total')} 6.328,80 €", total

    page.goto(f"{story['enquiry']}?lang=de")
    assert page.locator("main .tag").first.inner_text() == agreed
    assert site_tr("de", "The hub reports the consortium agreed: every part is accepted.") in main_text(page)
    shoot(page, "crossborder-3-enquiry-agreed-de")


# --- 4. production and deliveries, figures typed the local way ---------------------------------------

def deliver(page, part: str, lang: str, quantity: str, figures: dict[str, str] | None = None) -> None:
    """Record a delivery on the part's page; `figures` by the delivery form's field names."""
    page.goto(f"{part}?lang={lang}")
    page.fill("#f-delivery-quantity", quantity)
    for name, value in (figures or {}).items():
        if name == "production_nuts3":
            page.select_option("#f-delivery-production_nuts3", value)
        else:
            page.fill(f"#f-delivery-{name}", value)
    page.locator("form:has(#f-delivery-quantity) button[type=submit]").click()
    assert page.locator(".notice.success").inner_text() == site_tr(lang, "The delivery has been recorded."), \
        main_text(page)[:2000]


def start(page, part: str, lang: str) -> None:
    page.goto(f"{part}?lang={lang}")
    page.get_by_role("button", name=site_tr(lang, "Start production"), exact=True).click()
    assert page.locator(".notice.success").inner_text() == site_tr(lang, "Production has started.")
    assert page.locator("main .tag").first.inner_text() == site_tr(lang, "In production")


def test_4_the_target_brokers_record_production_and_deliveries_in_their_number_format(demo, people, story):
    page = people["HU22"]
    start(page, story["sopron"], "hu")
    # The first part in production takes the origin's enquiry there.
    in_production = site_tr("de", "In production")
    reload_until(people["AT13"], f"{story['enquiry']}?lang=de",
                 lambda p: p.locator("main .tag").first.inner_text() == in_production)
    assert site_tr("de", "A part of the consortium is in production.") in main_text(people["AT13"])
    deliver(page, story["sopron"], "hu", "250")
    assert flat(site_tr("hu", "%(delivered)s of %(quantity)s %(unit)s delivered.", delivered="250", quantity="600",
                   unit=site_tr("hu", "pieces"))) in main_text(page)
    # More than is still open: refused beside the field, in Hungarian, and nothing is recorded.
    page.fill("#f-delivery-quantity", "400")
    page.locator("form:has(#f-delivery-quantity) button[type=submit]").click()
    assert flat(site_tr("hu", "Please enter at most the %(open)s units still open.", open="350")) in \
        flat(error_of(page, "delivery-quantity"))
    shoot(page, "crossborder-4-hu22-too-much-hu")
    deliver(page, story["sopron"], "hu", "350", {"material_diverted_kg": "1 200,5", "regional_share_percent": "72,5",
                                                 "integration_hours": "310,5", "distance_km": "61",
                                                 "production_nuts3": "HU221"})
    assert page.locator("main .tag").first.inner_text() == site_tr("hu", "Delivered")
    impact = main_text(page)
    assert "1 200,5 kg" in impact and "310,5" in impact, impact
    shoot(page, "crossborder-4-hu22-delivered-hu")

    page = people["AT12"]
    start(page, story[ZWETTL], "de")
    deliver(page, story[ZWETTL], "de", "300")
    deliver(page, story[ZWETTL], "de", "300", {"material_diverted_kg": "1.250,75", "regional_share_percent": "80",
                                               "integration_hours": "420", "distance_km": "99",
                                               "production_nuts3": "AT124"})
    assert "1.250,75 kg" in main_text(page), main_text(page)
    shoot(page, "crossborder-4-at12-delivered-de")
    start(page, story[HOLLABRUNN], "de")
    deliver(page, story[HOLLABRUNN], "de", "600", {"material_diverted_kg": "500", "regional_share_percent": "90",
                                                   "integration_hours": "180,5", "distance_km": "44",
                                                   "production_nuts3": "AT125"})
    assert page.locator("main .tag").first.inner_text() == site_tr("de", "Delivered")


# --- 5. AT13 sees the order delivered with its impact; the agency reads the timeline ----------------

def test_5_at13_sees_the_impact_and_the_agency_reads_the_timeline_in_english(demo, people, story):
    page = people["AT13"]
    delivered = site_tr("de", "Delivered")
    reload_until(page, f"{story['consortium']}?lang=de",
                 lambda p: p.locator("main .tag").first.inner_text() == delivered)
    shoot(page, "crossborder-5-consortium-delivered-de")
    figures = flat(page.locator("#progress").inner_text())
    assert f"1.800 {site_tr('de', 'Delivered')}" in figures, figures
    # The consortium's impact, summed over the three parts' figures as their sites recorded them:
    # 720,000 HUF (1,828.80 EUR) + 2,160 + 2,340 EUR paid; 1,200.5 + 1,250.75 + 500 kg; 310.5 + 420 + 180.5 h;
    # shares of 72.5, 80 and 90 % and 61, 99 and 44 km, each for 600 pieces.
    impact = flat(page.locator("#impact + .figures").inner_text())
    for number, label in (("6.328,80 €", "Value paid"), ("2.951,25 kg", "Material kept from waste"),
                          ("911", "Hours of people in integration"),
                          ("80,8 %", "Regional share (weighted by quantity)"),
                          ("68 km", "Distance (weighted by quantity)")):
        assert f"{number} {site_tr('de', label)}" in impact, (number, label, impact)
    page.goto(f"{story['enquiry']}?lang=de")
    assert page.locator("main .tag").first.inner_text() == delivered
    assert site_tr("de", "Every part of the consortium is delivered.") in main_text(page)
    shoot(page, "crossborder-5-enquiry-delivered-de")

    page, hub = people["agency"], url(demo, "EU")
    page.goto(f"{hub}/agency/cross-border?lang=en")
    page.locator("main section.order", has_text=story["reference"]).get_by_role(
        "link", name="Timeline of the order").click()
    page.locator("#timeline tbody tr").first.wait_for()  # the click starts loading it; rows() does not wait
    steps = [" ".join(row[1:]) for row in rows(page, "#timeline")]
    shoot(page, "crossborder-5-agency-timeline-en")
    # Sites answer and deliver in parallel: each part's own steps, and the order's, come in this order.
    requested = ["AT13 asked for a consortium of 1,800 units.",
                 "Allocation: 1,800 of 1,800 units allocated, 0 missing.",
                 f"A part of 600 units forwarded to {KOSZEG} (HU22).",
                 f"{KOSZEG} (HU22) declined its part of 600 units. The deadline is too short. "
                 "Note: Decemberben leltár miatt zárva vagyunk.",
                 "Re-allocation after a decline: 600 of 600 units allocated, 0 missing.",
                 f"A part of 600 units forwarded to {HOLLABRUNN} (AT12).",
                 f"{HOLLABRUNN} (AT12) accepted its part of 600 units.",
                 "The consortium is agreed: every part accepted, together the whole order.",
                 f"{HOLLABRUNN} (AT12) started production.",
                 f"{HOLLABRUNN} (AT12) delivered 600 units on",
                 "The order is delivered: 1,800 units."]
    sopron = [f"A part of 600 units forwarded to {SOPRON} (HU22).",
              f"{SOPRON} (HU22) accepted its part of 600 units.",
              "The consortium is agreed: every part accepted, together the whole order.",
              f"{SOPRON} (HU22) started production.",
              f"{SOPRON} (HU22) delivered 250 units on",
              f"{SOPRON} (HU22) delivered 350 units on",
              "The order is delivered: 1,800 units."]
    zwettl = [f"{ZWETTL} (AT12) accepted its part of 600 units.",
              "The consortium is agreed: every part accepted, together the whole order.",
              f"{ZWETTL} (AT12) started production.",
              f"{ZWETTL} (AT12) delivered 300 units on",
              f"{ZWETTL} (AT12) delivered 300 units on",
              "The order is delivered: 1,800 units."]
    for chain in (requested, sopron, zwettl):
        in_order(steps, chain)
    assert sum(step.startswith("Allocation") or step.startswith("Re-allocation") for step in steps) == 2, steps
    # site, SE, quantity, delivered, unit price, in EUR, status (with a decline's reason), why this part
    parts = {row[1]: row for row in rows(page, "main table.parts")}
    assert parts[SOPRON][3:6] == ["600", "HUF1,200", "€3.05"], parts[SOPRON]
    assert parts[SOPRON][6] == "Delivered Note: Vállaljuk, a kockák már készülnek.", parts[SOPRON]
    assert parts[KOSZEG][3] == "0" and parts[KOSZEG][6].startswith("Declined The deadline is too short."), parts[KOSZEG]
    assert [parts[name][3] for name in (ZWETTL, HOLLABRUNN)] == ["600", "600"], parts
    assert flat(page.locator("#order-impact").inner_text()).startswith("€6,328.80 paid to social enterprises")
    no_codes(main_text(page))
