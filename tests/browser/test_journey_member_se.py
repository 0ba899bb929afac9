"""A day of a social enterprise's member, through the pages only, in real headless Chromium against the demo
federation (tests/browser/conftest.py), issue 14 ("What to build" 1):

1. HU22's member, in Hungarian, lands on its organisation's home page, publishes an offer, empty first
   (answered beside the fields), then with Hungarian number formats, and finds it among its offers;
2. AT12's member, in German, finds an enquiry that fits its offer (filed by the broker through the API),
   proposes with German number formats, revises the price, and opens its agreements and impact;
   a phone and a desktop screenshot of every page of the member area.

The expected texts come from the gettext catalogues. No page answers 5xx.
"""
from __future__ import annotations

from datetime import date, timedelta

from services.demo import data
from tests.support.browser_flows import LOCALES, Api, offer_of, organisation_id, shoot
from tests.support.browser_pages import field_errors, log_in, tr, url

PHONE = (375, 812)


def both_sizes(new_page, base: str, lang: str, paths: dict[str, str]) -> None:
    """Screenshots of each page on a phone and on a desktop, as the site's member."""
    for size, suffix in ((PHONE, "phone"), ((1280, 900), "desktop")):
        page = new_page(size, LOCALES[lang])
        log_in(page, base, "member", lang)
        for name, path in paths.items():
            page.goto(f"{base}{path}")
            shoot(page, f"{name}-{suffix}")


def test_1_the_hungarian_member_lands_home_and_publishes_an_offer(demo, new_page):
    hu22 = url(demo, "HU22")
    page = new_page(locale="hu-HU")
    log_in(page, hu22, "member", "hu")
    assert page.url.endswith("/office/member")
    assert page.locator("main h1").inner_text() == data.ORGANISATIONS["HU22"][0][1]
    page.get_by_role("link", name=tr("hu", "My offers")).click()
    page.get_by_role("link", name=tr("hu", "Publish a new offer")).click()
    page.get_by_role("button", name=tr("hu", "Publish")).click()
    errors = field_errors(page)
    assert set(errors) == {"title", "description", "cpv_codes", "capacity_per_week", "unit", "lead_time_days"}
    assert errors["title"].endswith(tr("hu", "This field is required."))
    page.fill("#f-title", "Böngészőteszt: fa virágládák")
    page.fill("#f-description", "Újrahasznosított fából, rendelésre.")
    page.fill("#f-cpv_codes", "39100000")
    page.fill("#f-capacity_per_week", "1 250,5")
    page.fill("#f-unit", "darab")
    page.fill("#f-lead_time_days", "10")
    page.fill("#f-price_min", "4 500")
    page.fill("#f-price_max", "12 000,50")
    page.check("#f-cross_border")
    page.get_by_role("button", name=tr("hu", "Publish")).click()
    main = page.locator("main").inner_text()
    assert "Böngészőteszt: fa virágládák" in main and "1\u00a0250,5" in main
    shoot(page, "member-offers-hu")
    both_sizes(new_page, hu22, "hu", {"member-home-hu": "/office/member",
                                      "member-offers-list-hu": "/office/member/offers",
                                      "member-offer-new-hu": "/office/member/offers/new"})


def test_2_the_german_member_proposes_and_revises_on_a_fitting_enquiry(demo, new_page):
    at12 = url(demo, "AT12")
    broker = Api(at12)
    member_org = organisation_id(broker, data.ORGANISATIONS["AT12"][0][1])
    offer = offer_of(broker, member_org)
    client = organisation_id(broker, data.ENQUIRIES["AT12"][0][2])
    enquiry = broker.ok("POST", "/enquiries", json={
        "type": "production_step", "title": "Browser-Test: Montage von Holzkisten",
        "client_kind": "economic_enterprise",
        "client_organisation_id": client, "cpv_codes": offer["cpv_codes"][:1], "quantity": "120", "unit": "pieces",
        "deadline": (date.today() + timedelta(days=60)).isoformat(), "delivery": {"nuts3": "AT123"},
        "budget": "6000", "submit": True})
    broker.ok("POST", f"/enquiries/{enquiry['id']}/transitions", json={"to": "matching"})

    page = new_page(locale="de-AT")
    log_in(page, at12, "member", "de")
    page.get_by_role("link", name=tr("de", "Enquiries for our offers")).click()
    page.locator("tr", has_text="Browser-Test: Montage von Holzkisten").locator("a").first.click()
    page.get_by_role("button", name=tr("de", "Send the proposal")).click()
    assert field_errors(page)["new-offer_id"].endswith(tr("de", "This field is required."))
    page.select_option("#f-new-offer_id", offer["id"])
    page.fill("#f-new-quantity", "120")
    page.fill("#f-new-price", "5.400,50")
    page.fill("#f-new-delivery_date", (date.today() + timedelta(days=40)).isoformat())
    page.get_by_role("button", name=tr("de", "Send the proposal")).click()
    assert tr("de", "The proposal has been recorded.") in page.locator("main").inner_text()
    assert "5.400,50\u00a0€" in page.locator("main").inner_text()
    page.locator("form", has_text=tr("de", "Revise the proposal")).locator("input[name=price]").fill("5.100")
    page.get_by_role("button", name=tr("de", "Save the new terms")).click()
    main = page.locator("main").inner_text()
    assert tr("de", "The proposal has been revised.") in main and "5.100,00\u00a0€" in main
    shoot(page, "member-enquiry-proposal-de")
    page.get_by_role("link", name=tr("de", "My organisation")).click()
    page.get_by_role("link", name=tr("de", "Agreements and impact")).click()
    assert page.locator("main h1").inner_text() == tr("de", "Agreements and impact")
    both_sizes(new_page, at12, "de", {
        "member-enquiries-de": "/office/member/enquiries",
        "member-enquiry-de": f"/office/member/enquiries/{enquiry['id']}",
        "member-agreements-de": "/office/member/agreements"})
