"""An enquiry's journey in real headless Chromium against the demo federation (tests/browser/conftest.py):

1. a company files an enquiry in German at AT12;
2. a broker logs in and moves it forward;
5. the agency dashboard shows the new enquiry and the charts.

The steps build on one another, in this order (one enquiry for the module, `german_enquiry`). A form
submitted empty or with wrong values shows its field errors in German (the expected texts come from the
gettext catalogues, and must differ from the English source), and no page answers 5xx. Screenshots go
to test-artifacts/screenshots/.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from babel.numbers import format_decimal

from services.demo.data import DELIVERED
from tests.support.browser_flows import Api, shoot
from tests.support.browser_pages import error_of, field_errors, log_in, tr, url
from tests.support.polling import eventually

ENQUIRY_TITLE = "Catering für das Sommerfest (120 Gäste)"


# --- 1. a company files an enquiry in German at AT12 -------------------------------------------------

@pytest.fixture(scope="module")
def german_enquiry(demo, browser):
    """The reference of the enquiry a company files through AT12's German form (test 1 checks the form)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-AT")
    context.set_default_timeout(10_000)
    page = context.new_page()
    seen = {}
    page.on("response", lambda r: seen.setdefault("5xx", []).append(r.url) if r.status >= 500 else None)
    at12 = url(demo, "AT12")

    page.goto(f"{at12}/enquire?lang=de")
    assert page.locator("html").get_attribute("lang") == "de"
    shoot(page, "at12-enquire-de")

    page.locator("main form button[type=submit]").click()  # empty
    empty = field_errors(page)
    shoot(page, "at12-enquire-empty-de")

    page.fill("#f-organisation", "Weinviertler Feinkost GmbH")
    page.check("input[name=client_kind][value=economic_enterprise]")
    page.fill("#f-contact-name", "Petra Leitner")
    page.fill("#f-contact-email", "p.leitner@example.at")
    page.select_option("#f-type", "service")
    page.fill("#f-title", ENQUIRY_TITLE)
    page.fill("#f-quantity", "hundertzwanzig")
    page.fill("#f-unit", "Portionen")
    page.fill("#f-deadline", (date.today() - timedelta(days=1)).isoformat())  # a date input takes only dates
    page.locator("main form button[type=submit]").click()  # a quantity that is no number
    wrong = {"quantity": error_of(page, "quantity")}
    kept = page.input_value("#f-title")
    shoot(page, "at12-enquire-wrong-de")
    page.fill("#f-quantity", "120")
    page.locator("main form button[type=submit]").click()  # the deadline in the past (the domain's rule)
    wrong["deadline"] = error_of(page, "deadline")

    page.fill("#f-deadline", (date.today() + timedelta(days=45)).isoformat())
    page.fill("#f-budget", "2400")
    page.select_option("#f-cpv_codes", "55000000")
    page.select_option("#f-delivery-nuts3", "AT125")
    page.locator("main form button[type=submit]").click()
    notice = page.locator(".notice.success").inner_text()
    shoot(page, "at12-enquire-thanks-de")
    context.close()
    reference = re.search(r"AT12-E-\d{4}-\d{4}", notice)
    return {"empty": empty, "wrong": wrong, "kept": kept, "notice": notice,
            "reference": reference.group(0) if reference else None, "server_errors": seen.get("5xx", [])}


def test_1_a_company_files_an_enquiry_in_german_at_at12(german_enquiry):
    # the schema's messages and, in the same round, the domain's: a first contact needs an e-mail or phone
    german = {tr("de", "This field is required."), tr("de", "Please choose one of the options."),
              tr("de", "Please give your name and an e-mail address or phone number.")}
    empty = german_enquiry["empty"]
    assert {"organisation", "client_kind", "type", "title"} <= set(empty), empty
    assert all(text.replace(tr("de", "Error:"), "").strip() in german for text in empty.values()), empty
    assert tr("de", "Please give your name and an e-mail address or phone number.") in empty["contact-email"], empty
    assert tr("de", "Please enter a number.") in german_enquiry["wrong"]["quantity"]
    assert tr("de", "The date must not be in the past.") in german_enquiry["wrong"]["deadline"]
    assert german_enquiry["kept"] == ENQUIRY_TITLE, "the form keeps what was typed"
    assert german_enquiry["reference"], german_enquiry["notice"]
    assert german_enquiry["notice"] == tr("de", "Your enquiry has the reference %(reference)s.",
                                          reference=german_enquiry["reference"])
    assert not german_enquiry["server_errors"]


# --- 2. a broker logs in and moves it forward --------------------------------------------------------

def test_2_a_broker_logs_in_and_moves_it_forward(demo, new_page, german_enquiry):
    reference = german_enquiry["reference"]
    assert reference
    page = new_page()
    log_in(page, url(demo, "AT12"), "broker", "de")
    page.goto(f"{url(demo, 'AT12')}/office/enquiries?lang=de")
    submitted = page.locator("#col-submitted").locator("xpath=..")
    assert reference in submitted.inner_text(), "the new enquiry waits in the submitted column"
    shoot(page, "at12-board-de")

    page.locator("li", has_text=reference).locator("a").click()
    move = page.locator("form:has(button[name=to])")  # the page has several forms; this one moves the enquiry
    move.locator("input[name=reason]").fill("Erstberatung am Telefon vereinbart")
    assert reference in page.locator("main").inner_text()
    move.locator("button[name=to][value=in_consultation]").click()
    flash = page.locator(".notice.success").inner_text()
    assert flash == tr("de", "The enquiry is now: %(state)s.", state=tr("de", "In consultation"))
    assert "Erstberatung am Telefon vereinbart" in page.locator("main").inner_text(), "the audit trail keeps the reason"
    shoot(page, "at12-enquiry-moved-de")

    enquiries = Api(url(demo, "AT12")).ok("GET", "/enquiries", params={"state": "in_consultation"})["items"]
    assert reference in {e["reference"] for e in enquiries}, "moved in the site's own record"

    # What the company typed leaves the site only as the broker approves it (test 5 finds it at the hub).
    public = page.locator("#public-text ~ form").first  # its fields are prefixed: the page has several forms
    public.locator("input[name=title]").fill(ENQUIRY_TITLE)
    public.locator("button[type=submit]").click()
    assert page.locator(".notice.success").inner_text() == tr("de", "The public version has been approved.")
    shoot(page, "at12-enquiry-public-version-de")


# --- 5. the agency dashboard shows the new enquiry and the charts ------------------------------------


def test_5_the_agency_dashboard_shows_the_new_enquiry_and_the_charts(demo, new_page, german_enquiry, delivered):
    hub = url(demo, "EU")
    reference = german_enquiry["reference"]
    assert reference
    analyst = Api(hub, "analyst")

    # The demo delivers agreements of its own (services/demo/data.DELIVERED); wait for those and this test's.
    expected = {site: len(DELIVERED.get(site, [])) + 1 for site in ("AT12", "HU22")}

    def impact_at_hub():
        body = analyst.ok("GET", "/impact")
        sites = {s["site"]: s for s in body["sites"]}
        return sites if all(sites[site]["records"] >= n for site, n in expected.items()) else None

    sites = eventually(impact_at_hub)
    assert sites, "both deliveries reached the hub"

    page = new_page()
    log_in(page, hub, "analyst", "de")

    def overview_lists_the_enquiry():
        page.goto(f"{hub}/agency/?lang=de")
        return reference in page.locator("#latest-enquiries").inner_text()

    assert eventually(overview_lists_the_enquiry), "the German enquiry reached the dashboard"
    row = page.locator("#latest-enquiries tr", has_text=reference).inner_text()
    assert ENQUIRY_TITLE in row, "with the public version the broker approved in test 2"
    assert tr("de", "In consultation") in row, "with the state the broker moved it to"

    economic = page.locator("#chart-economic svg")
    assert economic.get_attribute("aria-label") == tr("de", "Economic: value paid to social enterprises")
    svg_text = economic.text_content()
    for site in ("AT12", "HU22"):
        paid = Decimal(sites[site]["economic"]["value_paid_eur"])
        assert format_decimal(paid, format="#,##0", locale="de") in svg_text, (site, paid, svg_text)
    assert all(site in svg_text for site in ("AT11", "AT12", "AT13", "AT22", "HU22")), "a legend entry per site"
    assert page.locator(".charts svg").count() == 4, "one chart per dimension"
    shoot(page, "hub-agency-overview-de")

    page.goto(f"{hub}/agency/enquiries?lang=de&site=AT12&state=in_consultation")
    assert reference in page.locator("main table").inner_text()
    page.goto(f"{hub}/agency/enquiries?lang=de&year=letztes&site=XX")  # wrong filter values
    assert tr("de", "Please enter a whole number.") in error_of(page, "year")
    assert tr("de", "Please choose one of the sites.") in error_of(page, "site")
    shoot(page, "hub-agency-enquiries-wrong-de")
