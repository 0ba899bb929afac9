"""A broker's day, through the pages only, in real headless Chromium against the demo federation
(tests/browser/conftest.py), issue 14 ("What it must show"): at AT12 in German, at HU22 in Hungarian.

A client sends an enquiry on the public form (its anonymous first contact). The broker logs in, opens it on
the board, changes its field and quantity on its edit page (numbers typed the local way), links it to the
member organisation found by name, moves it to matching, proposes for a social enterprise of the shortlist
and makes a counter-offer. The client withdraws, so the broker cancels it, and finds it again among the
ended enquiries by its reference. The broker opens a consultation programme, books hours for a firm and
cancels the booking after its confirmation page; withdraws a demo supporter's statement with a reason; and
logs out. Every step's page is photographed on a desktop and on a phone (375 px): broker-day-*.png.

The expected texts come from the sites' catalogue; no page answers 5xx (the `new_page` fixture).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tests.support.browser_crossborder import main_text, rows_with, site_tr
from tests.support.browser_flows import shoot_both as shared_shoot_both, LOCALES
from tests.support.browser_pages import log_in, url



@dataclass(frozen=True)
class Day:
    """What one site's broker works on, written the way the site's language writes it."""
    site: str
    lang: str
    title: str
    cpv_division: str  # the public form's choice
    cpv_code: str  # the broker's refinement, one the social enterprise offers
    unit: str
    nuts3: str
    quantity_typed: str
    quantity_shown: str
    budget_typed: str
    budget_shown: str
    client: str  # the member organisation, searched by part of its name
    client_search: str
    social_enterprise: str
    price_typed: str
    counter_price_typed: str
    counter_price_shown: str
    supporter: str  # a demo statement's last name
    hours_typed: str  # a consultation's hours, with the language's decimal comma


AT12 = Day(site="AT12", lang="de", title="Browser-Test: Pflege der Grünflächen im Sommer",
           cpv_division="77000000", cpv_code="77310000", unit="Stunden", nuts3="AT127",
           quantity_typed="1.250", quantity_shown="1.250", budget_typed="12.500,50", budget_shown="12.500,50 €",
           client="Donauland Handels AG", client_search="Donauland", social_enterprise="Grünraum Wiener Neustadt",
           price_typed="11.800", counter_price_typed="11.250,75", counter_price_shown="11.250,75 €",
           supporter="Huber", hours_typed="1,5")
HU22 = Day(site="HU22", lang="hu", title="Böngészőteszt: céges ajándéktáskák",
           cpv_division="18000000", cpv_code="18930000", unit="darab", nuts3="HU223",
           quantity_typed="1 500", quantity_shown="1 500", budget_typed="3 250 000", budget_shown="3 250 000 Ft",
           client="Zalai Ajándéktárgy Kft.", client_search="Zalai",
           social_enterprise="Soproni Textil-Újrahasznosító Szövetkezet",
           # forints are shown without decimals, so the counter-offer is a whole amount
           price_typed="3 100 000", counter_price_typed="2 950 000", counter_price_shown="2 950 000 Ft",
           supporter="Kovács", hours_typed="1,5")


def t(day: Day, msgid: str, **values) -> str:
    return site_tr(day.lang, msgid, **values)


def the_client_enquires(new_page, base: str, day: Day) -> str:
    """The anonymous first contact on the public form; the enquiry's reference."""
    page = new_page(locale=LOCALES[day.lang])
    page.goto(f"{base}/enquire?lang={day.lang}")
    page.fill("#f-organisation", day.client)
    page.check("input[name=client_kind][value=economic_enterprise]")
    page.fill("#f-contact-name", "Browser Test")
    page.fill("#f-contact-email", "browser.test@example.org")
    page.select_option("#f-type", "service")
    page.fill("#f-title", day.title)
    page.select_option("#f-cpv_codes", day.cpv_division)
    page.fill("#f-quantity", "1000")
    page.fill("#f-unit", day.unit)
    page.fill("#f-deadline", (date.today() + timedelta(days=60)).isoformat())
    page.select_option("#f-delivery-nuts3", day.nuts3)
    page.locator("main form button[type=submit]").click()
    assert "/enquire/thanks/" in page.url, main_text(page)
    return page.url.rsplit("/", 1)[1]


def shoot_both(page, name: str) -> None:
    shared_shoot_both(page, f"broker-day-{name}")


def move(page, day: Day, state_msgid: str, reason: str) -> None:
    button = page.get_by_role("button", name=t(day, "Move to: %(state)s", state=t(day, state_msgid)))
    page.locator("form", has=button).locator("[name=reason]").fill(reason)
    button.click()
    assert t(day, "The enquiry is now: %(state)s.", state=t(day, state_msgid)) in main_text(page)


def a_booking_cancelled(page, day: Day, tag: str) -> None:
    """A programme opened, a consultant added, a firm given a place and hours booked for it, and that
    booking cancelled after its confirmation page (the demo seeds no programme to start from)."""
    today = date.today()
    programme, consultant = f"Browser-Test {day.site}", f"Browser Consultant {day.site}"
    page.locator("nav").get_by_role("link", name=t(day, "Consultation programmes")).click()
    opening = page.locator("form", has=page.get_by_role("button", name=t(day, "Open the programme")))
    opening.locator("[name=name]").fill(programme)
    opening.locator("[name=funder]").fill("Browser-Test")
    opening.locator("[name=starts_on]").fill(today.isoformat())
    opening.locator("[name=ends_on]").fill((today + timedelta(days=180)).isoformat())
    opening.locator("[name=places]").fill("3")
    opening.get_by_role("button", name=t(day, "Open the programme")).click()
    assert t(day, "The programme has been opened.") in main_text(page), main_text(page)
    page.locator("nav").get_by_role("link", name=t(day, "Consultation programmes")).click()
    adding = page.locator("form", has=page.get_by_role("button", name=t(day, "Add the consultant")))
    adding.locator("[name=name]").fill(consultant)
    adding.locator("[name=expertise]").fill(day.cpv_code[:2])
    adding.locator("[name=languages]").fill(day.lang)
    adding.get_by_role("button", name=t(day, "Add the consultant")).click()
    assert t(day, "The consultant has been added.") in main_text(page), main_text(page)

    page.get_by_role("link", name=programme).click()
    page.locator("[name=firm_name]").fill(day.client)
    page.get_by_role("button", name=t(day, "Apply")).click()
    assert t(day, "A place has been given.") in main_text(page), main_text(page)
    booking = page.locator("form", has=page.get_by_role("button", name=t(day, "Book")))
    booking.locator("[name=application_id]").select_option(label=day.client)
    booking.locator("[name=consultant_id]").select_option(label=consultant)
    booking.locator("[name=date]").fill(today.isoformat())
    booking.locator("[name=hours]").fill(day.hours_typed)
    booking.locator("input[name=kind]").first.check()
    booking.get_by_role("button", name=t(day, "Book")).click()
    assert t(day, "The hours have been booked.") in main_text(page), main_text(page)

    page.locator("#bookings + .table-wrap tr", has_text=consultant).get_by_role(
        "link", name=t(day, "Cancel…")).click()
    assert day.hours_typed in page.locator("main h1").inner_text()
    assert t(day, "The hours go back to the firm's allowance and off the consultant's.") in main_text(page)
    shoot_both(page, f"{tag}-booking-cancel")
    page.get_by_role("button", name=t(day, "Cancel the booking")).click()
    assert t(day, "The booking is cancelled; its hours are back in the allowance.") in main_text(page)
    assert rows_with(page, day.client)[0][-1] == "14", "the whole allowance (4 + 10 hours) is left again"
    assert page.locator("#bookings + .table-wrap").count() == 0, "no booking any more"
    shoot_both(page, f"{tag}-booking-cancelled")


def broker_day(new_page, demo, day: Day) -> str:
    base = url(demo, day.site)
    reference = the_client_enquires(new_page, base, day)
    tag = f"{day.site.lower()}-{day.lang}"

    page = new_page(locale=LOCALES[day.lang])
    log_in(page, base, "broker", day.lang)

    # the board: the new enquiry among the submitted ones
    page.goto(f"{base}/office/enquiries")
    assert page.locator("main h1").inner_text() == t(day, "Enquiries by state")
    submitted = page.locator("section.board-column", has=page.locator("#col-submitted"))
    assert t(day, "Submitted") in submitted.locator("h2").inner_text()
    shoot_both(page, f"{tag}-board")
    submitted.get_by_role("link", name=day.title).click()
    assert reference in main_text(page)

    # its edit page: the broker's CPV code and a quantity and budget typed the local way
    page.get_by_role("link", name=t(day, "Change the enquiry")).click()
    assert page.locator("main h1").inner_text() == t(day, "Change %(reference)s", reference=reference)
    shoot_both(page, f"{tag}-edit")
    page.fill("#f-cpv_codes", day.cpv_code)
    page.fill("#f-quantity", day.quantity_typed)
    page.fill("#f-budget", day.budget_typed)
    page.get_by_role("button", name=t(day, "Save the changes")).click()
    main = main_text(page)
    assert t(day, "The enquiry's changes have been saved.") in main, main
    assert f"{day.quantity_shown} {day.unit}" in main and day.budget_shown in main, main

    # linked to the member organisation found by name
    assert t(day, "Not linked to a member organisation.") in main
    page.fill("#f-client_q", day.client_search)
    page.locator("form[role=search]").get_by_role("button", name=t(day, "Search")).click()
    page.locator("label", has_text=day.client).click()
    page.get_by_role("button", name=t(day, "Link the enquiry to this organisation")).click()
    assert t(day, "The enquiry is now linked to %(name)s.", name=day.client) in main_text(page)
    shoot_both(page, f"{tag}-linked")

    # to matching, and a proposal for a social enterprise of the shortlist
    move(page, day, "Matching", "Browser-Test")
    proposal_form = page.locator("form", has_text=t(day, "Propose for a social enterprise"))
    candidate = proposal_form.locator("select[name=candidate] option", has_text=day.social_enterprise)
    proposal_form.locator("select[name=candidate]").select_option(candidate.first.get_attribute("value"))
    proposal_form.locator("[name=price]").fill(day.price_typed)
    proposal_form.locator("[name=delivery_date]").fill((date.today() + timedelta(days=45)).isoformat())
    proposal_form.get_by_role("button", name=t(day, "Record the proposal")).click()
    assert t(day, "The proposal has been recorded.") in main_text(page), main_text(page)

    # the counter-offer: the proposal's next revision
    counter = page.locator("details", has_text=day.social_enterprise)
    counter.locator("summary").click()
    counter.locator("[name=price]").fill(day.counter_price_typed)
    counter.get_by_role("button", name=t(day, "Record the counter-offer")).click()
    main = main_text(page)
    assert t(day, "The counter-offer has been recorded as the proposal's next revision.") in main, main
    assert t(day, "revision %(n)s", n=2) in main and day.counter_price_shown in main, main
    shoot_both(page, f"{tag}-counter-offer")

    # the client withdraws: cancelled, and found again among the ended enquiries by its reference
    move(page, day, "Cancelled", "Browser-Test: der Kunde zieht zurück")
    page.goto(f"{base}/office/enquiries")
    page.get_by_role("link", name=t(day, "Find ended enquiries")).click()
    assert page.locator("main h1").inner_text() == t(day, "Ended enquiries")
    page.fill("#f-q", reference)
    page.locator("main form").get_by_role("button", name=t(day, "Search")).click()
    found = rows_with(page, reference)
    assert len(found) == 1 and t(day, "Cancelled") in found[0], found
    shoot_both(page, f"{tag}-ended")

    a_booking_cancelled(page, day, tag)

    # a supporter's statement withdrawn, with a reason
    page.goto(f"{base}/office/statements")
    assert page.locator("main h1").inner_text() == t(day, "Statements of support")
    page.locator("main nav").get_by_role("link", name=t(day, "Confirmed")).click()
    page.fill("#f-q", day.supporter)
    page.locator("main form[method=get], main form:not([method])").first.get_by_role(
        "button", name=t(day, "Search")).click()
    shoot_both(page, f"{tag}-statements")
    row = page.locator("tr", has_text=day.supporter)
    statement = row.locator("td").first.inner_text()
    row.get_by_role("link", name=t(day, "Withdraw or erase")).click()
    page.locator("#f-withdraw-reason").fill("Browser-Test")
    page.get_by_role("button", name=t(day, "Withdraw the statement")).click()
    main = main_text(page)
    assert t(day, "Statement %(reference)s is withdrawn and no longer counts.",
             reference=statement) in main, main
    shoot_both(page, f"{tag}-statement-withdrawn")

    # the end of the day
    page.get_by_role("button", name=t(day, "Log out")).click()
    assert page.locator(".who").inner_text().strip() == t(day, "Staff login")
    page.goto(f"{base}/office/enquiries")
    assert page.get_by_role("button", name=t(day, "Log out")).count() == 0, "the office is closed again"
    return page.locator("html").get_attribute("lang")


def test_a_broker_day_at_at12_in_german(demo, new_page):
    assert broker_day(new_page, demo, AT12) == "de", "the day ends in German"


def test_a_broker_day_at_hu22_in_hungarian(demo, new_page):
    assert broker_day(new_page, demo, HU22) == "hu", "the day ends in Hungarian"
