"""The origin site follows its cross-border order from the hub's consortium snapshots, fed to its inbox
consumer as envelopes, on SQLite and on PostgreSQL: the enquiry moves to agreed, in production and
delivered (through every state, as the system, audited, published), the client-facing agreement is made
with its lines in EUR and kept up to date, the impact is kept, and an older or replayed snapshot
changes nothing."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from services.common.envelope import Envelope
from services.common.outbox import outbox
from services.enquiries.lifecycle.tables import consortium_agreement_line
from tests.support.consortium_snapshots import Order, deliver, hub_message, part, part_impact
from tests.support.databases import pg_url_if
from tests.support.lifecycle import LifecycleSite, terms


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def site(request, make_settings):
    s = LifecycleSite(make_settings, pg_url_if(request, request.param))
    yield s
    s.runtime.engine.dispose()


def line_rows(site: LifecycleSite) -> int:
    with site.runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(consortium_agreement_line)).scalar_one()


HU = dict(unit_price="1000", currency="HUF", name="Soproni Textil")


def test_an_agreed_consortium_agrees_the_enquiry_and_makes_the_client_facing_agreement_in_eur(site):
    order = Order(site)
    hu, at = part("HU22", 200, **HU), part("AT11", 100, unit_price="3.00")
    order.report("forwarded", {**hu, "status": "forwarded"}, {**at, "status": "forwarded"})
    assert order.state == "in_consultation"
    order.agreement(expect=404)  # nothing agreed yet

    order.report("agreed", hu, at)
    assert order.state == "agreed"
    assert order.audit()[-1] == ("in_consultation", "agreed", "system", "consortium_agreed")
    (changed,) = [e for e in order.changes() if e.data["state"] == "agreed"]
    agreement = order.agreement()
    assert (agreement["order_id"], agreement["currency"], agreement["unit"]) == (order.order_id, "EUR", "pieces")
    lines = {line["site"]: line for line in agreement["lines"]}
    assert lines["HU22"]["organisation_name"] == "Soproni Textil"
    assert (lines["HU22"]["quantity"], lines["HU22"]["currency"], lines["HU22"]["price"],
            lines["HU22"]["unit_price_eur"], lines["HU22"]["price_eur"]) == (200, "HUF", "200000.00", "2.54", "508.00")
    assert (lines["AT11"]["price"], lines["AT11"]["price_eur"]) == ("300.00", "300.00")
    assert agreement["total_eur"] == agreement["total"] == "808.00"  # AT12 counts in EUR

    picture = order.picture()
    assert picture["status"] == "agreed" and picture["version"] == 2
    hu_part = next(p for p in picture["parts"] if p["site"] == "HU22")
    assert hu_part["reason"]["code"] == "whole_capacity" and hu_part["unit_price_eur"] == "2.54"


def test_an_older_or_replayed_snapshot_changes_nothing(site):
    order = Order(site)
    at = part("AT11", 300)
    agreed = order.report("agreed", at)
    order.report("in_production", {**at, "status": "in_production"})
    before = (order.state, order.audit(), order.agreement(), len(order.changes()))
    assert before[0] == "in_production"

    order.report("forwarded", {**at, "status": "forwarded"}, version=1)  # a late message from before
    deliver(site, agreed)  # a redelivery of one applied already
    deliver(site, Envelope(**{**vars(agreed), "id": str(uuid.uuid4())}))  # the same snapshot, published again
    assert (order.state, order.audit(), order.agreement(), len(order.changes())) == before
    assert order.picture()["status"] == "in_production"


def test_production_and_delivery_move_the_enquiry_and_update_the_agreement_lines(site):
    order = Order(site, "matching")
    hu, at = part("HU22", 200, **HU), part("AT11", 100)
    order.report("agreed", hu, at)
    order.report("agreed", {**hu, "status": "in_production"}, at)  # the hub still says agreed: one part started
    assert order.state == "in_production"
    order.report("in_production", {**hu, "status": "delivered", "delivered": 200}, {**at, "status": "in_production",
                                                                                   "delivered": 40})
    assert order.state == "in_production"
    lines = {line["site"]: line for line in order.agreement()["lines"]}
    assert (lines["HU22"]["status"], lines["HU22"]["delivered"]) == ("delivered", 200)
    assert (lines["AT11"]["status"], lines["AT11"]["delivered"]) == ("in_production", 40)

    order.report("delivered", {**hu, "status": "delivered", "delivered": 200},
                 {**at, "status": "delivered", "delivered": 100})
    assert order.state == "delivered"
    assert [a[1:] for a in order.audit()[-3:]] == [
        ("agreed", "system", "consortium_agreed"), ("in_production", "system", "consortium_part_started"),
        ("delivered", "system", "consortium_delivered")]
    assert [e.data["state"] for e in order.changes()][-3:] == ["agreed", "in_production", "delivered"]


def test_a_snapshot_that_skips_states_moves_through_each_of_them(site):
    order = Order(site)
    at = part("AT11", 300, "delivered", delivered=300)
    env = order.report("delivered", at)
    assert order.state == "delivered"
    assert [(a[0], a[1]) for a in order.audit()[-3:]] == [
        ("in_consultation", "agreed"), ("agreed", "in_production"), ("in_production", "delivered")]
    changes = order.changes()[-3:]
    assert [e.data["state"] for e in changes] == ["agreed", "in_production", "delivered"]
    # The enquiry's events carry the order's correlation id and name the hub's message as their cause.
    with site.runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.correlation_id, outbox.c.causation_id)
                            .where(outbox.c.aggregate_id == order.enquiry_id,
                                   outbox.c.type == "enquiries.enquiry.changed")
                            .order_by(outbox.c.id)).all()[-3:]
    assert {tuple(r) for r in rows} == {(env.correlation_id, env.id)}


@pytest.mark.parametrize("status", ["short", "cancelled", "forwarded"])
def test_before_agreement_a_short_or_cancelled_order_moves_nothing(site, status):
    order = Order(site)
    audit = order.audit()
    order.report(status, part("AT11", 100, "forwarded"), part("HU22", 100, "declined", **HU), quantity=300)
    assert order.state == "in_consultation" and order.audit() == audit
    order.agreement(expect=404)
    assert line_rows(site) == 0
    assert order.picture()["status"] == status


def test_a_reallocation_after_a_failure_adds_a_line_and_the_failed_one_stays_marked(site):
    order = Order(site)
    hu, at = part("HU22", 200, **HU), part("AT11", 100)
    order.report("agreed", hu, at)
    failed = {**hu, "status": "failed", "delivered": 50,
              "answer": {"code": "se_withdrew", "params": {"missing": 150}}}
    replacement = part("AT22", 150, "accepted", unit_price="3.20")
    order.report("agreed", failed, at, replacement,
                 shortfalls=[{"code": "se_withdrew", "quantity": 150, "params": {"site": "HU22", "missing": 150,
                                                                                "reallocation": "reallocated"}}])
    agreement = order.agreement()
    lines = {line["site"]: line for line in agreement["lines"]}
    assert set(lines) == {"HU22", "AT11", "AT22"}
    assert lines["HU22"]["failed"] and lines["HU22"]["payable_eur"] == "127.00"  # 50 delivered x 2.54
    assert agreement["total_eur"] == "907.00"  # 127 + 300 + 480
    picture = order.picture()
    assert picture["shortfalls"][0]["code"] == "se_withdrew"
    assert next(p for p in picture["parts"] if p["site"] == "HU22")["answer"]["code"] == "se_withdrew"


def test_the_impact_of_every_part_and_of_the_order_is_kept(site):
    order = Order(site)
    hu = part("HU22", 200, "delivered", delivered=200, impact=part_impact("508.00", "90.5", "120"), **HU)
    at = part("AT11", 100, "delivered", delivered=100, impact=part_impact("300.00", None, "40"))
    total = {"parts": 2, "value_paid_eur": "808.00", "material_diverted_kg": "90.5", "integration_hours": "160",
             "distance_km": "85.2", "regional_share": None}
    order.report("delivered", hu, at, impact=total)
    picture = order.picture()
    assert picture["impact"] == total
    impacts = {p["site"]: p["impact"] for p in picture["parts"]}
    assert impacts["HU22"]["material_diverted_kg"] == "90.5" and impacts["AT11"]["integration_hours"] == "40"


def test_a_version_1_agreed_snapshot_is_read_and_followed(site):
    order = Order(site)
    v1_part = {k: part("HU22", 300, **HU)[k] for k in ("part_id", "site", "organisation_id", "offer_id", "quantity",
                                                        "unit_price", "currency", "status")}
    v1 = {"order_id": order.order_id, "enquiry_id": order.enquiry_id, "enquiry_reference": "AT12-E-2026-0001",
          "status": "agreed", "quantity": 300, "allocated": 300, "accepted": 300, "missing": 0,
          "total_cost_eur": "762.00", "method": "milp", "solver_status": "optimal", "gap": None,
          "parts": [{**v1_part, "reason": "cheapest in time", "answer": None}], "shortfalls": []}
    deliver(site, hub_message(v1, 1, agreed=True, version=1))
    assert order.state == "agreed"
    (line,) = order.agreement()["lines"]
    assert (line["unit_price_eur"], line["price_eur"], line["organisation_name"]) == ("2.54", "762.00", None)
    picture = order.picture()
    assert picture["version"] == 1 and picture["parts"][0]["reason"] == "cheapest in time"


def test_a_local_agreement_not_yet_delivered_holds_the_enquiry_in_production_without_failing_the_message(site):
    order = Order(site, "matching", client_organisation_id=site.company())
    _, offer_id = site.social_enterprise(username="se")
    proposal = site.ok("POST", f"/enquiries/{order.enquiry_id}/proposals", "se", 201,
                       json={"offer_id": offer_id, **terms(quantity="100")})
    site.ok("POST", f"/enquiries/{order.enquiry_id}/proposals/{proposal['id']}/accept", "client", 201)
    assert order.state == "negotiating"  # 100 of 300 covered here; the hub sources the rest

    at = part("AT11", 200)
    order.report("agreed", at)
    assert order.state == "agreed"
    order.report("delivered", {**at, "status": "delivered", "delivered": 200})
    assert order.state == "in_production"  # the local agreement is still to deliver: the broker moves on
    assert order.audit()[-1][:3] == ("agreed", "in_production", "system")
    assert order.picture()["status"] == "delivered"
