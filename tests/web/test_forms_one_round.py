"""Public forms say everything that is wrong in one round: the schema's messages and the domain's rules
(consent, a person's names, an organisation's name and kind, a way to reach a first contact, a deadline
not in the past) together, in the page's language, each next to its field.

The forms post what a browser posts for an untouched form: every text field empty, unticked checkboxes
absent, and the statement's "I support as" radio on its default (a private person).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.common.errors import Invalid
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.rules import ANONYMOUS
from services.enquiries.lifecycle.values import Client, Contact
from services.enquiries.lifecycle.rules import enquiry_problems
from services.registry.statements import Person, SupportStatement, statement_problems
from tests.support.web import field_errors

STATEMENT_TEXT_FIELDS = ("first_name", "last_name", "organisation_name", "organisation_kind", "email", "phone",
                         "nuts3")
ENQUIRY_TEXT_FIELDS = ("organisation", "contact.name", "contact.email", "contact.phone", "type", "title",
                       "description", "cpv_codes", "quantity", "unit", "deadline", "budget", "delivery.nuts3",
                       "residual_material.material", "residual_material.amount", "residual_material.unit",
                       "residual_material.frequency")

# The messages as the two languages say them.
TEXTS = {
    "hu": {"required": "Ez a mező kötelező.",
           "consent": "A támogató nyilatkozat rögzítéséhez az Ön hozzájárulása szükséges.",
           "person": "Magánszemély nyilatkozatához ez a mező kötelező.",
           "organisation": "Szervezet nevében tett nyilatkozathoz ez a mező kötelező.",
           "choose": "Kérjük, válasszon a lehetőségek közül.",
           "reach": "Kérjük, adja meg a nevét és egy e-mail-címet vagy telefonszámot.",
           "phone": "Kérjük, adjon meg egy telefonszámot, pl. +36 96 123 456."},
    "de": {"required": "Dieses Feld ist erforderlich.",
           "consent": "Für die Aufnahme einer Unterstützungserklärung ist Ihre Einwilligung erforderlich.",
           "person": "Dieses Feld ist für eine Erklärung als Privatperson erforderlich.",
           "organisation": "Dieses Feld ist für eine Erklärung im Namen einer Organisation erforderlich.",
           "choose": "Bitte wählen Sie eine der Möglichkeiten.",
           "reach": "Bitte geben Sie Ihren Namen und eine E-Mail-Adresse oder Telefonnummer an.",
           "phone": "Bitte geben Sie eine Telefonnummer ein, z. B. +43 2742 12345."},
}
SITES = [("hu22", "hu"), ("at12", "de")]


def untouched(fields, **chosen) -> dict:
    return {**{name: "" for name in fields}, **chosen}


def posted(browser, path: str, lang: str, data: dict) -> dict[str, list[str]]:
    browser.get(f"{path}?lang={lang}")
    assert browser.post(path, data).status_code == 422
    return field_errors(browser.page)


# --- statement of support ----------------------------------------------------------------------------

@pytest.mark.parametrize("site, lang", SITES)
def test_an_untouched_statement_by_a_person_shows_every_error_at_once(request, site, lang):
    t = TEXTS[lang]
    errors = posted(request.getfixturevalue(site).browser(), "/support", lang,
                    untouched(STATEMENT_TEXT_FIELDS, kind="person"))
    assert errors == {"f-first_name": [t["person"]], "f-last_name": [t["person"]], "f-nuts3": [t["required"]],
                      "f-consent": [t["consent"]]}


@pytest.mark.parametrize("site, lang", SITES)
def test_an_untouched_statement_for_an_organisation_shows_every_error_at_once(request, site, lang):
    t = TEXTS[lang]
    errors = posted(request.getfixturevalue(site).browser(), "/support", lang,
                    untouched(STATEMENT_TEXT_FIELDS, kind="organisation"))
    assert errors == {"f-organisation_name": [t["organisation"]], "f-organisation_kind": [t["choose"]],
                      "f-nuts3": [t["required"]], "f-consent": [t["consent"]]}


def test_a_statement_posted_with_nothing_at_all_still_asks_for_consent(hu22):
    """Without a kind the person's and the organisation's fields cannot be judged; consent still can."""
    t = TEXTS["hu"]
    errors = posted(hu22.browser(), "/support", "hu", {})
    assert errors == {"f-kind": [t["required"]], "f-nuts3": [t["required"]], "f-consent": [t["consent"]]}


def test_a_refused_value_is_not_judged_again_by_the_domains_rules(hu22):
    """A phone the schema refuses is not "missing": no second message asks for a phone kind to go with it."""
    t = TEXTS["hu"]
    errors = posted(hu22.browser(), "/support", "hu", untouched(
        STATEMENT_TEXT_FIELDS, kind="person", first_name="Éva", last_name="Kovács", nuts3="HU221", phone="abc"))
    assert errors == {"f-phone": [t["phone"]], "f-consent": [t["consent"]]}


# --- enquiry form ------------------------------------------------------------------------------------

@pytest.mark.parametrize("site, lang", SITES)
def test_an_untouched_enquiry_shows_every_error_at_once(request, site, lang):
    t = TEXTS[lang]
    errors = posted(request.getfixturevalue(site).browser(), "/enquire", lang, untouched(ENQUIRY_TEXT_FIELDS))
    assert errors == {"f-organisation": [t["required"]], "f-client_kind": [t["required"]],
                      "f-contact-name": [t["required"]], "f-contact-email": [t["reach"]],
                      "f-type": [t["required"]], "f-title": [t["required"]]}


def test_an_enquiry_shows_the_schemas_and_the_domains_messages_together(at12):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    errors = posted(at12.browser(), "/enquire", "de", untouched(
        ENQUIRY_TEXT_FIELDS, organisation="Bau Nord GmbH", client_kind="economic_enterprise",
        **{"contact.name": "Anna Huber"}, type="recycling_upcycling", quantity="40", deadline=yesterday))
    assert errors == {
        "f-title": ["Dieses Feld ist erforderlich."],  # the schema's
        "f-contact-email": [TEXTS["de"]["reach"]],  # the domain's, each at its field
        "f-unit": ["Bitte geben Sie zur Menge eine Einheit an (und nur dann)."],
        "f-residual_material-material": ["Bitte beschreiben Sie das Material, seine Menge und wie oft es anfällt."],
        "f-deadline": ["Das Datum darf nicht in der Vergangenheit liegen."]}


# --- the domain keeps answering the API one problem at a time ----------------------------------------

def test_the_statements_rules_list_every_problem_and_the_statement_raises_the_first():
    problems = statement_problems("person", False, Person(phone="+36 1 234 5678"), None, None)
    assert [name for name, _ in problems] == ["consent", "first_name", "last_name", "phone_kind"]
    with pytest.raises(Invalid) as raised:
        SupportStatement.file(date.today(), id="s1", reference="HU22-S-2026-0001", kind="person",
                              given_on=date.today(), nuts3="HU221", consent=False, person=Person())
    assert raised.value.errors == {"consent": ["consent is required to record a statement of support"]}
    assert raised.value.message == "consent: consent is required to record a statement of support"


def test_the_enquirys_rules_list_every_problem_and_the_enquiry_raises_the_first():
    anonymous = Client(ANONYMOUS, None, Contact("Anna Huber"))
    problems = enquiry_problems("EUR", type="recycling_upcycling", client=anonymous, cpv_codes=["12345678"],
                                quantity=Decimal("5"), currency="HUF", deadline=date(2001, 1, 1), today=date.today())
    assert [name for name, _ in problems] == ["cpv_codes", "unit", "currency", "residual_material", "contact",
                                              "deadline"]
    assert enquiry_problems("EUR", type="service", client=anonymous, quantity=Decimal("5"),
                            unknown={"contact.email", "unit"}) == [], "rules on refused fields are left out"
    with pytest.raises(Invalid) as raised:
        Enquiry.create(date.today(), "EUR", id="e1", reference="AT12-E-2026-0001", type="service", title="Bänke",
                       client=anonymous, created_at=datetime.now(timezone.utc), cpv_codes=["12345678"],
                       quantity=Decimal("5"))
    assert raised.value.message == "cpv_codes: unknown CPV codes"
    assert raised.value.errors == {"cpv_codes": {"0": ["12345678 is not a CPV 2008 code"]}}


def test_the_summary_lists_the_messages_in_the_order_of_the_fields(hu22):
    browser = hu22.browser()
    posted(browser, "/support", "hu", untouched(STATEMENT_TEXT_FIELDS, kind="person"))
    summary = browser.page.split('class="error-summary"')[1].split("</ul>")[0]
    links = re.findall(r'<a href="#(f-[^"]+)">', summary)
    assert links == ["f-first_name", "f-last_name", "f-nuts3", "f-consent"]  # as on the paper form
