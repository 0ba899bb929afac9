"""The public portal: home, catalogue, showcase, case study, statement of support, enquiry form, label
register and verification. Every form: empty, wrong and valid, in two languages, never a 500."""
from __future__ import annotations

import pytest

from tests.support.web import field_errors

STATEMENT_FIELDS = {"kind": "person", "first_name": "Eva", "last_name": "Berger", "email": "eva@example.at",
                    "phone": "+43 2742 12345", "phone_kind": "mobile", "nuts3": "AT123", "consent": "on"}


def test_home_shows_the_lighthouse_case_studies(at12):
    browser = at12.browser()
    browser.get("/")
    assert "Leuchttürme der Nachhaltigkeit" in browser.page and "Lighthouse AT12" in browser.page
    assert f'/case-studies/{at12.ids["case_study"]}' in browser.page
    companies = browser.page.split("Unternehmen und Einrichtungen, die sozial produzieren")[1]
    assert f'/organisations/{at12.ids["Donauland Handels AG"]}' in companies  # its shop window


def test_a_case_study_shows_its_impact_in_the_page_language(at12):
    browser = at12.browser()
    browser.get(f"/case-studies/{at12.ids['case_study']}?lang=de")
    assert "14.800,00\xa0€" in browser.page and "1.250 kg" in browser.page and "2.100" in browser.page
    browser.get(f"/case-studies/{at12.ids['case_study']}?lang=en")
    assert "€14,800.00" in browser.page and "1,250 kg" in browser.page
    assert browser.get("/case-studies/00000000-0000-4000-8000-000000000000").status_code == 404


def test_the_catalogue_filters_by_cpv_division_region_and_label(at12):
    browser = at12.browser()
    browser.get("/catalogue")
    assert "Offer of Traisentaler Werkstatt" in browser.page and "Offer of Mostviertler Metallwerk" in browser.page
    browser.get("/catalogue?cpv=39")
    assert "Offer of Traisentaler Werkstatt" in browser.page and "Offer of Mostviertler Metallwerk" not in browser.page
    assert "Möbel (einschließlich Büromöbel)" in browser.page  # the division in German
    browser.get("/catalogue?nuts=AT121")
    assert "Offer of Traisentaler Werkstatt" not in browser.page and "Offer of Mostviertler Metallwerk" in browser.page
    browser.get("/catalogue?labelled=on")
    assert "Offer of Mostviertler Metallwerk" not in browser.page  # it holds no label (other tests may grant some)
    number = at12.granted_label()
    browser.get("/catalogue?labelled=on")
    assert "Offer of Traisentaler Werkstatt" in browser.page and number in browser.page
    assert "Offer of Mostviertler Metallwerk" not in browser.page


def test_wrong_catalogue_filters_are_field_errors_not_failures(at12):
    browser = at12.browser()
    assert browser.get("/catalogue?cpv=x9&nuts=A%21&page=-1").status_code == 200
    errors = field_errors(browser.page)
    assert errors["f-cpv"] == ["Bitte geben Sie einen CPV-Code oder seine ersten Ziffern ein."]
    assert "f-nuts" in errors
    # A NUL byte is no typing mistake: the kernel refuses it in any page's query (services/common/request_guard.py).
    assert browser.get("/catalogue?nuts=%00").status_code == 422


def test_a_showcase_shows_a_member_its_offers_and_its_social_production(at12):
    browser = at12.browser()
    browser.get(f"/organisations/{at12.ids['Donauland Handels AG']}")
    assert "Donauland Handels AG" in browser.page and "Lighthouse AT12" in browser.page
    browser.get(f"/organisations/{at12.ids['Traisentaler Werkstatt']}")
    assert "Offer of Traisentaler Werkstatt" in browser.page and "Zweiter Arbeitsmarkt" in browser.page
    assert "Hauptplatz" not in browser.page  # the street stays off the public page


# --- statement of support ----------------------------------------------------------------------------

@pytest.mark.parametrize("site, lang, required", [
    ("at12", "de", "Dieses Feld ist erforderlich."), ("hu22", "hu", "Ez a mező kötelező."),
    ("at12", "en", "This field is required."),
])
def test_an_empty_statement_shows_field_errors_in_the_page_language(request, site, lang, required):
    browser = request.getfixturevalue(site).browser()
    browser.get(f"/support?lang={lang}")
    assert browser.post("/support", {}).status_code == 422
    errors = field_errors(browser.page)
    assert errors["f-kind"] == [required] and errors["f-nuts3"] == [required]


@pytest.mark.parametrize("lang, expected", [
    ("de", {"f-email": ["Bitte geben Sie eine gültige E-Mail-Adresse ein."],
            "f-phone": ["Bitte geben Sie eine Telefonnummer ein, z. B. +43 2742 12345."]}),
    ("hu", {"f-email": ["Kérjük, érvényes e-mail-címet adjon meg."],
            "f-phone": ["Kérjük, adjon meg egy telefonszámot, pl. +36 96 123 456."]}),
])
def test_wrong_statement_values_show_their_messages(hu22, lang, expected):
    browser = hu22.browser()
    browser.get(f"/support?lang={lang}")
    browser.post("/support", {**STATEMENT_FIELDS, "nuts3": "HU221", "email": "not-an-address", "phone": "abc"})
    errors = field_errors(browser.page)
    assert {k: errors[k] for k in expected} == expected
    assert 'value="not-an-address"' in browser.page  # what was typed stays in the form


def test_consent_and_the_rules_of_the_paper_form_are_the_domains(hu22):
    browser = hu22.browser()
    browser.get("/support")
    browser.post("/support", {**STATEMENT_FIELDS, "nuts3": "HU221", "consent": ""})
    assert field_errors(browser.page) == {
        "f-consent": ["A támogató nyilatkozat rögzítéséhez az Ön hozzájárulása szükséges."]}
    browser.post("/support", {"kind": "organisation", "nuts3": "HU221", "consent": "on"})
    assert field_errors(browser.page) == {  # both of the organisation's fields in one round
        "f-organisation_name": ["Szervezet nevében tett nyilatkozathoz ez a mező kötelező."],
        "f-organisation_kind": ["Kérjük, válasszon a lehetőségek közül."]}
    browser.post("/support", {**STATEMENT_FIELDS, "nuts3": "HU221", "phone_kind": ""})
    assert list(field_errors(browser.page)) == ["f-phone_kind"]


def test_a_valid_statement_is_recorded_like_the_apis(hu22):
    browser = hu22.browser()
    browser.get("/support")
    response = browser.post("/support", {"kind": "organisation", "organisation_name": "Győri Sportegyesület",
                                         "organisation_kind": "public_institution", "nuts3": "HU221",
                                         "consent": "on", "email": "titkar@example.hu"})
    assert response.status_code == 302
    browser.get(response.headers["Location"])
    statements = hu22.ok("GET", "/support-statements?q=Sportegyes")["items"]
    assert len(statements) == 1 and statements[0]["organisation_kind"] == "public_institution"
    assert statements[0]["email"] == "titkar@example.hu"
    assert f"{statements[0]['reference']} hivatkozási számon" in browser.page


# --- enquiry form ------------------------------------------------------------------------------------

ENQUIRY = {"organisation": "Bau Nord GmbH", "client_kind": "economic_enterprise", "contact.name": "Anna Huber",
           "contact.email": "anna@baunord.at", "type": "production_step", "title": "Pallet benches",
           "description": "Benches for our canteen.", "cpv_codes": "39000000", "quantity": "40", "unit": "pieces",
           "delivery.nuts3": "AT123", "budget": "3000"}


@pytest.mark.parametrize("lang, required", [("de", "Dieses Feld ist erforderlich."), ("en", "This field is required.")])
def test_an_empty_enquiry_shows_field_errors(at12, lang, required):
    browser = at12.browser()
    browser.get(f"/enquire?lang={lang}")
    assert browser.post("/enquire", {}).status_code == 422
    errors = field_errors(browser.page)
    for name in ("f-organisation", "f-client_kind", "f-type", "f-title", "f-contact-name"):
        assert errors[name] == [required], name


@pytest.mark.parametrize("lang, expected", [
    ("de", {"f-quantity": ["Bitte geben Sie eine Zahl ein."],
            "f-deadline": ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."],
            "f-contact-email": ["Bitte geben Sie eine gültige E-Mail-Adresse ein."]}),
    ("hu", {"f-quantity": ["Kérjük, számot adjon meg."], "f-deadline": ["Kérjük, adjon meg egy dátumot (ÉÉÉÉ-HH-NN)."],
            "f-contact-email": ["Kérjük, érvényes e-mail-címet adjon meg."]}),
])
def test_wrong_enquiry_values_show_the_apis_messages(at12, lang, expected):
    browser = at12.browser()
    browser.get(f"/enquire?lang={lang}")
    browser.post("/enquire", {**ENQUIRY, "quantity": "viele", "deadline": "morgen", "contact.email": "x"})
    assert field_errors(browser.page) == expected


def test_wrong_enquiry_values_show_the_domains_messages(at12):
    browser = at12.browser()
    browser.get("/enquire")
    browser.post("/enquire", {**ENQUIRY, "unit": ""})
    assert field_errors(browser.page) == {"f-unit": ["Bitte geben Sie zur Menge eine Einheit an (und nur dann)."]}
    browser.post("/enquire", {**ENQUIRY, "deadline": "2001-01-01"})
    assert field_errors(browser.page) == {"f-deadline": ["Das Datum darf nicht in der Vergangenheit liegen."]}
    browser.post("/enquire", {**ENQUIRY, "contact.email": ""})
    assert field_errors(browser.page) == {
        "f-contact-email": ["Bitte geben Sie Ihren Namen und eine E-Mail-Adresse oder Telefonnummer an."]}


def test_a_valid_enquiry_is_submitted_as_an_anonymous_first_contact(at12):
    browser = at12.browser()
    browser.get("/enquire")
    response = browser.post("/enquire", ENQUIRY)
    assert response.status_code == 302
    browser.get(response.headers["Location"])
    found = [e for e in at12.ok("GET", "/enquiries?state=submitted")["items"] if e["title"] == "Pallet benches"]
    assert len(found) == 1
    enquiry = found[0]
    assert enquiry["reference"] in browser.page
    assert enquiry["client_kind"] == "anonymous" and enquiry["contact"]["name"] == "Anna Huber"
    assert enquiry["description"].startswith("Anfragende Organisation: Bau Nord GmbH (Unternehmen)")
    assert enquiry["cpv_codes"] == ["39000000"] and enquiry["quantity"] == "40"


# --- label register and verification -----------------------------------------------------------------

def test_the_register_lists_labels_and_the_verification_answers_every_case(hu22):
    number = hu22.granted_label()
    browser = hu22.browser()
    browser.get("/labels")
    assert number in browser.page and "Érvényes" in browser.page
    browser.get(f"/labels/verify?number={number.lower()}")
    assert "Ez a védjegy érvényes." in browser.page and "Győri Asztalosműhely" in browser.page
    assert "Nyugat-Dunántúl (HU22)" in browser.page.split("Odaítélte")[1]
    browser.get("/labels/verify?number=SOPRO-HU22-2020-9999")
    assert "Nincs SOPRO-HU22-2020-9999 számú védjegy." in browser.page
    browser.get("/labels/verify?number=nonsense&lang=en")
    assert field_errors(browser.page) == {"f-number": ["Please enter a label number like SOPRO-AT12-2026-0001."]}


def test_another_sites_label_is_asked_at_the_hub_and_an_unreachable_hub_is_said_plainly(hu22, no_hub):
    browser = hu22.browser()
    response = browser.get("/labels/verify?number=SOPRO-AT13-2026-0001&lang=en")
    # the test federation's hub is not running: a 503 page that says so, never a 500
    assert response.status_code == 503 and "network register cannot be reached" in browser.page
