"""A supporter's double opt-in by mail, in real headless Chromium against the demo federation
(tests/browser/conftest.py), issue 15: a supporter files a statement of support on a site's public page;
the hub's count of statements (the agency dashboard, as the agency's analyst sees it) does not rise; the
confirmation mail arrives at the demo's SMTP server (read on the site's demo mailbox page, as its broker
sees it); the supporter opens the link from the mail and confirms; only then does the hub's count rise.
In German at AT12 and in Hungarian at HU22 (where the supporter also asks for the newsletter).
"""
from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from tests.support.browser_flows import LOCALES, Api, shoot
from tests.support.browser_pages import log_in, tr, url
from tests.support.polling import eventually

SETTLE_SECONDS = 3.0  # how long the hub's count must stay put after filing (its events arrive in well under)


@dataclass(frozen=True)
class Supporter:
    site: str
    lang: str
    nuts3: str
    first_name: str
    last_name: str
    newsletter: bool


AT12 = Supporter("AT12", "de", "AT123", "Lena", "Gruber", newsletter=False)
HU22 = Supporter("HU22", "hu", "HU221", "Erzsébet", "Kovács", newsletter=True)


def hub_count(page, hub: str, site: str, lang: str) -> int:
    """The site's statements of support on the agency dashboard (the hub counts confirmed ones only)."""
    page.goto(f"{hub}/agency/?lang={lang}")
    per_site = page.locator("main table").first  # "Per site", after the figures
    row = per_site.locator("tbody tr", has=page.locator(f'th[scope=row] a:text-is("{site}")'))
    cells = row.locator("td")
    assert cells.count() == 5, row.inner_text()  # the "Per site" table: its last column is the statements
    return int(re.sub(r"\D", "", cells.last.inner_text()))


def confirmed_at_site(api: Api) -> int:
    return api.ok("GET", "/support-statements?confirmed=true&status=active&per_page=1")["total"]


def settled_count(page, hub: str, s: Supporter, expected: int) -> int:
    """The hub's count once it equals the site's own count of confirmed statements (earlier journeys'
    confirmations may still be on their way)."""
    seen = eventually(lambda: [n for n in [hub_count(page, hub, s.site, s.lang)] if n == expected], timeout=60)
    assert seen == [expected], f"the hub counts {hub_count(page, hub, s.site, s.lang)}, the site {expected}"
    return expected


def confirmation_link(broker, site_url: str, s: Supporter, address: str) -> str:
    """The link in the confirmation mail to `address`, from the site's demo mailbox page."""
    def found():
        broker.goto(f"{site_url}/demo/mailbox?lang={s.lang}")
        mail = broker.locator("article", has_text=address)
        return mail.count() == 1 and mail
    mail = eventually(found, timeout=30)
    assert mail, f"no confirmation mail to {address} in the demo mailbox"
    assert mail.get_attribute("lang") == s.lang, "the mail is in the page language the supporter used"
    assert tr(s.lang, "Confirm my statement") in mail.inner_text()
    shoot(broker, f"{s.site.lower()}-mailbox-confirmation-{s.lang}")
    return mail.locator("a", has_text="/support/confirm/").first.get_attribute("href")


def public_write(page, act) -> None:
    """`act()` ends in an anonymous write. The browser demo widens the per-address public-write allowance
    (tests/browser/conftest.py), but every journey's visitor comes from 127.0.0.1: should it still be spent,
    wait as the 429's Retry-After says and act again."""
    for _attempt in range(3):
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            act()
        if answer.value.status != 429:
            return
        time.sleep(int(answer.value.headers.get("retry-after") or 60) + 1)
    raise AssertionError("still too many requests after waiting")


def supporter_journey(demo, new_page, s: Supporter) -> tuple[int, int]:
    """The journey; returns the hub's count of the site's statements before filing and after confirming."""
    site_url, hub = url(demo, s.site), demo["hub"]
    address = f"unterstuetzer.{uuid.uuid4().hex[:8]}@example.org"
    api = Api(site_url)
    analyst = new_page(locale=LOCALES[s.lang])
    log_in(analyst, hub, "analyst", s.lang)
    before = settled_count(analyst, hub, s, confirmed_at_site(api))

    # The supporter files the statement on the site's public page.
    page = new_page(locale=LOCALES[s.lang])

    def file_statement():
        page.goto(f"{site_url}/support?lang={s.lang}")
        page.check("input[name=kind][value=person]")
        page.fill("#f-first_name", s.first_name)
        page.fill("#f-last_name", s.last_name)
        page.fill("#f-email", address)
        page.select_option("#f-nuts3", s.nuts3)
        page.check("#f-consent")
        assert not page.is_checked("#f-newsletter"), "the newsletter is asked for, never assumed"
        if s.newsletter:
            page.check("#f-newsletter")
        shoot(page, f"{s.site.lower()}-support-mail-{s.lang}")
        page.locator("main form button[type=submit]").click()

    public_write(page, file_statement)
    assert not page.locator(".error-summary").count(), page.locator("main").inner_text()
    assert tr(s.lang, "We have sent you an e-mail with a link: your statement counts in the statistics once you "
                      "confirm it with that link.") in page.locator("main").inner_text()

    # Filed, not confirmed: the hub's count stays put.
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        assert hub_count(analyst, hub, s.site, s.lang) == before, "an unconfirmed statement must not count"
        time.sleep(0.5)

    # The confirmation mail, as the demo's SMTP server received it.
    broker = new_page(locale=LOCALES[s.lang])
    log_in(broker, site_url, "broker", s.lang)
    link = confirmation_link(broker, site_url, s, address)
    assert link.startswith(f"{site_url}/support/confirm/") and link.endswith(f"?lang={s.lang}"), link

    # The supporter opens the link from the mail: a button (a mail scanner opening it confirms nothing).
    def confirm():
        page.goto(link)
        assert page.locator("html").get_attribute("lang") == s.lang
        assert page.locator("h1").inner_text() == tr(s.lang, "Confirm your statement of support")
        assert hub_count(analyst, hub, s.site, s.lang) == before
        shoot(page, f"{s.site.lower()}-support-confirm-mail-{s.lang}")
        page.locator("main form button[type=submit]").click()

    public_write(page, confirm)
    assert page.locator(".notice.success").inner_text() == tr(
        s.lang, "Thank you: your statement is confirmed and now counts.")

    # Only now does the hub count it.
    assert eventually(lambda: hub_count(analyst, hub, s.site, s.lang) == before + 1, timeout=60)
    shoot(analyst, f"hub-agency-statements-{s.site.lower()}-{s.lang}")

    # The link again: a clear page, not a second count.
    page.goto(link)
    assert tr(s.lang, "This link has already been used: your statement was confirmed with it.") in \
        page.locator(".notice.error").inner_text()
    assert page.locator("main form button[type=submit]").count() == 0

    if s.newsletter:
        newsletter_reaches(broker, site_url, s, address)
    return before, hub_count(analyst, hub, s.site, s.lang)


def newsletter_reaches(broker, site_url: str, s: Supporter, address: str) -> None:
    """The broker writes a newsletter in the office (a subject and a text per site language); the supporter,
    who asked for it and confirmed, receives it in their language, with the one-click unsubscribe."""
    broker.goto(f"{site_url}/office/newsletter?lang={s.lang}")
    assert broker.locator("h1").inner_text() == tr(s.lang, "Newsletter to the supporters")
    subject = f"{s.site} {uuid.uuid4().hex[:6]}"
    for field in broker.locator("main form input[name^=subject_]").all():
        lang = field.get_attribute("name").removeprefix("subject_")
        field.fill(f"{subject} ({lang})")
        broker.fill(f"#f-text_{lang}", f"{lang}: 1\n\n{lang}: 2")
    shoot(broker, f"{s.site.lower()}-office-newsletter-{s.lang}")
    broker.locator("main form button[type=submit]").click()
    assert re.search(r"\b1\b", broker.locator(".notice.success").inner_text())  # "goes to 1 supporter"

    def received():
        broker.goto(f"{site_url}/demo/mailbox?lang={s.lang}")
        mail = broker.locator("article", has_text=subject)
        return mail.count() == 1 and mail
    mail = eventually(received, timeout=30)
    assert mail, f"the newsletter {subject} did not arrive"
    assert mail.locator("h2").inner_text() == f"{subject} ({s.lang})", "in the supporter's language"
    assert address in mail.inner_text() and mail.get_attribute("lang") == s.lang
    assert mail.locator("a", has_text="/notifications/unsubscribe/").count() >= 1


def test_a_supporter_confirms_by_mail_in_german_at_at12_and_the_hub_counts_it_only_then(demo, new_page):
    before, after = supporter_journey(demo, new_page, AT12)
    assert after == before + 1, (before, after)  # counted once, and only after the mailed link


def test_a_supporter_confirms_by_mail_in_hungarian_at_hu22_and_the_hub_counts_it_only_then(demo, new_page):
    before, after = supporter_journey(demo, new_page, HU22)
    assert after == before + 1, (before, after)  # counted once, and only after the mailed link
