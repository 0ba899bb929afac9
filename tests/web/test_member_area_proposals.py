"""A social enterprise's enquiry pages (issue 14, "What to build" 1): the enquiries that fit its offers, and
on each its own proposals, filed, revised and withdrawn with numbers in the page's language, in German at
AT12 and Hungarian at HU22. Each form empty, wrong and hostile shows messages beside its fields; a member
sees and changes its own organisation's proposals only, and no enquiry outside its offers' fields."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.support.web import field_errors, form_message, new_enquiry

IN_30_DAYS = (date.today() + timedelta(days=30)).isoformat()


def open_enquiry(site, title: str) -> str:
    enquiry_id = new_enquiry(site, title)
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "matching"})
    return enquiry_id


def member(site, username: str, organisation: str):
    site.add_user(username, ["member"], site.ids[organisation])
    browser = site.browser()
    browser.login(username)
    browser.get("/office/member")  # a page with this session's CSRF token
    return browser


@pytest.fixture(scope="module")
def werkstatt(at12):
    return member(at12, "werkstatt-proposer", "Traisentaler Werkstatt")


def proposal_ids(page: str) -> list[str]:
    return re.findall(r'/proposals/([0-9a-f-]{36})/revise', page)


def test_proposing_in_german_empty_wrong_hostile_then_right(at12, werkstatt):
    enquiry_id = open_enquiry(at12, "Regale für das Lager")
    werkstatt.get("/office/member/enquiries")
    assert "Regale für das Lager" in werkstatt.page and "Anfragen zu unseren Angeboten" in werkstatt.page
    page = f"/office/member/enquiries/{enquiry_id}"
    werkstatt.get(page)
    assert "Regale für das Lager" in werkstatt.page and "Kontaktperson" not in werkstatt.page
    assert werkstatt.post(f"{page}/proposals", {}).status_code == 422
    required = ["Dieses Feld ist erforderlich."]
    assert field_errors(werkstatt.page) == {f"f-new-{name}": required for name in (
        "offer_id", "quantity", "unit", "price", "currency", "delivery_date")}
    own_offer = at12.ids["offer:Traisentaler Werkstatt"]
    wrong = {"offer_id": own_offer, "quantity": "viel", "unit": "pieces", "price": "4.250,50", "currency": "EUR",
             "delivery_date": "31.02.2027"}
    assert werkstatt.post(f"{page}/proposals", wrong).status_code == 422
    errors = field_errors(werkstatt.page)
    assert set(errors) == {"f-new-quantity", "f-new-delivery_date"}
    assert errors["f-new-quantity"] == ["Bitte geben Sie eine Zahl ein."]
    assert 'value="viel"' in werkstatt.page
    other_offer = at12.ids["offer:Mostviertler Metallwerk"]
    hostile = {**wrong, "offer_id": other_offer, "quantity": "80", "delivery_date": IN_30_DAYS,
               "conditions": "<script>alert(1)</script>"}
    response = werkstatt.post(f"{page}/proposals", hostile)  # another organisation's offer: refused
    assert response.status_code in (403, 422) and (field_errors(werkstatt.page) or form_message(werkstatt.page))
    assert "<script>alert(1)</script>" not in werkstatt.page
    assert werkstatt.post(f"{page}/proposals", {**hostile, "offer_id": own_offer, "unit": "kg"}).status_code == 422
    assert field_errors(werkstatt.page) == {"f-new-unit": ["Bitte schlagen Sie in der Einheit der Anfrage vor: Stück."]}
    assert werkstatt.post(f"{page}/proposals", {**hostile, "offer_id": own_offer}).status_code == 302
    werkstatt.get(page)
    assert "4.250,50\xa0€" in werkstatt.page and "&lt;script&gt;" in werkstatt.page
    [proposal] = at12.ok("GET", f"/enquiries/{enquiry_id}/proposals")
    assert (proposal["price"], proposal["quantity"], proposal["organisation_id"]) == (
        "4250.5", "80", at12.ids["Traisentaler Werkstatt"])

    # revised: empty, then with new German numbers; then withdrawn, once only
    [proposal_id] = proposal_ids(werkstatt.page)
    prefix = f"f-p{proposal_id[:8]}"
    assert werkstatt.post(f"{page}/proposals/{proposal_id}/revise", {}).status_code == 422
    assert set(field_errors(werkstatt.page)) == {f"{prefix}-{name}" for name in (
        "quantity", "unit", "price", "currency", "delivery_date")}
    revised = {**hostile, "price": "3.900", "conditions": "Lieferung in zwei Teilen"}
    assert werkstatt.post(f"{page}/proposals/{proposal_id}/revise", revised).status_code == 302
    proposal = at12.ok("GET", f"/enquiries/{enquiry_id}/proposals/{proposal_id}")
    assert (proposal["revision"], proposal["price"]) == (2, "3900")
    assert werkstatt.post(f"{page}/proposals/{proposal_id}/withdraw").status_code == 302
    assert at12.ok("GET", f"/enquiries/{enquiry_id}/proposals/{proposal_id}")["status"] == "withdrawn"
    assert werkstatt.post(f"{page}/proposals/{proposal_id}/withdraw").status_code == 409
    assert form_message(werkstatt.page)


def test_proposing_in_hungarian_with_forints(hu22):
    asztalos = member(hu22, "asztalos-proposer", "Győri Asztalosműhely")
    enquiry_id = open_enquiry(hu22, "Fa polcok")
    page = f"/office/member/enquiries/{enquiry_id}"
    asztalos.get(page)
    assert "Fa polcok" in asztalos.page
    right = {"offer_id": hu22.ids["offer:Győri Asztalosműhely"], "quantity": "100", "unit": "darab",
             "price": "1 200 000,50", "currency": "HUF", "delivery_date": IN_30_DAYS}
    assert asztalos.post(f"{page}/proposals", {**right, "price": "sok"}).status_code == 422
    assert field_errors(asztalos.page) == {"f-new-price": ["Kérjük, számot adjon meg."]}
    assert asztalos.post(f"{page}/proposals", right).status_code == 302
    [proposal] = hu22.ok("GET", f"/enquiries/{enquiry_id}/proposals")
    assert proposal["price"] == "1200000.5"


def test_a_member_sees_only_fitting_enquiries_and_its_own_proposals(at12, werkstatt):
    enquiry_id = open_enquiry(at12, "Regale für das Büro")
    page = f"/office/member/enquiries/{enquiry_id}"
    werkstatt.get(page)
    assert werkstatt.post(f"{page}/proposals", {
        "offer_id": at12.ids["offer:Traisentaler Werkstatt"], "quantity": "10", "unit": "pieces", "price": "500",
        "currency": "EUR", "delivery_date": IN_30_DAYS}).status_code == 302
    [proposal] = at12.ok("GET", f"/enquiries/{enquiry_id}/proposals")
    # Metallwerk's offers are in another field: the enquiry is not its, nor the proposal
    metallwerk = member(at12, "metallwerk-proposer", "Mostviertler Metallwerk")
    metallwerk.get("/office/member/enquiries")
    assert "Regale für das Büro" not in metallwerk.page
    assert metallwerk.get(page).status_code == 404
    revise = f"{page}/proposals/{proposal['id']}/revise"
    assert metallwerk.post(revise, {"quantity": "1", "unit": "x", "price": "1", "currency": "EUR",
                                    "delivery_date": IN_30_DAYS}).status_code == 404
    assert metallwerk.post(f"{page}/proposals/{proposal['id']}/withdraw").status_code == 404
    assert at12.ok("GET", f"/enquiries/{enquiry_id}/proposals/{proposal['id']}")["revision"] == 1
    # the client company's member proposes nothing; its own enquiry is not a supplier's page
    client = member(at12, "donauland-proposer", "Donauland Handels AG")
    assert client.get("/office/member/enquiries").status_code == 403
    assert client.get(page).status_code == 403


def test_its_agreements_with_their_delivery_and_its_impact_in_german(at12):
    """Its own offer (published on its page, so that no other test's capacity is taken), a proposal the client
    accepts, a delivery the broker records: the agreement and the impact show on the member's page only."""
    werkstatt = member(at12, "werkstatt-deliverer", "Traisentaler Werkstatt")
    werkstatt.get("/office/member/agreements")
    assert "<h1>Vereinbarungen und Wirkung</h1>" in werkstatt.page and "Regale für die Werkhalle" not in werkstatt.page
    assert werkstatt.post("/office/member/offers/new", {
        "title": "Regalbau", "description": "Regale nach Maß", "cpv_codes": "39100000", "capacity_per_week": "1.000",
        "unit": "pieces", "lead_time_days": "3"}).status_code == 302
    at12.project_registry()  # as the site's consumer does: the matching part knows the new offer
    enquiry_id = open_enquiry(at12, "Regale für die Werkhalle")
    offer_id = next(o["id"] for o in at12.ok("GET", "/offers?q=Regalbau")["items"])
    page = f"/office/member/enquiries/{enquiry_id}"
    werkstatt.get(page)
    assert werkstatt.post(f"{page}/proposals", {"offer_id": offer_id, "quantity": "100", "unit": "pieces",
                                                "price": "2.400,50", "currency": "EUR",
                                                "delivery_date": IN_30_DAYS}).status_code == 302, \
        (field_errors(werkstatt.page), form_message(werkstatt.page))
    [proposal] = at12.ok("GET", f"/enquiries/{enquiry_id}/proposals")
    agreement = at12.ok("POST", f"/enquiries/{enquiry_id}/proposals/{proposal['id']}/accept", expect=201)
    at12.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "in_production"})
    at12.ok("POST", f"/enquiries/{enquiry_id}/agreements/{agreement['id']}/deliver", json={
        "material_diverted_kg": "850.5", "integration_hours": "320"})
    werkstatt.get("/office/member/agreements")
    assert "Regale für die Werkhalle" in werkstatt.page and "2.400,50\xa0€" in werkstatt.page
    assert "850,5" in werkstatt.page and "320,0" in werkstatt.page
    werkstatt.get(page)
    assert "2.400,50\xa0€" in werkstatt.page  # the agreement on the enquiry's page too
    # another social enterprise sees none of it
    metallwerk = member(at12, "metallwerk-deliverer", "Mostviertler Metallwerk")
    metallwerk.get("/office/member/agreements")
    assert "Regale für die Werkhalle" not in metallwerk.page and "850,5" not in metallwerk.page
