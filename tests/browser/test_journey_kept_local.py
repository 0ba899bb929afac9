"""An enquiry whose client did not allow cross-border work, in real headless Chromium (issue 13, the badge):

AT13 cannot make 5,000 wooden toys alone (only HU22 and AT12 make them), and the client (a Viennese
fashion house) wants suppliers
from its own country only. The broker's page (German) says so and offers no consortium; the enquiry is
never shown as "flagged for cross-border matching", neither at the site nor on the agency's pages
(English), although its shortlist falls short.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support.browser_flows import Api, organisation_id, shoot
from tests.support.browser_pages import log_in, tr, url
from tests.support.polling import eventually

TOYS = "37520000"


@pytest.fixture(scope="module")
def kept_local(demo) -> dict:
    """The enquiry, filed and moved to matching through AT13's API; its shortlist asked for once."""
    api = Api(url(demo, "AT13"))
    enquiry = api.ok("POST", "/enquiries", json={
        "type": "csr_product", "title": "5.000 Holzspielzeuge, nur aus Österreich", "cpv_codes": [TOYS],
        "quantity": "5000", "unit": "pieces", "deadline": (date.today() + timedelta(days=35)).isoformat(),
        "client_kind": "economic_enterprise", "client_organisation_id": organisation_id(api, "Ringstraßen Modehaus"),
        "delivery": {"nuts3": "AT130"}, "cross_border_allowed": False,
        "submit": True})
    for state in ("in_consultation", "matching"):
        api.ok("POST", f"/enquiries/{enquiry['id']}/transitions", json={"to": state, "reason": "browser test"})
    shortlist = api.ok("GET", f"/enquiries/{enquiry['id']}/shortlist")
    assert shortlist["shortlist"]["cross_border_needed"] and not shortlist["cross_border_flagged"], shortlist
    return enquiry


def test_the_site_says_the_client_keeps_it_local_and_shows_no_flag(demo, browser, kept_local):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, url(demo, "AT13"), "broker", "de")
    page.goto(f"{url(demo, 'AT13')}/office/enquiries/{kept_local['id']}?lang=de")
    text = page.locator("main").inner_text()
    shoot(page, "at13-kept-local-de")
    assert tr("de", "This site alone cannot cover the quantity, and the client did not allow suppliers from other "
                    "countries.") in text
    assert tr("de", "flagged for cross-border matching") not in text
    assert page.locator("#f-cb-quantity").count() == 0, "no consortium can be asked for"
    context.close()


def test_the_agency_does_not_count_it_as_flagged(demo, browser, kept_local):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hub = url(demo, "EU")
    log_in(page, hub, "agency", "en")
    reference = kept_local["reference"]

    def listed(flagged: str) -> bool:
        page.goto(f"{hub}/agency/enquiries?site=AT13&cross_border_flagged={flagged}&lang=en")
        return reference in page.locator("main").inner_text()

    assert eventually(lambda: listed("false"), 30), "the hub lists the enquiry as not flagged"
    assert not listed("true")
    page.goto(f"{hub}/agency/enquiries/{kept_local['id']}?lang=en")
    facts = page.locator("main").inner_text()
    shoot(page, "agency-kept-local-en")
    assert "not allowed" in facts and "flagged for cross-border matching" not in facts
    context.close()
