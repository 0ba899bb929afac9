"""Enquiries through the API on PostgreSQL: the whole lifecycle, capacity, splits, access, bad input,
the outbox (published enquiries only, no personal data), expiry and the case study."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import update

from services.enquiries.lifecycle import tables
from services.enquiries.lifecycle.expiry import expire_overdue
from tests.support.lifecycle import IN_30_DAYS, LifecycleSite, enquiry_body, terms

pytestmark = pytest.mark.services


@pytest.fixture
def site(make_settings, pg_url):
    s = LifecycleSite(make_settings, pg_url)
    yield s
    s.runtime.engine.dispose()


def test_the_whole_lifecycle_of_a_company_enquiry(site):
    site.company()
    se_id, offer_id = site.social_enterprise(username="se")
    draft = site.ok("POST", "/enquiries", "client", 201, json=enquiry_body(contact={"name": "Maria Huber",
                                                                                   "email": "maria@bau.example"}))
    assert draft["state"] == "draft" and draft["reference"].startswith("AT12-E-") and draft["reference"].endswith("0001")
    assert draft["allowed_next"] == ["submitted", "cancelled"] and site.events() == []  # drafts are not published
    eid = draft["id"]

    site.ok("PATCH", f"/enquiries/{eid}", "client", json={"quantity": "120"})
    site.ok("POST", f"/enquiries/{eid}/transitions", "client", json={"to": "submitted", "reason": "ready"})
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_consultation", "reason": "first talk"})
    site.ok("PATCH", f"/enquiries/{eid}", json={"quantity": "100"})  # the broker refines it
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "matching"})

    shortlist = site.ok("GET", f"/enquiries/{eid}/shortlist")
    assert shortlist["shortlist"]["candidates"][0]["offer_id"] == offer_id
    assert shortlist["cross_border_flagged"] is False

    proposal = site.ok("POST", f"/enquiries/{eid}/proposals", "se", 201,
                       json={"offer_id": offer_id, **terms(price="4500")})
    assert proposal["organisation_id"] == se_id and proposal["revision"] == 1
    assert site.ok("GET", f"/enquiries/{eid}", "se")["state"] == "negotiating"
    assert site.ok("GET", f"/enquiries/{eid}", "se")["contact"] is None  # the SE never sees the person
    site.ok("POST", f"/enquiries/{eid}/messages", "client", 201, json={"body": "Could you do 4200?",
                                                                       "organisation_id": se_id})
    revised = site.ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/revisions", "se", 201,
                      json=terms(price="4200"))
    assert revised["revision"] == 2 and revised["price"] == "4200"
    detail = site.ok("GET", f"/enquiries/{eid}/proposals/{proposal['id']}", "client")
    assert [r["price"] for r in detail["revisions"]] == ["4500", "4200"]
    site.ok("POST", f"/enquiries/{eid}/messages", "se", 201, json={"body": "Agreed at 4200."})
    assert [m["party"] for m in site.ok("GET", f"/enquiries/{eid}/messages", "se")] == ["client", "social_enterprise"]

    agreement = site.ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/accept", "client", 201)
    assert agreement["price"] == "4200" and agreement["proposal_revision"] == 2 and agreement["status"] == "active"
    assert site.ok("GET", f"/enquiries/{eid}")["state"] == "agreed"
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_production"})
    delivered = site.ok("POST", f"/enquiries/{eid}/agreements/{agreement['id']}/deliver", json={
        "material_diverted_kg": "850", "regional_share": "0.8", "production_nuts3": "AT123",
        "production_lat": 48.2, "production_lon": 15.62, "integration_hours": "320"})
    impact = delivered["impact"]
    assert delivered["agreement"]["status"] == "delivered"
    assert impact["value_paid"] == "4200" and Decimal(impact["value_paid_eur"]) == 4200 and impact["currency"] == "EUR"
    assert impact["basis"]["distance"]["source"] == "great_circle" and impact["distance_km"] == "0.6"
    assert impact["basis"]["rate_to_eur"] == "1" and impact["basis"]["value_paid"]["source"] == "agreed price"
    assert site.ok("GET", f"/enquiries/{eid}")["state"] == "delivered"
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "closed", "reason": "invoice paid"})

    trail = site.ok("GET", f"/enquiries/{eid}/audit", "client")
    assert [(t["from_state"], t["to_state"], t["party"]) for t in trail] == [
        (None, "draft", "client"), ("draft", "submitted", "client"), ("submitted", "in_consultation", "broker"),
        ("in_consultation", "matching", "broker"), ("matching", "negotiating", "social_enterprise"),
        ("negotiating", "agreed", "client"), ("agreed", "in_production", "broker"),
        ("in_production", "delivered", "broker"), ("delivered", "closed", "broker")]
    assert trail[1]["actor"] == "client" and trail[1]["reason"] == "ready" and trail[-1]["reason"] == "invoice paid"

    case = site.ok("GET", f"/enquiries/{eid}/case-study")
    assert case["social_enterprise_id"] == se_id and case["impact"]["integration_hours"] == "320"
    published = site.ok("POST", f"/enquiries/{eid}/case-study", expect=201, json={"title": "Canteen furniture"})
    study = site.ok("GET", f"/case-studies/{published['case_study_id']}", "admin")
    assert study["title"] == "Canteen furniture" and Decimal(study["impact"]["value_paid_eur"]) == 4200
    site.call("POST", f"/enquiries/{eid}/case-study", expect=409, json={})

    events = site.events()
    enquiry_events = [(t, v, d["state"]) for t, a, v, d in events if a == eid]
    assert enquiry_events[0] == ("enquiries.enquiry.submitted", 1, "submitted")
    assert [s for *_, s in enquiry_events] == ["submitted", "in_consultation", "in_consultation", "matching",
                                               "negotiating", "agreed", "in_production", "delivered", "closed"]
    assert [v for _, v, _ in enquiry_events] == list(range(1, 10))
    assert [t for t, *_ in events if not t.startswith("enquiries.enquiry")] == [
        "enquiries.agreement.made", "enquiries.agreement.delivered", "enquiries.impact.recorded"]
    for type_name, _, _, data in events:
        site.runtime.validator.validate(type_name, 1, data)
        assert "Maria" not in str(data) and "maria@" not in str(data)


def _to_negotiating(site, quantity="100", **body) -> str:
    eid = site.ok("POST", "/enquiries", expect=201, json=enquiry_body(
        quantity=quantity, submit=True, client_organisation_id=site.company_id, **body))["id"]
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "matching"})
    return eid


@pytest.fixture
def negotiating(site):
    site.company_id = site.company()
    return site


def test_a_split_among_two_social_enterprises_and_capacity_is_never_over_committed(negotiating):
    site = negotiating
    se_a, offer_a = site.social_enterprise("Werkstatt A", capacity="10", username="se_a")  # ~28 by day 20
    se_b, offer_b = site.social_enterprise("Werkstatt B", capacity="70", username="se_b")
    eid = _to_negotiating(site, quantity="100")
    too_much = site.ok("POST", f"/enquiries/{eid}/proposals", "se_a", 201, json={"offer_id": offer_a, **terms()})
    part_a = site.ok("POST", f"/enquiries/{eid}/proposals", "se_a", 201,
                     json={"offer_id": offer_a, **terms(quantity="20", price="900")})
    part_b = site.ok("POST", f"/enquiries/{eid}/proposals", "se_b", 201,
                     json={"offer_id": offer_b, **terms(quantity="80", price="3300")})
    assert [p["id"] for p in site.ok("GET", f"/enquiries/{eid}/proposals", "se_a")] == [too_much["id"], part_a["id"]]

    over = site.call("POST", f"/enquiries/{eid}/proposals/{too_much['id']}/accept", "client", expect=409).json
    assert over["code"] == "capacity_exceeded" and "quantity" in over["errors"]
    site.ok("POST", f"/enquiries/{eid}/proposals/{part_a['id']}/accept", "client", 201)
    assert site.ok("GET", f"/enquiries/{eid}")["state"] == "negotiating"  # 20 of 100 covered
    covered = site.call("POST", f"/enquiries/{eid}/proposals/{too_much['id']}/accept", "client", expect=409).json
    assert covered["code"] == "over_quantity"  # 100 more would exceed the 80 left
    agreement_b = site.ok("POST", f"/enquiries/{eid}/proposals/{part_b['id']}/accept", "broker", 201)
    assert site.ok("GET", f"/enquiries/{eid}")["state"] == "agreed"

    # Cancelling an agreement releases its capacity and reopens the negotiation.
    site.ok("POST", f"/enquiries/{eid}/agreements/{agreement_b['id']}/cancel", "client", json={"reason": "late"})
    assert site.ok("GET", f"/enquiries/{eid}")["state"] == "negotiating"
    from services.enquiries.matching import service
    with site.runtime.engine.connect() as conn:
        assert service.reservation(conn, agreement_b["id"]).status != "active"
        assert service.reservation(conn, site.ok("GET", f"/enquiries/{eid}/agreements")[0]["id"]).status == "active"
    assert [a["organisation_id"] for a in site.ok("GET", f"/enquiries/{eid}/agreements", "se_a")] == [se_a]
    types = [t for t, *_ in site.events("enquiries.agreement")]
    assert types == ["enquiries.agreement.made", "enquiries.agreement.made", "enquiries.agreement.cancelled"]


def test_the_site_alone_cannot_cover_so_the_enquiry_is_flagged_for_cross_border(negotiating):
    site = negotiating
    site.social_enterprise(capacity="5")
    eid = _to_negotiating(site, quantity="5000")
    result = site.ok("GET", f"/enquiries/{eid}/shortlist")
    assert result["cross_border_flagged"] is True and result["shortlist"]["cross_border_needed"] is True
    changed, requested = site.events()[-2:]
    assert changed.data["cross_border_flagged"] is True
    # The client allowed cross-border work: the site asks the hub for a consortium of its own accord.
    assert requested.type == "enquiries.enquiry.cross_border_requested"
    assert (requested.data["requested_by"], requested.data["quantity"]) == ("site", 5000)
    site.ok("GET", f"/enquiries/{eid}/shortlist")
    assert len([e for e in site.events() if e.data.get("cross_border_flagged")]) == 1  # flagged once
    assert len([e for e in site.events() if e.type == requested.type]) == 1  # asked once
    assert site.ok("GET", "/enquiries?cross_border_flagged=true")["total"] == 1


def test_an_enquiry_the_client_kept_local_is_never_flagged_for_cross_border(negotiating):
    site = negotiating
    site.social_enterprise(capacity="5")
    eid = _to_negotiating(site, quantity="5000", cross_border_allowed=False)
    result = site.ok("GET", f"/enquiries/{eid}/shortlist")
    assert result["shortlist"]["cross_border_needed"] is True and result["cross_border_flagged"] is False
    assert not [e for e in site.events() if e.data.get("cross_border_flagged")]
    assert not [e for e in site.events() if e.type == "enquiries.enquiry.cross_border_requested"]
    assert site.ok("GET", "/enquiries?cross_border_flagged=true")["total"] == 0
    page = site.client.get(f"/office/enquiries/{eid}?lang=de", headers=site.headers[site.acting_as])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Lieferanten aus anderen Ländern nicht zugelassen" in text  # the shortlist says why it stays local
    assert "für grenzüberschreitende Suche markiert" not in text  # no badge


def test_illegal_transitions_are_409s_naming_the_state_and_the_allowed_next(negotiating):
    site = negotiating
    eid = site.ok("POST", "/enquiries", "client", 201, json=enquiry_body())["id"]
    error = site.call("POST", f"/enquiries/{eid}/transitions", json={"to": "agreed"}, expect=409).json
    assert error["code"] == "illegal_transition" and "draft" in error["message"]
    assert error["errors"] == {"state": ["draft"], "allowed_next": ["submitted", "cancelled"]}
    site.ok("POST", f"/enquiries/{eid}/transitions", "client", json={"to": "submitted"})
    forbidden = site.call("POST", f"/enquiries/{eid}/transitions", "client", json={"to": "matching"}, expect=403).json
    assert "broker" in forbidden["message"]
    site.ok("PATCH", f"/enquiries/{eid}", json={"cpv_codes": []})
    pre = site.call("POST", f"/enquiries/{eid}/transitions", json={"to": "matching"}, expect=409).json
    assert pre["code"] == "precondition_failed" and "cpv_codes" in pre["message"]
    site.ok("POST", f"/enquiries/{eid}/transitions", "client", json={"to": "cancelled", "reason": "no budget"})
    final = site.call("POST", f"/enquiries/{eid}/transitions", json={"to": "submitted"}, expect=409).json
    assert final["errors"]["allowed_next"] == [] and "cancelled" in final["message"]


@pytest.mark.parametrize("change,field", [
    ({"quantity": "-5"}, "quantity"), ({"quantity": "0"}, "quantity"),
    ({"deadline": "2020-01-01"}, "deadline"), ({"cpv_codes": ["99999999"]}, "cpv_codes"),
    ({"cpv_codes": ["abc"]}, "cpv_codes"), ({"currency": "USD"}, "currency"), ({"currency": "HUF"}, "currency"),
    ({"type": "teleportation"}, "type"), ({"quantity": 1e400}, "quantity"), ({"title": "\x00"}, "title"),
    ({"surprise": 1}, "surprise"), ({"type": "recycling_upcycling"}, "residual_material"),
])
def test_bad_input_is_a_422_with_field_messages(negotiating, change, field):
    body = {**enquiry_body(client_organisation_id=negotiating.company_id), **change}
    error = negotiating.call("POST", "/enquiries", json=body, expect=422).json
    assert field in error["errors"], error


def test_bad_proposals_and_hostile_bodies_are_422s(negotiating):
    site = negotiating
    _, offer_id = site.social_enterprise(username="se")
    eid = _to_negotiating(site)
    for change in ({"price": "-1"}, {"quantity": "0"}, {"currency": "GBP"}, {"delivery_date": "2020-01-01"},
                   {"unit": "tonnes"}):
        site.call("POST", f"/enquiries/{eid}/proposals", "se", json={"offer_id": offer_id, **terms(**change)},
                  expect=422)
    for path in (f"/enquiries/{eid}/proposals", f"/enquiries/{eid}/transitions", f"/enquiries/{eid}/messages",
                 "/enquiries"):
        for body in (b"[]", b'"x"', b'{"quantity": "NaN"}'):
            site.call("POST", path, data=body, content_type="application/json", expect=422)
        broken = site.call("POST", path, data=b"{not json", content_type="application/json").json
        assert broken["status"] == 400 and set(broken) == {"code", "status", "message", "errors"}


def test_an_anonymous_first_contact_is_taken_over_by_a_broker(negotiating):
    site = negotiating
    body = enquiry_body(contact={"name": "Anna Berger", "email": "anna@gemeinde.example", "phone": "+43 2742 1234"})
    filed = site.ok("POST", "/enquiries", None, 201, json=body)
    assert filed["state"] == "submitted" and filed["client_kind"] == "anonymous"
    site.call("POST", "/enquiries", None, json=enquiry_body(), expect=422)  # a first contact leaves a way back
    assert site.ok("GET", f"/enquiries/{filed['id']}")["contact"]["name"] == "Anna Berger"
    site.call("GET", f"/enquiries/{filed['id']}", "client", expect=404)
    taken = site.ok("PATCH", f"/enquiries/{filed['id']}", json={"client_kind": "public_institution",
                                                               "client_organisation_id": site.company_id})
    assert taken["client_kind"] == "public_institution"
    assert site.ok("GET", f"/enquiries/{filed['id']}", "client")["contact"]["email"] == "anna@gemeinde.example"
    for _, _, _, data in site.events():
        assert "Anna" not in str(data) and "anna@" not in str(data) and "2742" not in str(data)


def test_who_sees_and_does_what(negotiating):
    site = negotiating
    other_company = site.company("Other GmbH", username="other")
    _, offer_id = site.social_enterprise(username="se")
    draft = site.ok("POST", "/enquiries", "client", 201, json=enquiry_body())
    site.call("GET", f"/enquiries/{draft['id']}", "se", expect=404)  # another member's draft is invisible
    site.call("POST", "/enquiries", "other", json=enquiry_body(client_organisation_id=site.company_id), expect=403)
    assert site.ok("GET", "/enquiries", "other")["total"] == 0
    eid = _to_negotiating(site)
    assert site.ok("GET", "/enquiries", "other")["total"] == 0  # open for proposals: social enterprises only
    assert site.ok("GET", "/enquiries", "se")["total"] == 1
    proposal = site.ok("POST", f"/enquiries/{eid}/proposals", "se", 201, json={"offer_id": offer_id, **terms()})
    site.call("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/accept", "se", expect=403)
    site.call("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/accept", "other", expect=404)  # not its to see
    site.call("GET", f"/enquiries/{eid}/shortlist", "client", expect=403)
    site.call("GET", f"/enquiries/{eid}/audit", "se", expect=403)
    site.call("POST", f"/enquiries/{eid}/proposals", "other", json={"offer_id": offer_id,
                                                                    "organisation_id": other_company, **terms()},
              expect=404)
    site.ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/withdraw", "se")
    site.call("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/accept", "client", expect=409)
    site.call("GET", f"/enquiries/00000000-0000-4000-8000-000000000000", expect=404)


def test_sopro_tick_expires_overdue_enquiries_once(negotiating):
    site = negotiating
    open_id = _to_negotiating(site)
    draft_id = site.ok("POST", "/enquiries", "client", 201, json=enquiry_body())["id"]
    later = datetime.now(timezone.utc) + timedelta(days=31)
    expired = expire_overdue(site.runtime.uow, later)
    assert [(e.from_state, str(e.deadline)) for e in expired] == [("matching", IN_30_DAYS)]
    assert expire_overdue(site.runtime.uow, later) == []  # idempotent
    assert site.ok("GET", f"/enquiries/{open_id}")["state"] == "expired"
    assert site.ok("GET", f"/enquiries/{draft_id}")["state"] == "draft"  # drafts do not expire
    assert site.ok("GET", f"/enquiries/{open_id}/audit")[-1]["party"] == "system"
    with site.runtime.engine.begin() as conn:  # the date passed for real
        conn.execute(update(tables.enquiry).where(tables.enquiry.c.id == draft_id)
                     .values(deadline=datetime(2020, 1, 1).date()))
    assert expire_overdue(site.runtime.uow, datetime.now(timezone.utc)) == []


def test_list_filters(negotiating):
    site = negotiating
    site.ok("POST", "/enquiries", "client", 201, json=enquiry_body())
    _to_negotiating(site, type="service", cpv_codes=["90900000"])
    assert site.ok("GET", "/enquiries?state=draft")["total"] == 1
    assert site.ok("GET", "/enquiries?type=service")["total"] == 1
    assert site.ok("GET", "/enquiries?cpv=39")["total"] == 1
    assert site.ok("GET", "/enquiries?cpv=90900000")["total"] == 1
    page = site.ok("GET", "/enquiries?per_page=1&page=2")
    assert page["total"] == 2 and len(page["items"]) == 1
    site.call("GET", "/enquiries?state=nonsense", expect=422)
