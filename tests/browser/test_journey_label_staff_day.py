"""A day of the label's staff, through the pages only, in real headless Chromium against the demo federation
(tests/browser/conftest.py), issue 14 ("What it must show"): at AT12 in German, at HU22 in Hungarian.

The demo leaves no application waiting, so the site's social enterprise's member applies in its member area
(figures typed the local way, a document chosen as a file) and submits. The assessor opens the queue, finds
it, sends the form empty and with hostile values first (messages beside the fields, in the page's language),
then scores every criterion and sees the scores on record again. The approver — another person: four eyes —
sends the decision empty first, then grants it with a reason. The label is in the public register and
verifies as valid; on its staff page the approver suspends it (an impossible date first), the public check
says so, reinstates and renews it. Every page is photographed on a desktop and on a phone (375 px):
label-day-*.png. No page answers 5xx (the `new_page` fixture).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tests.support.browser_crossborder import main_text, site_tr
from tests.support.browser_flows import shoot_both as shared_shoot_both, LOCALES
from tests.support.browser_pages import field_errors, log_in, url

HOSTILE = "<script>alert(1)</script>"


@dataclass(frozen=True)
class Day:
    site: str
    lang: str
    product: str
    holder: str  # the demo member's social enterprise
    holder_search: str
    share_typed: str  # a figure with the language's decimal comma
    share_shown: str


AT12 = Day(site="AT12", lang="de", product="Browser-Test: Sitzbänke aus Altholz",
           holder="Traisentaler Beschäftigungswerkstatt", holder_search="Traisentaler",
           share_typed="62,5", share_shown="62,5")
HU22 = Day(site="HU22", lang="hu", product="Böngészőteszt: tömörfa padok",
           holder="Győri Szociális Asztalosműhely Nonprofit Kft.", holder_search="Győri",
           share_typed="62,5", share_shown="62,5")
CRITERIA = ("se_share", "regional_primary_products", "resource_saving", "quality_innovation")


def t(day: Day, msgid: str, **values) -> str:
    return site_tr(day.lang, msgid, **values)


def shoot_both(page, name: str) -> None:
    shared_shoot_both(page, f"label-day-{name}")


def the_member_applies(new_page, base: str, day: Day, tag: str) -> None:
    page = new_page(locale=LOCALES[day.lang])
    log_in(page, base, "member", day.lang)
    page.locator("nav").get_by_role("link", name=t(day, "Our label applications")).click()
    page.goto(f"{base}/office/member/labels/new")
    page.fill("#f-product", day.product)
    page.fill("#f-cpv_codes", "39100000")
    page.fill("#f-evidence-se_share-figure", day.share_typed)
    page.fill("#f-evidence-regional_primary_products-figure", "55")
    page.fill("#f-evidence-resource_saving-figure", "3")
    page.set_input_files("#f-evidence-quality_innovation-document", files=[
        {"name": "pruefbericht.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 browser test report"}])
    page.get_by_role("button", name=t(day, "Save and submit for assessment")).click()
    assert page.locator("main h1").inner_text() == day.product, main_text(page)
    assert t(day, "Submitted") in main_text(page)
    shoot_both(page, f"{tag}-member-submitted")


def the_assessor_scores(new_page, base: str, day: Day, tag: str) -> str:
    """The application's address, once assessed."""
    page = new_page(locale=LOCALES[day.lang])
    log_in(page, base, "assessor", day.lang)
    page.locator("nav").get_by_role("link", name=t(day, "Label applications")).click()
    assert page.locator("main h1").inner_text() == t(day, "Label applications")
    shoot_both(page, f"{tag}-queue")
    page.locator("tr", has_text=day.product).get_by_role("link", name=day.holder).click()
    assert page.locator("main h1").inner_text() == day.product
    assert day.share_shown in main_text(page) and "pruefbericht.pdf" in main_text(page)
    record = page.get_by_role("button", name=t(day, "Record the assessment"))

    record.click()  # empty: every criterion's reason is asked for
    errors = field_errors(page)
    assert {f"scores-{c}-reason" for c in CRITERIA} <= set(errors), errors
    assert errors["scores-se_share-reason"].endswith(t(day, "This field is required."))
    page.fill("#f-scores-regional_primary_products-score", "1e309")
    page.fill("#f-scores-resource_saving-score", "-1")
    page.fill("#f-scores-quality_innovation-score", "9")
    for criterion in CRITERIA:
        page.fill(f"#f-scores-{criterion}-reason", HOSTILE)
    record.click()
    errors = field_errors(page)
    assert set(errors) == {"scores-regional_primary_products-score", "scores-resource_saving-score",
                           "scores-quality_innovation-score"}, errors
    assert errors["scores-quality_innovation-score"].endswith(t(day, "Please give a score from 0 to %(max)s.", max=5))
    assert errors["scores-regional_primary_products-score"].endswith(t(day, "Please enter a whole number."))
    assert page.input_value("#f-scores-se_share-reason") == HOSTILE, "what was typed stays, as text"
    shoot_both(page, f"{tag}-assessment-refused")

    scores = {"regional_primary_products": "4", "resource_saving": "3", "quality_innovation": "5"}
    for criterion, score in scores.items():
        page.fill(f"#f-scores-{criterion}-score", score)
    reasons = {c: f"Browser-Test {day.site}: {c}" for c in CRITERIA}
    for criterion, reason in reasons.items():
        page.fill(f"#f-scores-{criterion}-reason", reason)
    record.click()
    assert t(day, "The assessment has been recorded.") in main_text(page)
    for criterion, score in scores.items():  # the assessor's own scores, not an empty form
        assert page.input_value(f"#f-scores-{criterion}-score") == score
    assert page.input_value("#f-scores-resource_saving-reason") == reasons["resource_saving"]
    assert t(day, "meets the criteria") in main_text(page)
    shoot_both(page, f"{tag}-assessed")
    return page.url


def the_approver_grants(new_page, base: str, day: Day, tag: str, application: str) -> str:
    """The label's number."""
    page = new_page(locale=LOCALES[day.lang])
    log_in(page, base, "approver", day.lang)
    page.locator("nav").get_by_role("link", name=t(day, "Label applications")).click()
    page.locator("main nav").get_by_role("link", name=t(day, "Assessed")).click()
    page.locator("tr", has_text=day.product).get_by_role("link", name=day.holder).click()
    assert page.url == application
    assert "assessor" in page.locator("#four-eyes + p + dl").inner_text(), "who assessed is shown"
    decide = page.get_by_role("button", name=t(day, "Record the decision"))
    decide.click()
    errors = field_errors(page)
    assert set(errors) == {"outcome", "reason"} and errors["reason"].endswith(t(day, "This field is required."))
    page.fill("#f-reason", "x" * 2100)
    decide.click()
    assert set(field_errors(page)) == {"outcome", "reason"}
    shoot_both(page, f"{tag}-decision-refused")
    page.locator("input[name=outcome][value=granted]").check()
    page.fill("#f-reason", f"Browser-Test {day.site}: alle Kriterien erfüllt")
    decide.click()
    assert t(day, "The decision has been recorded.") in main_text(page)
    number = page.locator("main a.tag").inner_text().strip("✓ ").strip()
    assert number.startswith(f"SOPRO-{day.site}-"), number
    shoot_both(page, f"{tag}-granted")

    # its staff page: suspended (an impossible date first), seen so by the public, reinstated; a renewal is the
    # holder's new assessment, which the page explains
    page.locator("main a.tag").click()
    assert number in page.locator("main h1").inner_text()
    suspend = page.get_by_role("button", name=t(day, "Suspend the label"))
    page.fill("#f-suspend-until", (date.today() + timedelta(days=400)).isoformat())
    suspend.click()
    assert list(field_errors(page)) == ["suspend-reason"]
    page.fill("#f-suspend-reason", "Browser-Test: Nachweise werden geprüft")
    suspend.click()
    assert list(field_errors(page)) == ["suspend-until"], "at most six months"
    shoot_both(page, f"{tag}-suspension-refused")
    page.fill("#f-suspend-until", (date.today() + timedelta(days=30)).isoformat())
    suspend.click()
    assert t(day, "The label is suspended.") in main_text(page)
    shoot_both(page, f"{tag}-suspended")
    visitor = new_page(locale=LOCALES[day.lang])
    visitor.goto(f"{base}/labels/verify?number={number}&lang={day.lang}")
    assert t(day, "This label is not valid: %(status)s.", status=t(day, "Suspended")) in main_text(visitor)
    page.get_by_role("button", name=t(day, "Reinstate the label")).click()
    assert t(day, "The label is valid again.") in main_text(page)
    assert page.get_by_role("heading", name=t(day, "Renewal")).is_visible()
    assert page.get_by_role("button", name=t(day, "Renew the label")).count() == 0, "no one-click renewal"
    page.get_by_role("link", name=t(day, "Revoke the label…")).click()  # only looked at: it asks first
    assert number in page.locator("main h1").inner_text()
    shoot_both(page, f"{tag}-revoke-asks")
    page.get_by_role("link", name=t(day, "Cancel")).click()
    shoot_both(page, f"{tag}-label")
    return number


def the_public_finds_it(new_page, base: str, day: Day, tag: str, number: str) -> None:
    page = new_page(locale=LOCALES[day.lang])
    page.goto(f"{base}/labels?lang={day.lang}")
    page.fill("#f-holder", day.holder_search)
    page.locator("main form").get_by_role("button", name=t(day, "Search")).click()
    row = page.locator("tr", has_text=number)
    assert day.product in row.inner_text()
    shoot_both(page, f"{tag}-register")
    row.get_by_role("link", name=number).click()
    assert t(day, "This label is valid.") in main_text(page)
    shoot_both(page, f"{tag}-verified")


def label_day(new_page, demo, day: Day) -> str:
    base = url(demo, day.site)
    tag = f"{day.site.lower()}-{day.lang}"
    the_member_applies(new_page, base, day, tag)
    application = the_assessor_scores(new_page, base, day, tag)
    number = the_approver_grants(new_page, base, day, tag, application)
    the_public_finds_it(new_page, base, day, tag, number)
    return number


def test_a_label_staff_day_at_at12_in_german(demo, new_page):
    assert label_day(new_page, demo, AT12).startswith("SOPRO-AT12-")


def test_a_label_staff_day_at_hu22_in_hungarian(demo, new_page):
    assert label_day(new_page, demo, HU22).startswith("SOPRO-HU22-")
