"""The hub's public pages with the Flask test client, the hub on SQLite and on PostgreSQL (the `network`
of tests/support/hub_pages.py): label verification and the label register in de, hu and en, and the
home page; wrong values are field messages, never a 500."""
from __future__ import annotations

import pytest

from tests.support.web import field_errors


@pytest.mark.parametrize("lang, valid_text", [("de", "Dieses Gütesiegel ist heute gültig."),
                                              ("hu", "Ez a védjegy ma érvényes."),
                                              ("en", "This label is valid today.")])
def test_a_label_is_verified_in_the_pages_language(network, lang, valid_text):
    browser = network["hub"].browser()
    response = browser.get(f"/labels/verify?number={network['label'].lower()}&lang={lang}")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in browser.page
    assert valid_text in browser.page and network["label"] in browser.page
    assert "Győri Asztalosműhely" in browser.page, "the holder"


def test_an_unknown_malformed_or_missing_number_is_said_so_in_the_pages_language(network):
    browser = network["hub"].browser()
    assert browser.get("/labels/verify?number=SOPRO-AT12-2026-9999&lang=de").status_code == 404
    assert "Unbekanntes Gütesiegel" in browser.page
    assert browser.get("/labels/verify?number=SOPRO-12&lang=hu").status_code == 422
    assert field_errors(browser.page) == {"f-number": ["A védjegyszám így néz ki: SOPRO-HU22-2026-0003."]}
    assert browser.get("/labels/verify?number=&lang=de").status_code == 422
    assert field_errors(browser.page) == {"f-number": ["Dieses Feld ist erforderlich."]}
    assert browser.get("/labels/verify?lang=en").status_code == 200, "the empty form before asking"
    assert field_errors(browser.page) == {}


def test_the_label_register_filters_and_refuses_wrong_values(network):
    browser = network["hub"].browser()
    browser.get("/labels?site=HU22&status=valid&cpv=39&lang=en")
    assert network["label"] in browser.page
    browser.get("/labels?site=AT12&lang=en")
    assert network["label"] not in browser.page and "No label matches these filters." in browser.page
    assert browser.get("/labels?site=XX&status=shiny&lang=de").status_code == 422
    errors = field_errors(browser.page)
    assert errors["f-site"] == ["Bitte wählen Sie eine der Servicestellen."]
    assert errors["f-status"] == ["Bitte wählen Sie eine der Möglichkeiten."]


def test_the_home_page_links_every_sites_portal_and_counts_valid_labels(network):
    browser = network["hub"].browser()
    assert browser.get("/?lang=hu").status_code == 200
    federation = network["hub"].runtime.settings.federation
    for site in federation.member_sites:
        assert f'<a href="{site.url}/?lang=hu">{site.name}</a>' in browser.page
    assert "1 érvényes védjegy a hálózatban." in browser.page
