"""The member area of a social enterprise (issue 14, "What to build" 1): the home page a member lands on
after login, and its offers (publish, change, withdraw) with numbers typed in the page's language, in German
at AT12 and Hungarian at HU22. Each form empty, wrong and hostile shows messages beside its fields; a member
sees and changes its own organisation's offers only."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.support.web import assert_unique_ids, field_errors, form_message


def offer_id_in(page: str, title: str) -> str:
    return re.search(r'href="/office/member/offers/([0-9a-f-]{36})">' + re.escape(title), page).group(1)


@pytest.fixture(scope="module")
def metallwerk(at12):
    """A member of Mostviertler Metallwerk (a social enterprise of AT12), logged in, in German."""
    at12.add_user("metallwerk-member", ["member"], at12.ids["Mostviertler Metallwerk"])
    browser = at12.browser()
    browser.login("metallwerk-member")
    browser.get("/office/member")  # a page with this session's CSRF token
    return browser


@pytest.fixture(scope="module")
def asztalos(hu22):
    """A member of Győri Asztalosműhely (a social enterprise of HU22), logged in, in Hungarian."""
    hu22.add_user("asztalos-member", ["member"], hu22.ids["Győri Asztalosműhely"])
    browser = hu22.browser()
    browser.login("asztalos-member")
    browser.get("/office/member")
    return browser


def test_a_member_lands_on_its_home_page_and_a_broker_keeps_hers(at12):
    at12.add_user("metallwerk-landing", ["member"], at12.ids["Mostviertler Metallwerk"])
    member = at12.browser()
    member.get("/login")
    response = member.post("/login", {"username": "metallwerk-landing", "password": at12.password})
    assert response.headers["Location"].endswith("/office/member")
    member.get("/office/member")
    assert "<h1>Mostviertler Metallwerk</h1>" in member.page and "Meine Angebote" in member.page
    assert 'href="/office/forwarded-parts"' in member.page and 'href="/office/member/agreements"' in member.page
    assert "kein gültiges Gütesiegel" in member.page
    broker = at12.browser()
    broker.get("/login")
    assert broker.post("/login", {"username": "broker", "password": at12.password}).headers["Location"] \
        .endswith("/office/enquiries")


def test_the_home_page_shows_its_own_valid_labels_only(at12, monkeypatch):
    """The label service's public register (the port `LabelRegister`) is asked for the member's own labels;
    no label is granted here, as the catalogue's tests count on AT12 having none yet."""
    from services.contracts.ports import ValidLabel
    from services.registry import member_pages

    asked = []
    werkstatt_id = at12.ids["Traisentaler Werkstatt"]

    def register(holder=None):
        asked.append(holder)
        return {werkstatt_id: [ValidLabel("AT12-L-2026-0099", werkstatt_id, date(2029, 1, 31))]} \
            if holder == werkstatt_id else {}
    monkeypatch.setattr(member_pages, "valid_labels", register)
    at12.add_user("werkstatt-home", ["member"], werkstatt_id)
    werkstatt = at12.browser()
    werkstatt.login("werkstatt-home")
    werkstatt.get("/office/member")
    assert 'href="/labels/verify?number=AT12-L-2026-0099"' in werkstatt.page  # checkable by anyone
    at12.add_user("metallwerk-home", ["member"], at12.ids["Mostviertler Metallwerk"])
    metallwerk = at12.browser()
    metallwerk.login("metallwerk-home")
    metallwerk.get("/office/member")
    assert "AT12-L-2026-0099" not in metallwerk.page and "kein gültiges Gütesiegel" in metallwerk.page
    assert asked == [werkstatt_id, at12.ids["Mostviertler Metallwerk"]]


def test_publishing_an_offer_in_german_empty_wrong_hostile_then_right(at12, metallwerk):
    assert metallwerk.post("/office/member/offers/new", {}).status_code == 422
    required = "Dieses Feld ist erforderlich."
    assert field_errors(metallwerk.page) == {name: [required] for name in (
        "f-title", "f-description", "f-cpv_codes", "f-capacity_per_week", "f-unit", "f-lead_time_days")}
    assert_unique_ids(metallwerk.page)
    wrong = {"title": "Gitter", "description": "Schweißarbeiten", "cpv_codes": "4431600", "capacity_per_week": "viel",
             "unit": "Teile", "lead_time_days": "1,5", "price_min": "20,00", "price_max": "2.400,50x"}
    assert metallwerk.post("/office/member/offers/new", wrong).status_code == 422
    errors = field_errors(metallwerk.page)
    assert set(errors) == {"f-cpv_codes", "f-capacity_per_week", "f-lead_time_days", "f-price_max"}
    assert errors["f-capacity_per_week"] == ["Bitte geben Sie eine Zahl ein."]
    assert errors["f-lead_time_days"] == ["Bitte geben Sie eine ganze Zahl ein."]
    assert 'value="viel"' in metallwerk.page  # what was typed stays
    hostile = {**wrong, "title": "<script>alert(1)</script>", "cpv_codes": "44316000", "capacity_per_week": "1.250,5",
               "lead_time_days": "14", "price_min": "2.400,50", "price_max": "20"}
    assert metallwerk.post("/office/member/offers/new", hostile).status_code == 422  # the domain: min above max
    assert list(field_errors(metallwerk.page)) == ["f-price_max"]
    assert "<script>alert(1)</script>" not in metallwerk.page and "&lt;script&gt;" in metallwerk.page
    right = {**hostile, "title": "Gitter aus Altmetall", "price_min": "20", "price_max": "2.400,50",
             "delivery_radius_km": "80", "cross_border": "on"}
    assert metallwerk.post("/office/member/offers/new", right).status_code == 302
    metallwerk.get("/office/member/offers")
    assert "Gitter aus Altmetall" in metallwerk.page and "1.250,5" in metallwerk.page
    offer = at12.ok("GET", f"/offers/{offer_id_in(metallwerk.page, 'Gitter aus Altmetall')}")
    assert (offer["capacity_per_week"], offer["price_max"], offer["lead_time_days"]) == ("1250.5", "2400.5", 14)
    assert offer["cross_border"] is True and offer["currency"] == "EUR"
    assert offer["organisation_id"] == at12.ids["Mostviertler Metallwerk"]


def test_changing_and_withdrawing_an_offer_in_hungarian(hu22, asztalos):
    right = {"title": "Fa játékok", "description": "Kézzel készült", "cpv_codes": "37520000",
             "capacity_per_week": "2 400,5", "unit": "darab", "lead_time_days": "10"}
    assert asztalos.post("/office/member/offers/new", right).status_code == 302
    asztalos.get("/office/member/offers")
    offer_id = offer_id_in(asztalos.page, "Fa játékok")
    page = f"/office/member/offers/{offer_id}"
    asztalos.get(page)
    assert 'value="2\xa0400,5"' in asztalos.page or 'value="2 400,5"' in asztalos.page
    assert asztalos.post(page, {**right, "title": "", "capacity_per_week": "0"}).status_code == 422
    errors = field_errors(asztalos.page)
    assert set(errors) == {"f-title", "f-capacity_per_week"} and errors["f-title"] == ["Ez a mező kötelező."]
    assert asztalos.post(page, {**right, "capacity_per_week": "3 000,25", "price_max": "1 200"}).status_code == 302
    changed = hu22.ok("GET", f"/offers/{offer_id}")
    assert (changed["capacity_per_week"], changed["price_max"], changed["price_min"]) == ("3000.25", "1200", None)
    # withdrawing asks to confirm it
    assert asztalos.post(f"{page}/withdraw", {"reason": "Nincs több fa"}).status_code == 422
    assert list(field_errors(asztalos.page)) == ["f-withdraw-confirm"]
    assert asztalos.post(f"{page}/withdraw", {"reason": "Nincs több fa", "confirm": "on"}).status_code == 302
    assert hu22.ok("GET", f"/offers/{offer_id}")["status"] == "withdrawn"
    assert asztalos.post(f"{page}/withdraw", {"confirm": "on"}).status_code == 409  # once only
    assert form_message(asztalos.page)


def test_a_member_cannot_see_or_change_another_organisations_offers(at12, metallwerk):
    other = at12.ids["offer:Traisentaler Werkstatt"]
    before = at12.ok("GET", f"/offers/{other}")
    assert metallwerk.get(f"/office/member/offers/{other}").status_code == 404
    assert metallwerk.post(f"/office/member/offers/{other}", {"title": "Mein"}).status_code == 404
    assert metallwerk.post(f"/office/member/offers/{other}/withdraw", {"confirm": "on"}).status_code == 404
    assert at12.ok("GET", f"/offers/{other}") == before
    metallwerk.get("/office/member/offers")
    assert other not in metallwerk.page
    # a member of a client company has no offers; the broker has no member area
    at12.add_user("donauland-no-offers", ["member"], at12.ids["Donauland Handels AG"])
    client = at12.browser()
    client.login("donauland-no-offers")
    client.get("/office/member")
    assert client.get("/office/member/offers").status_code == 403
    assert client.post("/office/member/offers/new", {"title": "x"}).status_code == 403
    assert client.get("/office/member").status_code == 200 and "Meine Angebote" not in client.page.split("<main")[-1]
    broker = at12.browser()
    broker.login("broker")
    assert broker.get("/office/member").status_code == 403
