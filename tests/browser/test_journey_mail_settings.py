"""A person's own mail through the pages, in real headless Chromium against the demo federation
(tests/browser/conftest.py), issue 15: at AT12 in German and at HU22 in Hungarian.

The site admin invites a new broker by address (no password typed); the invitation arrives at the demo's
SMTP server (read on the demo mailbox page); the new broker opens its link, chooses a password and logs in.
On "My notifications" a malformed address is refused beside its field; the broker chooses the daily summary
for new enquiries and turns complaints off. Then, logged out, "Forgot your password?" mails a reset link;
the broker sets a new password through it and logs in; the same link opened again shows a clear page
(410), as does an unknown one (404). Every page is audited and shot on desktop and phone (mail-*.png).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from tests.support.browser_flows import shoot_both as shared_shoot_both, LOCALES
from tests.support.browser_pages import field_errors, log_in, tr, url
from tests.support.polling import eventually



@dataclass(frozen=True)
class Person:
    site: str
    lang: str


def shoot_both(page, name: str) -> None:
    shared_shoot_both(page, f"mail-{name}")


def link_from_mailbox(admin, site_url: str, lang: str, address: str, path_part: str) -> str:
    """The newest mail to `address` on the site's demo mailbox page, and its link containing `path_part`."""
    def found():
        admin.goto(f"{site_url}/demo/mailbox?lang={lang}")
        mail = admin.locator("article", has=admin.locator(f"dd:text-is('{address}')"))
        links = mail.locator("a", has_text=path_part)
        return links.count() >= 1 and links.first.get_attribute("href")
    link = eventually(found, timeout=30)
    assert link, f"no mail to {address} with {path_part} in the demo mailbox"
    return link


def mail_journey(demo, new_page, p: Person) -> dict:
    """The journey; returns who is logged in at the end, and the statuses of the used and an unknown link."""
    site_url = url(demo, p.site)
    username = f"neu-{uuid.uuid4().hex[:6]}"
    address = f"{username}@{p.site.lower()}.sopro.example"
    admin = new_page(locale=LOCALES[p.lang])
    log_in(admin, site_url, "admin", p.lang)

    # the admin invites: an address, no password
    admin.goto(f"{site_url}/office/users?lang={p.lang}")
    form = admin.locator("main form", has=admin.locator("#f-username"))
    form.locator("#f-username").fill(username)
    form.locator("#f-email").fill(address)
    form.locator("input[name=roles][value=broker]").check()
    form.locator("button[type=submit]").click()
    assert tr(p.lang, "The user %(name)s has been added and invited by mail.", name=username) in admin.content()
    invitation = link_from_mailbox(admin, site_url, p.lang, address, "/account/invitation/")
    shoot_both(admin, f"{p.site.lower()}-mailbox-invitation")

    person = new_page(locale=LOCALES[p.lang])
    person.goto(invitation)
    assert person.locator("h1").inner_text() == tr(p.lang, "Welcome: choose your password")
    shoot_both(person, f"{p.site.lower()}-invitation")
    person.fill("#f-password", "kurz")
    person.locator("main form button[type=submit]").click()
    assert field_errors(person).get("password"), "too short, said beside the field"
    person.fill("#f-password", "mein eigenes Passwort 1")
    person.locator("main form button[type=submit]").click()
    assert tr(p.lang, "Your password is set. Log in with it.") in person.content()
    person.fill("#f-username", username)
    person.fill("#f-password", "mein eigenes Passwort 1")
    person.locator("main form button[type=submit]").click()
    assert person.locator(".who").inner_text().startswith(username)

    # my notifications: a malformed address, then the choices
    person.get_by_role("link", name=tr(p.lang, "My notifications")).first.click()
    assert person.locator("h1").inner_text() == tr(p.lang, "My notifications")
    assert person.locator("#f-email").input_value() == address
    person.fill("#f-email", "kein-at-zeichen")
    person.locator("main form button[type=submit]").click()
    assert field_errors(person)["email"].endswith(tr(p.lang, "Please enter one e-mail address, like name@example.org."))
    shoot_both(person, f"{p.site.lower()}-settings-error")
    person.fill("#f-email", address)
    person.locator("#f-mode-enquiry_filed input[value=digest]").check()
    person.locator("#f-mode-complaint_filed input[value=off]").check()
    person.locator("main form button[type=submit]").click()
    assert tr(p.lang, "Your notification settings have been saved.") in person.content()
    assert person.locator("#f-mode-enquiry_filed input[value=digest]").is_checked()
    assert person.locator("#f-mode-complaint_filed input[value=off]").is_checked()
    shoot_both(person, f"{p.site.lower()}-settings")

    # forgot the password: a reset link by mail, once
    person.locator("form[action$=\"/logout\"] button").click()
    person.goto(f"{site_url}/login?lang={p.lang}")
    person.get_by_role("link", name=tr(p.lang, "Forgot your password?")).click()
    person.fill("#f-who", address)
    person.locator("main form button[type=submit]").click()
    assert "role=\"status\"" in person.content()
    shoot_both(person, f"{p.site.lower()}-forgot-sent")
    reset = link_from_mailbox(admin, site_url, p.lang, address, "/account/password/reset/")
    person.goto(reset)
    person.fill("#f-password", "ein neues Passwort 2")
    person.locator("main form button[type=submit]").click()
    person.fill("#f-username", username)
    person.fill("#f-password", "ein neues Passwort 2")
    person.locator("main form button[type=submit]").click()
    assert person.locator(".who").inner_text().startswith(username)
    used = person.goto(reset)
    assert used.status == 410 and person.locator("h1").inner_text() == tr(p.lang, "This link no longer works")
    assert tr(p.lang, "The link has been used already: each link works once.") in person.content()
    shoot_both(person, f"{p.site.lower()}-link-used")
    unknown = person.goto(f"{site_url}/account/password/reset/{'x' * 43}?lang={p.lang}")
    assert unknown.status == 404
    person.goto(f"{site_url}/?lang={p.lang}")
    return {"username": username, "who": person.locator(".who").inner_text(), "used": used.status,
            "unknown": unknown.status}


def test_a_broker_at_at12_is_invited_chooses_their_mail_and_resets_the_password_in_german(demo, new_page):
    end = mail_journey(demo, new_page, Person("AT12", "de"))
    assert end["who"].startswith(end["username"]) and (end["used"], end["unknown"]) == (410, 404), end


def test_a_broker_at_hu22_is_invited_chooses_their_mail_and_resets_the_password_in_hungarian(demo, new_page):
    end = mail_journey(demo, new_page, Person("HU22", "hu"))
    assert end["who"].startswith(end["username"]) and (end["used"], end["unknown"]) == (410, 404), end
