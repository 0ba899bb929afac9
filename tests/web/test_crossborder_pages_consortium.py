"""The origin broker's cross-border pages (issue 13, section 5): asking the hub for a consortium from the
enquiry's page (bad input beside the fields, refusals about the form, in German), and the consortium's
page before and after the hub answered: parts, social enterprises, prices in the part's currency and in
EUR, every reason and shortfall worded in the page's language, the client-facing agreement and impact.
The hub's answer arrives as its `hub.consortium.agreed` message, handed to the site's consumer."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from services.common.clock import utcnow
from services.common.envelope import Envelope
from services.enquiries.crossborder import origin_handlers
from tests.support.web import field_errors, form_message

DEADLINE = (date.today() + timedelta(days=50)).isoformat()


def cross_border_enquiry(site, title: str, allowed: bool = True, quantity: str = "300") -> str:
    return site.ok("POST", "/enquiries", expect=201, json={
        "type": "csr_product", "title": title, "client_kind": "economic_enterprise",
        "client_organisation_id": site.ids["Donauland Handels AG"], "cpv_codes": ["39100000"],
        "quantity": quantity, "unit": "pieces", "deadline": DEADLINE, "delivery": {"nuts3": "AT123"},
        "budget": "5000", "cross_border_allowed": allowed, "submit": True})["id"]


def hub_answers(site, enquiry_id: str, status: str = "agreed", impact: dict | None = None) -> None:
    """The hub's version 2 snapshot of the order: 250 of 300 units in two parts (HU22 in forints, AT12 in
    euros), 50 short of capacity."""
    reference = site.ok("GET", f"/enquiries/{enquiry_id}")["reference"]
    parts = [
        {"part_id": str(uuid.uuid4()), "site": "HU22", "organisation_id": str(uuid.uuid4()),
         "organisation_name": "Győri Asztalosműhely", "offer_id": str(uuid.uuid4()), "quantity": 200,
         "unit_price": "1200.0000", "currency": "HUF", "unit_price_eur": "3.0000", "status": "accepted",
         "reason": {"code": "whole_capacity", "params": {"unit_cost_eur": "3.1", "rank": 1, "eligible": 3,
                                                         "capacity": 200}},
         "answer": None, "note": None, "delivered": 0, "deliveries": [], "impact": impact},
        {"part_id": str(uuid.uuid4()), "site": "AT12", "organisation_id": site.ids["Traisentaler Werkstatt"],
         "organisation_name": "Traisentaler Werkstatt", "offer_id": site.ids["offer:Traisentaler Werkstatt"],
         "quantity": 50, "unit_price": "3.5000", "currency": "EUR", "unit_price_eur": "3.5000", "status": "accepted",
         "reason": {"code": "rest_of_order", "params": {"unit_cost_eur": "3.6", "rank": 2, "eligible": 3,
                                                        "capacity": 80, "quantity": 50}},
         "answer": None, "note": None, "delivered": 0, "deliveries": [], "impact": None},
    ]
    data = {"order_id": str(uuid.uuid4()), "enquiry_id": enquiry_id, "enquiry_reference": reference,
            "status": status, "quantity": 300, "allocated": 250, "accepted": 250, "delivered": 0, "missing": 50,
            "deadline": DEADLINE, "total_cost_eur": "790.00", "method": "milp", "solver_status": "optimal",
            "gap": None, "parts": parts, "shortfalls": [{"code": "capacity", "quantity": 50, "params": {}}],
            "impact": {"parts": 1 if impact else 0, "value_paid_eur": "600.00", "material_diverted_kg": "1250.5",
                       "integration_hours": "310", "distance_km": "140", "regional_share": "0.8"}}
    env = Envelope(id=str(uuid.uuid4()), type=f"hub.consortium.{status}", version=2, site="EU",
                   stream="EU/hub_to_at12", seq=1, aggregate_id=data["order_id"], aggregate_version=1,
                   occurred_at="2026-12-01T10:00:00Z", correlation_id="corr", causation_id=None, data=data,
                   to="AT12")
    rates = dict(site.runtime.settings.federation.rates_to_eur)
    with site.runtime.engine.begin() as conn:
        origin_handlers.follow_consortium(conn, env, origin_handlers.SiteMoney("EUR", rates), utcnow())


def test_the_broker_asks_for_a_consortium_and_bad_input_is_shown_beside_the_fields(at12, broker):
    enquiry_id = cross_border_enquiry(at12, "Stofftaschen für die Messe")
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    assert 'id="f-cb-quantity"' in broker.page and 'name="sites" value="HU22"' in broker.page
    assert "Leer: die ganze Menge (300 pieces)" in broker.page
    response = broker.post(f"{page}/consortium-request", {"quantity": "1,5", "max_partners": "0", "min_lot": "x"})
    assert response.status_code == 422
    errors = field_errors(broker.page)
    assert errors["f-cb-quantity"] == ["Bitte geben Sie eine ganze Zahl ein."]
    assert errors["f-cb-max_partners"] == ["Bitte geben Sie einen Wert von 1 bis 20 ein."]
    assert errors["f-cb-min_lot"] == ["Bitte geben Sie eine ganze Zahl ein."]
    response = broker.post(f"{page}/consortium-request", {"quantity": "1.000", "max_partners": "3", "sites": "XX9"})
    assert response.status_code == 422
    assert field_errors(broker.page) == {
        "f-cb-quantity": ["Bitte geben Sie eine Zahl von 1 bis zur Menge der Anfrage (300) ein."],
        "f-cb-sites": ["Bitte wählen Sie unter den Standorten der Föderation."]}
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["cross_border_flagged"] is False
    response = broker.post(f"{page}/consortium-request", {"quantity": "250", "max_partners": "3", "min_lot": "40",
                                                          "sites": ["HU22", "AT12"]})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{page}/consortium")
    broker.get(f"{page}/consortium")
    assert "Angefragt, wartet auf den Hub" in broker.page
    broker.get(page)
    assert 'id="f-cb-quantity"' not in broker.page and f"{page}/consortium" in broker.page
    # asked twice (a second tab): said about the form
    assert broker.post(f"{page}/consortium-request", {"max_partners": "3"}).status_code == 409
    assert form_message(broker.page) == "Diese Anfrage wurde bereits an den Hub übergeben."


def test_no_form_where_the_client_did_not_allow_cross_border_work(at12, broker):
    enquiry_id = cross_border_enquiry(at12, "Nur aus der Region", allowed=False)
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    assert 'id="f-cb-quantity"' not in broker.page
    assert "Der Kunde hat keine Anbieter aus anderen Ländern zugelassen." in broker.page
    assert broker.post(f"{page}/consortium-request", {}).status_code == 409  # a forged post
    assert form_message(broker.page) == "Der Kunde hat keine Anbieter aus anderen Ländern zugelassen."
    assert broker.get(f"{page}/consortium").status_code == 404


def test_the_consortium_page_shows_parts_reasons_agreement_and_impact(at12, broker):
    enquiry_id = cross_border_enquiry(at12, "Taschen im Konsortium")
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    assert broker.post(f"{page}/consortium-request", {"max_partners": "5"}).status_code == 302
    hub_answers(at12, enquiry_id, impact={
        "year": 2026, "value_paid": "240000", "currency": "HUF", "value_paid_eur": "600.00",
        "material_diverted_kg": "1250.5", "regional_share": "0.8", "distance_km": "140",
        "production_nuts3": "HU221", "integration_hours": "310"})
    broker.get(f"{page}/consortium")
    parts = broker.page.split('id="parts"')[1].split('id="agreement"')[0]
    assert "Győri Asztalosműhely" in parts and "Traisentaler Werkstatt" in parts
    assert "1.200\xa0HUF" in parts and "3,00\xa0€" in parts and "3,50\xa0€" in parts  # part's currency and EUR
    assert "3,1 EUR je gelieferte Einheit, Platz 1 von 3 Kandidaten" in parts  # why each share, in German
    assert "Angenommen" in parts
    assert "50 Einheiten: Den infrage kommenden Sozialunternehmen fehlt bis zur Frist die Kapazität." in broker.page
    agreement = broker.page.split('id="agreement"')[1].split('id="impact"')[0]
    assert "240.000\xa0HUF" in agreement and "600,00\xa0€" in agreement  # 200 × 1,200 HUF, and in EUR
    assert "775,00\xa0€" in agreement  # the total: 600 + 50 × 3.50
    impact = broker.page.split('id="impact"')[1]
    assert "1.250,5 kg" in impact and "80\xa0%" in impact and "310" in impact
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "agreed"
    broker.get(page)  # the audit trail words the hub's move
    assert "Der Hub meldet das Konsortium als vereinbart: Jeder Teil ist angenommen." in broker.page


@pytest.mark.parametrize("lang, waiting", [("de", "Angefragt, wartet auf den Hub"),
                                           ("hu", "Kérve, a hub válaszára vár"),
                                           ("en", "Requested, waiting for the hub")])
def test_the_consortium_page_is_in_every_language(at12, broker, lang, waiting):
    enquiry_id = cross_border_enquiry(at12, f"Taschen {lang}", quantity="120")
    broker.get(f"/office/enquiries/{enquiry_id}")
    broker.post(f"/office/enquiries/{enquiry_id}/consortium-request", {"max_partners": "2"})
    broker.get(f"/office/enquiries/{enquiry_id}/consortium?lang={lang}")
    assert f'<html lang="{lang}">' in broker.page and waiting in broker.page
    broker.get("/office/enquiries?lang=de")  # back to German for the other tests
