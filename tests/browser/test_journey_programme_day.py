"""A programme manager's day, through the pages only, in real headless Chromium against the demo federation
(tests/browser/conftest.py), issue 14 ("What it must show"): at AT12 in German, at HU22 in Hungarian.

Programmes are the brokers' work (services/demo/data.py: no role of their own), so the manager is the site's
broker. The manager first sends the programme form empty (answered beside the fields in the page's
language), then opens a consultation programme with one place and adds a consultant. A firm that phoned in
gets the place; the site's client member (federation.json: `client-member`) applies on
/office/our-programmes and goes to the waiting list, as it sees on its page. The manager takes the first
firm's place back after a confirmation page, so the client moves up and holds the place; books two
consultations for it (hours typed with the language's decimal comma), cancels one after its confirmation
page, closes the programme after its confirmation page and downloads the report (CSV) for the funder,
whose content is checked. The client sees its place in the closed programme with the hours booked on it.
Every page is photographed on a desktop and on a phone (375 px): programme-day-*.png.

The expected texts come from the sites' catalogue; no page answers 5xx (the `new_page` fixture).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tests.support.browser_crossborder import main_text, rows_with, site_tr
from tests.support.browser_flows import shoot_both as shared_shoot_both, LOCALES
from tests.support.browser_pages import field_errors, log_in, url



@dataclass(frozen=True)
class Day:
    site: str
    lang: str
    programme: str
    funder: str
    consultant: str
    phoned_in: str  # a firm that phoned in first and takes the only place
    client: str  # the client member's organisation (services/demo/data.py MEMBERS)
    first_hours_typed: str  # with the language's decimal comma
    first_hours_shown: str
    further_hours_typed: str


AT12 = Day(site="AT12", lang="de", programme="Browser-Test: Digitalisierung im Betrieb", funder="Land Niederösterreich",
           consultant="Browser-Beraterin Eder", phoned_in="Tischlerei Wagner am Telefon",
           client="Donauland Handels AG", first_hours_typed="1,5", first_hours_shown="1,5",
           further_hours_typed="2,25")
HU22 = Day(site="HU22", lang="hu", programme="Böngészőteszt: digitális átállás", funder="Nyugat-dunántúli Alap",
           consultant="Böngésző Tanácsadó Kiss", phoned_in="Telefonon jelentkező Asztalos Bt.",
           client="Zalai Ajándéktárgy Kft.", first_hours_typed="1,5", first_hours_shown="1,5",
           further_hours_typed="2,25")


def t(day: Day, msgid: str, **values) -> str:
    return site_tr(day.lang, msgid, **values)


def shoot_both(page, name: str) -> None:
    shared_shoot_both(page, f"programme-day-{name}")


def says(page, text: str) -> None:
    assert text in main_text(page), main_text(page)


def to_programmes(page, day: Day) -> None:
    page.locator("nav").get_by_role("link", name=t(day, "Consultation programmes")).click()


def opens_the_programme(page, day: Day, tag: str) -> None:
    """Empty first (each required field answered beside it), then with one place."""
    to_programmes(page, day)
    opening = page.locator("form", has=page.get_by_role("button", name=t(day, "Open the programme")))
    opening.get_by_role("button", name=t(day, "Open the programme")).click()
    errors = field_errors(page)
    assert {"name", "funder", "starts_on", "ends_on", "places"} <= set(errors), errors
    assert errors["name"].endswith(t(day, "This field is required.")), errors
    shoot_both(page, f"{tag}-open-empty")
    opening = page.locator("form", has=page.get_by_role("button", name=t(day, "Open the programme")))
    opening.locator("[name=name]").fill(day.programme)
    opening.locator("[name=funder]").fill(day.funder)
    opening.locator("[name=starts_on]").fill((date.today() - timedelta(days=7)).isoformat())
    opening.locator("[name=ends_on]").fill((date.today() + timedelta(days=180)).isoformat())
    opening.locator("[name=places]").fill("1")
    opening.get_by_role("button", name=t(day, "Open the programme")).click()
    says(page, t(day, "The programme has been opened."))

    to_programmes(page, day)
    adding = page.locator("form", has=page.get_by_role("button", name=t(day, "Add the consultant")))
    adding.locator("[name=name]").fill(day.consultant)
    adding.locator("[name=expertise]").fill("70")
    adding.locator("[name=languages]").fill(day.lang)
    adding.get_by_role("button", name=t(day, "Add the consultant")).click()
    says(page, t(day, "The consultant has been added."))
    shoot_both(page, f"{tag}-programmes")

    page.get_by_role("link", name=day.programme).click()
    page.locator("[name=firm_name]").fill(day.phoned_in)
    page.get_by_role("button", name=t(day, "Apply")).click()
    says(page, t(day, "A place has been given."))


def client_card(page, day: Day):
    return page.locator("main .card", has=page.get_by_role("heading", name=day.programme))


def the_client_applies(client, base: str, day: Day, tag: str) -> None:
    log_in(client, base, "client-member", day.lang)
    client.goto(f"{base}/office/our-programmes")
    card = client_card(client, day)
    says(client, day.programme)
    card.get_by_role("button", name=t(day, "Apply for a place")).click()
    says(client, t(day, "Your organisation has applied for a place."))
    state = client_card(client, day).locator(".place-state").inner_text()
    assert t(day, "Waiting list") in state and t(day, "Your place on the waiting list: %(n)s", n="1") in state, state
    shoot_both(client, f"{tag}-client-waiting")


def books(page, day: Day, consultant: str, hours: str, kind: str) -> None:
    booking = page.locator("form", has=page.get_by_role("button", name=t(day, "Book")))
    booking.locator("[name=application_id]").select_option(label=day.client)
    booking.locator("[name=consultant_id]").select_option(label=consultant)
    booking.locator("[name=date]").fill(date.today().isoformat())
    booking.locator("[name=hours]").fill(hours)
    booking.locator(f"input[name=kind][value={kind}]").check()
    booking.get_by_role("button", name=t(day, "Book")).click()


def manages_the_places_and_hours(page, day: Day, tag: str) -> None:
    page.reload()
    waiting = page.locator("#waiting-list").inner_text()
    assert day.client in waiting, waiting
    shoot_both(page, f"{tag}-programme-full")

    # the firm that phoned in gives its place back: asked first, then the client moves up
    page.get_by_role("link", name=t(day, "Cancel the place of %(firm)s…", firm=day.phoned_in)).click()
    assert page.locator("main h1").inner_text() == t(day, "Cancel the application of %(firm)s?", firm=day.phoned_in)
    shoot_both(page, f"{tag}-place-cancel")
    page.get_by_role("button", name=t(day, "Cancel the application")).click()
    says(page, t(day, "The application of %(firm)s is cancelled.", firm=day.phoned_in))
    assert rows_with(page, day.client), "the client holds the place now"
    assert page.locator("#waiting-list").inner_text() == t(day, "Nobody is waiting.")

    # one wrong booking (hours not in quarter hours), then two consultations
    books(page, day, day.consultant, "1,3", "first_consultation")
    assert field_errors(page)["hours"].endswith(t(day, "Please enter hours in quarter hours (e.g. 1.25).")), \
        field_errors(page)
    books(page, day, day.consultant, day.first_hours_typed, "first_consultation")
    says(page, t(day, "The hours have been booked."))
    books(page, day, day.consultant, day.further_hours_typed, "further")
    says(page, t(day, "The hours have been booked."))
    shoot_both(page, f"{tag}-booked")

    # the second was a mistake: cancelled after its confirmation page
    page.locator("#bookings + .table-wrap tr", has_text=day.further_hours_typed).get_by_role(
        "link", name=t(day, "Cancel…")).click()
    assert day.further_hours_typed in page.locator("main h1").inner_text()
    shoot_both(page, f"{tag}-booking-cancel")
    page.get_by_role("button", name=t(day, "Cancel the booking")).click()
    says(page, t(day, "The booking is cancelled; its hours are back in the allowance."))
    client_row = rows_with(page, day.client)[0]
    assert client_row[1] == day.first_hours_shown and client_row[3] == "12,5", client_row

    # closed after its confirmation page
    page.get_by_role("link", name=t(day, "Close the programme…")).click()
    assert page.locator("main h1").inner_text() == t(day, "Close the programme “%(name)s”?", name=day.programme)
    shoot_both(page, f"{tag}-close")
    page.get_by_role("button", name=t(day, "Close the programme")).click()
    says(page, t(day, "The programme is closed."))
    assert page.get_by_role("button", name=t(day, "Book")).count() == 0, "no more bookings"
    shoot_both(page, f"{tag}-closed")


def downloads_the_report(page, day: Day) -> list[list[str]]:
    with page.expect_download() as download:
        page.get_by_role("link", name=t(day, "Report: hours by firm (CSV)")).click()
    text = open(download.value.path(), encoding="utf-8").read()
    return list(csv.reader(io.StringIO(text)))


def programme_day(new_page, demo, day: Day) -> str:
    base = url(demo, day.site)
    tag = f"{day.site.lower()}-{day.lang}"
    page = new_page(locale=LOCALES[day.lang])
    log_in(page, base, "broker", day.lang)
    opens_the_programme(page, day, tag)

    client = new_page(locale=LOCALES[day.lang])
    the_client_applies(client, base, day, tag)

    manages_the_places_and_hours(page, day, tag)
    report = downloads_the_report(page, day)
    status = "Status" if day.lang == "de" else t(day, "Status")  # the same word in German
    assert report[0] == [t(day, "Firm"), status, t(day, "First consultation"), t(day, "Further"),
                         t(day, "Hours in total"), t(day, "Hours left")], report
    firms = {row[0]: row for row in report[1:]}
    assert set(firms) == {day.client}, "the firm whose place was taken back had no hours"
    assert firms[day.client][1] == t(day, "Accepted")
    assert [Decimal(v) for v in firms[day.client][2:]] == [Decimal("1.5"), 0, Decimal("1.5"), Decimal("12.5")]

    # the client sees its place in the closed programme, with the hours booked on it
    client.goto(f"{base}/office/our-programmes")
    closed = client_card(client, day)
    state = closed.inner_text()
    assert t(day, "Closed programmes you applied to") in main_text(client)
    assert t(day, "Accepted") in state and t(day, "Closed") in state, state
    assert day.first_hours_shown in state, state
    shoot_both(client, f"{tag}-client-closed")
    return client.locator("html").get_attribute("lang")


def test_a_programme_day_at_at12_in_german(demo, new_page):
    assert programme_day(new_page, demo, AT12) == "de"


def test_a_programme_day_at_hu22_in_hungarian(demo, new_page):
    assert programme_day(new_page, demo, HU22) == "hu"
