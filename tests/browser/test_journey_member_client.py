"""A day of a client's member, through the pages only, in real headless Chromium against the demo
federation (tests/browser/conftest.py), issue 14 ("What to build" 2):

1. AT12's company member, in German, finds its enquiry with the social enterprise's proposal (seeded by
   the demo), accepts it and finds the agreement among its agreements; files a new enquiry, empty first
   (answered beside the fields), then with German number formats, and sees it submitted;
2. AT13's public institution's member, in Hungarian, accepts the cleaning proposal, applies for a place in
   a consultation programme (opened by the broker through the API) and withdraws after confirming it;
   a phone and a desktop screenshot of every page.

The expected texts come from the gettext catalogues. No page answers 5xx.
"""
from __future__ import annotations

from datetime import date, timedelta

from tests.support.browser_flows import LOCALES, Api, shoot
from tests.support.browser_pages import field_errors, log_in, tr, url

PHONE = (375, 812)


def both_sizes(new_page, base: str, username: str, lang: str, path: str, name: str) -> None:
    """Screenshots of a page on a phone and on a desktop."""
    for size, suffix in ((PHONE, "phone"), ((1280, 900), "desktop")):
        page = new_page(size, LOCALES[lang])
        log_in(page, base, username, lang)
        page.goto(f"{base}{path}")
        shoot(page, f"{name}-{suffix}")


def test_1_the_company_member_accepts_a_proposal_and_files_an_enquiry_in_german(demo, new_page):
    at12 = url(demo, "AT12")
    page = new_page(locale="de-AT")
    log_in(page, at12, "client-member", "de")
    page.get_by_role("link", name=tr("de", "Our enquiries")).click()
    row = page.locator("tr", has_text="Verpackung der Frühjahrskataloge")
    row.locator("a").click()
    assert "Traisentaler Beschäftigungswerkstatt" in page.locator("main table").first.inner_text()
    shoot(page, "client-enquiry-proposal-de")
    page.get_by_role("button", name=tr("de", "Accept")).click()
    assert tr("de", "The proposal is accepted: an agreement has been made.") in page.locator("main").inner_text()
    page.get_by_role("link", name=tr("de", "Our agreements")).click()
    assert "Verpackung der Frühjahrskataloge" in page.locator("main table").inner_text()
    shoot(page, "client-agreements-de")

    page.get_by_role("link", name=tr("de", "Our enquiries")).click()
    page.get_by_role("link", name=tr("de", "New enquiry")).click()
    page.get_by_role("button", name=tr("de", "Send the enquiry")).click()
    errors = field_errors(page)
    assert errors["type"].split() == errors["title"].split() == ["Fehler:", "Dieses", "Feld", "ist", "erforderlich."]
    page.select_option("#f-type", "csr_product")
    page.fill("#f-title", "Browser-Test: Kalender aus Restpapier")
    page.fill("#f-quantity", "1.500")
    page.fill("#f-unit", "pieces")
    page.fill("#f-budget", "2.400,50")
    page.fill("#f-deadline", (date.today() + timedelta(days=50)).isoformat())
    page.get_by_role("button", name=tr("de", "Send the enquiry")).click()
    main = page.locator("main").inner_text()
    assert "Browser-Test: Kalender aus Restpapier" in main and "1.500" in main and "2.400,50" in main
    shoot(page, "client-enquiry-filed-de")
    for path, name in (("/office/our-enquiries", "client-enquiries-de"),
                       ("/office/our-enquiries/new", "client-enquiry-new-de"),
                       ("/office/our-agreements", "client-agreements-de")):
        both_sizes(new_page, at12, "client-member", "de", path, name)


def test_2_the_public_institution_accepts_and_applies_for_a_programme_in_hungarian(demo, new_page):
    at13 = url(demo, "AT13")
    Api(at13).ok("POST", "/programmes", json={
        "name": "Digitális átállás", "funder": "ESF+", "starts_on": date.today().isoformat(),
        "ends_on": (date.today() + timedelta(days=90)).isoformat(), "places": 3})
    page = new_page(locale="hu-HU")
    log_in(page, at13, "public-member", "hu")
    page.get_by_role("link", name=tr("hu", "Our enquiries")).click()
    page.locator("tr", has_text="Reinigung des Amtshauses").locator("a").click()
    page.get_by_role("button", name=tr("hu", "Accept")).click()
    assert tr("hu", "The proposal is accepted: an agreement has been made.") in page.locator("main").inner_text()
    shoot(page, "client-enquiry-accepted-hu")

    page.get_by_role("link", name=tr("hu", "Consultation programmes")).click()
    card = page.locator(".card", has_text="Digitális átállás")
    card.get_by_role("button", name=tr("hu", "Apply for a place")).click()
    assert tr("hu", "Your organisation has applied for a place.") in page.locator("main").inner_text()
    card = page.locator(".card", has_text="Digitális átállás")
    card.locator("summary").click()
    card.get_by_role("button", name=tr("hu", "Withdraw the application")).click()
    assert tr("hu", "Please confirm that the application is to be withdrawn.") in page.locator("main").inner_text()
    card = page.locator(".card", has_text="Digitális átállás")
    card.locator("input[name=confirm]").check()
    card.get_by_role("button", name=tr("hu", "Withdraw the application")).click()
    assert tr("hu", "The application has been withdrawn.") in page.locator("main").inner_text()
    shoot(page, "client-programmes-hu")
    both_sizes(new_page, at13, "public-member", "hu", "/office/our-programmes", "client-programmes-hu")
