"""The broker's enquiry page (issue 11, section 3, items 2 and 4): a proposal naming another social
enterprise's offer, or an organisation that is none, is refused beside the field, never a 500; the
public version of the enquiry's text is approved with its own form, translated, with field messages."""
from __future__ import annotations

from tests.support.web import IN_20_DAYS, field_errors, new_enquiry

TERMS = {"quantity": "100", "unit": "pieces", "price": "4200", "currency": "EUR", "delivery_date": IN_20_DAYS}


def test_a_proposal_with_an_offer_not_of_the_social_enterprise_is_refused_at_the_field(at12, broker):
    enquiry_id = new_enquiry(at12, "Benches with a forged offer")
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    assert broker.post(f"{page}/move", {"to": "matching"}).status_code == 302
    werkstatt, metallwerk = at12.ids["Traisentaler Werkstatt"], at12.ids["offer:Mostviertler Metallwerk"]
    response = broker.post(f"{page}/proposals", {"candidate": f"{werkstatt}:{metallwerk}", **TERMS})
    assert response.status_code == 422
    assert field_errors(broker.page)["f-candidate"] == [
        "Das ist kein veröffentlichtes Angebot des anbietenden Sozialunternehmens."]
    client, offer = at12.ids["Donauland Handels AG"], at12.ids["offer:Traisentaler Werkstatt"]
    assert broker.post(f"{page}/proposals", {"candidate": f"{client}:{offer}", **TERMS}).status_code == 422
    assert field_errors(broker.page)["f-candidate"] == ["Das ist kein aktives Sozialunternehmen dieser Servicestelle."]
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "matching"
    assert at12.ok("GET", f"/enquiries/{enquiry_id}/proposals") == []


def test_the_broker_approves_the_public_version_on_the_enquiry_page(at12, broker):
    enquiry_id = at12.client.post("/api/v1/enquiries", json={
        "type": "production_step", "title": "Anfrage von Theodor (theo@brenner.example)", "cpv_codes": ["39100000"],
        "contact": {"name": "Theodor Brenner", "email": "theo@brenner.example"}}).get_json()["id"]
    page = f"/office/enquiries/{enquiry_id}"
    broker.get(page)
    assert "Noch nicht freigegeben" in broker.page and 'id="f-public-title"' in broker.page
    assert broker.post(f"{page}/public-text", {"title": "", "description": ""}).status_code == 422
    assert field_errors(broker.page)["f-public-title"] == ["Dieses Feld ist erforderlich."]
    response = broker.post(f"{page}/public-text", {"title": "Palettenmöbel", "description": "100 Stück"})
    assert response.status_code == 302
    broker.get(page)
    assert "Die öffentliche Fassung ist freigegeben." in broker.page and "Freigegeben von broker" in broker.page
    public = at12.ok("GET", f"/enquiries/{enquiry_id}/public-text")
    assert (public["title"], public["description"], public["shared_title"]) == (
        "Palettenmöbel", "100 Stück", "Palettenmöbel")
