"""The target site's pages of forwarded parts (issue 13, section 5): the inbox, a part's page and its
actions (accept, decline with a reason, production, deliveries with impact figures typed in the page's
language, withdraw, close short), in German at AT12 and Hungarian at HU22; refusals beside the fields or
about the form, never a 500; a social enterprise's member sees and answers its own organisation's parts
only. The parts arrive as the hub's `hub.part.forwarded` messages, handed to the site's consumer."""
from __future__ import annotations

import uuid

import pytest

from services.common.envelope import Envelope
from services.enquiries.crossborder import consumers
from tests.support.clock import in_days, today_iso
from tests.support.web import field_errors, form_message


def deadline():
    return in_days(60).isoformat()


WHY = {"code": "minimum_lot", "params": {"unit_cost_eur": "3.25", "rank": 2, "eligible": 4, "min_lot": 40,
                                         "capacity": 300}}


def forward(site, organisation: str, quantity: int = 100, title: str = "Stofftaschen mit Aufdruck") -> str:
    """A part of AT13's order for `organisation`'s offer, as the hub forwards it (version 2)."""
    part_id = str(uuid.uuid4())
    data = {"part_id": part_id, "order_id": str(uuid.uuid4()), "origin_site": "AT13",
            "enquiry_reference": "AT13-E-2026-0042", "title": title, "type": "csr_product",
            "cpv_codes": ["39100000"], "offer_id": site.ids[f"offer:{organisation}"],
            "organisation_id": site.ids[organisation], "quantity": quantity, "unit": "pieces",
            "unit_price": "1200.50" if site.site_id == "HU22" else "3.25",
            "currency": "HUF" if site.site_id == "HU22" else "EUR", "deadline": deadline(),
            "delivery_nuts3": "AT130", "label_required": False, "reason": WHY}
    env = Envelope(id=str(uuid.uuid4()), type="hub.part.forwarded", version=2, site="EU",
                   stream=f"EU/hub_to_{site.site_id.lower()}", seq=1, aggregate_id=part_id, aggregate_version=1,
                   occurred_at="2026-12-01T10:00:00Z", correlation_id=f"corr-{part_id}", causation_id=None,
                   data=data, to=site.site_id)
    with site.runtime.engine.begin() as conn:
        consumers.on_part_forwarded(conn, env)
    return part_id


@pytest.fixture(scope="module")
def werkstatt_member(at12):
    """A member of Traisentaler Werkstatt (a social enterprise of AT12), logged in."""
    at12.add_user("werkstatt-member", ["member"], at12.ids["Traisentaler Werkstatt"])
    browser = at12.browser()
    browser.login("werkstatt-member")
    return browser


def test_the_broker_declines_a_part_with_a_reason_in_german(at12, broker):
    part = forward(at12, "Traisentaler Werkstatt", title="Taschen zum Ablehnen")
    broker.get("/office/forwarded-parts")
    assert "Taschen zum Ablehnen" in broker.page and "Wartet auf eine Antwort" in broker.page
    broker.get(f"/office/forwarded-parts/{part}")
    assert "Traisentaler Werkstatt" in broker.page and "AT13-E-2026-0042" in broker.page
    assert "3,25\xa0€" in broker.page and "325,00\xa0€" in broker.page  # unit price and total, German format
    assert "3,25 EUR je gelieferte Einheit, Platz 2 von 4 Kandidaten" in broker.page  # why, worded in German
    response = broker.post(f"/office/forwarded-parts/{part}/decline", {"reason": "", "note": "zu viel"})
    assert response.status_code == 422
    assert field_errors(broker.page) == {"f-decline-reason": ["Dieses Feld ist erforderlich."]}
    assert "zu viel" in broker.page  # what was typed stays
    assert broker.post(f"/office/forwarded-parts/{part}/decline", {"reason": "kaputt"}).status_code == 422
    assert field_errors(broker.page) == {"f-decline-reason": ["Bitte wählen Sie eine der Möglichkeiten."]}
    response = broker.post(f"/office/forwarded-parts/{part}/decline", {"reason": "deadline_too_short", "note": "Juni"})
    assert response.status_code == 302
    broker.get(f"/office/forwarded-parts/{part}")
    assert "Die Frist ist zu kurz." in broker.page and "Juni" in broker.page and "Abgelehnt" in broker.page
    assert 'action="/office/forwarded-parts/' not in broker.page  # a declined part offers no action
    assert at12.ok("GET", f"/forwarded-parts/{part}")["decline_reason"]["code"] == "deadline_too_short"
    # a delivery on a declined part: said about the form, in German
    response = broker.post(f"/office/forwarded-parts/{part}/deliveries",
                           {"quantity": "10", "delivered_on": today_iso()})
    assert response.status_code == 409
    assert form_message(broker.page) == "Dieser Teil ist „Abgelehnt“: Das ist jetzt nicht möglich."


def test_accept_production_and_deliveries_with_german_numbers(at12, broker):
    part = forward(at12, "Traisentaler Werkstatt", quantity=100)
    page = f"/office/forwarded-parts/{part}"
    broker.get(page)
    assert broker.post(f"{page}/accept", {"note": "Gerne"}).status_code == 302
    assert broker.post(f"{page}/start").status_code == 302
    broker.get(page)
    assert "In Produktion" in broker.page and 'id="f-delivery-quantity"' in broker.page
    # wrong figures: each message beside its field, in German; what was typed stays
    response = broker.post(f"{page}/deliveries", {"quantity": "1,5", "delivered_on": "gestern",
                                                  "value_paid": "zweitausend", "regional_share_percent": "120"})
    assert response.status_code == 422
    errors = field_errors(broker.page)
    assert errors["f-delivery-quantity"] == ["Bitte geben Sie eine ganze Zahl ein."]
    assert errors["f-delivery-delivered_on"] == ["Bitte geben Sie ein Datum ein (JJJJ-MM-TT)."]
    assert errors["f-delivery-value_paid"] == ["Bitte geben Sie eine Zahl ein."]
    assert errors["f-delivery-regional_share_percent"] == ["Bitte geben Sie einen Prozentsatz von 0 bis 100 ein."]
    assert 'value="zweitausend"' in broker.page
    # more than is open: the domain's refusal, beside the quantity
    assert broker.post(f"{page}/deliveries", {"quantity": "101", "delivered_on": today_iso()}).status_code == 422
    assert field_errors(broker.page) == {"f-delivery-quantity": [
        "Bitte geben Sie höchstens die 100 noch offenen Einheiten ein."]}
    # a partial delivery with a first figure (shown as reported so far), then the last one with figures in
    # German format
    assert broker.post(f"{page}/deliveries", {"quantity": "40", "delivered_on": today_iso(),
                                              "material_diverted_kg": "500,5"}).status_code == 302
    broker.get(page)
    assert "Bisher gemeldete Wirkungszahlen" in broker.page and "500,5 kg" in broker.page
    response = broker.post(f"{page}/deliveries", {
        "quantity": "60", "delivered_on": today_iso(), "value_paid": "2.400,50", "material_diverted_kg": "1.250,5",
        "regional_share_percent": "80,5", "distance_km": "12", "integration_hours": "310,25",
        "production_nuts3": "AT123"})
    assert response.status_code == 302, field_errors(broker.page)
    recorded = at12.ok("GET", f"/forwarded-parts/{part}")
    assert recorded["status"] == "delivered" and recorded["delivered"] == 100
    assert (recorded["impact"]["value_paid"], recorded["impact"]["material_diverted_kg"],
            recorded["impact"]["regional_share"], recorded["impact"]["integration_hours"]) == (
        "2400.50", "1250.5", "0.805", "310.25")
    broker.get(page)
    assert "Geliefert" in broker.page and "100 von 100 Stück geliefert." in broker.page
    assert "2.400,50\xa0€" in broker.page and "1.250,5 kg" in broker.page and "80,5\xa0%" in broker.page


def test_withdraw_and_close_short_and_what_comes_after(at12, broker):
    withdrawn = forward(at12, "Traisentaler Werkstatt", quantity=20)
    page = f"/office/forwarded-parts/{withdrawn}"
    broker.get(page)
    assert broker.post(f"{page}/accept").status_code == 302
    assert broker.post(f"{page}/withdraw", {"note": "Maschine defekt"}).status_code == 302
    broker.get(page)
    assert "Das Sozialunternehmen ist nach der Zusage von seinem Teil zurückgetreten (20 Einheiten fehlen)." \
        in broker.page and "Maschine defekt" in broker.page
    assert broker.post(f"{page}/accept").status_code == 409  # accept after withdraw
    assert form_message(broker.page) == "Dieser Teil ist „Gescheitert“: Das ist jetzt nicht möglich."

    short = forward(at12, "Traisentaler Werkstatt", quantity=30)
    page = f"/office/forwarded-parts/{short}"
    broker.get(page)
    broker.post(f"{page}/accept")
    broker.post(f"{page}/start")
    broker.get(page)
    assert "/close-short" not in broker.page  # nothing delivered yet: only withdrawing is offered
    assert broker.post(f"{page}/close-short").status_code == 409
    assert form_message(broker.page) == \
        "Von diesem Teil wurde noch nichts geliefert; ziehen Sie sich stattdessen davon zurück."
    broker.post(f"{page}/deliveries", {"quantity": "10", "delivered_on": today_iso()})
    assert broker.post(f"{page}/close-short", {"note": "Rest fehlt"}).status_code == 302
    broker.get(page)
    assert "10 von 30 Einheiten geliefert und seinen Teil abgeschlossen (20 Einheiten fehlen)" in broker.page


def test_the_inbox_filters_by_state_and_survives_any_query(at12, broker):
    forward(at12, "Mostviertler Metallwerk", title="Teile zum Filtern")
    broker.get("/office/forwarded-parts?status=pending")
    assert "Teile zum Filtern" in broker.page
    broker.get("/office/forwarded-parts?status=delivered")
    assert "Teile zum Filtern" not in broker.page
    response = broker.get("/office/forwarded-parts?status=lost&page=x")
    assert response.status_code == 422 and field_errors(broker.page) == {
        "f-status": ["Bitte wählen Sie eine der Möglichkeiten."]}
    for query in ("page=0", "page=999999999999", "page=-1", "status=%00"):
        assert broker.get(f"/office/forwarded-parts?{query}").status_code in (200, 422)
    assert broker.get(f"/office/forwarded-parts/{uuid.uuid4()}").status_code == 404
    assert broker.get("/office/forwarded-parts/not-a-uuid").status_code == 404


def test_a_member_sees_and_answers_only_its_own_organisations_parts(at12, werkstatt_member):
    own = forward(at12, "Traisentaler Werkstatt", title="Eigene Taschen")
    other = forward(at12, "Mostviertler Metallwerk", title="Fremde Teile")
    werkstatt_member.get("/office/forwarded-parts")
    assert "Eigene Taschen" in werkstatt_member.page and "Fremde Teile" not in werkstatt_member.page
    assert 'href="/office/forwarded-parts"' in werkstatt_member.page  # in the office navigation
    assert werkstatt_member.get(f"/office/forwarded-parts/{other}").status_code == 404
    assert werkstatt_member.post(f"/office/forwarded-parts/{other}/accept").status_code == 404
    assert at12.ok("GET", f"/forwarded-parts/{other}")["status"] == "pending"
    werkstatt_member.get(f"/office/forwarded-parts/{own}")
    assert werkstatt_member.post(f"/office/forwarded-parts/{own}/accept").status_code == 302
    assert at12.ok("GET", f"/forwarded-parts/{own}")["answered_by"] == "werkstatt-member"
    assert werkstatt_member.get("/office/enquiries").status_code == 403  # the brokers' board is not its


def test_a_member_lands_on_its_home_page_linking_its_parts_after_logging_in(at12, werkstatt_member):
    browser = at12.browser()
    browser.get("/login")
    response = browser.post("/login", {"username": "werkstatt-member", "password": at12.password})
    assert response.status_code == 302 and response.headers["Location"].endswith("/office/member")
    browser.get("/office/member")
    assert 'href="/office/forwarded-parts"' in browser.page


def test_the_hungarian_broker_accepts_in_hungarian_with_forints(hu22):
    broker = hu22.browser()
    broker.login("broker")
    part = forward(hu22, "Győri Asztalosműhely", quantity=2400, title="Vászontáskák")
    broker.get("/office/forwarded-parts")
    assert "Vászontáskák" in broker.page and "Továbbított részek" in broker.page
    page = f"/office/forwarded-parts/{part}"
    broker.get(page)
    assert "1\xa0201\xa0Ft" in broker.page  # forints whole, Hungarian format
    assert "Leszállított egységenként 3,25 EUR" in broker.page
    assert broker.post(f"{page}/decline", {"reason": ""}).status_code == 422
    assert field_errors(broker.page) == {"f-decline-reason": ["Ez a mező kötelező."]}
    assert broker.post(f"{page}/accept", {"note": "Rendben"}).status_code == 302
    response = broker.post(f"{page}/deliveries", {"quantity": "1 200", "delivered_on": today_iso(),
                                                  "value_paid": "1 440 600,5"})
    assert response.status_code == 302, field_errors(broker.page)
    recorded = hu22.ok("GET", f"/forwarded-parts/{part}")
    assert recorded["delivered"] == 1200 and recorded["figures"]["value_paid"] == "1440600.5"


@pytest.mark.parametrize("lang", ["de", "hu", "en"])
def test_the_part_page_is_in_every_language(at12, broker, lang):
    part = forward(at12, "Traisentaler Werkstatt", title=f"Taschen {lang}")
    broker.get(f"/office/forwarded-parts/{part}?lang={lang}")
    expected = {"de": "Warum der Hub dieses Sozialunternehmen gewählt hat",
                "hu": "Miért ezt a szociális vállalkozást választotta a hub",
                "en": "Why the hub chose this social enterprise"}[lang]
    assert f'<html lang="{lang}">' in broker.page and expected in broker.page
    broker.get("/office/forwarded-parts?lang=de")  # back to German for the other tests


@pytest.mark.parametrize("action, form", [
    ("accept", {"note": "x" * 2001}), ("accept", {"note": "\x0b"}), ("decline", {"reason": "other", "note": "\x07"}),
    ("deliveries", {"quantity": "9" * 40, "delivered_on": "2026-13-45"}),
    ("deliveries", {"quantity": "-1", "delivered_on": "9999-12-31", "value_paid": "1e999", "distance_km": "NaN"}),
    ("deliveries", {"quantity": "1", "delivered_on": today_iso(), "production_nuts3": "XX999",
                    "integration_hours": "-2"}),
    ("withdraw", {"note": "x" * 5000}), ("close-short", {}), ("start", {"unexpected": "field"}),
])
def test_hostile_input_never_fails_the_page(at12, broker, action, form):
    part = forward(at12, "Traisentaler Werkstatt", quantity=5)
    broker.get(f"/office/forwarded-parts/{part}")
    if action in ("deliveries", "withdraw", "close-short"):
        assert broker.post(f"/office/forwarded-parts/{part}/accept").status_code == 302
    response = broker.post(f"/office/forwarded-parts/{part}/{action}", form)  # Browser.post: never a 500
    assert response.status_code in (302, 409, 422), response.status_code
    if response.status_code == 422:
        assert field_errors(broker.page), "a 422 says which field"


def test_every_form_needs_its_csrf_token(at12, broker):
    part = forward(at12, "Traisentaler Werkstatt", quantity=5)
    broker.get(f"/office/forwarded-parts/{part}")
    assert broker.post(f"/office/forwarded-parts/{part}/accept", csrf=False).status_code == 400
    assert at12.ok("GET", f"/forwarded-parts/{part}")["status"] == "pending"
