"""The national stakeholder platform's pages (issue 19, item 5): the staff's /office/platform (add a
registered organisation with a role, list, remove) and the public /platform, in German at AT12 and in
Hungarian at HU22; every form empty, wrong and valid, refusals beside the fields or above the form."""
from __future__ import annotations

import uuid

import pytest

from tests.support.web import field_errors, form_message


def organisation(site, name: str, kind: str = "economic_enterprise") -> str:
    country = site.site_id[:2]
    return site.ok("POST", "/organisations", expect=201, json={
        "kind": kind, "name": name, "registration_number": f"REG {name}",
        "nuts3": "AT123" if country == "AT" else "HU221",
        "address": {"street": "Hauptplatz 1", "postcode": "1000", "town": "Town", "country": country},
        "labour_market_segment": "second_labour_market" if kind == "social_enterprise" else None})["id"]


@pytest.fixture
def hu_broker(hu22):
    browser = hu22.browser()
    browser.login("broker")
    return browser


def test_a_broker_adds_a_member_the_public_sees_it_and_the_broker_removes_it(at12, broker):
    org = organisation(at12, "Plattform Gemeinde Melk")
    broker.get("/office/platform?lang=de")
    assert "Stakeholder-Plattform" in broker.page and "Plattform Gemeinde Melk · Town" in broker.page
    assert 'value="public_body"' in broker.page and "Öffentliche Stelle" in broker.page
    assert broker.post("/office/platform", {"organisation_id": org, "role": "public_body"}).status_code == 302
    broker.get("/office/platform")
    assert "Plattform Gemeinde Melk ist Mitglied der Stakeholder-Plattform." in broker.page
    members = broker.page.split('id="members"')[1]
    assert "Plattform Gemeinde Melk" in members and "Öffentliche Stelle" in members
    assert f"/office/platform/{org}/leave" in members

    visitor = at12.browser()
    visitor.get("/platform?lang=de")
    assert "Plattform Gemeinde Melk" in visitor.page and "Öffentliche Stelle" in visitor.page
    assert "Österreich" in visitor.page  # the country's name in the page's language
    assert 'href="/events?kind=forum"' in visitor.page and "/platforms/AT" in visitor.page
    assert "Hauptplatz" not in visitor.page  # organisations only, no address or contact

    assert broker.post(f"/office/platform/{org}/leave").status_code == 302
    broker.get("/office/platform")
    assert "Die Organisation hat die Stakeholder-Plattform verlassen." in broker.page
    assert f"/office/platform/{org}/leave" not in broker.page and "Ausgetreten am" in broker.page
    assert broker.post(f"/office/platform/{org}/leave").status_code == 409
    assert form_message(broker.page) == "Diese Organisation ist nicht mehr Mitglied der Plattform."
    visitor.get("/platform")
    assert "Plattform Gemeinde Melk" not in visitor.page
    assert [e.type for e in at12.outbox_rows("community.platform_member.") if e.aggregate_id == org] == [
        "community.platform_member.joined", "community.platform_member.left"]


def test_empty_wrong_and_twice_are_said_beside_the_fields_in_german(at12, broker):
    org = organisation(at12, "Plattform Verein Ybbs")
    broker.get("/office/platform?lang=de")
    assert broker.post("/office/platform", {"organisation_id": "", "role": ""}).status_code == 422
    assert field_errors(broker.page) == {"f-organisation_id": ["Dieses Feld ist erforderlich."],
                                         "f-role": ["Dieses Feld ist erforderlich."]}
    assert broker.post("/office/platform", {"organisation_id": "keine-id", "role": "person"}).status_code == 422
    assert sorted(field_errors(broker.page)) == ["f-organisation_id", "f-role"]
    response = broker.post("/office/platform", {"organisation_id": str(uuid.uuid4()), "role": "ngo"})
    assert response.status_code == 422
    assert field_errors(broker.page) == {
        "f-organisation_id": ["Diese Organisation gibt es bei dieser Servicestelle nicht."]}
    assert broker.post("/office/platform", {"organisation_id": org, "role": "ngo"}).status_code == 302
    assert broker.post("/office/platform", {"organisation_id": org, "role": "funder"}).status_code == 409
    assert form_message(broker.page).startswith("Diese Organisation ist seit ")
    assert broker.post("/office/platform", {"organisation_id": org + "\x00", "role": "ngo"}).status_code in (400, 422)


def test_the_pages_in_hungarian(hu22, hu_broker):
    org = organisation(hu22, "Platform Egyesület Győr")
    hu_broker.get("/office/platform?lang=hu")
    assert "Érintetti platform" in hu_broker.page and "Civil szervezet" in hu_broker.page
    assert hu_broker.post("/office/platform", {"organisation_id": org, "role": ""}).status_code == 422
    assert list(field_errors(hu_broker.page)) == ["f-role"]
    assert hu_broker.post("/office/platform", {"organisation_id": org, "role": "ngo"}).status_code == 302
    hu_broker.get("/office/platform")
    assert "Platform Egyesület Győr az érintetti platform tagja." in hu_broker.page
    visitor = hu22.browser()
    visitor.get("/platform?lang=hu")
    assert "Platform Egyesület Győr" in visitor.page and "Civil szervezet" in visitor.page
    assert "Magyarország" in visitor.page and "/platforms/HU" in visitor.page
    [joined] = [e for e in hu22.outbox_rows("community.platform_member.") if e.aggregate_id == org]
    assert joined.data["country"] == "HU" and joined.data["organisation_id"] == org
    hu22.ok("POST", f"/organisations/{org}/withdraw", json={"reason": "megszűnt"})
    visitor.get("/platform")
    assert "Platform Egyesület Győr" not in visitor.page  # withdrawn from the register: not shown publicly
    hu_broker.get("/office/platform")
    assert "Platform Egyesület Győr" in hu_broker.page.split('id="members"')[1]  # staff still see the member


def test_only_staff_manage_the_platform(at12):
    org = organisation(at12, "Plattform Firma Amstetten")
    at12.add_user("platform-member", ["member"], org)
    member = at12.browser()
    member.login("platform-member")
    assert member.get("/office/platform").status_code == 403
    assert member.post("/office/platform", {"organisation_id": org, "role": "company"}).status_code == 403
    assert at12.browser().get("/office/platform").status_code in (302, 401)
    assert at12.browser().get("/platform").status_code == 200
