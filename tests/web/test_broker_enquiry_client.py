"""Linking an enquiry to a member organisation on its page (issue 14, "Brokers cannot link an enquiry to a
member organisation"): the broker searches organisations by name (the registry's MemberDirectory) and
chooses one, never typing an id; the API's PATCH of the client's kind and organisation does the rest.
A choice that is no search result (empty, unknown or hostile) is refused beside the field."""
from __future__ import annotations

import pytest

from tests.support.web import field_errors, form_message

FIRST_CONTACT = {"type": "production_step", "title": "Anfrage ohne Mitglied", "cpv_codes": ["39100000"],
                 "contact": {"name": "Theodor Brenner", "email": "theo@brenner.example"}}


def first_contact(site) -> str:
    """An anonymous first contact's enquiry (submitted, no member organisation)."""
    return site.client.post("/api/v1/enquiries", json=FIRST_CONTACT).get_json()["id"]


def test_the_broker_finds_the_client_by_name_and_links_the_enquiry(at12, broker):
    enquiry_id = first_contact(at12)
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(f"{page}?lang=de")
    assert "Mit keiner Mitgliedsorganisation verknüpft." in broker.page
    broker.get(f"{page}?client_q=donauland")
    client = at12.ids["Donauland Handels AG"]
    assert f'value="{client}"' in broker.page and "Donauland Handels AG" in broker.page
    assert client not in broker.page.split('value="' + client)[0].split("<main")[1]  # no id shown as text
    assert broker.post(f"{page}/client", {"organisation_id": client}).status_code == 302
    enquiry = at12.ok("GET", f"/enquiries/{enquiry_id}")
    assert (enquiry["client_organisation_id"], enquiry["client_kind"]) == (client, "economic_enterprise")
    broker.get(page)
    assert "Verknüpft mit Donauland Handels AG" in broker.page


def test_a_search_that_finds_nothing_says_so(hu22):
    broker = hu22.browser()
    broker.login("broker")
    enquiry_id = first_contact(hu22)
    broker.get(f"/office/enquiries/{enquiry_id}?client_q=Nincsilyen&lang=hu")
    assert "Egy szervezet sem felel meg ennek: „Nincsilyen”." in broker.page and 'name="organisation_id"' not in broker.page


@pytest.mark.parametrize(("lang", "chosen"), [
    ("de", ""),  # empty
    ("hu", ""),
    ("de", "00000000-0000-4000-8000-000000000000"),  # wrong: no organisation of the site
    ("hu", "'; DROP TABLE enquiries_enquiry; --"),  # hostile
])
def test_no_search_result_chosen_is_refused_beside_the_field(at12, hu22, lang, chosen):
    site = at12 if lang == "de" else hu22
    broker = site.browser()
    broker.login("broker")
    enquiry_id = first_contact(site)
    broker.get(f"/office/enquiries/{enquiry_id}?lang={lang}")
    assert broker.post(f"/office/enquiries/{enquiry_id}/client", {"organisation_id": chosen}).status_code == 422
    message = {"de": "Bitte wählen Sie eine Organisation aus den Suchergebnissen.",
               "hu": "Kérjük, válasszon szervezetet a találatok közül."}[lang]
    errors = field_errors(broker.page)
    assert list(errors) == ["f-client-organisation_id"]
    assert errors["f-client-organisation_id"] == [message]
    assert site.ok("GET", f"/enquiries/{enquiry_id}")["client_organisation_id"] is None


def test_a_closed_enquiry_keeps_its_client(at12, broker):
    enquiry_id = first_contact(at12)
    at12.ok("POST", f"/enquiries/{enquiry_id}/transitions", "broker", json={"to": "cancelled"})
    broker.get(f"/office/enquiries/{enquiry_id}?lang=de")
    assert 'name="client_q"' not in broker.page
    client = at12.ids["Donauland Handels AG"]
    assert broker.post(f"/office/enquiries/{enquiry_id}/client", {"organisation_id": client}).status_code == 409
    assert form_message(broker.page)
