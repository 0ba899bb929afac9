"""The hub's cross-border flow on PostgreSQL, through its real ingest processor (signatures, schemas,
tracking rows): an order is composed once however often its request arrives; answers move parts;
forged or unknown answers are dead-lettered; a failure mid-allocation leaves nothing behind, and the
redelivered request allocates once, with no capacity counted twice."""
from __future__ import annotations

import itertools
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select

from services.common.outbox import outbox
from services.common.signing import load_private_key
from services.contracts.events import enquiries as ev
from services.contracts.events import registry as reg
from services.hub.crossborder import store as cs
from services.workers import hub_ingest
from tests.support.clock import in_days
from tests.support.events import signed
from tests.support.migrated import bootstrap

pytestmark = pytest.mark.services

def deadline():
    return in_days(35)



class Sites:
    """Signs events as each site's relay would, and feeds them to the hub's ingest processor."""

    def __init__(self, runtime, keys):
        self.runtime = runtime
        self.keys = keys
        self.spec, self.processor, _ = hub_ingest(runtime)
        self.seqs: dict[str, itertools.count] = {}

    def body(self, site: str, event, aggregate_id: str, version: int = 1, signed_by: str | None = None,
             correlation_id: str | None = None) -> str:
        stream = f"{site}/{event.TYPE.split('.')[0]}"
        seq = next(self.seqs.setdefault(stream, itertools.count(1)))
        signer = signed_by or site
        return signed(event, aggregate_id, version, seq, site, load_private_key(self.keys / f"{signer}.pem"), signer,
                      occurred_at="2026-11-01T10:00:00Z", correlation_id=correlation_id)

    def send(self, *bodies: str):
        return self.processor.process(list(bodies))

    def supplier(self, site: str, per_week: int, price: str, currency: str, lat: float, lon: float) -> str:
        org_id, offer_id = str(uuid.uuid4()), str(uuid.uuid4())
        org = reg.OrganisationRegistered(**reg.OrganisationData().load({
            "organisation_id": org_id, "status": "active", "reference": f"{site}-O-1", "kind": "social_enterprise",
            "name": f"SE {site} {per_week}", "town": "Town", "postcode": "1000", "country": site[:2],
            "nuts3": "HU221" if site == "HU22" else "AT123", "lat": lat, "lon": lon, "labour_market_segment": "second_labour_market",
            "workers_in_integration": 10, "website": None}))
        offer = reg.OfferPublished(**reg.OfferData().load({
            "offer_id": offer_id, "status": "published", "organisation_id": org_id, "title": "Tote bags",
            "description": "bags", "cpv_codes": ["18930000"], "capacity_per_week": str(per_week), "unit": "bags",
            "lead_time_days": 7, "price_min": price, "price_max": price, "currency": currency,
            "delivery_radius_km": None, "cross_border": True}))
        outcome = self.send(self.body(site, org, org_id), self.body(site, offer, offer_id))
        assert outcome.dead == [], outcome.dead
        return offer_id

    def request(self, enquiry_id: str | None = None, quantity: int = 3000) -> tuple[str, str]:
        enquiry_id = enquiry_id or str(uuid.uuid4())
        event = ev.CrossBorderRequested(
            enquiry_id=enquiry_id, reference="AT13-E-2026-0042", title="Tote bags", type="csr_product",
            client_kind="economic_enterprise", cpv_codes=["18930000"], quantity=quantity, unit="bags",
            deadline=deadline(), delivery_nuts3="AT130", budget=None, currency="EUR", label_required=False,
            max_partners=5, min_lot=1, sites=[], requested_by="broker")
        return enquiry_id, self.body("AT13", event, enquiry_id, version=2)

    def answer(self, site: str, part, status: str, reason: str | None = None, signed_by: str | None = None) -> str:
        kind = ev.PartAccepted if status == "accepted" else ev.PartDeclined
        event = kind(part_id=part["id"], order_id=part["order_id"], offer_id=part["offer_id"],
                     organisation_id=part["organisation_id"], quantity=part["quantity"], status=status, reason=reason)
        return self.body(site, event, part["id"], signed_by=signed_by)


@pytest.fixture
def hub(make_settings, pg_url, federation_files):
    runtime = bootstrap(make_settings("EU", db_url=pg_url))
    yield Sites(runtime, federation_files[1])
    runtime.engine.dispose()


def order_and_parts(hub: Sites, enquiry_id: str):
    with hub.runtime.engine.connect() as conn:
        order = cs.order_for_enquiry(conn, "AT13", enquiry_id)
        return order, (cs.parts(conn, order["id"]) if order else [])


def directed(hub: Sites, type_name: str) -> list:
    with hub.runtime.engine.connect() as conn:
        return conn.execute(select(outbox.c.to_site, outbox.c.stream, outbox.c.data)
                            .where(outbox.c.type == type_name).order_by(outbox.c.id)).all()


def test_a_request_delivered_twice_or_sent_twice_makes_one_order_and_forwards_each_part_once(hub):
    hub.supplier("AT12", 400, "3.00", "EUR", 48.03, 15.60)
    hub.supplier("HU22", 600, "1000", "HUF", 47.68, 16.58)
    enquiry_id, body = hub.request()
    first = hub.send(body)
    assert len(first.applied) == 1 and first.dead == []
    assert hub.send(body).duplicates == 1  # redelivered: the tracking row stops it
    _, again = hub.request(enquiry_id)  # the site asked again (another event for the same enquiry)
    hub.send(again)
    order, parts = order_and_parts(hub, enquiry_id)
    with hub.runtime.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cs.hub_crossborder_orders)).scalar() == 1
    assert order["status"] == "forwarded" and sum(p["quantity"] for p in parts) == 3000
    forwarded = directed(hub, "hub.part.forwarded")
    assert sorted(to for to, _, _ in forwarded) == sorted(p["site"] for p in parts) == ["AT12", "HU22"]
    # Directed messages go on one stream per target site; the origin hears on its own.
    assert {(to, stream) for to, stream, _ in forwarded} == {("AT12", "EU/hub_to_at12"), ("HU22", "EU/hub_to_hu22")}
    assert [to for to, _, _ in directed(hub, "hub.consortium.updated")] == ["AT13"]


def test_a_decline_reallocates_keeping_the_accepted_part_and_all_accepted_agrees(hub):
    hub.supplier("AT12", 400, "3.00", "EUR", 48.03, 15.60)  # 1,600 by the deadline
    hub.supplier("HU22", 600, "1000", "HUF", 47.68, 16.58)  # 2,400, the cheapest
    hub.supplier("AT11", 300, "3.60", "EUR", 47.29, 16.20)  # 1,200, the reserve
    enquiry_id, body = hub.request(quantity=3000)
    hub.send(body)
    _, parts = order_and_parts(hub, enquiry_id)
    by_site = {p["site"]: p for p in parts}
    assert {s: p["quantity"] for s, p in by_site.items()} == {"HU22": 2400, "AT12": 600}

    assert hub.send(hub.answer("AT12", by_site["AT12"], "accepted")).dead == []
    hub.send(hub.answer("HU22", by_site["HU22"], "declined", "closed for renovation"))
    order, parts = order_and_parts(hub, enquiry_id)
    active = {p["site"]: p["quantity"] for p in parts if p["status"] in cs.ACTIVE_PARTS}
    # AT12 keeps its accepted 600; the missing 2,400 go to AT11 (1,200) and ... only AT11 is left: short.
    assert active == {"AT12": 600, "AT11": 1200} and order["status"] == "short"
    rounds = order["allocation"]["rounds"]
    assert len(rounds) == 2 and rounds[1]["requested"] == 2400 and rounds[1]["missing"] == 1200
    assert {s["code"] for s in rounds[1]["shortfalls"]} >= {"capacity"} and rounds[1]["cause"] == "decline"

    hub.supplier("HU22", 400, "1500", "HUF", 47.69, 17.63)  # a new SE at HU22, then AT11 declines too
    at11 = next(p for p in parts if p["site"] == "AT11")
    hub.send(hub.answer("AT11", at11, "declined", "no"))
    order, parts = order_and_parts(hub, enquiry_id)
    new = [p for p in parts if p["status"] == "forwarded"]
    assert [(p["site"], p["quantity"]) for p in new] == [("HU22", 1600)] and order["status"] == "short"


def test_forged_and_unknown_answers_are_dead_lettered_and_change_nothing(hub):
    hub.supplier("HU22", 600, "1000", "HUF", 47.68, 16.58)
    enquiry_id, body = hub.request(quantity=1000)
    hub.send(body)
    _, (part,) = order_and_parts(hub, enquiry_id)
    # AT12 answers for HU22's part, signed with its own key: well signed, but not its part.
    outcome = hub.send(hub.answer("AT12", part, "declined", "not ours to decline"))
    assert len(outcome.dead) == 1 and "of site HU22" in outcome.dead[0].reason
    # Signed by AT12's key while claiming to be HU22: forged.
    outcome = hub.send(hub.answer("HU22", part, "declined", "forged", signed_by="AT12"))
    assert len(outcome.dead) == 1 and outcome.dead[0].reason.startswith("forged")
    unknown = {**part, "id": str(uuid.uuid4())}
    outcome = hub.send(hub.answer("HU22", unknown, "accepted"))
    assert len(outcome.dead) == 1 and "never forwarded" in outcome.dead[0].reason
    _, (after,) = order_and_parts(hub, enquiry_id)
    assert after["status"] == "forwarded"
    # The real answer still gets through, and the same answer again changes nothing.
    hub.send(hub.answer("HU22", part, "accepted"))
    hub.send(hub.answer("HU22", part, "accepted"))
    order, (after,) = order_and_parts(hub, enquiry_id)
    assert after["status"] == "accepted" and order["status"] == "agreed"
    assert [to for to, _, _ in directed(hub, "hub.consortium.agreed")] == ["AT13"]


def test_a_failure_mid_allocation_leaves_nothing_and_the_redelivery_counts_capacity_once(hub, monkeypatch):
    offer = hub.supplier("HU22", 600, "1000", "HUF", 47.68, 16.58)  # 2,400 by the deadline
    enquiry_id, body = hub.request(quantity=2000)
    from services.hub.crossborder import flow as crossborder

    calls = []
    real = crossborder.CrossBorder._publish_consortium

    def crash_after_parts(self, *args, **kwargs):  # the parts are written; the hub dies before the rest
        calls.append(1)
        raise RuntimeError("the hub died mid-allocation")

    monkeypatch.setattr(crossborder.CrossBorder, "_publish_consortium", crash_after_parts)
    hub.spec, hub.processor, _ = hub_ingest(hub.runtime)
    outcome = hub.send(body)
    assert calls and outcome.applied == []  # quarantined as poison after the failure
    order, _ = order_and_parts(hub, enquiry_id)
    assert order is None and directed(hub, "hub.part.forwarded") == []

    monkeypatch.setattr(crossborder.CrossBorder, "_publish_consortium", real)
    hub.spec, hub.processor, _ = hub_ingest(hub.runtime)
    _, again = hub.request(enquiry_id, quantity=2000)  # the site's request again (e.g. re-driven)
    hub.send(again)
    order, parts = order_and_parts(hub, enquiry_id)
    with hub.runtime.engine.connect() as conn:
        held = cs.held_by_parts(conn, [offer])
    assert [p["quantity"] for p in parts] == [2000] and held == {offer: 2000}
    # A second order sees only what is left of the capacity: 400, not 2,400.
    other, body = hub.request(quantity=1000)
    hub.send(body)
    order, parts = order_and_parts(hub, other)
    assert [p["quantity"] for p in parts] == [400] and order["status"] == "short"


def test_only_offers_in_the_orders_cpv_group_open_to_cross_border_work_are_candidates(hub):
    bags = hub.supplier("HU22", 600, "1000", "HUF", 47.68, 16.58)
    # Another offer of the same site in another CPV group (hats), and one closed to cross-border work.
    org_id, hats, closed = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    bodies = [hub.body("HU22", reg.OrganisationRegistered(**reg.OrganisationData().load({
        "organisation_id": org_id, "status": "active", "reference": "HU22-O-2", "kind": "social_enterprise",
        "name": "Kalapos", "town": "Győr", "postcode": "9000", "country": "HU", "nuts3": "HU221", "lat": 47.69,
        "lon": 17.63, "labour_market_segment": "second_labour_market", "workers_in_integration": 4,
        "website": None})), org_id)]
    for offer_id, cpv, open_ in ((hats, "18443000", True), (closed, "18930000", False)):
        bodies.append(hub.body("HU22", reg.OfferPublished(**reg.OfferData().load({
            "offer_id": offer_id, "status": "published", "organisation_id": org_id, "title": "x", "description": "x",
            "cpv_codes": [cpv], "capacity_per_week": "1000", "unit": "pieces", "lead_time_days": 0,
            "price_min": "1", "price_max": "1", "currency": "HUF", "delivery_radius_km": None,
            "cross_border": open_})), offer_id))
    assert hub.send(*bodies).dead == []
    enquiry_id, body = hub.request(quantity=5000)
    hub.send(body)
    order, parts = order_and_parts(hub, enquiry_id)
    assert [p["offer_id"] for p in parts] == [bags] and order["status"] == "short"


def test_a_progress_report_on_another_sites_part_is_dead_lettered_and_its_own_sites_counts(hub):
    hub.supplier("HU22", 600, "1000", "HUF", 47.68, 16.58)
    enquiry_id, body = hub.request(quantity=1000)
    hub.send(body)
    _, (part,) = order_and_parts(hub, enquiry_id)
    hub.send(hub.answer("HU22", part, "accepted"))

    def delivered(site: str, version: int):
        event = ev.PartDeliveryRecorded(
            part_id=part["id"], order_id=part["order_id"], offer_id=part["offer_id"],
            organisation_id=part["organisation_id"], quantity=1000, status="in_production", delivered=400,
            deliveries=[{"delivery_id": str(uuid.uuid4()), "quantity": 400, "delivered_on": date.today()}],
            failure=None, impact=None)
        return hub.body(site, event, part["id"], version=version)

    outcome = hub.send(delivered("AT12", 3))  # well signed by AT12, but HU22's part
    assert len(outcome.dead) == 1 and "of site HU22" in outcome.dead[0].reason
    assert hub.send(delivered("HU22", 3)).dead == []
    order, (after,) = order_and_parts(hub, enquiry_id)
    assert (after["status"], after["delivered"], order["status"]) == ("in_production", 400, "in_production")
