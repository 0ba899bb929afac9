"""A site's side of cross-border orders on PostgreSQL: asking the hub for a consortium (and bad
requests), the parts the hub forwards (never twice), answering them (absorbed repeats, 409 for
contradictions, capacity reserved), withdrawals, and the origin's picture (the newest wins)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from services.common.envelope import Envelope
from services.common.outbox import outbox
from services.enquiries.crossborder import consumers
from services.enquiries.matching import service as matching
from tests.support.clock import in_days
from tests.support.lifecycle import LifecycleSite, enquiry_body

pytestmark = pytest.mark.services

def deadline():
    return in_days(30).isoformat()



@pytest.fixture
def site(make_settings, pg_url):
    s = LifecycleSite(make_settings, pg_url)
    yield s
    s.runtime.engine.dispose()


def hub_message(type_name: str, data: dict, aggregate_id: str, version: int = 1, correlation: str = "corr-1"):
    return Envelope(id=str(uuid.uuid4()), type=type_name, version=1, site="EU", stream="EU/hub_to_at12", seq=1,
                    aggregate_id=aggregate_id, aggregate_version=version, occurred_at="2026-11-01T10:00:00Z",
                    correlation_id=correlation, causation_id="cause-1", data=data, to="AT12")


def deliver(site: LifecycleSite, handler, env: Envelope) -> None:
    with site.runtime.engine.begin() as conn:
        handler(conn, env)


def forward(site: LifecycleSite, organisation_id: str, offer_id: str, quantity: int = 100,
            part_id: str | None = None) -> str:
    part_id = part_id or str(uuid.uuid4())
    data = {"part_id": part_id, "order_id": str(uuid.uuid4()), "origin_site": "AT13",
            "enquiry_reference": "AT13-E-2026-0007", "title": "Tote bags", "type": "csr_product",
            "cpv_codes": ["39100000"], "offer_id": offer_id, "organisation_id": organisation_id, "quantity": quantity,
            "unit": "pieces", "unit_price": "3.00", "currency": "EUR", "deadline": deadline(),
            "delivery_nuts3": "AT130", "label_required": False, "reason": "cheapest in time"}
    deliver(site, consumers.on_part_forwarded, hub_message("hub.part.forwarded", data, part_id))
    return part_id


def outbox_rows(site: LifecycleSite, type_name: str):
    with site.runtime.engine.connect() as conn:
        return conn.execute(select(outbox).where(outbox.c.type == type_name).order_by(outbox.c.id)).all()


def submitted(site: LifecycleSite, **overrides) -> str:
    body = {**enquiry_body(**overrides), "client_kind": "economic_enterprise",
            "client_organisation_id": str(uuid.uuid4()), "submit": True}
    return site.ok("POST", "/enquiries", expect=201, json=body)["id"]


def test_a_broker_asks_the_hub_once_and_bad_requests_get_field_errors(site):
    eid = submitted(site)
    for body, field in (({"quantity": 0}, "quantity"), ({"quantity": 101}, "quantity"), ({"max_partners": 0}, "max_partners"),
                        ({"sites": ["XX99"]}, "sites"), ({"sites": ["EU"]}, "sites"), ({"sites": ["at12"]}, "sites"),
                        ({"min_lot": -1}, "min_lot"), ({"colour": "red"}, "colour")):
        r = site.call("POST", f"/enquiries/{eid}/cross-border", json=body, expect=422)
        assert field in r.json["errors"], (body, r.json)
    assert site.call("POST", f"/enquiries/{eid}/cross-border",
                     json={"sites": ["HU22", "AT22"], "max_partners": 3}, expect=202).json["status"] == "requested"
    again = site.call("POST", f"/enquiries/{eid}/cross-border", json={}, expect=409)
    assert again.json["code"] == "already_requested"
    (request,) = outbox_rows(site, "enquiries.enquiry.cross_border_requested")
    assert request.data["quantity"] == 100 and request.data["sites"] == ["AT22", "HU22"]
    assert request.data["requested_by"] == "broker" and request.correlation_id == request.event_id
    assert "contact" not in str(request.data)  # the client's person never leaves the site
    assert site.ok("GET", f"/enquiries/{eid}/consortium")["status"] == "requested"
    assert site.call("POST", f"/enquiries/{uuid.uuid4()}/cross-border", json={}, expect=404)


def test_enquiries_that_cannot_go_to_the_hub_are_conflicts(site):
    closed = submitted(site, cross_border_allowed=False)
    assert site.call("POST", f"/enquiries/{closed}/cross-border", json={}, expect=409).json["code"] == \
        "cross_border_not_allowed"
    vague = submitted(site, quantity=None, unit=None)
    assert site.call("POST", f"/enquiries/{vague}/cross-border", json={}, expect=409).json["code"] == "incomplete"
    draft = site.ok("POST", "/enquiries", expect=201, json={**enquiry_body(), "client_kind": "economic_enterprise",
                                                            "client_organisation_id": str(uuid.uuid4())})["id"]
    assert site.call("POST", f"/enquiries/{draft}/cross-border", json={}, expect=409).json["code"] == "not_open"
    assert site.call("GET", f"/enquiries/{closed}/consortium", expect=404)


def test_a_forwarded_part_delivered_twice_is_one_part_and_answers_are_idempotent_or_conflicts(site):
    se, offer = site.social_enterprise(capacity="70")  # 300 free in 30 days
    part = forward(site, se, offer, quantity=120)
    forward(site, se, offer, quantity=120, part_id=part)  # the same part again (redelivered or replayed)
    page = site.ok("GET", "/forwarded-parts")
    assert page["total"] == 1 and page["items"][0]["status"] == "pending"
    assert page["items"][0]["reason"] == "cheapest in time"

    site.call("POST", f"/forwarded-parts/{part}/decline", json={}, expect=422)  # a reason is required
    r = site.call("POST", f"/forwarded-parts/{part}/decline", json={"reason": "closed"}, expect=422)
    assert "reason" in r.json["errors"]  # ... and it is a code (services.contracts.reasons.DECLINE_REASONS)
    accepted = site.ok("POST", f"/forwarded-parts/{part}/accept", json={"note": "fine"})
    repeated = site.ok("POST", f"/forwarded-parts/{part}/accept", json={})
    assert accepted["status"] == repeated["status"] == "accepted" and repeated["answered_at"] == accepted["answered_at"]
    conflict = site.call("POST", f"/forwarded-parts/{part}/decline", json={"reason": "other", "note": "changed our mind"},
                         expect=409)
    assert conflict.json["code"] == "already_answered"
    (event,) = outbox_rows(site, "enquiries.part.accepted")  # one answer, however often it was given
    assert event.correlation_id == "corr-1" and event.causation_id  # the hub's message is its cause
    assert event.version == 2 and event.data["note"] == "fine" and event.data["reason"] is None
    assert event.data["part_id"] == part and event.data["quantity"] == 120
    with site.runtime.engine.connect() as conn:
        assert matching.reservation(conn, part).quantity == 120  # the SE's capacity is reserved
    site.call("POST", f"/forwarded-parts/{uuid.uuid4()}/accept", json={}, expect=404)
    site.call("GET", "/forwarded-parts", query_string={"status": "lost"}, expect=422)


def test_a_part_beyond_free_capacity_cannot_be_accepted_and_a_withdrawn_part_releases_its_capacity(site):
    se, offer = site.social_enterprise(capacity="70")
    too_big = forward(site, se, offer, quantity=1000)
    r = site.call("POST", f"/forwarded-parts/{too_big}/accept", json={}, expect=409)
    assert "decline the part instead" in r.json["message"]
    assert site.ok("POST", f"/forwarded-parts/{too_big}/decline", json={"reason": "no_capacity"})["status"] == "declined"

    part = forward(site, se, offer, quantity=200)
    site.ok("POST", f"/forwarded-parts/{part}/accept", json={})
    deliver(site, consumers.on_part_withdrawn, hub_message("hub.part.withdrawn",
                                                           {"part_id": part, "order_id": str(uuid.uuid4()),
                                                            "reason": "the enquiry was cancelled"}, part, 2))
    withdrawn = site.ok("GET", f"/forwarded-parts/{part}")
    assert (withdrawn["status"], withdrawn["withdrawal_reason"]) == ("withdrawn", "the enquiry was cancelled")
    with site.runtime.engine.connect() as conn:
        assert matching.reservation(conn, part).status == "released"
    assert site.call("POST", f"/forwarded-parts/{part}/accept", json={}, expect=409)


def test_the_origin_keeps_the_newest_picture_of_its_consortium(site):
    eid = submitted(site)
    site.ok("POST", f"/enquiries/{eid}/cross-border", expect=202, json={})
    order_id = str(uuid.uuid4())

    def snapshot(status: str, accepted: int):
        return {"order_id": order_id, "enquiry_id": eid, "enquiry_reference": "AT12-E-2026-0001", "status": status,
                "quantity": 100, "allocated": 100, "accepted": accepted, "missing": 0, "total_cost_eur": "300.00",
                "method": "milp", "solver_status": "optimal", "gap": 0.0, "parts": [], "shortfalls": []}

    deliver(site, consumers.on_consortium, hub_message("hub.consortium.agreed", snapshot("agreed", 100), order_id, 3))
    deliver(site, consumers.on_consortium, hub_message("hub.consortium.updated", snapshot("forwarded", 0), order_id, 1))
    picture = site.ok("GET", f"/enquiries/{eid}/consortium")
    assert (picture["status"], picture["accepted"], picture["correlation_id"]) == ("agreed", 100, "corr-1")
