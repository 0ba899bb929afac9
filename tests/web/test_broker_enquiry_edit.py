"""Changing an enquiry's fields on its page (issue 14, "Brokers cannot change an enquiry"): the form starts
from the enquiry (numbers as the page writes them), is loaded with the API's EnquiryPatch and saved with
its edit handler; empty, wrong and hostile input is refused beside the fields in German and Hungarian,
with nothing changed; a final enquiry's refusal is a 409 message."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.web import IN_20_DAYS, field_errors, form_message, new_enquiry


def form_of(enquiry_id: str, **changes) -> dict:
    return {"type": "production_step", "title": "Bänke", "description": "", "cpv_codes": "39100000",
            "quantity": "100", "unit": "pieces", "deadline": IN_20_DAYS, "delivery.nuts3": "AT123", "budget": "5.000",
            **changes}


def test_the_broker_changes_an_enquiry(at12, broker):
    enquiry_id = new_enquiry(at12, "Bänke zum Ändern")
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(f"{page}?lang=de")
    assert f"{page}/edit" in broker.page
    broker.get(f"{page}/edit")
    assert 'id="f-budget" name="budget" type="text" value="5.000"' in broker.page  # as German writes it
    changed = form_of(enquiry_id, title="Gartenbänke", quantity="120,5", budget="6.200,50", cpv_codes="39100000 39110000",
                      label_required="on")
    assert broker.post(f"{page}/edit", changed).status_code == 302
    enquiry = at12.ok("GET", f"/enquiries/{enquiry_id}")
    assert enquiry["title"] == "Gartenbänke" and Decimal(enquiry["quantity"]) == Decimal("120.5")
    assert Decimal(enquiry["budget"]) == Decimal("6200.5") and enquiry["label_required"] is True
    assert enquiry["cpv_codes"] == ["39100000", "39110000"] and enquiry["description"] is None
    broker.get(page)
    assert "Gartenbänke" in broker.page


@pytest.mark.parametrize("lang", ["de", "hu"])
def test_an_empty_form_is_refused_beside_the_required_fields(at12, hu22, lang):
    site = at12 if lang == "de" else hu22
    broker = site.browser()
    broker.login("broker")
    enquiry_id = new_enquiry(site, f"Üres űrlap {lang}")
    broker.get(f"/office/enquiries/{enquiry_id}/edit?lang={lang}")
    assert broker.post(f"/office/enquiries/{enquiry_id}/edit", {}).status_code == 422
    required = {"de": "Dieses Feld ist erforderlich.", "hu": "Ez a mező kötelező."}[lang]
    errors = field_errors(broker.page)
    assert errors["f-type"] == [required] and errors["f-title"] == [required]
    assert site.ok("GET", f"/enquiries/{enquiry_id}")["title"] == f"Üres űrlap {lang}"


def test_wrong_values_are_refused_beside_their_fields(at12, broker):
    enquiry_id = new_enquiry(at12, "Bänke falsch")
    broker.get(f"/office/enquiries/{enquiry_id}/edit?lang=de")
    wrong = form_of(enquiry_id, type="anything", quantity="viele", budget="-3")
    assert broker.post(f"/office/enquiries/{enquiry_id}/edit", wrong).status_code == 422
    errors = field_errors(broker.page)
    assert errors["f-quantity"] == ["Bitte geben Sie eine Zahl ein."]
    assert set(errors) == {"f-type", "f-quantity", "f-budget"}
    assert all("must" not in m and "Not a" not in m for messages in errors.values() for m in messages)
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["title"] == "Bänke falsch"


@pytest.mark.parametrize(("field", "value", "german"), [
    ("deadline", "2001-01-01", "Das Datum darf nicht in der Vergangenheit liegen."),
    ("cpv_codes", "12345678", "12345678 ist kein CPV-2008-Code."),
])
def test_the_domains_refusal_is_said_beside_its_field(at12, broker, field, value, german):
    enquiry_id = new_enquiry(at12, "Bänke gestern")
    broker.get(f"/office/enquiries/{enquiry_id}/edit?lang=de")
    assert broker.post(f"/office/enquiries/{enquiry_id}/edit", form_of(enquiry_id, **{field: value})).status_code == 422
    errors = field_errors(broker.page)
    assert list(errors) == [f"f-{field}"] and (german is None or errors[f"f-{field}"] == [german])


def test_hostile_text_is_kept_as_text(at12, broker):
    enquiry_id = new_enquiry(at12, "Bänke boshaft")
    broker.get(f"/office/enquiries/{enquiry_id}/edit")
    hostile = form_of(enquiry_id, title="<img src=x onerror=alert(1)>", description="'; DROP TABLE x; --")
    assert broker.post(f"/office/enquiries/{enquiry_id}/edit", hostile).status_code == 302
    broker.get(f"/office/enquiries/{enquiry_id}")
    assert "<img src=x" not in broker.page and "&lt;img src=x" in broker.page
    assert broker.post(f"/office/enquiries/{enquiry_id}/edit", form_of(enquiry_id, title="x" * 201)).status_code == 422
    assert list(field_errors(broker.page)) == ["f-title"]


def test_a_final_enquiry_is_not_changed(at12, broker):
    enquiry_id = new_enquiry(at12, "Bänke storniert")
    at12.ok("POST", f"/enquiries/{enquiry_id}/transitions", "broker", json={"to": "cancelled"})
    broker.get(f"/office/enquiries/{enquiry_id}?lang=de")
    assert f"/office/enquiries/{enquiry_id}/edit" not in broker.page
    broker.get(f"/office/enquiries/{enquiry_id}/edit")
    assert broker.post(f"/office/enquiries/{enquiry_id}/edit", form_of(enquiry_id, title="Neu")).status_code == 409
    assert form_message(broker.page)
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["title"] == "Bänke storniert"
    assert broker.get("/office/enquiries/00000000-0000-4000-8000-000000000000/edit").status_code == 404
