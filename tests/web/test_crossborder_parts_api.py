"""The forwarded parts' API at a target site (AT12 on SQLite): the answer, production, partial and full
deliveries with impact, the SE withdrawing and closing short; a member sees and acts on its own
organisation's parts only; illegal moves are 409s, bad input 422s at the field, and never a 500."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.common.config import load_settings
from services.common.envelope import Envelope
from services.enquiries.crossborder import consumers
from services.enquiries.matching import service as matching
from tests.support.clock import in_days, today, today_iso
from tests.support.lifecycle import LifecycleSite


def deadline():
    return in_days(30)



@pytest.fixture(scope="module")
def site(tmp_path_factory, federation, federation_files):
    """A site of this module's own (the web package's AT12 is the pages' session-wide one)."""
    root = tmp_path_factory.mktemp("parts")

    def make_settings(site_id: str, db_url=None):
        return load_settings(site_id, env={}, federation=federation, db_url=f"sqlite:///{root / site_id}.sqlite",
                             bus_url="memory://", key_file=federation_files[1] / f"{site_id}.pem", var_dir=root,
                             rate_limit="100000/minute", token_rate_limit="100000/minute",
                             public_write_rate_limit="100000/minute")

    s = LifecycleSite(make_settings, None)
    yield s
    s.runtime.engine.dispose()


@pytest.fixture(scope="module")
def ses(site):
    """Two social enterprises, each with a member: (organisation id, offer id, username)."""
    return [(*site.social_enterprise(name, capacity="70", username=user), user)
            for name, user in (("Werkstatt Nord", "nord"), ("Werkstatt Süd", "sued"))]


def forward(site: LifecycleSite, organisation_id: str, offer_id: str, quantity: int = 100) -> str:
    part_id = str(uuid.uuid4())
    data = {"part_id": part_id, "order_id": str(uuid.uuid4()), "origin_site": "AT13",
            "enquiry_reference": "AT13-E-2026-0007", "title": "Tote bags", "type": "csr_product",
            "cpv_codes": ["39100000"], "offer_id": offer_id, "organisation_id": organisation_id, "quantity": quantity,
            "unit": "pieces", "unit_price": "3.00", "currency": "EUR", "deadline": deadline().isoformat(),
            "delivery_nuts3": "AT130", "label_required": False,
            "reason": {"code": "rest_of_order", "params": {"quantity": quantity}}}
    hub_message(site, consumers.on_part_forwarded, "hub.part.forwarded", part_id, data)
    return part_id


def hub_message(site: LifecycleSite, handler, type_name: str, part_id: str, data: dict) -> None:
    env = Envelope(id=str(uuid.uuid4()), type=type_name, version=2, site="EU", stream="EU/hub_to_at12", seq=1,
                   aggregate_id=part_id, aggregate_version=1, occurred_at="2026-11-01T10:00:00Z",
                   correlation_id="corr-1", causation_id=None, data=data, to="AT12")
    with site.runtime.engine.begin() as conn:
        handler(conn, env)


def post(site, part_id: str, action: str, body: dict | None = None, expect: int = 200, as_: str = "broker"):
    return site.call("POST", f"/forwarded-parts/{part_id}/{action}", as_, expect=expect, json=body or {}).json


def test_a_part_is_accepted_produced_and_delivered_in_two_deliveries_with_its_impact(site, ses):
    (se, offer, member), _ = ses
    part = forward(site, se, offer, 100)
    assert post(site, part, "accept", {"note": "gladly"}, as_=member)["status"] == "accepted"
    assert post(site, part, "start", as_=member)["status"] == "in_production"
    assert post(site, part, "start", expect=409)["code"] == "part_in_production"  # starting twice

    first = post(site, part, "deliveries", {"quantity": 40, "delivered_on": today_iso(),
                                            "material_diverted_kg": "120.5", "regional_share": "0.4"}, 201)
    assert (first["status"], first["delivered"], first["open_quantity"], first["impact"]) == \
        ("in_production", 40, 60, None)
    too_many = post(site, part, "deliveries", {"quantity": 61, "delivered_on": today_iso()}, 422)
    assert too_many["errors"] == {"quantity": ["only 60 still open"]}
    future = post(site, part, "deliveries", {"quantity": 1, "delivered_on": (today() + timedelta(days=1)).isoformat()},
                  422)
    assert "delivered_on" in future["errors"]
    retry_key = str(uuid.uuid4())
    body = {"quantity": 60, "delivered_on": today_iso(), "delivery_id": retry_key, "integration_hours": "35",
            "production_nuts3": "AT123"}
    last = post(site, part, "deliveries", body, 201, as_=member)
    assert post(site, part, "deliveries", body, 201) == last  # the same POST again (its answer was lost): absorbed
    assert (last["status"], last["delivered"], len(last["deliveries"])) == ("delivered", 100, 2)
    assert last["impact"]["value_paid"] == "300.00" and last["impact"]["material_diverted_kg"] == "120.5"
    assert last["impact"]["integration_hours"] == "35" and last["figures"]["regional_share"] == "0.4"
    assert post(site, part, "deliveries", {"quantity": 1, "delivered_on": today_iso()}, 409)["code"] == \
        "part_delivered"
    with site.runtime.engine.connect() as conn:
        assert matching.reservation(conn, part).status == "released"
    detail = site.ok("GET", f"/forwarded-parts/{part}", member)
    assert detail["reason"] == {"code": "rest_of_order", "params": {"quantity": 100}} and detail["note"] == "gladly"


def test_a_decline_needs_a_reason_code_and_a_declined_part_takes_no_delivery(site, ses):
    (se, offer, _), _ = ses
    part = forward(site, se, offer, 10)
    assert "reason" in post(site, part, "decline", {"reason": "our workshop is closed"}, 422)["errors"]
    declined = post(site, part, "decline", {"reason": "deadline_too_short", "note": "closed in December"})
    assert declined["decline_reason"] == {"code": "deadline_too_short", "params": {}}
    assert post(site, part, "deliveries", {"quantity": 1, "delivered_on": today_iso()}, 409)["code"] == \
        "part_declined"
    assert post(site, part, "start", expect=409)["code"] == "part_declined"


def test_accept_after_the_hub_withdrew_the_part_is_a_409(site, ses):
    (se, offer, _), _ = ses
    part = forward(site, se, offer, 10)
    hub_message(site, consumers.on_part_withdrawn, "hub.part.withdrawn", part,
                {"part_id": part, "order_id": str(uuid.uuid4()), "reason": {"code": "order_cancelled", "params": {}}})
    conflict = post(site, part, "accept", expect=409)
    assert conflict["code"] == "already_answered" and "withdrawn" in conflict["message"]


def test_the_se_withdraws_after_accepting_or_closes_short_after_delivering_some(site, ses):
    (se, offer, member), _ = ses
    given_up, short = forward(site, se, offer, 20), forward(site, se, offer, 20)
    post(site, given_up, "accept")
    failed = post(site, given_up, "withdraw", {"note": "the machine broke"}, as_=member)
    assert failed["failure"] == {"code": "se_withdrew", "params": {"quantity": 20, "delivered": 0, "missing": 20}}
    assert failed["failure_note"] == "the machine broke" and failed["impact"] is None

    post(site, short, "accept")
    assert post(site, short, "close-short", expect=409)["code"] == "part_accepted"  # nothing delivered yet
    post(site, short, "deliveries", {"quantity": 15, "delivered_on": today_iso()}, 201)
    closed = post(site, short, "close-short", {"figures": {"distance_km": "12"}})
    assert closed["failure"]["params"] == {"quantity": 20, "delivered": 15, "missing": 5}
    assert (closed["impact"]["value_paid"], closed["impact"]["distance_km"]) == ("45.00", "12")
    assert post(site, short, "withdraw", expect=409)["code"] == "part_failed"


def test_a_member_sees_and_acts_on_its_own_organisations_parts_only(site, ses):
    (nord, nord_offer, nord_member), (sued, sued_offer, sued_member) = ses
    mine, theirs = forward(site, nord, nord_offer, 5), forward(site, sued, sued_offer, 5)
    listed = site.ok("GET", "/forwarded-parts", nord_member, query_string={"per_page": 200})["items"]
    assert mine in {p["id"] for p in listed} and {p["organisation_id"] for p in listed} == {nord}
    assert {p["organisation_id"] for p in site.ok("GET", "/forwarded-parts", query_string={"per_page": 200})["items"]} \
        >= {nord, sued}  # staff see every part
    site.call("GET", f"/forwarded-parts/{theirs}", nord_member, expect=404)
    for action, body in (("accept", {}), ("decline", {"reason": "other"}), ("start", {}), ("withdraw", {})):
        post(site, theirs, action, body, 404, as_=nord_member)
    assert site.ok("GET", f"/forwarded-parts/{theirs}")["status"] == "pending"  # nothing happened to it
    assert post(site, theirs, "accept", as_=sued_member)["answered_by"] == sued_member


def test_bad_input_and_unknown_parts_and_callers(site, ses):
    (se, offer, _), _ = ses
    part = forward(site, se, offer, 10)
    post(site, part, "accept")
    for body, field in (({"quantity": 0, "delivered_on": today_iso()}, "quantity"),
                        ({"quantity": "3", "delivered_on": today_iso()}, "quantity"),
                        ({"quantity": 2}, "delivered_on"),
                        ({"quantity": 2, "delivered_on": today_iso(), "regional_share": "2"}, "regional_share"),
                        ({"quantity": 2, "delivered_on": today_iso(), "production_lat": 48.1}, "production_lat"),
                        ({"quantity": 2, "delivered_on": today_iso(), "colour": "red"}, "colour")):
        assert field in post(site, part, "deliveries", body, 422)["errors"], body
    assert "note" in post(site, part, "withdraw", {"note": ""}, 422)["errors"]
    post(site, str(uuid.uuid4()), "start", expect=404)
    site.call("GET", "/forwarded-parts", query_string={"status": "lost"}, expect=422)
    site.call("GET", "/forwarded-parts", None, expect=401)
    site.add_user("assessor", ["assessor"])
    site.call("GET", "/forwarded-parts", "assessor", expect=403)
