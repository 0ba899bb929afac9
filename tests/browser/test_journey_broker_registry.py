"""A broker's day in the registry, through the pages only, in real headless Chromium against the demo federation
(tests/browser/conftest.py), issue 14 ("Brokers cannot manage organisations, offers or case studies, or turn a
delivery into a case study"): at AT12 in German, at HU22 in Hungarian.

The broker registers a social enterprise (coordinates and workers typed the local way, the region chosen from
the list), publishes an offer for it (its field chosen by label), changes the offer's capacity, withdraws it
after its confirmation page, then opens the demo's delivered agreement on the enquiry's page, turns the
delivery into a case study from the filled-in form and finds it on the public case study page. Every page is
photographed on a desktop and on a phone (375 px): broker-registry-*.png.

The expected texts come from the sites' catalogue; no page answers 5xx (the `new_page` fixture).
"""
from __future__ import annotations

from dataclasses import dataclass

from services.demo import data
from tests.support.browser_crossborder import main_text, site_tr
from tests.support.browser_flows import shoot_both as shared_shoot_both, LOCALES
from tests.support.browser_pages import log_in, url



@dataclass(frozen=True)
class Day:
    site: str
    lang: str
    organisation: str
    registration: str
    street: str
    postcode: str
    town: str
    nuts3: str
    lat_typed: str
    lon_typed: str
    workers_typed: str
    workers_shown: str
    offer: str
    cpv: str  # a division, chosen by its label
    unit: str
    capacity_typed: str
    capacity_shown: str
    changed_capacity_typed: str
    changed_capacity_shown: str
    delivered: str  # the demo's delivered enquiry (data.DELIVERED), its client and social enterprise
    client: str
    delivering: str
    case_study: str


AT12 = Day(site="AT12", lang="de", organisation="Browser-Test Kistenwerk Melk", registration="FN 771234 b",
           street="Hauptstraße 12", postcode="3390", town="Melk", nuts3="AT121", lat_typed="48,2279",
           lon_typed="15,3327", workers_typed="1.200", workers_shown="1.200", offer="Obstkisten aus Restholz",
           cpv="39000000", unit="Stück", capacity_typed="1.250,5", capacity_shown="1.250,5",
           changed_capacity_typed="980", changed_capacity_shown="980",
           delivered=data.DELIVERED["AT12"][0][1], client=data.DELIVERED["AT12"][0][2],
           delivering=data.DELIVERED["AT12"][0][3], case_study="Parkbänke aus Altholz: Browser-Test")
HU22 = Day(site="HU22", lang="hu", organisation="Böngészőteszt Ládaműhely Kft.", registration="08-09-771234",
           street="Fő utca 3", postcode="9400", town="Sopron", nuts3="HU221", lat_typed="47,6817",
           lon_typed="16,5845", workers_typed="1 200", workers_shown="1 200", offer="Gyümölcsládák maradékfából",
           cpv="39000000", unit="darab", capacity_typed="1 250,5", capacity_shown="1 250,5",
           changed_capacity_typed="980", changed_capacity_shown="980",
           delivered=data.DELIVERED["HU22"][0][1], client=data.DELIVERED["HU22"][0][2],
           delivering=data.DELIVERED["HU22"][0][3], case_study="Irodabútorok felújítása: böngészőteszt")


def t(day: Day, msgid: str, **values) -> str:
    return site_tr(day.lang, msgid, **values)


def shoot_both(page, name: str) -> None:
    shared_shoot_both(page, f"broker-registry-{name}")


def flat(text: str) -> str:
    """Group separators as plain spaces (Hungarian pages write a no-break space)."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def registry_day(new_page, demo, day: Day) -> str:
    base = url(demo, day.site)
    tag = f"{day.site.lower()}-{day.lang}"
    page = new_page(locale=LOCALES[day.lang])
    log_in(page, base, "broker", day.lang)

    # the organisations: registered with the local number formats, the region chosen from the list
    page.locator("nav").get_by_role("link", name=t(day, "Organisations")).click()
    assert page.locator("main h1").inner_text() == t(day, "Organisations")
    shoot_both(page, f"{tag}-organisations")
    page.get_by_role("link", name=t(day, "Register an organisation")).click()
    page.get_by_role("button", name=t(day, "Register")).click()
    assert t(day, "This field is required.") in page.locator("#f-name-error").inner_text()
    shoot_both(page, f"{tag}-organisation-empty")
    page.select_option("#f-kind", "social_enterprise")
    page.fill("#f-name", day.organisation)
    page.fill("#f-registration_number", day.registration)
    page.fill("#f-address-street", day.street)
    page.fill("#f-address-postcode", day.postcode)
    page.fill("#f-address-town", day.town)
    page.select_option("#f-nuts3", day.nuts3)
    page.fill("#f-coordinates-lat", day.lat_typed)
    page.fill("#f-coordinates-lon", day.lon_typed)
    page.select_option("#f-labour_market_segment", "second_labour_market")
    page.fill("#f-workers_in_integration", day.workers_typed)
    page.fill("#f-contact-name", "Browser Test")
    page.fill("#f-contact-email", "browser.test@example.org")
    page.get_by_role("button", name=t(day, "Register")).click()
    assert t(day, "%(name)s is registered as a member of this site.", name=day.organisation) in main_text(page)
    assert page.locator("main h1").inner_text() == day.organisation
    assert page.input_value("#f-coordinates-lat") == day.lat_typed
    assert flat(page.input_value("#f-workers_in_integration")) == day.workers_shown
    shoot_both(page, f"{tag}-organisation")
    # found again by its registration number, however it is typed
    page.locator("nav").get_by_role("link", name=t(day, "Organisations")).click()
    page.fill("#f-registration", day.registration.replace(" ", "").lower())
    page.locator("main form[role=search]").get_by_role("button", name=t(day, "Search")).click()
    page.locator("main table").get_by_role("link", name=day.organisation).click()

    # an offer for it: published, changed, and withdrawn after its confirmation page
    page.locator("main").get_by_role("link", name=t(day, "Offers"), exact=True).click()
    page.get_by_role("link", name=t(day, "Publish a new offer")).click()
    page.fill("#f-title", day.offer)
    page.fill("#f-description", "Browser-Test")
    page.locator("#f-cpv_codes").select_option(day.cpv)
    page.fill("#f-capacity_per_week", day.capacity_typed)
    page.fill("#f-unit", day.unit)
    page.fill("#f-lead_time_days", "10")
    page.check("#f-cross_border")
    shoot_both(page, f"{tag}-offer-new")
    page.get_by_role("button", name=t(day, "Publish")).click()
    main = flat(main_text(page))
    assert t(day, "The offer “%(title)s” is published.", title=day.offer) in main, main
    assert f"{day.capacity_shown} {day.unit}" in main, main
    shoot_both(page, f"{tag}-offers")
    page.locator("main table").get_by_role("link", name=day.offer).click()
    page.fill("#f-capacity_per_week", day.changed_capacity_typed)
    page.get_by_role("button", name=t(day, "Save")).click()
    assert t(day, "Your changes to the offer are saved.") in main_text(page)
    assert page.input_value("#f-capacity_per_week") == day.changed_capacity_shown
    shoot_both(page, f"{tag}-offer")
    page.get_by_role("link", name=t(day, "Withdraw…")).click()
    assert page.locator("main h1").inner_text() == t(day, "Withdraw the offer “%(title)s”?", title=day.offer)
    shoot_both(page, f"{tag}-offer-withdraw")
    page.fill("#f-reason", "Browser-Test")
    page.get_by_role("button", name=t(day, "Withdraw the offer")).click()
    main = main_text(page)
    assert t(day, "The offer “%(title)s” is withdrawn.", title=day.offer) in main, main
    assert t(day, "Withdrawn") in page.locator("main table tr", has_text=day.offer).inner_text()

    # the demo's delivered agreement becomes a case study, seen on the public page
    page.goto(f"{base}/office/enquiries")
    on_board = page.locator("main").get_by_role("link", name=day.delivered)
    if on_board.count():  # delivered, not closed yet
        on_board.first.click()
    else:  # closed by another journey: among the ended enquiries
        page.get_by_role("link", name=t(day, "Find ended enquiries")).click()
        page.fill("#f-q", day.delivered)
        page.locator("main form").get_by_role("button", name=t(day, "Search")).click()
        page.locator("main table tr", has_text=day.delivered).locator("a").first.click()
    shoot_both(page, f"{tag}-delivered-agreement")
    page.get_by_role("link", name=t(day, "Turn this delivery into a case study")).first.click()
    assert page.locator("main h1").inner_text() == t(day, "Write a case study")
    assert page.input_value("#f-social_enterprise_id"), "the social enterprise is filled in"
    assert page.input_value("#f-impact-integration_hours"), "the impact is filled in"
    shoot_both(page, f"{tag}-case-study-new")
    page.fill("#f-title", day.case_study)
    page.get_by_role("button", name=t(day, "Publish")).click()
    assert t(day, "The case study “%(title)s” is published.", title=day.case_study) in main_text(page)
    shoot_both(page, f"{tag}-case-study")
    page.get_by_role("link", name=t(day, "Public page")).click()
    assert page.locator("main h1").inner_text() == day.case_study
    assert "/office/" not in page.url
    public = main_text(page)
    assert day.delivering in public and day.client in public, public  # the parties, by name
    shoot_both(page, f"{tag}-case-study-public")
    page.goto(f"{base}/office/case-studies")
    assert day.case_study in main_text(page)
    shoot_both(page, f"{tag}-case-studies")
    return page.locator("html").get_attribute("lang")


def test_a_broker_registry_day_at_at12_in_german(demo, new_page):
    assert registry_day(new_page, demo, AT12) == "de"


def test_a_broker_registry_day_at_hu22_in_hungarian(demo, new_page):
    assert registry_day(new_page, demo, HU22) == "hu"
