"""A member applies for a place in a consultation programme for its own organisation (issue 14, "What to
build" 2), in German at AT12 and Hungarian at HU22: places in order of arrival, then the waiting list;
applying twice and withdrawing without confirming are refused in the page's language, never a 500;
another organisation's application cannot be withdrawn."""
from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests.support.web import field_errors, form_message

HOSTILE = '<script>alert("x")</script>'


def programme(site, name: str, places: int = 1) -> str:
    return site.ok("POST", "/programmes", expect=201, json={
        "name": name, "funder": "ESF+", "starts_on": date.today().isoformat(),
        "ends_on": (date.today() + timedelta(days=90)).isoformat(), "places": places})["id"]


def member_of(site, organisation: str):
    username = f"programme-{uuid.uuid4().hex[:8]}"
    site.add_user(username, ["member"], site.ids[organisation])
    browser = site.browser()
    browser.login(username)
    return browser


@pytest.fixture(scope="module")
def donauland(at12):
    return member_of(at12, "Donauland Handels AG")


def applications(site, programme_id: str) -> list[tuple[str, str]]:
    return [(a["firm_name"], a["status"]) for a in site.ok("GET", f"/programmes/{programme_id}/applications")["items"]]


def test_a_member_applies_for_its_organisation_and_withdraws_after_confirming(at12, donauland):
    programme_id = programme(at12, "Digitalisierung kompakt", places=1)
    donauland.get("/office/our-programmes")
    assert "Digitalisierung kompakt" in donauland.page and "1 Platz frei von 1." in donauland.page
    assert donauland.post(f"/office/our-programmes/{programme_id}/apply").status_code == 302
    assert applications(at12, programme_id) == [("Donauland Handels AG", "accepted")]
    donauland.get("/office/our-programmes")
    assert "Ihre Organisation hat sich um einen Platz beworben." in donauland.page and "Angenommen" in donauland.page
    # twice: said on the programme's card, in German
    assert donauland.post(f"/office/our-programmes/{programme_id}/apply").status_code == 409
    assert form_message(donauland.page) == "Dieses Unternehmen hat sich bereits beworben."
    assert len(applications(at12, programme_id)) == 1
    withdraw = f"/office/our-programmes/{programme_id}/applications/"
    withdraw += at12.ok("GET", f"/programmes/{programme_id}/applications")["items"][0]["id"] + "/withdraw"
    prefix = f"f-p{programme_id[:8]}"
    assert donauland.post(withdraw, {"reason": "x" * 501}).status_code == 422
    errors = field_errors(donauland.page)
    assert errors[f"{prefix}-confirm"] == ["Bitte bestätigen Sie, dass die Bewerbung zurückgezogen werden soll."]
    assert errors[f"{prefix}-reason"] == ["Bitte geben Sie zwischen 1 und 500 Zeichen ein."]
    assert applications(at12, programme_id) == [("Donauland Handels AG", "accepted")]
    assert donauland.post(withdraw, {"reason": HOSTILE, "confirm": "on"}).status_code == 302
    assert applications(at12, programme_id) == [("Donauland Handels AG", "withdrawn")]
    donauland.get("/office/our-programmes")
    assert "Die Bewerbung wurde zurückgezogen." in donauland.page and HOSTILE not in donauland.page


def test_the_second_firm_waits_and_cannot_withdraw_anothers_application(at12, donauland):
    programme_id = programme(at12, "Kreislaufwirtschaft", places=1)
    werkstatt = member_of(at12, "Traisentaler Werkstatt")
    werkstatt.get("/office/our-programmes")
    assert werkstatt.post(f"/office/our-programmes/{programme_id}/apply").status_code == 302
    assert donauland.post(f"/office/our-programmes/{programme_id}/apply").status_code == 302
    donauland.get("/office/our-programmes")
    assert "Ihr Platz auf der Warteliste: 1" in donauland.page
    werkstatts = at12.ok("GET", f"/programmes/{programme_id}/applications")["items"][0]["id"]
    response = donauland.post(f"/office/our-programmes/{programme_id}/applications/{werkstatts}/withdraw",
                              {"confirm": "on"})
    assert response.status_code == 403
    assert applications(at12, programme_id) == [("Traisentaler Werkstatt", "accepted"),
                                                ("Donauland Handels AG", "waiting")]
    assert donauland.post(f"/office/our-programmes/{uuid.uuid4()}/apply").status_code == 404


def test_a_closed_programme_refuses_in_hungarian(hu22):
    programme_id = programme(hu22, "Zöld átállás", places=2)
    member = member_of(hu22, "Zalai Ajándéktárgy Kft.")
    member.get("/office/our-programmes")
    assert "Zöld átállás" in member.page and "Tanácsadási programok" in member.page
    hu22.ok("POST", f"/programmes/{programme_id}/close")
    assert member.post(f"/office/our-programmes/{programme_id}/apply").status_code == 409
    assert form_message(member.page) == "Ez a program lezárult: nem fogad több jelentkezést."
    assert applications(hu22, programme_id) == []


def test_staff_have_no_member_programme_page(broker):
    assert broker.get("/office/our-programmes").status_code == 403
