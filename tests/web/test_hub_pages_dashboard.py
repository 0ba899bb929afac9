"""The agency dashboard with the Flask test client, the hub on SQLite and on PostgreSQL (the `network`
of tests/support/hub_pages.py): login, consolidated lists with filters, enquiry detail, cross-border
orders, impact charts under the CSP, federation health, in de, hu and en; wrong filter values are field
messages, never a 500."""
from __future__ import annotations

import base64
import hashlib
import html
import re
import uuid

from tests.support.web import field_errors


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
    # The charts' <style> elements are allowed by their SHA-256 in this response's CSP (no 'unsafe-inline',
    # no nonce attribute: on an SVG <style> that is invalid HTML), hashed as the browser reads them.
    styles = re.findall(r"<style[^>]*>(.*?)</style>", page, re.S)
    assert len(styles) == 4 and "nonce" not in page
    policy = response.headers["Content-Security-Policy"]
    for css in styles:
        digest = base64.b64encode(hashlib.sha256(html.unescape(css).encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy.split("style-src", 1)[1].split(";", 1)[0]
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
        for service in ("registry", "enquiries", "label", "community"):
            assert f"<th scope=\"row\">{site}/{service}</th>" in page
    assert "paused" in page and "forged: signature does not match AT12" in page
    assert "nothing received yet" in page, "AT11 has published nothing to this hub"
