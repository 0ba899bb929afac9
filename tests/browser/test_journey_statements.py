"""Statements of support in real headless Chromium against the demo federation (tests/browser/conftest.py):

3. a supporter files a statement in Hungarian at HU22;
6. statements count once confirmed: the supporter's link in Hungarian, a broker's button in German.

Test 6 confirms the statement test 3 filed, so they run in this order. A form submitted empty or with
wrong values shows its field errors in the page's language (from the gettext catalogues). Screenshots
go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

from tests.support.browser_flows import shoot
from tests.support.browser_pages import error_of, field_errors, log_in, tr, url
from tests.support.polling import eventually


# --- 3. a supporter files a statement in Hungarian at HU22 -------------------------------------------

def test_3_a_supporter_files_a_statement_in_hungarian_at_hu22(demo, new_page):
    hu22 = url(demo, "HU22")
    page = new_page(locale="hu-HU")
    page.goto(f"{hu22}/support?lang=hu")
    assert page.locator("html").get_attribute("lang") == "hu"
    shoot(page, "hu22-support-hu")

    page.locator("main form button[type=submit]").click()  # empty: no region, no consent
    errors = field_errors(page)
    assert tr("hu", "This field is required.") in errors["nuts3"], errors
    # the paper form's rules in the same round: consent, and a private person's names (the default kind)
    assert tr("hu", "Your consent is required to record a statement of support.") in errors["consent"], errors
    assert tr("hu", "This field is required for a statement by a person.") in errors["last_name"], errors
    assert page.locator(".error-summary h2").inner_text() == tr("hu", "Please check your entries")
    shoot(page, "hu22-support-empty-hu")

    page.check("input[name=kind][value=person]")
    page.fill("#f-first_name", "Erzsébet")
    page.fill("#f-last_name", "Szabó")
    page.fill("#f-email", "nem-email-cim")
    page.select_option("#f-nuts3", "HU221")
    page.locator("main form button[type=submit]").click()  # a wrong e-mail address
    assert tr("hu", "Please enter a valid e-mail address.") in error_of(page, "email")
    assert page.input_value("#f-first_name") == "Erzsébet", "the form keeps what was typed"

    page.fill("#f-email", "szabo.erzsebet@example.hu")
    page.locator("main form button[type=submit]").click()  # no consent
    assert tr("hu", "Your consent is required to record a statement of support.") in error_of(page, "consent")
    shoot(page, "hu22-support-no-consent-hu")

    page.check("#f-consent")
    page.locator("main form button[type=submit]").click()
    notice = page.locator(".notice.success").inner_text()
    reference = re.search(r"HU22-\S+", notice)
    assert reference, notice
    assert notice == tr("hu", "Your statement has been recorded under the reference %(reference)s.",
                        reference=reference.group(0).rstrip("."))
    shoot(page, "hu22-support-thanks-hu")


# --- 6. statements count once confirmed: the supporter's link in Hungarian, a broker's button in German ---

def confirmation_link(demo: dict, new_page, site: str) -> str:
    """The newest confirmation link the site mailed, from its demo mailbox page as its broker reads it (the
    site keeps no copy of a sent link; the mail itself: tests/browser/test_journey_supporter_mail.py),
    without its language."""
    broker = new_page()
    log_in(broker, url(demo, site), "broker", "en")

    def found():
        broker.goto(f"{url(demo, site)}/demo/mailbox?lang=en")
        links = broker.locator("article a", has_text="/support/confirm/")
        return links.count() >= 1 and links.first.get_attribute("href")  # newest first

    link = eventually(found, timeout=30)
    assert link, f"{site} mailed no confirmation link"
    broker.close()
    return link.split("?", 1)[0]


def test_6_a_supporter_confirms_by_the_link_and_a_broker_confirms_a_paper_statement(demo, new_page):
    link = confirmation_link(demo, new_page, "HU22")  # the statement test 3 filed with an e-mail address
    page = new_page(locale="hu-HU")
    page.goto(f"{link}?lang=hu")
    assert page.locator("html").get_attribute("lang") == "hu"
    assert page.locator("h1").inner_text() == tr("hu", "Confirm your statement of support")
    shoot(page, "hu22-support-confirm-hu")
    page.locator("main form button[type=submit]").click()  # opening the link confirmed nothing: the button does
    assert page.locator(".notice.success").inner_text() == tr(
        "hu", "Thank you: your statement is confirmed and now counts.")
    # (A second use is refused: tests/web/test_statement_confirmation_pages.py. Not here: this address has
    # used its five anonymous writes of the minute at HU22 in test 3 and this confirmation.)

    # A statement typed in from a signed paper form (no e-mail): the broker confirms it in the office.
    at12 = url(demo, "AT12")
    page.goto(f"{at12}/support?lang=de")
    page.check("input[name=kind][value=person]")
    page.fill("#f-first_name", "Johann")
    page.fill("#f-last_name", "Pichler")
    page.fill("#f-phone", "+43 2572 1234")
    page.check("input[name=phone_kind][value=fixed]")
    page.select_option("#f-nuts3", "AT125")
    page.check("#f-consent")
    page.locator("main form button[type=submit]").click()
    shoot(page, "at12-support-paper-de")
    assert not page.locator(".error-summary").count(), page.locator("main").inner_text()
    reference = re.search(r"AT12-\S+", page.locator(".notice.success").inner_text()).group(0).rstrip(".")

    broker = new_page(locale="de-AT")
    log_in(broker, at12, "broker", "de")
    broker.goto(f"{at12}/office/statements?lang=de")
    row = broker.locator("tr", has_text=reference)
    assert "Johann Pichler" in row.inner_text()
    shoot(broker, "at12-statements-de")
    row.locator("button[type=submit]").click()
    assert broker.locator(".notice.success").inner_text() == tr(
        "de", "Statement %(reference)s is confirmed and now counts.", reference=reference)
    assert broker.locator("tr", has_text=reference).count() == 0, "no longer awaiting confirmation"
    broker.goto(f"{at12}/office/statements?confirmed=yes&lang=de")
    assert "broker" in broker.locator("tr", has_text=reference).inner_text(), "confirmed by the broker"
