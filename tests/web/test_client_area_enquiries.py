"""The client member's enquiry pages (issue 14, "What to build" 2): a member of a company (AT12, German)
or of a public institution (HU22, Hungarian) files an enquiry for its organisation, follows it, reads the
proposals and accepts one. Each form empty, wrong and hostile answers beside its fields in the page's
language, never a 500; another organisation's enquiry, and its proposals, are a 404."""
from __future__ import annotations

import pytest

from tests.support.web import IN_20_DAYS, IN_40_DAYS, field_errors, form_message, new_enquiry

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def donauland(at12):
    """A member of Donauland Handels AG, a company and a client of AT12, logged in (German)."""
    at12.add_user("donauland-member", ["member"], at12.ids["Donauland Handels AG"])
    browser = at12.browser()
    browser.login("donauland-member")
    return browser


@pytest.fixture(scope="module")
def hospital(hu22):
    """A member of a public institution of HU22 (a hospital), logged in (Hungarian)."""
    org = hu22.ok("POST", "/organisations", expect=201, json={
        "kind": "public_institution", "name": "Győri Kórház", "registration_number": "REG Kórház", "nuts3": "HU221",
        "address": {"street": "Fő tér 1", "postcode": "9021", "town": "Győr", "country": "HU"},
        "coordinates": {"lat": 47.68, "lon": 17.63}})
    hu22.ids["Győri Kórház"] = org["id"]
    hu22.project_registry()
    hu22.add_user("korhaz-member", ["member"], org["id"])
    browser = hu22.browser()
    browser.login("korhaz-member")
    return browser


SUPPLIER = "Beszállító a kliensteszthez"  # this module's own, so no other module's reservations use it up


def supplier(site) -> str:
    """The name of the social enterprise this module's proposals come from: at AT12 the seeded one, at HU22
    one of the module's own (other modules reserve the seeded one's capacity in the session's site)."""
    if site.site_id == "AT12":
        return "Traisentaler Werkstatt"
    if SUPPLIER not in site.ids:
        org = site.ok("POST", "/organisations", expect=201, json={
            "kind": "social_enterprise", "name": SUPPLIER, "registration_number": "REG kliensteszt", "nuts3": "HU221",
            "address": {"street": "Fő utca 1", "postcode": "9400", "town": "Sopron", "country": "HU"},
            "coordinates": {"lat": 47.68, "lon": 16.58}, "labour_market_segment": "second_labour_market",
            "workers_in_integration": 12})
        offer = site.ok("POST", "/offers", expect=201, json={
            "organisation_id": org["id"], "title": "Polcok", "description": "Made with care.",
            "cpv_codes": ["39100000"], "capacity_per_week": "500", "unit": "darab", "lead_time_days": 7,
            "price_min": "10", "price_max": "90"})
        site.ids[SUPPLIER], site.ids[f"offer:{SUPPLIER}"] = org["id"], offer["id"]
        site.project_registry()
    return SUPPLIER


def proposed(site, enquiry_id: str, price: str = "4200") -> str:
    """The broker moves the enquiry to matching and proposes the supplier's offer."""
    se = supplier(site)
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "matching"})
    return site.ok("POST", f"/enquiries/{enquiry_id}/proposals", expect=201, json={
        "organisation_id": site.ids[se], "offer_id": site.ids[f"offer:{se}"], "quantity": "100",
        "unit": "pieces" if site.site_id == "AT12" else "darab", "price": price,
        "currency": "EUR" if site.site_id == "AT12" else "HUF", "delivery_date": IN_20_DAYS})["id"]


def test_a_company_member_files_an_enquiry_and_sends_it(at12, donauland):
    donauland.get("/office/our-enquiries/new")
    assert "Neue Anfrage" in donauland.page
    assert 'href="/office/our-enquiries">Unsere Anfragen</a>' in donauland.page  # the member's navigation
    response = donauland.post("/office/our-enquiries/new", {
        "send": "yes", "type": "csr_product", "title": "Taschen aus Bannern", "cpv_codes": "39000000",
        "quantity": "1.200,5", "unit": "pieces", "budget": "2.400,50", "deadline": IN_40_DAYS,
        "contact.name": "Dora Donau", "contact.email": "dora@donauland.example"})
    assert response.status_code == 302, field_errors(donauland.page)
    donauland.get(response.headers["Location"])
    assert "Taschen aus Bannern" in donauland.page and "Eingereicht" in donauland.page
    assert "1.200,5" in donauland.page and "2.400,50\xa0€" in donauland.page
    listed = at12.ok("GET", f"/enquiries?client_organisation_id={at12.ids['Donauland Handels AG']}")["items"]
    mine = next(e for e in listed if e["title"] == "Taschen aus Bannern")
    assert (mine["state"], mine["client_kind"], mine["contact"]["name"]) == ("submitted", "economic_enterprise",
                                                                             "Dora Donau")
    donauland.get("/office/our-enquiries")
    assert "Taschen aus Bannern" in donauland.page and mine["reference"] in donauland.page


def test_the_enquiry_form_empty_wrong_and_hostile_in_german(at12, donauland):
    assert donauland.post("/office/our-enquiries/new", {"send": "yes"}).status_code == 422
    errors = field_errors(donauland.page)
    assert errors["f-type"] == errors["f-title"] == ["Dieses Feld ist erforderlich."]
    response = donauland.post("/office/our-enquiries/new", {
        "send": "yes", "type": "world_peace", "title": "x" * 300, "quantity": "viel", "deadline": "2020-01-01",
        "contact.email": "kein-mail"})
    assert response.status_code == 422
    errors = field_errors(donauland.page)
    assert {"f-type", "f-title", "f-quantity", "f-deadline", "f-contact-email"} <= set(errors)
    assert errors["f-type"] == ["Bitte wählen Sie eine der Möglichkeiten."]
    assert errors["f-title"] == ["Bitte geben Sie zwischen 1 und 200 Zeichen ein."]
    assert errors["f-quantity"] == ["Bitte geben Sie eine Zahl ein."]
    assert errors["f-deadline"] == ["Das Datum darf nicht in der Vergangenheit liegen."]
    assert errors["f-contact-email"] == ["Bitte geben Sie eine gültige E-Mail-Adresse ein."]
    response = donauland.post("/office/our-enquiries/new", {"send": "no", "type": "csr_product", "title": HOSTILE,
                                                            "description": HOSTILE})
    assert response.status_code == 302  # a draft with that title: kept as text, never markup
    donauland.get(response.headers["Location"])
    assert HOSTILE not in donauland.page and "&lt;script&gt;" in donauland.page and "Entwurf" in donauland.page


def test_a_draft_is_sent_by_its_client_and_a_wrong_move_is_refused(at12, donauland):
    response = donauland.post("/office/our-enquiries/new", {"send": "no", "type": "csr_product", "title": "Kalender",
                                                            "cpv_codes": "39000000"})
    page = response.headers["Location"]
    donauland.get(page)
    assert donauland.post(f"{page}/move", {"to": "closed"}).status_code == 409
    assert form_message(donauland.page) == ("Eine Anfrage im Zustand „Entwurf“ kann nicht zu „Abgeschlossen“ "
                                            "wechseln; möglich ist: Eingereicht, Storniert.")
    assert donauland.post(f"{page}/move", {"to": "mars"}).status_code == 422
    assert form_message(donauland.page) == "Bitte wählen Sie eine der Möglichkeiten."
    assert at12.ok("GET", f"/enquiries/{page.rsplit('/', 1)[1]}")["state"] == "draft"
    assert donauland.post(f"{page}/move", {"to": "submitted", "reason": HOSTILE}).status_code == 302
    donauland.get(page)
    assert "Eingereicht" in donauland.page and HOSTILE not in donauland.page


def test_the_client_reads_the_proposal_and_accepts_it(at12, donauland):
    enquiry_id = new_enquiry(at12, "Bänke für den Hof")
    proposal_id = proposed(at12, enquiry_id)
    page = f"/office/our-enquiries/{enquiry_id}"
    donauland.get("/office/our-enquiries")
    assert "Bänke für den Hof" in donauland.page
    donauland.get(page)
    assert "Traisentaler Werkstatt" in donauland.page and "4.200,00\xa0€" in donauland.page
    assert f"/proposals/{proposal_id}/accept" in donauland.page
    assert 'value="cancelled"' in donauland.page and 'value="agreed"' not in donauland.page  # agreed by accepting
    assert donauland.post(f"{page}/proposals/{proposal_id}/accept").status_code == 302
    donauland.get(page)
    assert "Angenommen" in donauland.page and f"/proposals/{proposal_id}/accept" not in donauland.page
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "agreed"
    assert [a["status"] for a in at12.ok("GET", f"/enquiries/{enquiry_id}/agreements")] == ["active"]
    # accepting it twice: said about the form, not a 500
    assert donauland.post(f"{page}/proposals/{proposal_id}/accept").status_code == 409
    assert form_message(donauland.page)


def test_another_organisations_enquiry_and_its_proposals_are_not_found(at12, hu22, donauland, hospital):
    theirs = new_enquiry(hu22, "Zalai ajándékok")
    proposal_id = proposed(hu22, theirs, price="900000")
    other_site_page = f"/office/our-enquiries/{theirs}"
    assert hospital.get(other_site_page).status_code == 404  # the company's enquiry, not the hospital's
    assert hospital.post(f"{other_site_page}/proposals/{proposal_id}/accept").status_code == 404
    assert hospital.post(f"{other_site_page}/move", {"to": "cancelled"}).status_code == 404
    assert hu22.ok("GET", f"/enquiries/{theirs}")["state"] == "negotiating"
    hospital.get("/office/our-enquiries")
    assert "Zalai ajándékok" not in hospital.page
    # the proposal of one of its own enquiries, named under another enquiry: 404 too
    own = new_enquiry(at12, "Eigene Anfrage")
    assert donauland.post(f"/office/our-enquiries/{own}/proposals/{proposal_id}/accept").status_code == 404
    # a social enterprise sees a matching enquiry as a supplier, never on the client's pages
    at12.add_user("werkstatt-client-probe", ["member"], at12.ids["Traisentaler Werkstatt"])
    werkstatt = at12.browser()
    werkstatt.login("werkstatt-client-probe")
    matching = new_enquiry(at12, "Sichtbar für Lieferanten")
    proposed(at12, matching)
    assert werkstatt.get(f"/office/our-enquiries/{matching}").status_code == 404
    werkstatt.get("/office/our-enquiries")
    assert "Sichtbar für Lieferanten" not in werkstatt.page


def test_staff_and_visitors_have_no_client_area(at12, broker):
    assert broker.get("/office/our-enquiries").status_code == 403
    assert "Unsere Anfragen" not in broker.page
    anonymous = at12.browser()
    response = anonymous.get("/office/our-enquiries/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_public_institution_files_in_hungarian(hu22, hospital):
    hospital.get("/office/our-enquiries")
    assert "Szervezetének még nincs megkeresése." in hospital.page and "Új megkeresés" in hospital.page
    assert hospital.post("/office/our-enquiries/new", {"send": "yes"}).status_code == 422
    assert field_errors(hospital.page)["f-title"] == ["Ez a mező kötelező."]
    response = hospital.post("/office/our-enquiries/new", {
        "send": "yes", "type": "service", "title": "Mosodai szolgáltatás", "cpv_codes": "98000000",
        "quantity": "1,5", "unit": "hours", "budget": "x", "deadline": IN_40_DAYS})
    assert response.status_code == 422 and "f-budget" in field_errors(hospital.page)
    response = hospital.post("/office/our-enquiries/new", {
        "send": "yes", "type": "service", "title": "Mosodai szolgáltatás", "cpv_codes": "98000000",
        "quantity": "1,5", "unit": "hours", "budget": "2 400,50", "deadline": IN_40_DAYS})
    assert response.status_code == 302, field_errors(hospital.page)
    enquiry = hu22.ok("GET", f"/enquiries?client_organisation_id={hu22.ids['Győri Kórház']}")["items"][0]
    assert (enquiry["client_kind"], enquiry["quantity"], enquiry["budget"]) == ("public_institution", "1.5", "2400.5")


def test_the_client_sees_its_agreements_and_cancels_one_after_confirming(at12, donauland):
    enquiry_id = new_enquiry(at12, "Regale für das Lager")
    proposal_id = proposed(at12, enquiry_id, price="1234.5")
    page = f"/office/our-enquiries/{enquiry_id}"
    donauland.get(page)
    assert donauland.post(f"{page}/proposals/{proposal_id}/accept").status_code == 302
    agreement = at12.ok("GET", f"/enquiries/{enquiry_id}/agreements")[0]
    donauland.get("/office/our-agreements")
    assert "Regale für das Lager" in donauland.page and "1.234,50\xa0€" in donauland.page
    assert "Traisentaler Werkstatt" in donauland.page and f"#agreement-{agreement['id']}" in donauland.page
    cancel = f"{page}/agreements/{agreement['id']}/cancel"
    prefix = f"f-a{agreement['id'][:8]}"
    donauland.get(page)
    assert donauland.post(cancel, {"reason": "x" * 1001}).status_code == 422  # not confirmed, reason too long
    errors = field_errors(donauland.page)
    assert errors[f"{prefix}-confirm"] == ["Bitte bestätigen Sie, dass die Vereinbarung storniert werden soll."]
    assert errors[f"{prefix}-reason"] == ["Bitte geben Sie zwischen 1 und 1000 Zeichen ein."]
    assert at12.ok("GET", f"/enquiries/{enquiry_id}/agreements")[0]["status"] == "active"
    assert donauland.post(cancel, {"reason": HOSTILE, "confirm": "on"}).status_code == 302
    assert at12.ok("GET", f"/enquiries/{enquiry_id}/agreements")[0]["status"] == "cancelled"
    assert at12.ok("GET", f"/enquiries/{enquiry_id}")["state"] == "negotiating"
    donauland.get(page)
    assert HOSTILE not in donauland.page and "Die Vereinbarung wurde storniert." in donauland.page
    # twice: the agreement is no longer active, said about the form
    assert donauland.post(cancel, {"confirm": "on"}).status_code == 409
    assert form_message(donauland.page) == "Diese Vereinbarung ist „Storniert“: Sie kann nicht storniert werden."


def test_another_organisations_agreement_cannot_be_cancelled_or_listed(at12, hu22, hospital):
    enquiry_id = new_enquiry(hu22, "Zalai polcok")
    hu22.ok("POST", f"/enquiries/{enquiry_id}/proposals/{proposed(hu22, enquiry_id, '500000')}/accept", expect=201)
    agreement = hu22.ok("GET", f"/enquiries/{enquiry_id}/agreements")[0]
    hospital.get("/office/our-agreements")
    assert "Szervezetének még nincs megállapodása." in hospital.page and "Zalai polcok" not in hospital.page
    cancel = f"/office/our-enquiries/{enquiry_id}/agreements/{agreement['id']}/cancel"
    assert hospital.post(cancel, {"confirm": "on"}).status_code == 404
    assert hu22.ok("GET", f"/enquiries/{enquiry_id}/agreements")[0]["status"] == "active"


def test_the_client_writes_in_the_negotiation(at12, donauland):
    enquiry_id = new_enquiry(at12, "Tische mit Gesprächsbedarf")
    proposed(at12, enquiry_id)
    page = f"/office/our-enquiries/{enquiry_id}"
    donauland.get(page)
    assert "Noch keine Nachrichten." in donauland.page
    assert donauland.post(f"{page}/messages", {"body": ""}).status_code == 422
    assert field_errors(donauland.page)["f-message-body"] == ["Dieses Feld ist erforderlich."]
    assert donauland.post(f"{page}/messages", {"body": "x", "organisation_id": "nobody"}).status_code == 422
    assert "f-message-organisation_id" in field_errors(donauland.page)
    werkstatt = at12.ids["Traisentaler Werkstatt"]
    response = donauland.post(f"{page}/messages", {"body": HOSTILE, "organisation_id": werkstatt})
    assert response.status_code == 302
    donauland.get(page)
    assert HOSTILE not in donauland.page and "&lt;script&gt;" in donauland.page
    (sent,) = at12.ok("GET", f"/enquiries/{enquiry_id}/messages")
    assert (sent["body"], sent["party"], sent["organisation_id"]) == (HOSTILE, "client", werkstatt)
