"""Imprint, privacy notice, accessibility statement and contact page: every page's footer links them, in
the page's language, and their facts are the site's operator from the federation file."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from services.common.config import load_federation

PAGES = ("/imprint", "/privacy", "/accessibility", "/contact")
HEADINGS = {"de": ("Impressum", "Datenschutzerklärung", "Erklärung zur Barrierefreiheit", "Kontakt"),
            "hu": ("Impresszum", "Adatkezelési tájékoztató", "Akadálymentességi nyilatkozat", "Kapcsolat"),
            "en": ("Imprint", "Privacy notice", "Accessibility statement", "Contact")}


def footer_links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', page.split('<footer class="foot">')[1])


@pytest.mark.parametrize("site, lang", [("at12", "de"), ("hu22", "hu"), ("at12", "en")])
def test_every_page_links_the_legal_pages_in_its_language(request, site, lang):
    browser = request.getfixturevalue(site).browser()
    browser.get(f"/catalogue?lang={lang}")
    assert footer_links(browser.page) == ["/contact", "/imprint", "/privacy", "/accessibility"]
    for path, heading in zip(("/imprint", "/privacy", "/accessibility", "/contact"), HEADINGS[lang]):
        assert browser.get(path).status_code == 200
        assert f"<h1>{heading}</h1>" in browser.page, (path, lang)


def test_the_imprint_and_the_contact_page_show_the_sites_operator(at12):
    operator = at12.runtime.settings.site.operator
    assert operator.name == "SoPro-Servicestelle Niederösterreich (Demo)"  # deploy/federation.yaml
    browser = at12.browser()
    browser.get("/imprint?lang=de")
    for fact in (operator.name, "3100 St. Pölten", operator.register, operator.responsible,
                 'href="tel:+432742000000"', f'href="mailto:{operator.email}"'):
        assert fact in browser.page, fact
    browser.get("/contact")
    assert operator.name in browser.page and f'href="mailto:{operator.privacy_email}"' in browser.page


def test_the_privacy_notice_names_the_controller_and_the_authority(hu22):
    operator = hu22.runtime.settings.site.operator
    browser = hu22.browser()
    browser.get("/privacy?lang=hu")
    assert operator.name in browser.page and f'href="mailto:{operator.privacy_email}"' in browser.page
    assert f'<a href="https://naih.hu">{operator.data_protection_authority.name}</a>' in browser.page


def test_the_accessibility_statement_names_where_to_complain_when_the_site_has_a_body(at12, hu22):
    browser = at12.browser()
    browser.get("/accessibility?lang=en")
    assert 'href="https://www.ffg.at/barrierefreiheit"' in browser.page and "<h2>Enforcement</h2>" in browser.page
    browser = hu22.browser()
    browser.get("/accessibility?lang=en")
    assert "<h2>Enforcement</h2>" not in browser.page  # none configured for HU22


def test_a_site_without_an_operator_says_its_details_are_not_published(at12, monkeypatch):
    settings = at12.runtime.settings
    site = replace(settings.site, operator=None)
    federation = replace(settings.federation, sites={**settings.federation.sites, site.id: site})
    monkeypatch.setattr(at12.runtime, "settings", settings.with_(federation=federation))
    browser = at12.browser()
    for path in PAGES:
        browser.get(f"{path}?lang=en")
        assert "The operator of this site has not published these details yet." in browser.page


def test_an_operator_without_its_required_details_is_refused(tmp_path):
    path = tmp_path / "federation.yaml"
    path.write_text("sites:\n  AT12:\n    name: X\n    currency: EUR\n    languages: [de]\n"
                    "    coordinates: {lat: 1, lon: 2}\n    port: 1\n    operator: {name: Y, email: a@b.example}\n")
    with pytest.raises(ValueError, match="operator needs address, phone, responsible"):
        load_federation(path, env={})


def test_the_hub_has_its_own_operator_and_pages(network):
    browser = network["hub"].browser()
    browser.get("/imprint?lang=en")
    assert "SoPro Innovation Agency (Demo)" in browser.page and "The hub of the SoPro federation" in browser.page
    browser.get("/privacy?lang=de")
    assert "<h2>Was der Hub speichert</h2>" in browser.page and "Unterstützungserklärung:" not in browser.page
    assert browser.get("/no-such-page?lang=hu").status_code == 404 and "<h1>Nem található</h1>" in browser.page
