"""An organisation's public profile written in the browser, issue 14 ("What to build" 1 and 2), through the
pages only, in real headless Chromium against the demo federation (tests/browser/conftest.py):

1. AT12's social enterprise member, in German, opens its profile from its home page, saves it empty first
   (answered beside the field), then writes it in German and English, and reads it on its public page in
   both languages;
2. HU22's client company member, in Hungarian, writes its shop window in Hungarian; a visitor reads it on
   the public page, and in English with a note saying it is in Hungarian;
3. HU22's broker, in Hungarian, finds the site's social enterprise in the catalogue, follows its public
   page's link to its profile, is told that a text over the limit is too long, and writes it in English.

Every page is shot on a phone and a desktop (and audited: tests/support/page_audit.py). The expected texts
come from the gettext catalogues. No page answers 5xx.
"""
from __future__ import annotations

from babel.numbers import format_decimal

from services.demo import data
from tests.support.browser_flows import shoot
from tests.support.browser_pages import field_errors, log_in, tr, url

PHONE, DESKTOP = (375, 812), (1280, 900)
GERMAN = "Wir fertigen Möbel aus Altholz.\n\nBei uns finden zwölf Menschen den Weg zurück in die Arbeit."
ENGLISH = "We make furniture from reclaimed wood."
HUNGARIAN = "Fából készült ajándéktárgyakat keresünk,\nszociális vállalkozásoktól, a régióból."


def profile_text(page) -> str:
    return page.locator("main .profile").inner_text()


def both_sizes(new_page, base: str, user: str, lang: str, paths: dict[str, str]) -> None:
    """Screenshots of each page on a phone and on a desktop, logged in as `user` (None: a visitor)."""
    for size, suffix in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page = new_page(size)
        if user:
            log_in(page, base, user, lang)
        for name, path in paths.items():
            page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
            shoot(page, f"{name}-{suffix}")


def test_1_the_social_enterprise_writes_its_profile_in_german_and_english(demo, new_page):
    at12 = url(demo, "AT12")
    page = new_page(locale="de-AT")
    log_in(page, at12, "member", "de")
    page.get_by_role("link", name=tr("de", "Our public profile")).click()
    assert page.locator("main h1").inner_text() == tr("de", "Our public profile")
    page.get_by_role("button", name=tr("de", "Save")).click()
    assert field_errors(page)["text_de"].endswith(
        tr("de", "Please write the text in at least one of the site’s languages."))
    page.fill("#f-text_de", GERMAN)
    page.fill("#f-text_en", ENGLISH)
    page.get_by_role("button", name=tr("de", "Save")).click()
    assert tr("de", "The profile is saved.") in page.locator("main").inner_text()
    assert page.input_value("#f-text_de") == GERMAN
    shoot(page, "profile-saved-de")

    page.get_by_role("link", name=tr("de", "See the public page")).click()
    assert page.locator("main h1").inner_text() == data.MEMBERS["AT12"][0][1]
    assert page.locator("#profile-heading").inner_text() == tr("de", "Profile")
    assert profile_text(page).split("\n\n") == GERMAN.split("\n\n")
    public = page.url.split("?")[0].removeprefix(at12)
    page.goto(f"{at12}{public}?lang=en")
    assert profile_text(page) == ENGLISH
    both_sizes(new_page, at12, "member", "de", {"profile-member-de": "/office/member/profile",
                                                "profile-public-de": public})
    both_sizes(new_page, at12, None, "en", {"profile-public-en": public})


def test_2_the_client_company_writes_its_shop_window_in_hungarian(demo, new_page):
    hu22 = url(demo, "HU22")
    page = new_page(locale="hu-HU")
    log_in(page, hu22, "client-member", "hu")
    page.goto(f"{hu22}/office/member")
    page.get_by_role("link", name=tr("hu", "Our shop window")).click()
    assert page.locator("main h1").inner_text() == tr("hu", "Our shop window")
    page.fill("#f-text_hu", HUNGARIAN)
    page.get_by_role("button", name=tr("hu", "Save")).click()
    assert tr("hu", "The shop window is saved.") in page.locator("main").inner_text()
    page.get_by_role("link", name=tr("hu", "See the public page")).click()
    public = page.url.split("?")[0].removeprefix(hu22)

    visitor = new_page(locale="hu-HU")
    visitor.goto(f"{hu22}{public}?lang=hu")
    assert visitor.locator("main h1").inner_text() == data.MEMBERS["HU22"][1][1]
    assert visitor.locator("#profile-heading").inner_text() == tr("hu", "Shop window")
    assert profile_text(visitor) == HUNGARIAN
    visitor.goto(f"{hu22}{public}?lang=en")  # no English text: the Hungarian one, said so
    assert "This text is in Hungarian." in visitor.locator("main").inner_text()
    assert visitor.locator("main .profile").get_attribute("lang") == "hu"
    both_sizes(new_page, hu22, "client-member", "hu", {"shop-window-member-hu": "/office/member/profile",
                                                       "shop-window-public-hu": public})
    both_sizes(new_page, hu22, None, "en", {"shop-window-public-en": public})


def test_3_the_broker_writes_a_social_enterprises_profile_in_english(demo, new_page):
    hu22 = url(demo, "HU22")
    enterprise = data.MEMBERS["HU22"][0][1]
    page = new_page(locale="hu-HU")
    log_in(page, hu22, "broker", "hu")
    page.goto(f"{hu22}/catalogue?lang=hu")
    page.locator("main h3 a", has_text=enterprise).first.click()
    public = page.url.split("?")[0].removeprefix(hu22)
    page.get_by_role("link", name=tr("hu", "Edit the profile")).click()
    assert page.locator("main h1").inner_text() == tr("hu", "Public profile of %(name)s", name=enterprise)
    page.fill("#f-text_en", "x" * 2001)
    page.get_by_role("button", name=tr("hu", "Save")).click()
    assert field_errors(page)["text_en"].endswith(tr("hu", "Please enter at most %(max)s characters.",
                                                            max=format_decimal(2000, locale="hu")))
    shoot(page, "profile-staff-refused-hu")
    page.fill("#f-text_en", "A joinery employing people on their way back into work, in Győr.")
    page.get_by_role("button", name=tr("hu", "Save")).click()
    assert tr("hu", "The profile is saved.") in page.locator("main").inner_text()
    staff_page = page.url.split("?")[0].removeprefix(hu22)
    page.goto(f"{hu22}{public}?lang=en")
    assert "in Győr" in profile_text(page)
    both_sizes(new_page, hu22, "broker", "hu", {"profile-staff-hu": staff_page})
