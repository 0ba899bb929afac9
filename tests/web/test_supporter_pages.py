"""Priority for supporters through the site's pages (issue 19, item 6): a broker names the registered
organisation behind an organisation's statement on the statement's page, and once the statement is
confirmed the broker's shortlist on the enquiry's page gives that social enterprise its reason
"supports the platform: +5" in the page's language; a member declares its own organisation's support.

The enquiry and offers here are in CPV division 50 (repair), so that the session's other shortlists
(division 39) never meet these social enterprises."""
from __future__ import annotations

from tests.support.web import IN_40_DAYS, field_errors, form_message
from tests.web.test_platform_pages import organisation


def social_enterprise_with_offer(site, name: str) -> str:
    org = organisation(site, name, kind="social_enterprise")
    site.ok("POST", "/offers", expect=201, json={
        "organisation_id": org, "title": f"Repairs by {name}", "description": "Bikes mended.",
        "cpv_codes": ["50800000"], "capacity_per_week": "500", "unit": "pieces", "lead_time_days": 7,
        "price_min": "10", "price_max": "90"})
    site.project_registry()
    return org


def organisation_statement(site, name: str) -> str:
    return site.ok("POST", "/support-statements", None, 201, json={
        "kind": "organisation", "organisation_name": name, "organisation_kind": "social_enterprise",
        "nuts3": "AT123", "consent": True})["id"]


def test_a_linked_confirmed_statement_shows_its_reason_on_the_brokers_shortlist(at12, broker):
    supporter = social_enterprise_with_offer(at12, "Radwerkstatt Unterstützt")
    social_enterprise_with_offer(at12, "Radwerkstatt Neutral")
    statement_id = organisation_statement(at12, "Radwerkstatt Unterstützt")
    page = f"/office/statements/{statement_id}"
    broker.get(f"{page}?lang=de")
    assert "Unterstützende Organisation" in broker.page and "Radwerkstatt Unterstützt · Town" in broker.page
    assert broker.post(f"{page}/organisation", {"organisation_id": "kein-uuid"}).status_code == 422
    assert list(field_errors(broker.page)) == ["f-link-organisation_id"]
    assert broker.post(f"{page}/organisation", {"organisation_id": supporter}).status_code == 302
    broker.get(page)
    assert "nennt jetzt die Organisation" in broker.page and "Mit einer Organisation verknüpft" in broker.page
    assert at12.ok("POST", f"/support-statements/{statement_id}/confirm")["confirmed_by"] == "broker"

    enquiry_id = at12.ok("POST", "/enquiries", expect=201, json={
        "type": "service", "title": "Bike repairs", "client_kind": "economic_enterprise",
        "client_organisation_id": at12.ids["Donauland Handels AG"], "cpv_codes": ["50800000"], "quantity": "100",
        "unit": "pieces", "deadline": IN_40_DAYS, "delivery": {"nuts3": "AT123"}, "budget": "5000",
        "submit": True})["id"]
    at12.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "in_consultation", "reason": "talk"})
    at12.ok("POST", f"/enquiries/{enquiry_id}/transitions", json={"to": "matching"})
    broker.get(f"/office/enquiries/{enquiry_id}?lang=de")
    shortlist = broker.page.split('id="proposals"')[0]
    assert "unterstützt die Plattform: +5" in shortlist and "unterstützt die Plattform nicht: +0" in shortlist
    assert shortlist.index("Radwerkstatt Unterstützt") < shortlist.index("Radwerkstatt Neutral")

    broker.get(f"/office/enquiries/{enquiry_id}?lang=hu")
    assert "támogatja a platformot: +5" in broker.page.split('id="proposals"')[0]


def test_a_persons_statement_names_no_organisation(hu22):
    browser = hu22.browser()
    browser.login("broker")
    statement_id = hu22.ok("POST", "/support-statements", None, 201, json={
        "kind": "person", "first_name": "Anna", "last_name": "Személy", "nuts3": "HU221", "consent": True})["id"]
    page = f"/office/statements/{statement_id}"
    browser.get(f"{page}?lang=hu")
    assert "Támogató szervezet" not in browser.page and f"{page}/organisation" not in browser.page
    response = browser.post(f"{page}/organisation", {"organisation_id": hu22.ids["Győri Asztalosműhely"]})
    assert response.status_code == 422
    assert field_errors(browser.page) == {}  # no such field on a person's statement: said above the page
    assert form_message(browser.page) == "Csak egy szervezet nevében tett nyilatkozat nevezhet meg szervezetet."


def test_a_member_declares_its_organisations_support_which_counts_once_confirmed(at12, broker):
    org = social_enterprise_with_offer(at12, "Radwerkstatt Mitglied")
    at12.add_user("supporting-member", ["member"], org)
    member = at12.browser()
    member.login("supporting-member")
    member.get("/office/our-support?lang=de")
    assert "Radwerkstatt Mitglied unterstützt die Plattform noch nicht." in member.page
    assert member.post("/office/our-support", {"email": ""}).status_code == 422
    assert field_errors(member.page) == {
        "f-consent": ["Bitte bestätigen Sie, dass Ihre Organisation die Plattform unterstützt."]}
    assert member.post("/office/our-support", {"email": "kein-mail", "consent": "on"}).status_code == 422
    assert list(field_errors(member.page)) == ["f-email"]
    assert member.post("/office/our-support", {"email": "", "consent": "on"}).status_code == 302
    member.get("/office/our-support")
    assert "Warten auf Bestätigung" in member.page and "noch nicht" in member.page
    assert 'id="declare"' not in member.page
    assert member.post("/office/our-support", {"email": "", "consent": "on"}).status_code == 409
    assert form_message(member.page) == "Ihre Organisation hat ihre Unterstützung bereits erklärt."

    [statement] = [s for s in at12.ok("GET", "/support-statements?kind=organisation&per_page=200")["items"]
                   if s["organisation_name"] == "Radwerkstatt Mitglied"]
    assert statement["confirmed_at"] is None and statement["nuts3"] == "AT123"
    broker.get("/office/statements")
    assert statement["id"] in broker.page  # awaiting confirmation, like any statement
    assert broker.post(f"/office/statements/{statement['id']}/confirm").status_code == 302
    member.get("/office/our-support")
    assert "Radwerkstatt Mitglied unterstützt die Plattform." in member.page
    assert broker.post(f"/office/statements/{statement['id']}/withdraw", {"reason": "ended"}).status_code == 302
    member.get("/office/our-support")
    assert "noch nicht" in member.page and 'id="declare"' in member.page  # may declare again
