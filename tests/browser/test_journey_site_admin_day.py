"""A site administrator's day, through the pages only, in real headless Chromium against the demo federation
(tests/browser/conftest.py), issue 14 ("What it must show"): at AT12 in German, at HU22 in Hungarian.

The admin opens the users and roles, sends the new user's form empty and with hostile values first (messages
beside the fields, in the page's language), adds a member linked to its organisation found by SEARCHING its
name (no id is typed or shown: the member is shown by its organisation's name), and a staff user with two
roles; changes that user's roles; sets a new password for them after they forgot theirs (too short first),
and they log in with it; deactivates them after the confirmation page, so that they can no longer log in;
and looks at the dead letters and the outbox. Every page is photographed on a desktop and on a phone
(375 px): admin-day-*.png. No page answers 5xx (the `new_page` fixture).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tests.support.browser_crossborder import main_text, site_tr
from tests.support.browser_flows import shoot_both as shared_shoot_both, LOCALES
from tests.support.browser_pages import field_errors, log_in, url

HOSTILE = "<script>alert(1)</script>"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-|\b[0-9a-f]{8}\b")


@dataclass(frozen=True)
class Day:
    site: str
    lang: str
    organisation: str  # a client company of the demo, searched by part of its name
    organisation_search: str
    member: str  # the new users' names
    staff: str


AT12 = Day(site="AT12", lang="de", organisation="Donauland Handels AG", organisation_search="donauland",
           member="donauland-einkauf", staff="sachbearbeitung")
HU22 = Day(site="HU22", lang="hu", organisation="Zalai Ajándéktárgy Kft.", organisation_search="Zalai",
           member="zalai-beszerzes", staff="ugyintezo")


def t(day: Day, msgid: str, **values) -> str:
    return site_tr(day.lang, msgid, **values)


def shoot_both(page, name: str) -> None:
    shared_shoot_both(page, f"admin-day-{name}")


def log_in_with(page, base: str, day: Day, username: str, password: str) -> bool:
    page.goto(f"{base}/login?lang={day.lang}")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    page.locator("main form button[type=submit]").click()
    return page.locator(".who").inner_text().startswith(username)


def new_user_form(page):
    return page.locator("form", has=page.locator("#f-username"))


def add_user(page, day: Day, username: str, password: str, roles: list[str]) -> None:
    form = new_user_form(page)
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    for role in roles:
        form.locator(f"input[name=roles][value={role}]").check()
    form.get_by_role("button", name=t(day, "Add the user")).click()


def site_admin_day(new_page, demo, day: Day) -> str:
    base = url(demo, day.site)
    tag = f"{day.site.lower()}-{day.lang}"
    page = new_page(locale=LOCALES[day.lang])
    log_in(page, base, "admin", day.lang)
    page.locator("nav").get_by_role("link", name=t(day, "Users and roles")).click()
    assert page.locator("main h1").inner_text() == t(day, "Users and roles")
    shoot_both(page, f"{tag}-users")

    # bad input first: empty, then hostile and far too long
    new_user_form(page).get_by_role("button", name=t(day, "Add the user")).click()
    errors = field_errors(page)
    assert {"username", "password", "roles"} <= set(errors), errors
    assert errors["username"].endswith(t(day, "This field is required."))
    assert errors["roles"].endswith(t(day, "Choose at least one role."))
    add_user(page, day, HOSTILE, "x" * 500, ["broker"])
    errors = field_errors(page)
    assert set(errors) == {"username", "password"}, errors
    assert errors["username"].endswith(t(day, "Please use 2 to 100 letters, digits or . _ @ -"))
    shoot_both(page, f"{tag}-user-refused")

    # a member, linked to its organisation found by searching its name
    page.fill("#f-organisation_q", day.organisation_search)
    page.locator("form[role=search]").get_by_role("button", name=t(day, "Search")).click()
    new_user_form(page).locator("label", has_text=day.organisation).click()
    add_user(page, day, day.member, "ein-langes-passwort", ["member"])
    assert t(day, "The user %(name)s has been added.", name=day.member) in main_text(page), main_text(page)
    row = page.locator("tr", has_text=day.member)
    assert t(day, "member of %(name)s", name=day.organisation) in row.inner_text()
    assert not UUID.search(page.locator("main").inner_text()), "no organisation is shown as an id"
    shoot_both(page, f"{tag}-member-added")

    # a staff user with two roles, whose roles then change
    add_user(page, day, day.staff, "erstes-passwort-123", ["broker", "assessor"])
    assert t(day, "The user %(name)s has been added.", name=day.staff) in main_text(page)
    roles = page.locator("tr", has_text=day.staff).locator("form", has=page.locator("input[name=roles]"))
    roles.locator("input[value=assessor]").uncheck()
    roles.locator("input[value=approver]").check()
    roles.get_by_role("button", name=t(day, "Save the roles of %(name)s", name=day.staff)).click()
    assert t(day, "The user %(name)s has been changed.", name=day.staff) in main_text(page)
    roles = page.locator("tr", has_text=day.staff)
    assert roles.locator("input[value=approver]").is_checked() and not roles.locator("input[value=assessor]").is_checked()

    # they forgot their password: the admin sets a new one (too short first), and they log in with it
    page.locator("tr", has_text=day.staff).get_by_role(
        "link", name=t(day, "Set a new password for %(name)s", name=day.staff)).click()
    assert page.locator("main h1").inner_text() == t(day, "Set a new password for %(name)s", name=day.staff)
    page.fill("#f-password", "kurz")
    page.get_by_role("button", name=t(day, "Set the new password")).click()
    assert list(field_errors(page)) == ["password"]
    shoot_both(page, f"{tag}-password")
    page.fill("#f-password", "neues-passwort-456")
    page.get_by_role("button", name=t(day, "Set the new password")).click()
    assert t(day, "%(name)s has a new password; their sessions have ended.", name=day.staff) in main_text(page)
    colleague = new_page(locale=LOCALES[day.lang])
    assert not log_in_with(colleague, base, day, day.staff, "erstes-passwort-123"), "the old password is gone"
    assert log_in_with(colleague, base, day, day.staff, "neues-passwort-456")
    colleague.goto(f"{base}/office/labels?lang={day.lang}")
    assert colleague.locator("main h1").inner_text() == t(day, "Label applications"), "as an approver now"

    # they leave: deactivated after the confirmation page, their session ends at once
    page.locator("tr", has_text=day.staff).get_by_role(
        "link", name=t(day, "Deactivate %(name)s…", name=day.staff)).click()
    assert page.locator("main h1").inner_text() == t(day, "Deactivate %(name)s?", name=day.staff)
    shoot_both(page, f"{tag}-deactivate-asks")
    page.get_by_role("button", name=t(day, "Deactivate %(name)s", name=day.staff)).click()
    assert t(day, "%(name)s is deactivated and can no longer log in.", name=day.staff) in main_text(page)
    assert t(day, "deactivated") in page.locator("tr", has_text=day.staff).inner_text()
    colleague.goto(f"{base}/office/labels?lang={day.lang}")
    assert "/login" in colleague.url, "the open session ended"
    assert not log_in_with(colleague, base, day, day.staff, "neues-passwort-456")
    shoot_both(page, f"{tag}-deactivated")

    # the member logs in and lands in its organisation's area
    member = new_page(locale=LOCALES[day.lang])
    assert log_in_with(member, base, day, day.member, "ein-langes-passwort")

    page.locator("nav").get_by_role("link", name=t(day, "Dead letters and outbox")).click()
    assert page.locator("main h1").inner_text() == t(day, "Dead letters and outbox")
    shoot_both(page, f"{tag}-operations")
    page.get_by_role("button", name=t(day, "Log out")).click()
    return page.locator("html").get_attribute("lang")


def test_a_site_admin_day_at_at12_in_german(demo, new_page):
    assert site_admin_day(new_page, demo, AT12) == "de"


def test_a_site_admin_day_at_hu22_in_hungarian(demo, new_page):
    assert site_admin_day(new_page, demo, HU22) == "hu"
