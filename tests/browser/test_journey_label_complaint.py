"""A complaint about a label through the pages only, in Chromium, in Hungarian at HU22 (issue 17): a visitor
files it on the public page (an empty text refused beside its field), lands on the page that follows it by
its secret link; an approver finds it in the office and dismisses it with a resolution; the visitor's link
then shows the outcome and the resolution, never the staff's names."""
from __future__ import annotations

from tests.support.browser_crossborder import main_text
from tests.support.browser_flows import LOCALES, shoot_both
from tests.support.browser_pages import error_of, log_in, tr, url

TEXT = "A termék nem a megjelölt műhelyben készült, hanem külföldön – kérem, vizsgálják meg."
RESOLUTION = "Helyszíni ellenőrzés: a gyártás a műhelyben történik, a panasz nem megalapozott."


def test_a_visitor_files_a_complaint_and_follows_it_to_its_outcome(demo, new_page):
    base, lang = url(demo, "HU22"), "hu"
    visitor = new_page(locale=LOCALES[lang])
    visitor.goto(f"{base}/labels/complaints/new?lang={lang}")
    file = visitor.get_by_role("button", name=tr(lang, "File the complaint"))
    file.click()
    assert error_of(visitor, "text").endswith(tr(lang, "This field is required."))
    visitor.fill("#f-text", TEXT)
    visitor.fill("#f-contact", "panaszos.latogato@example.hu")
    file.click()
    assert "/labels/complaints/track/" in visitor.url
    tracking = visitor.url
    assert visitor.locator("#complaint-status").inner_text() == tr(lang, "Open")
    shoot_both(visitor, "label-complaint-filed-hu")

    approver = new_page(locale=LOCALES[lang])
    log_in(approver, base, "approver", lang)
    approver.goto(f"{base}/office/labels/complaints?lang={lang}")
    links = approver.locator("main a[href*='/office/labels/complaints/']")
    for i in range(links.count()):
        approver.goto(f"{base}{links.nth(i).get_attribute('href')}")
        if TEXT in main_text(approver):
            break
        approver.goto(f"{base}/office/labels/complaints?lang={lang}")
    assert TEXT in main_text(approver) and "panaszos.latogato@example.hu" in main_text(approver)
    approver.check("input[name=status][value=dismissed]")
    approver.fill("#f-resolution", RESOLUTION)
    approver.get_by_role("button", name=tr(lang, "Save the review")).click()
    assert tr(lang, "The complaint has been updated.") in main_text(approver)

    visitor.goto(tracking)
    assert visitor.locator("#complaint-status").inner_text() == tr(lang, "Dismissed")
    assert RESOLUTION in main_text(visitor) and "approver" not in main_text(visitor)
    shoot_both(visitor, "label-complaint-dismissed-hu")
