"""Members' label applications and a client's impact, through the pages only, in real headless Chromium
against the demo federation (tests/browser/conftest.py), issue 14 ("What to build" 1 and 2):

1. AT12's social enterprise member, in German, applies for the label for one of its offers: the form empty
   first (answered beside the fields), then with German figures and a document, saved as a draft and
   submitted for assessment;
2. HU22's social enterprise member, in Hungarian, applies, sees its applications, and withdraws a draft
   after the confirmation is asked for;
3. AT12's client member, in German, and HU22's, in Hungarian, read their impact: the agreements delivered
   to them this year (services/demo/data.DELIVERED), totals, and the link to each agreement; a wrong period
   is answered beside its field.

Every page is shot on a phone and a desktop. The expected texts come from the gettext catalogues.
"""
from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import parse_decimal

from services.demo import data
from tests.support.browser_flows import LOCALES, shoot
from tests.support.browser_pages import field_errors, log_in, tr, url

PHONE, DESKTOP = (375, 812), (1280, 900)


def both_sizes(new_page, base: str, username: str, lang: str, paths: dict[str, str]) -> None:
    for size, suffix in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_page(size, locale=LOCALES[lang])
        log_in(page, base, username, lang)
        for name, path in paths.items():
            page.goto(f"{base}{path}")
            shoot(page, f"{name}-{suffix}")


def test_1_the_german_member_applies_for_the_label_and_submits(demo, new_page, tmp_path):
    at12 = url(demo, "AT12")
    page = new_page(locale=LOCALES["de"])
    log_in(page, at12, "member", "de")
    page.locator("main").get_by_role("link", name=tr("de", "Our label applications")).click()  # the home's list
    assert page.locator("main h1").inner_text() == tr("de", "Our label applications")
    offer = data.OFFERS[data.ORGANISATIONS["AT12"][0][1]][1][0]  # "Tischlerei"
    page.get_by_role("link", name=tr("de", "Apply for “%(title)s”", title=offer)).click()
    assert page.input_value("#f-product") == offer and page.input_value("#f-cpv_codes") == "45421000"
    page.fill("#f-product", "")
    page.fill("#f-evidence-se_share-figure", "viel")
    page.fill("#f-evidence-regional_primary_products-figure", "120")
    page.get_by_role("button", name=tr("de", "Save the draft")).click()
    errors = field_errors(page)
    assert set(errors) == {"product", "evidence-se_share-figure", "evidence-regional_primary_products-figure"}
    assert errors["product"].endswith(tr("de", "This field is required."))
    assert errors["evidence-se_share-figure"].endswith(tr("de", "Please enter a number."))
    shoot(page, "member-label-errors-de")
    report = tmp_path / "Prüfbericht Parkbänke.pdf"
    report.write_bytes(b"%PDF-1.4 Pruefbericht der Parkbaenke aus Altholz")
    page.fill("#f-product", "Parkbänke aus Altholz")
    page.fill("#f-evidence-se_share-figure", "62,5")
    page.fill("#f-evidence-regional_primary_products-figure", "55")
    page.fill("#f-evidence-resource_saving-figure", "3")
    page.set_input_files("#f-evidence-quality_innovation-document", str(report))
    page.get_by_role("button", name=tr("de", "Save the draft")).click()
    assert tr("de", "The application is saved as a draft.") in page.locator("main").inner_text()
    assert page.input_value("#f-evidence-se_share-figure") == "62,5"
    assert "Prüfbericht Parkbänke.pdf" in page.locator("main").inner_text()
    draft = page.url.removeprefix(at12)
    shoot(page, "member-label-draft-de")
    page.get_by_role("button", name=tr("de", "Save and submit for assessment")).click()
    main = page.locator("main").inner_text()
    assert tr("de", "Submitted") in main and "SHA-256" in main and page.locator("#f-product").count() == 0
    page.get_by_role("link", name=tr("de", "Our label applications")).first.click()
    row = page.locator("tr", has_text="Parkbänke aus Altholz").inner_text()
    # the version in force: 1, or 2 once test_journey_label_trust (before this module, same demo) published it
    assert tr("de", "Submitted") in row and re.search(tr("de", "version %(n)s", n="[12]"), row), row
    both_sizes(new_page, at12, "member", "de", {"member-labels-de": "/office/member/labels",
                                                 "member-label-new-de": "/office/member/labels/new",
                                                 "member-label-submitted-de": draft})


def test_2_the_hungarian_member_sees_its_applications_and_withdraws_a_draft(demo, new_page):
    hu22 = url(demo, "HU22")
    page = new_page(locale=LOCALES["hu"])
    log_in(page, hu22, "member", "hu")
    page.locator("nav").get_by_role("link", name=tr("hu", "Our label applications")).click()  # the office nav
    page.get_by_role("link", name=tr("hu", "Apply for another product or service")).click()
    page.fill("#f-product", "Böngészőteszt: tölgyfa irodaszékek")
    page.fill("#f-cpv_codes", "39150000")
    page.fill("#f-evidence-se_share-figure", "48,5")
    page.get_by_role("button", name=tr("hu", "Save the draft")).click()
    assert tr("hu", "The application is saved as a draft.") in page.locator("main").inner_text()
    draft = page.url.removeprefix(hu22)
    page.get_by_role("button", name=tr("hu", "Withdraw")).click()
    assert field_errors(page)["withdraw-confirm"].endswith(
        tr("hu", "Please confirm that the label application is to be withdrawn."))
    shoot(page, "member-label-withdraw-confirm-hu")
    page.check("#f-withdraw-confirm")
    page.get_by_role("button", name=tr("hu", "Withdraw")).click()
    row = page.locator("tr", has_text="Böngészőteszt: tölgyfa irodaszékek").inner_text()
    assert tr("hu", "Withdrawn") in row
    both_sizes(new_page, hu22, "member", "hu", {"member-labels-hu": "/office/member/labels",
                                                 "member-label-withdrawn-hu": draft})


def amounts(text: str, lang: str) -> dict[str, Decimal]:
    """"4.860,00 € · 3 200 000 Ft" -> {"€": 4860.00, "Ft": 3200000}, read as `lang` writes numbers."""
    found: dict[str, Decimal] = {}
    for number, currency in re.findall(r"([\d.,\s\u00a0\u202f]*\d)\s*([^\d\s·]+)", text):
        value = parse_decimal(re.sub(r"[\s\u00a0\u202f]", "", number), locale=lang)
        found[currency] = found.get(currency, Decimal(0)) + value
    return found


def test_3_the_client_members_read_their_impact_in_german_and_hungarian(demo, new_page):
    for site, lang, title, amount in (("AT12", "de", "Regalhalterungen für die Filialen", "4.860,00\u00a0€"),
                                      ("HU22", "hu", "Irodabútorok felújítása tömörfából", "4\u00a0200\u00a0000\u00a0Ft")):
        base = url(demo, site)
        page = new_page(locale=LOCALES[lang])
        log_in(page, base, "client-member", lang)
        page.get_by_role("link", name=tr(lang, "Our impact")).click()
        assert page.locator("main h1").inner_text() == tr(lang, "Our impact")
        row = page.locator("tr", has_text=title)
        assert amount in row.inner_text()
        # the totals are the sums of the rows listed (other journeys may have delivered more to this client)
        paid = page.locator(f'td[data-label="{tr(lang, "Value paid")}"]').all_inner_texts()
        listed: dict[str, Decimal] = {}
        for cell in paid:
            for currency, value in amounts(cell, lang).items():
                listed[currency] = listed.get(currency, Decimal(0)) + value
        assert amounts(page.locator("dl.facts dd").first.inner_text(), lang) == listed and listed
        # a wrong period: the end before the start
        page.fill("#f-from", "2026-06-01")
        page.fill("#f-to", "2026-01-01")
        page.get_by_role("button", name=tr(lang, "Show")).click()
        assert field_errors(page)["to"].endswith(tr(lang, "The end must not be before the start."))
        shoot(page, f"client-impact-wrong-period-{lang}")
        page.go_back()
        page.locator("tr", has_text=title).get_by_role("link").first.click()
        assert title in page.locator("main").inner_text()  # the agreement's enquiry
        both_sizes(new_page, base, "client-member", lang, {f"client-impact-{lang}": "/office/our-impact"})
