"""The hub's side of a cross-border order after the allocation, on SQLite and PostgreSQL: answers of
both versions, production and deliveries reported by the parts' own sites (the newest report wins),
failures re-allocated while the deadline allows or recorded as shortfalls with their cause, the
order's statuses up to delivered, its impact as the sum of its parts, and its timeline. Every stored
reason and every message holds codes, never sentences.

The events go through the hub's handlers as its ingest calls them (one transaction each), with the
flow's clock under the test's control."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.common.events import dump_data
from services.common.outbox import outbox
from services.contracts.events import enquiries as ev
from services.contracts.events import registry as reg
from services.contracts.reasons import ALLOCATION_SHORTFALLS, SHARE_CODES
from services.hub import consumers
from services.hub.crossborder import store as cs
from services.hub.crossborder.flow import CrossBorder
from services.hub.crossborder.progress import PartMessageRejected
from services.bootstrap import create_app
from tests.support.events import envelope
from tests.support.hub import runtime  # noqa: F401 - fixture
from tests.support.hub_enquiries import enquiry_data
from tests.support.tokens import bearer

NOW = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
DEADLINE = date(2026, 12, 7)  # five weeks


class Hub:
    """The hub's ingest handlers with a clock the test moves, and what it stored and sent."""

    def __init__(self, runtime):
        self.runtime = runtime
        self.now = NOW
        flow = CrossBorder(runtime.settings, clock=lambda: self.now)
        self.handlers = {**consumers.HANDLERS, **flow.handlers(consumers.apply_enquiry)}
        self.part_versions: dict[str, int] = {}

    def send(self, event, aggregate_id: str, site: str, version: int = 1, schema_version: int | None = None):
        env = envelope(event.TYPE, aggregate_id, version, dump_data(event), site=site)
        env = dataclasses.replace(env, version=schema_version or event.VERSION)
        with self.runtime.engine.begin() as conn:
            self.handlers[env.type](conn, env)
        return env

    def supplier(self, site: str, per_week: int, price: str, currency: str = "EUR", name: str | None = None) -> str:
        org_id, offer_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.send(reg.OrganisationRegistered(**reg.OrganisationData().load({
            "organisation_id": org_id, "status": "active", "reference": f"{site}-O-1", "kind": "social_enterprise",
            "name": name or f"SE {site} {per_week}", "town": "Town", "postcode": "1000", "country": site[:2],
            "nuts3": "HU221" if site == "HU22" else "AT123", "lat": 47.7, "lon": 16.6,
            "labour_market_segment": "second_labour_market", "workers_in_integration": 10, "website": None})),
            org_id, site)
        self.send(reg.OfferPublished(**reg.OfferData().load({
            "offer_id": offer_id, "status": "published", "organisation_id": org_id, "title": "Tote bags",
            "description": "bags", "cpv_codes": ["18930000"], "capacity_per_week": str(per_week), "unit": "bags",
            "lead_time_days": 7, "price_min": price, "price_max": price, "currency": currency,
            "delivery_radius_km": None, "cross_border": True})), offer_id, site)
        return offer_id

    def request(self, quantity: int, max_partners: int = 5) -> str:
        enquiry_id = str(uuid.uuid4())
        self.send(ev.CrossBorderRequested(
            enquiry_id=enquiry_id, reference="AT13-E-2026-0042", title="Tote bags", type="csr_product",
            client_kind="economic_enterprise", cpv_codes=["18930000"], quantity=quantity, unit="bags",
            deadline=DEADLINE, delivery_nuts3="AT130", budget=None, currency="EUR", label_required=False,
            max_partners=max_partners, min_lot=1, sites=[], requested_by="broker"), enquiry_id, "AT13", 2)
        return enquiry_id

    def answer(self, part, status: str, reason=None, note=None, version: int = 2, site: str | None = None):
        if version == 1:
            kind = ev.PartAccepted if status == "accepted" else ev.PartDeclined
            event = kind(part_id=part["id"], order_id=part["order_id"], offer_id=part["offer_id"],
                         organisation_id=part["organisation_id"], quantity=part["quantity"], status=status,
                         reason=reason)
        else:
            kind = ev.PartAcceptedV2 if status == "accepted" else ev.PartDeclinedV2
            event = kind(part_id=part["id"], order_id=part["order_id"], offer_id=part["offer_id"],
                         organisation_id=part["organisation_id"], quantity=part["quantity"], status=status,
                         reason=reason, note=note)
        return self.send(event, part["id"], site or part["site"], self._next_version(part))

    def report(self, kind, part, status: str, deliveries=(), failure=None, impact=None, version: int | None = None,
               site: str | None = None):
        """The part's site reports its progress (`deliveries`: quantities, each a delivery)."""
        made = [{"delivery_id": str(uuid.UUID(int=i + 1)), "quantity": q, "delivered_on": date(2026, 11, 20 + i)}
                for i, q in enumerate(deliveries)]
        event = kind(part_id=part["id"], order_id=part["order_id"], offer_id=part["offer_id"],
                     organisation_id=part["organisation_id"], quantity=part["quantity"], status=status,
                     delivered=sum(deliveries), deliveries=made, failure=failure, impact=impact)
        return self.send(event, part["id"], site or part["site"], version or self._next_version(part))

    def _next_version(self, part) -> int:
        self.part_versions[part["id"]] = self.part_versions.get(part["id"], 1) + 1
        return self.part_versions[part["id"]]

    def order(self, enquiry_id: str):
        with self.runtime.engine.connect() as conn:
            order = cs.order_for_enquiry(conn, "AT13", enquiry_id)
            return order, cs.parts(conn, order["id"])

    def messages(self, type_name: str) -> list:
        with self.runtime.engine.connect() as conn:
            return conn.execute(select(outbox.c.to_site, outbox.c.version, outbox.c.data)
                                .where(outbox.c.type == type_name).order_by(outbox.c.id)).all()

    def last_snapshot(self) -> dict:
        updated = self.messages("hub.consortium.updated") + self.messages("hub.consortium.agreed")
        with self.runtime.engine.connect() as conn:
            row = conn.execute(select(outbox.c.data).where(outbox.c.type.like("hub.consortium.%"))
                               .order_by(outbox.c.id.desc())).first()
        assert updated
        return row.data

    def timeline(self, order_id: str) -> list[tuple]:
        with self.runtime.engine.connect() as conn:
            return [(r["kind"], r["site"], r["quantity"], r["code"]) for r in cs.timeline(conn, order_id)]


def impact(value_paid_eur: str, kg: str, hours: str, km: str | None, share: str | None) -> dict:
    return {"year": 2026, "value_paid": value_paid_eur, "currency": "EUR", "value_paid_eur": value_paid_eur,
            "material_diverted_kg": kg, "regional_share": share, "distance_km": km, "production_nuts3": "AT123",
            "integration_hours": hours}


@pytest.fixture
def hub(runtime):  # noqa: F811 - the fixture imported above
    return Hub(runtime)


def three_suppliers(hub: Hub) -> dict[str, str]:
    return {"HU22": hub.supplier("HU22", 600, "1000", "HUF"),  # 2,400 by the deadline at 2.50 EUR: the cheapest
            "AT12": hub.supplier("AT12", 400, "3.00"),  # 1,600
            "AT11": hub.supplier("AT11", 300, "3.60")}  # 1,200: the reserve


def test_reasons_are_stored_and_sent_as_codes_and_only_version_2_is_published(hub):
    three_suppliers(hub)
    order, parts = hub.order(hub.request(3000))
    assert {p["site"]: p["quantity"] for p in parts} == {"HU22": 2400, "AT12": 600}
    by_site = {p["site"]: p for p in parts}
    assert by_site["HU22"]["reason"] == {"code": "whole_capacity", "params": {
        "unit_cost_eur": by_site["HU22"]["reason"]["params"]["unit_cost_eur"], "rank": 1, "eligible": 3,
        "capacity": 2400, "quantity": 2400, "min_lot": 1, "cheaper_unused": 0, "label_required": False}}
    assert by_site["AT12"]["reason"]["code"] == "rest_of_order"
    (first_round,) = order["allocation"]["rounds"]
    assert "explanation" not in first_round and first_round["cause"] == "request"
    assert all(s["reason"]["code"] in SHARE_CODES for s in first_round["shares"])

    forwarded = hub.messages("hub.part.forwarded")
    assert {(to, version) for to, version, _ in forwarded} == {("HU22", 2), ("AT12", 2)}
    assert all(data["reason"]["code"] in SHARE_CODES for _, _, data in forwarded)
    (updated,) = hub.messages("hub.consortium.updated")
    assert updated.version == 2 and updated.data["status"] == "forwarded" and updated.data["shortfalls"] == []

    short, _ = hub.order(hub.request(5000))  # what is left: 1,200 of AT12 and AT11's 1,200
    shortfalls = short["allocation"]["rounds"][0]["shortfalls"]
    assert shortfalls and all(s["code"] in ALLOCATION_SHORTFALLS and isinstance(s["params"], dict)
                              for s in shortfalls)
    assert sum(s["quantity"] for s in hub.last_snapshot()["shortfalls"]) == 5000 - 2200


def test_answers_of_both_versions_keep_a_code_and_the_brokers_note(hub):
    three_suppliers(hub)
    enquiry_id = hub.request(3000)
    _, parts = hub.order(enquiry_id)
    by_site = {p["site"]: p for p in parts}
    hub.answer(by_site["HU22"], "declined", "the workshop is closed in December", version=1)
    hub.answer(by_site["AT12"], "accepted", version=1)
    _, parts = hub.order(enquiry_id)
    stored = {p["site"]: (p["status"], p["answer"], p["note"]) for p in parts}
    assert stored["HU22"] == ("declined", {"code": "other", "params": {}}, "the workshop is closed in December")
    assert stored["AT12"] == ("accepted", None, None)
    at11 = next(p for p in parts if p["site"] == "AT11")  # the decline was re-allocated to the reserve
    assert at11["quantity"] == 1200 and at11["status"] == "forwarded"

    hub.answer(at11, "declined", {"code": "no_capacity", "params": {}}, note="booked until January")
    order, parts = hub.order(enquiry_id)
    at11 = next(p for p in parts if p["site"] == "AT11")
    assert (at11["answer"], at11["note"]) == ({"code": "no_capacity", "params": {}}, "booked until January")
    assert [r["cause"] for r in order["allocation"]["rounds"]] == ["request", "decline", "decline"]
    declined = [p for p in hub.last_snapshot()["parts"] if p["status"] == "declined"]
    assert {p["answer"]["code"] for p in declined} == {"other", "no_capacity"}


def agreed_order(hub: Hub, quantity: int = 3000):
    three_suppliers(hub)
    enquiry_id = hub.request(quantity)
    _, parts = hub.order(enquiry_id)
    for part in parts:
        hub.answer(part, "accepted")
    return enquiry_id, {p["site"]: p for p in parts}


def test_progress_reports_newest_first_deliveries_add_up_and_the_order_is_delivered_with_its_impact(hub):
    enquiry_id, parts = agreed_order(hub)
    hu22, at12 = parts["HU22"], parts["AT12"]
    (agreed,) = hub.messages("hub.consortium.agreed")
    assert agreed.version == 2 and agreed.data["status"] == "agreed" and agreed.data["accepted"] == 3000

    hub.report(ev.PartProductionStarted, hu22, "in_production", version=3)
    order, _ = hub.order(enquiry_id)
    assert order["status"] == "in_production"
    hub.report(ev.PartDeliveryRecorded, hu22, "in_production", deliveries=[1000], version=5)
    hub.report(ev.PartProductionStarted, hu22, "in_production", version=4)  # older, arriving late: ignored
    _, now = hub.order(enquiry_id)
    part = next(p for p in now if p["id"] == hu22["id"])
    assert (part["status"], part["delivered"], part["progress_version"]) == ("in_production", 1000, 5)
    assert order["status"] == "in_production"
    with hub.runtime.engine.connect() as conn:  # what it delivered no longer holds capacity
        assert cs.held_by_parts(conn, [hu22["offer_id"]]) == {hu22["offer_id"]: 1400}

    hub.report(ev.PartDeliveryRecorded, hu22, "delivered", deliveries=[1000, 1400], version=6,
               impact=impact("6000.00", "480.5", "900", "120", "0.5"))
    order, _ = hub.order(enquiry_id)
    assert order["status"] == "in_production"  # AT12 is still to deliver
    hub.report(ev.PartDeliveryRecorded, at12, "delivered", deliveries=[600], version=3,
               impact=impact("1800.00", "120", "300", "60", None))
    order, _ = hub.order(enquiry_id)
    snap = hub.last_snapshot()
    assert order["status"] == snap["status"] == "delivered" and snap["delivered"] == 3000 and snap["missing"] == 0
    assert len(hub.messages("hub.consortium.agreed")) == 1  # agreed once; every later change is an update
    assert snap["impact"] == {"parts": 2, "value_paid_eur": "7800.00", "material_diverted_kg": "600.5",
                              "integration_hours": "1200", "distance_km": "108.0000", "regional_share": "0.5000"}
    sent = {p["site"]: p for p in snap["parts"]}
    assert [d["quantity"] for d in sent["HU22"]["deliveries"]] == [1000, 1400]
    huf = hub.runtime.settings.federation.rates_to_eur["HUF"]
    assert sent["HU22"]["organisation_name"] == "SE HU22 600"
    assert Decimal(sent["HU22"]["unit_price_eur"]) == (1000 * huf).quantize(Decimal("0.0001"))
    kinds = [k for k, *_ in hub.timeline(order["id"])]
    assert kinds[:2] == ["requested", "allocated"] and kinds[-1] == "delivered"
    assert kinds.count("delivery") == 3 and kinds.count("accepted") == 2 and kinds.count("agreed") == 1
    assert kinds.index("agreed") < kinds.index("production_started") < kinds.index("in_production")


def test_a_part_that_fails_in_time_is_reallocated_and_stops_holding_capacity(hub):
    enquiry_id, parts = agreed_order(hub)
    at12 = parts["AT12"]
    hub.now = NOW + timedelta(days=7)
    hub.report(ev.PartFailed, at12, "failed", deliveries=[200], failure={"code": "se_withdrew", "params": {}})
    order, now = hub.order(enquiry_id)
    failed = next(p for p in now if p["id"] == at12["id"])
    assert failed["status"] == "failed" and failed["failure"]["code"] == "se_withdrew"
    assert failed["failure"]["params"] == {"site": "AT12", "part_id": at12["id"], "quantity": 600,
                                           "delivered": 200, "missing": 400}
    replacement = [p for p in now if p["status"] == "forwarded"]
    assert [(p["site"], p["quantity"]) for p in replacement] == [("AT11", 400)]
    with hub.runtime.engine.connect() as conn:
        assert cs.held_by_parts(conn, [at12["offer_id"]]) == {}
    assert order["allocation"]["rounds"][-1]["cause"] == "failure" and order["allocation"]["failures"] == []
    snap = hub.last_snapshot()
    assert snap["allocated"] == 3000 and snap["missing"] == 0 and snap["shortfalls"] == []
    steps = [(k, s, q, c) for k, s, q, c in hub.timeline(order["id"]) if k in ("failed", "reallocated", "shortfall")]
    assert steps == [("failed", "AT12", 400, "se_withdrew"), ("reallocated", "AT12", 400, None)]


def test_a_part_that_fails_after_the_deadline_leaves_a_shortfall_with_its_cause(hub):
    enquiry_id, parts = agreed_order(hub)
    hu22, at12 = parts["HU22"], parts["AT12"]
    hub.report(ev.PartDeliveryRecorded, at12, "delivered", deliveries=[600], version=3)
    hub.now = datetime(2026, 12, 8, 9, tzinfo=timezone.utc)  # the day after the deadline
    hub.report(ev.PartFailed, hu22, "failed", deliveries=[2000], version=3,
               failure={"code": "deadline_missed", "params": {}}, impact=impact("5000", "400", "700", "120", "0.4"))
    order, now = hub.order(enquiry_id)
    assert sorted(p["status"] for p in now) == ["delivered", "failed"], "nothing re-allocated after the deadline"
    snap = hub.last_snapshot()
    assert order["status"] == snap["status"] == "delivered"
    assert (snap["delivered"], snap["allocated"], snap["missing"]) == (2600, 2600, 400)
    assert snap["shortfalls"] == [{"code": "deadline_missed", "quantity": 400, "params": {
        "site": "HU22", "part_id": hu22["id"], "quantity": 2400, "delivered": 2000, "missing": 400,
        "reallocation": "no_time_left"}}]
    assert snap["impact"]["parts"] == 1 and snap["impact"]["value_paid_eur"] == "5000"
    steps = [(k, q, c) for k, _, q, c in hub.timeline(order["id"]) if k in ("failed", "shortfall", "delivered")]
    assert steps == [("failed", 400, "deadline_missed"), ("shortfall", 400, "deadline_missed"),
                     ("delivered", 2600, None)]


def test_a_failure_nobody_can_take_over_is_a_shortfall_naming_no_candidate(hub):
    hub.supplier("HU22", 600, "1000", "HUF")
    enquiry_id = hub.request(1000)
    _, (part,) = hub.order(enquiry_id)
    hub.answer(part, "accepted")
    hub.report(ev.PartFailed, part, "failed", failure={"code": "se_withdrew", "params": {}})
    order, parts = hub.order(enquiry_id)
    assert len(parts) == 1 and order["status"] == "short"
    (shortfall,) = hub.last_snapshot()["shortfalls"]
    assert (shortfall["code"], shortfall["quantity"], shortfall["params"]["reallocation"]) == (
        "se_withdrew", 1000, "no_candidate")


def test_a_site_cannot_report_on_or_answer_for_another_sites_part(hub):
    enquiry_id, parts = agreed_order(hub)
    hu22 = parts["HU22"]
    with pytest.raises(PartMessageRejected, match="of site HU22"):
        hub.report(ev.PartDeliveryRecorded, hu22, "delivered", deliveries=[2400], site="AT12")
    with pytest.raises(PartMessageRejected, match="of site HU22"):
        hub.answer(hu22, "declined", {"code": "other", "params": {}}, site="AT12")
    with pytest.raises(PartMessageRejected, match="never forwarded"):
        hub.report(ev.PartProductionStarted, {**hu22, "id": str(uuid.uuid4())}, "in_production")
    with pytest.raises(PartMessageRejected, match="naming order"):
        hub.report(ev.PartProductionStarted, {**hu22, "order_id": str(uuid.uuid4())}, "in_production")
    with pytest.raises(PartMessageRejected, match="adding up"):  # more delivered than the part
        hub.report(ev.PartDeliveryRecorded, hu22, "delivered", deliveries=[2000, 1000])
    _, now = hub.order(enquiry_id)
    assert next(p for p in now if p["id"] == hu22["id"])["delivered"] == 0


def test_the_agency_api_gives_an_order_with_its_figures_and_its_timeline(hub):
    enquiry_id, parts = agreed_order(hub)
    hub.report(ev.PartDeliveryRecorded, parts["HU22"], "in_production", deliveries=[1000])
    order, _ = hub.order(enquiry_id)
    client = create_app(hub.runtime).test_client()
    agency = bearer(hub.runtime, ["agency_viewer"])

    found = client.get(f"/api/v1/cross-border/orders/{order['id']}", headers=agency)
    assert found.status_code == 200, found.json
    body = found.json
    hu22 = next(p for p in body["parts"] if p["site"] == "HU22")
    assert (hu22["delivered"], hu22["reason"]["code"], hu22["organisation_name"]) == (1000, "whole_capacity",
                                                                                       "SE HU22 600")
    assert body["consortium"]["status"] == "in_production" and body["consortium"]["delivered"] == 1000
    steps = client.get(f"/api/v1/cross-border/orders/{order['id']}/timeline", headers=agency)
    assert steps.status_code == 200
    assert [s["kind"] for s in steps.json["items"]][-3:] == ["production_started", "delivery", "in_production"]
    assert client.get(f"/api/v1/cross-border/orders/{uuid.uuid4()}/timeline", headers=agency).status_code == 404
    broker = bearer(hub.runtime, ["broker"])
    assert client.get(f"/api/v1/cross-border/orders/{order['id']}/timeline", headers=broker).status_code == 403


def test_a_cancelled_enquiry_withdraws_its_open_parts_with_a_code_and_an_agreed_order_stays(hub):
    three_suppliers(hub)
    enquiry_id = hub.request(3000)
    _, parts = hub.order(enquiry_id)
    hub.answer(parts[0], "accepted")
    cancelled = enquiry_data(enquiry_id, site="AT13", reference="AT13-E-2026-0042", state="cancelled")
    with hub.runtime.engine.begin() as conn:
        hub.handlers[ev.EnquiryChanged.TYPE](conn, envelope(ev.EnquiryChanged.TYPE, enquiry_id, 3, cancelled, "AT13"))
    order, after = hub.order(enquiry_id)
    assert order["status"] == "cancelled" and {p["status"] for p in after} == {"withdrawn"}
    withdrawn = hub.messages("hub.part.withdrawn")
    assert sorted(to for to, _, _ in withdrawn) == sorted(p["site"] for p in parts)
    assert {(version, data["reason"]["code"], data["reason"]["params"]["reference"])
            for _, version, data in withdrawn} == {(2, "order_cancelled", "AT13-E-2026-0042")}
    assert [k for k, *_ in hub.timeline(order["id"])][-3:] == ["withdrawn", "withdrawn", "cancelled"]

    agreed_id, _ = agreed_order(hub, 1000)
    with hub.runtime.engine.begin() as conn:
        hub.handlers[ev.EnquiryChanged.TYPE](conn, envelope(ev.EnquiryChanged.TYPE, agreed_id, 3, {
            **cancelled, "enquiry_id": agreed_id}, "AT13"))
    order, after = hub.order(agreed_id)
    assert order["status"] == "agreed" and {p["status"] for p in after} == {"accepted"}
