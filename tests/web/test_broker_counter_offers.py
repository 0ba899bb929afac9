"""Counter-offers on the enquiry's page (issue 14, "Brokers cannot counter-offer on a proposal"): the broker
revises an open proposal's terms, which become its next revision (the API's TermsSchema and `revise`
handler). Each proposal's form starts from its terms written as the page writes numbers; empty, wrong
and hostile forms are refused beside their fields in German and Hungarian; refusals are 409 messages."""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.web import IN_20_DAYS, IN_40_DAYS, field_errors, form_message, new_enquiry

CURRENCY = {"AT12": "EUR", "HU22": "HUF"}
UNIT = {"AT12": "pieces", "HU22": "darab"}
SE = {"AT12": "Traisentaler Werkstatt", "HU22": "Győri Asztalosműhely"}


def proposed(site, title: str) -> tuple[str, str]:
    """(enquiry id, proposal id) of an enquiry in matching with the broker's proposal for the SE."""
    enquiry_id = new_enquiry(site, title)
    site.ok("POST", f"/enquiries/{enquiry_id}/transitions", "broker", json={"to": "matching"})
    se = SE[site.site_id]
    proposal = site.ok("POST", f"/enquiries/{enquiry_id}/proposals", "broker", expect=201, json={
        "organisation_id": site.ids[se], "offer_id": site.ids[f"offer:{se}"], "quantity": "100",
        "unit": UNIT[site.site_id], "price": "4200", "currency": CURRENCY[site.site_id],
        "delivery_date": IN_20_DAYS})
    return enquiry_id, proposal["id"]


def counter(site, title: str):
    enquiry_id, proposal_id = proposed(site, title)
    return f"/office/enquiries/{enquiry_id}", proposal_id, f"f-p{proposal_id[:8]}"


def test_a_counter_offer_becomes_the_next_revision(at12, broker):
    page, proposal_id, fid = counter(at12, "Bänke mit Gegenangebot")
    broker.get(f"{page}?lang=de")
    assert f'id="{fid}-price" name="price" type="text" value="4.200"' in broker.page  # as German writes it
    terms = {"quantity": "80", "unit": "pieces", "price": "3.900,50", "currency": "EUR", "delivery_date": IN_40_DAYS,
             "conditions": "Abholung ab Werk"}
    assert broker.post(f"{page}/proposals/{proposal_id}/revise", terms).status_code == 302
    enquiry_id = page.rsplit("/", 1)[1]
    proposal = at12.ok("GET", f"/enquiries/{enquiry_id}/proposals/{proposal_id}")
    assert proposal["revision"] == 2 and Decimal(proposal["price"]) == Decimal("3900.5") and Decimal(proposal["quantity"]) == 80
    broker.get(page)
    assert "Fassung 2" in broker.page and "Abholung ab Werk" in broker.page


def test_the_same_terms_again_are_no_counter_offer(at12, broker):
    page, proposal_id, _ = counter(at12, "Bänke ohne Änderung")
    broker.get(f"{page}?lang=de")
    same = {"quantity": "100", "unit": "pieces", "price": "4.200", "currency": "EUR", "delivery_date": IN_20_DAYS}
    assert broker.post(f"{page}/proposals/{proposal_id}/revise", same).status_code == 422
    assert "Gegenangebot" in form_message(broker.page)


@pytest.mark.parametrize("lang", ["de", "hu"])
def test_an_empty_counter_offer_is_refused_beside_each_field(at12, hu22, lang):
    site = at12 if lang == "de" else hu22
    browser = site.browser()
    browser.login("broker")
    page, proposal_id, fid = counter(site, f"Üres ellenajánlat {lang}")
    browser.get(f"{page}?lang={lang}")
    assert browser.post(f"{page}/proposals/{proposal_id}/revise", {}).status_code == 422
    errors = field_errors(browser.page)
    required = {"de": "Dieses Feld ist erforderlich.", "hu": "Ez a mező kötelező."}[lang]
    for name in ("quantity", "unit", "price", "currency", "delivery_date"):
        assert errors[f"{fid}-{name}"] == [required]
    assert site.ok("GET", f"/enquiries/{page.rsplit('/', 1)[1]}/proposals/{proposal_id}")["revision"] == 1


def test_wrong_terms_are_refused_beside_their_fields(at12, broker):
    page, proposal_id, fid = counter(at12, "Bänke mit falschem Angebot")
    broker.get(f"{page}?lang=de")
    wrong = {"quantity": "-5", "unit": "pieces", "price": "viel", "currency": "EURO", "delivery_date": "31.02.2026"}
    assert broker.post(f"{page}/proposals/{proposal_id}/revise", wrong).status_code == 422
    errors = field_errors(broker.page)
    assert errors[f"{fid}-price"] == ["Bitte geben Sie eine Zahl ein."]
    assert {f"{fid}-quantity", f"{fid}-currency", f"{fid}-delivery_date"} <= set(errors)
    assert all("must" not in m and "Not a" not in m for messages in errors.values() for m in messages)


def test_hostile_conditions_stay_text(at12, broker):
    page, proposal_id, _ = counter(at12, "Bänke mit Skript")
    broker.get(page)
    hostile = {"quantity": "90", "unit": "pieces", "price": "4000", "currency": "EUR", "delivery_date": IN_20_DAYS,
               "conditions": '<script>alert("x")</script>'}
    assert broker.post(f"{page}/proposals/{proposal_id}/revise", hostile).status_code == 302
    broker.get(page)
    assert '<script>alert("x")' not in broker.page and "&lt;script&gt;" in broker.page


def test_a_withdrawn_proposal_takes_no_counter_offer(at12, broker):
    page, proposal_id, _ = counter(at12, "Bänke zurückgezogen")
    enquiry_id = page.rsplit("/", 1)[1]
    broker.get(page)
    assert f"/proposals/{proposal_id}/revise" in broker.page
    at12.ok("POST", f"/enquiries/{enquiry_id}/proposals/{proposal_id}/withdraw", "broker")
    broker.get(page)
    assert f"/proposals/{proposal_id}/revise" not in broker.page  # no form for it any more
    terms = {"quantity": "90", "unit": "pieces", "price": "4000", "currency": "EUR", "delivery_date": IN_20_DAYS}
    assert broker.post(f"{page}/proposals/{proposal_id}/revise", terms).status_code == 409
    assert form_message(broker.page)
    unknown = "00000000-0000-4000-8000-000000000000"
    assert broker.post(f"{page}/proposals/{unknown}/revise", terms).status_code == 404
