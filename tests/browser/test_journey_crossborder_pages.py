"""A cross-border order through the sites' pages in real headless Chromium against the demo federation
(tests/browser/conftest.py), issue 13, section 5:

1. the origin broker at AT13 asks the hub for a consortium from the enquiry's page, in German (a wrong
   quantity first, answered beside the field), and sees "requested, waiting for the hub", then the parts;
2. the target broker at HU22, in Hungarian, finds the forwarded part in the inbox, is told beside the field
   that a decline needs a reason, accepts, and records two deliveries with impact figures typed in
   Hungarian number formats;
3. the origin broker sees the part delivered, the agreement in forints and euros, and the impact;
4. the demo's member at HU22 lands on its own organisation's parts and cannot open another's;
5. for a second order, the AT22 broker declines in German with a reason code and a note, and the origin
   broker reads why, and what is short.

Only the enquiry itself is filed through AT13's API (as its client would); everything else is done on
the pages. The expected texts come from the gettext catalogues. No page answers 5xx.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from babel.support import Translations

from tests.support.browser_flows import Api, organisation_id, shoot
from tests.support.browser_pages import CATALOGUES, error_of, log_in, url
from tests.support.polling import eventually

TITLE = "Browser test: 1.000 Taschen für die Messe"
QUANTITY = 1000


def tr(lang: str, msgid: str) -> str:
    """A site page's text in `lang`, from the sites' catalogue alone: the hub's words some of the same
    messages otherwise ("Delivered", "Impact"), and browser_pages.tr reads both."""
    text = Translations.load(str(CATALOGUES[0]), [lang]).gettext(msgid)
    assert text != msgid, f"{msgid!r} is not translated into {lang}"
    return text


def file_enquiry(demo, title: str, quantity: int) -> dict:
    """An enquiry of AT13's client that allows cross-border work, filed through AT13's API (its id and
    reference)."""
    api = Api(url(demo, "AT13"))
    enquiry = api.ok("POST", "/enquiries", json={
        "type": "csr_product", "title": title, "cpv_codes": ["18930000"], "quantity": str(quantity), "unit": "bags",
        "deadline": (date.today() + timedelta(days=45)).isoformat(), "client_kind": "economic_enterprise",
        "client_organisation_id": organisation_id(api, "Ringstraßen Modehaus GmbH"), "delivery": {"nuts3": "AT130"},
        "budget": str(20 * quantity), "cross_border_allowed": True, "submit": True})
    return {"id": enquiry["id"], "reference": enquiry["reference"]}


@pytest.fixture(scope="module")
def order(demo):
    """The order of tests 1 to 4; `state` carries what test 2 delivered."""
    return {**file_enquiry(demo, TITLE, QUANTITY), "state": {}}


def test_1_the_origin_broker_asks_for_a_consortium_in_german(demo, new_page, order):
    at13 = url(demo, "AT13")
    page = new_page(locale="de-AT")
    log_in(page, at13, "broker", "de")
    page.goto(f"{at13}/office/enquiries/{order['id']}?lang=de")
    form = page.locator("form", has=page.locator("#f-cb-quantity"))
    page.fill("#f-cb-quantity", "1,5")
    form.locator("button[type=submit]").click()
    assert tr("de", "Please enter a whole number.") in error_of(page, "cb-quantity")
    shoot(page, "at13-consortium-request-wrong-de")

    page.fill("#f-cb-quantity", "1.000")  # German grouping
    page.fill("#f-cb-max_partners", "2")
    page.fill("#f-cb-min_lot", "100")
    page.check("input[name=sites][value=HU22]")
    page.locator("form", has=page.locator("#f-cb-quantity")).locator("button[type=submit]").click()
    assert page.url.endswith(f"/office/enquiries/{order['id']}/consortium")
    main = page.locator("main").inner_text()
    assert tr("de", "The hub has been asked for a consortium. It answers within minutes.") in main
    shoot(page, "at13-consortium-requested-de")

    def parts_shown():
        page.reload()
        return page.locator("#parts").count() and "HU22" in page.locator("main").inner_text()
    assert eventually(parts_shown, timeout=60, interval=1), page.locator("main").inner_text()
    parts = page.locator("#parts ~ .table-wrap").first.inner_text()
    assert "Soproni Textil-Újrahasznosító Szövetkezet" in parts
    assert re.search(r"\d\s?HUF", parts) and "€" in parts, "prices in the part's currency and in EUR"
    assert tr("de", "Forwarded, waiting for the site's answer") in parts
    shoot(page, "at13-consortium-forwarded-de")


def test_2_the_target_broker_answers_and_delivers_in_hungarian(demo, new_page, order):
    hu22 = url(demo, "HU22")
    page = new_page(locale="hu-HU")
    log_in(page, hu22, "broker", "hu")
    page.goto(f"{hu22}/office/forwarded-parts?lang=hu")
    assert tr("hu", "Parts of cross-border orders") in page.locator("h1").inner_text()
    page.locator("tr", has_text=order["reference"]).locator("a").first.click()
    assert tr("hu", "Why the hub chose this social enterprise") in page.locator("main").inner_text()
    shoot(page, "hu22-forwarded-part-hu")

    page.locator("form", has=page.locator("#f-decline-reason")).locator("button[type=submit]").click()
    assert tr("hu", "This field is required.") in error_of(page, "decline-reason")
    page.fill("#f-accept-note", "Rendben, két szállításban")
    page.locator("form", has=page.locator("#f-accept-note")).locator("button[type=submit]").click()
    assert page.locator(".notice.success").inner_text() == tr("hu", "The part is accepted; the capacity is reserved.")

    quantity = int(page.input_value("#f-delivery-quantity"))
    first = quantity // 2
    page.fill("#f-delivery-quantity", str(first))
    page.locator("form", has=page.locator("#f-delivery-quantity")).locator("button[type=submit]").click()
    assert page.locator(".notice.success").inner_text() == tr("hu", "The delivery has been recorded.")
    page.fill("#f-delivery-quantity", f"{quantity - first:,}".replace(",", " "))  # "1 000": Hungarian grouping
    page.fill("#f-delivery-material_diverted_kg", "1 250,5")
    page.fill("#f-delivery-regional_share_percent", "70")
    page.fill("#f-delivery-integration_hours", "640,25")
    page.select_option("#f-delivery-production_nuts3", "HU221")
    page.locator("form", has=page.locator("#f-delivery-quantity")).locator("button[type=submit]").click()
    main = page.locator("main").inner_text()
    assert tr("hu", "Impact") in main and "1\xa0250,5 kg" in main and "70%" in main and "640,25" in main
    shoot(page, "hu22-forwarded-part-delivered-hu")
    parts = Api(hu22).ok("GET", "/forwarded-parts", params={"status": "delivered", "per_page": 100})["items"]
    assert order["reference"] in {p["enquiry_reference"] for p in parts}, "delivered in the site's own record"
    order["state"]["delivered"] = quantity


def test_3_the_origin_broker_sees_the_delivery_and_the_impact(demo, new_page, order):
    delivered = order["state"].get("delivered")
    assert delivered, "test 2 delivered the part"
    at13 = url(demo, "AT13")
    page = new_page(locale="de-AT")
    log_in(page, at13, "broker", "de")
    page.goto(f"{at13}/office/enquiries/{order['id']}/consortium?lang=de")

    def impact_shown():
        page.reload()
        return "1.250,5 kg" in page.locator("main").inner_text()  # the part's impact, in German format
    assert eventually(impact_shown, timeout=60, interval=1), page.locator("main").inner_text()
    progress = page.locator("#progress").inner_text()
    assert f"{delivered:,}".replace(",", ".") in progress and tr("de", "Missing") in progress
    agreement = page.locator("#agreement ~ .table-wrap").first.inner_text()
    assert "Soproni" in agreement and "HUF" in agreement and "€" in agreement, "the agreement in forints and euros"
    shoot(page, "at13-consortium-delivered-de")
    picture = Api(at13).ok("GET", f"/enquiries/{order['id']}/consortium")
    assert picture["delivered"] == delivered and picture["status"] == "delivered"


def test_4_a_members_office_is_its_own_organisations_parts(demo, new_page, order):
    """The demo's member at HU22 belongs to Győri Szociális Asztalosműhely: it lands on its home page after
    logging in, sees none of another social enterprise's forwarded parts, and cannot open one (404)."""
    hu22 = url(demo, "HU22")
    others = Api(hu22).ok("GET", "/forwarded-parts", params={"per_page": 100})["items"]
    soproni = next(p for p in others if p["enquiry_reference"] == order["reference"])
    page = new_page(locale="hu-HU")
    log_in(page, hu22, "member", "hu")
    assert page.url.split("?")[0].endswith("/office/member"), "a member's first office page is its home"
    page.goto(f"{hu22}/office/forwarded-parts?lang=hu")
    assert order["reference"] not in page.locator("main").inner_text()
    response = page.goto(f"{hu22}/office/forwarded-parts/{soproni['id']}?lang=hu")
    assert response.status == 404
    assert page.goto(f"{hu22}/office/enquiries?lang=hu").status == 403, "the brokers' board is not a member's"
    shoot(page, "hu22-member-forwarded-parts-hu")


@pytest.fixture(scope="module")
def declined_order(demo):
    """The order of test 5, which the origin broker passes to the hub for AT22's social enterprises only."""
    return file_enquiry(demo, "Browser test: 300 Taschen aus Graz", 300)


def test_5_a_target_broker_declines_in_german_and_the_origin_reads_why(demo, new_page, declined_order):
    at13, at22 = url(demo, "AT13"), url(demo, "AT22")
    origin = new_page(locale="de-AT")
    log_in(origin, at13, "broker", "de")
    origin.goto(f"{at13}/office/enquiries/{declined_order['id']}?lang=de")
    origin.check("input[name=sites][value=AT22]")
    origin.locator("form", has=origin.locator("#f-cb-quantity")).locator("button[type=submit]").click()

    target = new_page(locale="de-AT")
    log_in(target, at22, "broker", "de")

    def forwarded():
        target.goto(f"{at22}/office/forwarded-parts?status=pending&lang=de")
        return target.locator("tr", has_text=declined_order["reference"]).count()
    assert eventually(forwarded, timeout=60, interval=1), target.locator("main").inner_text()
    target.locator("tr", has_text=declined_order["reference"]).locator("a").first.click()
    target.select_option("#f-decline-reason", "price_too_low")
    target.fill("#f-decline-note", "Planenmaterial ist teurer geworden")
    target.locator("form", has=target.locator("#f-decline-reason")).locator("button[type=submit]").click()
    assert target.locator(".notice.success").inner_text() == tr(
        "de", "The part is declined; the hub looks for another social enterprise.")
    assert tr("de", "The price does not cover the costs.") in target.locator("main").inner_text()
    shoot(target, "at22-forwarded-part-declined-de")

    def decline_seen():
        origin.goto(f"{at13}/office/enquiries/{declined_order['id']}/consortium?lang=de")
        return "Planenmaterial ist teurer geworden" in origin.locator("main").inner_text()
    assert eventually(decline_seen, timeout=60, interval=1), origin.locator("main").inner_text()
    main = origin.locator("main").inner_text()
    assert tr("de", "The price does not cover the costs.") in main, "the decline's reason, worded at the origin"
    assert origin.locator("#shortfalls").count(), "what no other social enterprise of AT22 can take"
    shoot(origin, "at13-consortium-declined-de")
