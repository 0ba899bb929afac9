"""Sessions in real headless Chromium against the demo federation (tests/browser/conftest.py):

7. a site admin ends a user's access at once; a copied cookie dies with the logout.
"""
from __future__ import annotations

from tests.support.browser_pages import log_in, tr, url


# --- 7. a site admin ends a user's access at once; a copied cookie dies with the logout ----------------

def test_7_deactivation_and_logout_end_sessions_at_once(demo, browser, new_page):
    at12 = url(demo, "AT12")
    admin = new_page()
    log_in(admin, at12, "admin", "de")
    admin.goto(f"{at12}/office/users?lang=de")
    admin.fill("#f-username", "aushilfe")
    admin.fill("#f-password", "ein-langes-passwort")
    admin.check("input[name=roles][value=broker] >> nth=-1")  # the new user's form is the last one
    admin.locator("form:has(#f-username) button[type=submit]").click()
    assert admin.locator(".notice.success").inner_text() == tr("de", "The user %(name)s has been added.",
                                                                name="aushilfe")

    helper = new_page()
    helper.goto(f"{at12}/login?lang=de")
    helper.fill("#f-username", "aushilfe")
    helper.fill("#f-password", "ein-langes-passwort")
    helper.locator("main form button[type=submit]").click()
    assert helper.locator(".who").inner_text().startswith("aushilfe")
    helper.goto(f"{at12}/office/enquiries?lang=de")
    assert "/office/enquiries" in helper.url

    admin.locator("tr", has_text="aushilfe").get_by_role(  # a page of its own asks first
        "link", name=tr("de", "Deactivate %(name)s…", name="aushilfe")).click()
    admin.get_by_role("button", name=tr("de", "Deactivate %(name)s", name="aushilfe")).click()
    assert admin.locator(".notice.success").inner_text() == tr(
        "de", "%(name)s is deactivated and can no longer log in.", name="aushilfe")
    helper.goto(f"{at12}/office/enquiries?lang=de")
    assert "/login" in helper.url, "the deactivated user's open session ended at once"

    # The broker logs out; a copy of the session cookie taken before does not open the office afterwards.
    broker = new_page()
    log_in(broker, at12, "broker", "de")
    copied = broker.context.cookies()
    broker.locator("form:has(button.link) button").click()  # Abmelden
    thief = browser.new_context()
    thief.add_cookies(copied)
    stolen = thief.new_page()
    stolen.goto(f"{at12}/office/enquiries?lang=de")
    assert "/login" in stolen.url, "the copied cookie is dead after the logout"
    thief.close()
