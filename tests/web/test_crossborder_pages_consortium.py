"""The origin broker's cross-border pages (issue 13, section 5): asking the hub for a consortium from the
enquiry's page (bad input beside the fields, refusals about the form, in German), and the consortium's
page before and after the hub answered: parts, social enterprises, prices in the part's currency and in
EUR, every reason and shortfall worded in the page's language, the client-facing agreement and impact.
The hub's answer arrives as its `hub.consortium.agreed` message, handed to the site's consumer."""
from __future__ import annotations

import uuid

import pytest

from tests.support.clock import in_days
from tests.support.consortium_snapshots import deliver, hub_message, part, snapshot
from tests.support.web import field_errors, form_message


def deadline():
    return in_days(50).isoformat()



CLIENTS = {"AT12": ("Donauland Handels AG", "AT123"), "HU22": ("Zalai Ajándéktárgy Kft.", "HU223")}


def cross_border_enquiry(site, title: str, allowed: bool = True, quantity: str = "300") -> str:
    client, region = CLIENTS[site.site_id]
    return site.ok("POST", "/enquiries", expect=201, json={
        "type": "csr_product", "title": title, "client_kind": "economic_enterprise",
        "client_organisation_id": site.ids[client], "cpv_codes": ["39100000"], "quantity": quantity,
        "unit": "pieces", "deadline": deadline(), "delivery": {"nuts3": region}, "cross_border_allowed": allowed,
        "submit": True})["id"]


def hub_answers(site, enquiry_id: str, part_impact: dict) -> None:
    """The hub's agreed consortium (version 2), through the site's consumer: 250 of 300 units in two parts,
    HU22's in forints with its impact recorded and AT12's in euros; 50 units short of capacity."""
    parts = [part("HU22", 200, unit_price="1200", currency="HUF", name="Győri Asztalosműhely", impact=part_impact),
             part("AT12", 50, unit_price="3.50", name="Traisentaler Werkstatt")]
    impact = {"parts": 1, "value_paid_eur": "609.60", "material_diverted_kg": "1250.5", "integration_hours": "310",
              "distance_km": "140", "regional_share": "0.8"}
    data = snapshot(str(uuid.uuid4()), enquiry_id, "agreed", parts, quantity=300, impact=impact,
                    shortfalls=[{"code": "capacity", "quantity": 50, "params": {}}])
    deliver(site, hub_message(data, 1, agreed=True))


def test_the_broker_asks_for_a_consortium_and_bad_input_is_shown_beside_the_fields(at12, broker):
    enquiry_id = cross_border_enquiry(at12, "Stofftaschen für die Messe")
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    assert 'id="f-cb-quantity"' in broker.page and 'name="sites" value="HU22"' in broker.page
    assert "Leer: die ganze Menge (300 Stück)" in broker.page
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
        "f-cb-sites": ["Bitte wählen Sie unter den Servicestellen der Föderation."]}
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
    hub_answers(at12, enquiry_id, {
        "year": 2026, "value_paid": "240000", "currency": "HUF", "value_paid_eur": "609.60",
        "material_diverted_kg": "1250.5", "regional_share": "0.8", "distance_km": "140",
        "production_nuts3": "HU221", "integration_hours": "310"})
    broker.get(f"{page}/consortium")
    parts = broker.page.split('id="parts"')[1].split('id="agreement"')[0]
    assert "Győri Asztalosműhely" in parts and "Traisentaler Werkstatt" in parts
    assert "1.200\xa0HUF" in parts and "3,05\xa0€" in parts and "3,50\xa0€" in parts  # part's currency and EUR
    assert "3,048 EUR je gelieferte Einheit, Platz 1 von 3 Kandidaten" in parts  # why each share, in German
    assert "Angenommen" in parts
    assert "50 Einheiten: Den infrage kommenden Sozialunternehmen fehlt bis zur Frist die Kapazität." in broker.page
    agreement = broker.page.split('id="agreement"')[1].split('id="impact"')[0]
    assert "240.000\xa0HUF" in agreement and "609,60\xa0€" in agreement  # 200 × 1,200 HUF, and in EUR
    assert "784,60\xa0€" in agreement  # the total: 609.60 + 50 × 3.50
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


def test_a_part_that_failed_after_acceptance_is_marked_with_its_cause(at12, broker):
    enquiry_id = cross_border_enquiry(at12, "Taschen mit Ausfall")
    broker.get(f"/office/enquiries/{enquiry_id}")
    assert broker.post(f"/office/enquiries/{enquiry_id}/consortium-request", {"max_partners": "5"}).status_code == 302
    order_id = str(uuid.uuid4())
    hungarian = part("HU22", 250, unit_price="1200", currency="HUF", name="Győri Asztalosműhely")
    austrian = part("AT12", 50, unit_price="3.50", name="Traisentaler Werkstatt")
    deliver(at12, hub_message(snapshot(order_id, enquiry_id, "agreed", [hungarian, austrian]), 1, agreed=True))
    failed = {**austrian, "status": "failed", "delivered": 10, "note": "Maschine defekt",
              "answer": {"code": "se_withdrew", "params": {"quantity": 50, "delivered": 10, "missing": 40}}}
    shortfall = {"code": "se_withdrew", "quantity": 40, "params": {
        "site": "AT12", "part_id": austrian["part_id"], "quantity": 50, "delivered": 10, "missing": 40,
        "reallocation": "no_time_left"}}
    deliver(at12, hub_message(snapshot(order_id, enquiry_id, "in_production", [hungarian, failed], quantity=300,
                                       shortfalls=[shortfall]), 2))
    broker.get(f"/office/enquiries/{enquiry_id}/consortium")
    parts = broker.page.split('id="parts"')[1].split('id="agreement"')[0]
    assert "Gescheitert" in parts and "Maschine defekt" in parts
    assert "Das Sozialunternehmen ist nach der Zusage von seinem Teil zurückgetreten (40 Einheiten fehlen)." in parts
    assert ("Das Sozialunternehmen ist nach der Zusage von seinem Teil zurückgetreten (40 Einheiten fehlen). "
            "Bis zur Frist bleibt zu wenig Zeit, um die fehlenden Einheiten neu zu vergeben.") in broker.page
    agreement = broker.page.split('id="agreement"')[1].split('id="impact"')[0]
    assert "Nur die 10 gelieferten Einheiten zählen." in agreement


def test_a_large_order_keeps_its_request_form_however_often_the_page_is_seen(at12, broker):
    """The site alone cannot make 100,000 pieces: the page says so, and the broker still chooses the terms
    (seeing the page asks the hub for nothing)."""
    enquiry_id = cross_border_enquiry(at12, "Sehr viele Taschen", quantity="100000")
    page = f"/office/enquiries/{enquiry_id}"
    for _ in range(2):
        broker.get(page)
        assert 'id="f-cb-quantity"' in broker.page
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["cross_border_flagged"] is False
    response = broker.post(f"{page}/consortium-request", {"quantity": "60.000", "max_partners": "4", "min_lot": "500",
                                                          "sites": ["HU22", "AT22"]})
    assert response.status_code == 302
    (request,) = [row.data for row in at12.outbox_rows("enquiries.enquiry.cross_border_requested")
                  if row.data["enquiry_id"] == enquiry_id]
    assert (request["quantity"], request["max_partners"], request["min_lot"], request["sites"]) == (
        60000, 4, 500, ["AT22", "HU22"])


def test_a_hungarian_origin_sees_the_agreement_in_euros_and_forints(hu22):
    broker = hu22.browser()
    broker.login("broker")
    enquiry_id = cross_border_enquiry(hu22, "Vászontáskák konzorciumban")
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    assert "Konzorcium kérése a hubtól" in broker.page
    assert broker.post(f"{page}/consortium-request", {"max_partners": "x"}).status_code == 422
    assert field_errors(broker.page) == {"f-cb-max_partners": ["Kérjük, egész számot adjon meg."]}
    assert broker.post(f"{page}/consortium-request", {"max_partners": "3"}).status_code == 302
    austrian = part("AT12", 300, unit_price="3.50", name="Traisentaler Werkstatt")
    deliver(hu22, hub_message(snapshot(str(uuid.uuid4()), enquiry_id, "agreed", [austrian]), 1, agreed=True,
                              to="HU22"))
    broker.get(f"{page}/consortium")
    agreement = broker.page.split('id="agreement"')[1]
    assert "1\xa0050,00\xa0EUR" in agreement  # 300 × 3.50 EUR, Hungarian format
    assert "Összesen HUF-ban" in agreement and "\xa0Ft" in agreement.split("Összesen HUF-ban")[1]
