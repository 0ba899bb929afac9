"""The agency admin's day at the hub, through the pages only, in real headless Chromium against the demo
federation (tests/browser/conftest.py), issue 14 ("At the hub, for agency_admin"): in German and in
Hungarian, two of the hub's three languages.

The agency admin opens its bookmark of "Streams and dead letters" at the hub (services/sync/agency_pages.py),
logs in there (a wrong password first) and lands on it:
every site's stream of every service the hub ingests is listed. It pauses one stream on its confirmation
page, sent empty first (answered beside the fields in the page's language), then with a reason that looks
like markup (kept as text); sees the stream paused and the pause in the record of operations; resumes it
on its confirmation page and sees that in the record too. Then it reads the open dead letters with their
reasons: the demo put a tampered copy of AT12's and of HU22's first registry event into the hub's ingest
(services/demo/practice.py), which the hub dead-lettered as forged. It re-drives its day's letter on the
confirmation page (without ticking the box first: refused beside the box), the genuine event is read
from the site's feed, and the record names the re-drive. Every page is photographed on a desktop and on
a phone (375 px): agency-day-*.png.

The expected texts come from the gettext catalogues as the hub merges them; no page answers 5xx.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from babel.support import Translations

from services.hub.consumers import INGEST_SERVICES
from tests.support.browser_crossborder import flat, main_text, rows
from tests.support.browser_flows import shoot_both as shared_shoot_both, PASSWORD
from tests.support.browser_pages import CATALOGUES, field_errors, tr, url

MEMBER_SITES = ("AT11", "AT12", "AT13", "AT22", "HU22")


@dataclass(frozen=True)
class Day:
    lang: str
    stream: str  # the stream paused and resumed (one nobody else works on meanwhile)
    reason: str  # why, typed with something that looks like markup
    letter_stream: str  # the practice dead letter re-driven this day
    browser_locale: str  # the agency admin's browser asks for the day's language


GERMAN = Day(lang="de", stream="AT22/label", reason="<b>Beschwerde</b> über Gütesiegel prüfen",
             letter_stream="AT12/registry", browser_locale="de-AT")
HUNGARIAN = Day(lang="hu", stream="AT11/label", reason="<i>Panasz</i> kivizsgálása & egyeztetés",
                letter_stream="HU22/registry", browser_locale="hu-HU")


def t(day: Day, msgid: str, **values) -> str:
    return tr(day.lang, msgid, **values)


def tn(day: Day, singular: str, plural: str, n: int, **values) -> str:
    """A counted text in the day's language, as the hub chooses its plural form."""
    translations = Translations.load(str(CATALOGUES[0]), [day.lang])
    translations.merge(Translations.load(str(CATALOGUES[1]), [day.lang]))
    text = translations.ngettext(singular, plural, n)
    assert text not in (singular, plural), f"{singular!r} is not translated into {day.lang}"
    return text % values


def shoot_both(page, name: str) -> None:
    shared_shoot_both(page, f"agency-day-{name}")


def stream_row(page, stream: str):
    return page.locator("#operation-streams tbody tr", has=page.locator("th", has_text=re.compile(f"^{stream}$")))


def record(page) -> list[list[str]]:
    """The record of operations, newest first: when, who, what, of what, why."""
    return rows(page, "#operations-record")


def pauses_and_resumes(page, day: Day, tag: str) -> None:
    stream_row(page, day.stream).get_by_role("link", name=t(day, "Pause %(stream)s…", stream=day.stream)).click()
    heading = t(day, "Pause %(stream)s", stream=day.stream)
    assert page.locator("main h1").inner_text() == heading
    page.get_by_role("button", name=heading).click()  # nothing filled in, nothing ticked
    errors = field_errors(page)
    assert set(errors) == {"reason", "confirm"}, errors
    assert errors["confirm"].endswith(t(day, "Please tick the box to confirm.")), errors
    shoot_both(page, f"{tag}-pause-refused")
    page.fill("#f-reason", day.reason)
    page.check("#f-confirm")
    page.get_by_role("button", name=heading).click()
    assert t(day, "%(stream)s is paused: its events are held back, none is lost.", stream=day.stream) \
        in main_text(page), main_text(page)
    assert stream_row(page, day.stream).locator(".tag").inner_text() == t(day, "paused")
    when, who, what, subject, why = record(page)[0]
    assert (who, what, subject, why) == ("agency", t(day, "paused"), day.stream, day.reason), record(page)[0]
    assert page.locator("#operations-record b, #operations-record i").count() == 0, "the reason is text, not markup"
    shoot_both(page, f"{tag}-paused")

    stream_row(page, day.stream).get_by_role("link", name=t(day, "Resume %(stream)s…", stream=day.stream)).click()
    assert day.reason in main_text(page), "the confirmation says why it was paused"
    shoot_both(page, f"{tag}-resume")
    page.check("#f-confirm")
    page.get_by_role("button", name=t(day, "Resume %(stream)s", stream=day.stream)).click()
    said = [re.escape(flat(tn(day, "%(stream)s is resumed: %(num)s held-back event applied.",
                              "%(stream)s is resumed: %(num)s held-back events applied.", n,
                              stream=day.stream, num="NUM"))).replace("NUM", r"\d+") for n in (1, 2)]
    assert re.search("|".join(said), main_text(page)), main_text(page)
    assert stream_row(page, day.stream).locator(".tag").inner_text() == t(day, "live")
    assert record(page)[0][1:] == ["agency", t(day, "resumed"), day.stream, "–"], record(page)[0]


def redrives_the_practice_letter(page, day: Day, tag: str) -> None:
    letters = page.locator("#open-dead-letters tbody tr", has_text=day.letter_stream)
    assert letters.count() == 1, main_text(page)
    number, received, stream, seq, reason, _ = rows(page, "#open-dead-letters")[
        [r[2] for r in rows(page, "#open-dead-letters")].index(day.letter_stream)]
    site = day.letter_stream.split("/")[0]
    assert reason.startswith(flat(t(day, "Forged: the signature is not the named site's."))), reason  # in words
    assert f"forged: the signature does not match site '{site}'" in reason, reason  # and as the hub logged it
    letters.get_by_role("link", name=t(day, "Re-drive dead letter %(id)s…", id=number)).click()
    name = t(day, "dead letter %(id)s (%(where)s)", id=number, where=f"{day.letter_stream}#{seq}")
    heading = t(day, "Re-drive %(letter)s", letter=name)
    assert page.locator("main h1").inner_text() == heading
    assert "forged" in page.locator("main dl").inner_text()
    page.get_by_role("button", name=heading).click()  # the box not ticked
    errors = field_errors(page)
    assert set(errors) == {"confirm"} and errors["confirm"].endswith(t(day, "Please tick the box to confirm.")), errors
    shoot_both(page, f"{tag}-redrive")
    page.check("#f-confirm")
    page.get_by_role("button", name=heading).click()
    assert t(day, "The dead letter %(id)s has been re-driven.", id=number) in main_text(page), main_text(page)
    assert day.letter_stream not in [r[2] for r in rows(page, "#open-dead-letters")], "no longer open"
    assert record(page)[0][1:] == ["agency", t(day, "re-driven"), name, "–"], record(page)[0]
    shoot_both(page, f"{tag}-redriven")


def agency_day(new_page, demo, day: Day) -> str:
    tag = day.lang
    page = new_page(locale=day.browser_locale)
    hub = url(demo, "EU")
    # from a bookmark, in a browser set to the day's language: asked to log in first (a wrong password,
    # then the right one), then there
    page.goto(f"{hub}/agency/operations/")
    assert "/login" in page.url
    page.fill("#f-username", "agency")
    page.fill("#f-password", "wrong password")
    page.locator("main form button[type=submit]").click()
    assert t(day, "Unknown user or wrong password.") in page.locator(".error-summary").inner_text()
    page.fill("#f-username", "agency")
    page.fill("#f-password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    assert page.url.startswith(f"{hub}/agency/operations/"), page.url
    assert page.locator("main h1").inner_text() == t(day, "Streams and dead letters")
    assert page.locator("nav").get_by_role("link", name=t(day, "Streams and dead letters")).count() == 1
    listed = [row[0] for row in rows(page, "#operation-streams")]
    assert sorted(listed) == sorted(f"{site}/{service}" for site in MEMBER_SITES for service in INGEST_SERVICES)
    shoot_both(page, f"{tag}-operations")

    pauses_and_resumes(page, day, tag)
    redrives_the_practice_letter(page, day, tag)
    return page.locator("html").get_attribute("lang")


def test_an_agency_admin_day_in_german(demo, new_page):
    assert agency_day(new_page, demo, GERMAN) == "de"


def test_an_agency_admin_day_in_hungarian(demo, new_page):
    assert agency_day(new_page, demo, HUNGARIAN) == "hu"
