"""A forwarded part at its target site through the handlers, on SQLite and PostgreSQL: the hub's messages
in both versions, the answer, production and deliveries, each with its events in the outbox (types,
versions, aggregate versions, the flow's correlation), the capacity reserved and released, failures,
a member of another organisation refused, and the deadline tick (idempotent)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from services import jobs
from services.composition import ENQUIRIES
from services.common.envelope import Envelope
from services.common.errors import Invalid, NotFound
from services.common.outbox import outbox
from services.enquiries.crossborder import consumers, handlers, store
from services.enquiries.crossborder.access import PartActor
from services.enquiries.crossborder.deadlines import fail_overdue_parts
from services.enquiries.crossborder.production import Delivery, ImpactFigures
from services.enquiries.matching import service as matching
from tests.support.matching import publish_se
from tests.support.migrated import bootstrap

NOW = datetime.now(timezone.utc).replace(microsecond=0)
DEADLINE = NOW.date() + timedelta(days=28)  # 70 a week: 280 free until then
RATES = {"EUR": Decimal("1"), "HUF": Decimal("0.0025")}
BROKER = PartActor("broker")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def runtime(request, site_runtime, make_settings):
    if request.param == "sqlite":
        yield site_runtime("AT12")
        return
    rt = bootstrap(make_settings("AT12", db_url=request.getfixturevalue("pg_url")))
    yield rt
    rt.engine.dispose()


def forwarded(runtime, organisation_id: str, offer_id: str, quantity: int = 100, version: int = 2,
              deadline: date = DEADLINE, currency: str = "EUR", unit_price: str = "3.00") -> str:
    """A part as the hub forwards it; version 1 carries an English reason, version 2 a code."""
    part_id = str(uuid.uuid4())
    reason = {"code": "whole_capacity", "params": {"quantity": quantity}} if version == 2 else "cheapest in time"
    data = {"part_id": part_id, "order_id": str(uuid.uuid4()), "origin_site": "AT13",
            "enquiry_reference": "AT13-E-2026-0007", "title": "Tote bags", "type": "csr_product",
            "cpv_codes": ["39111000"], "offer_id": offer_id, "organisation_id": organisation_id, "quantity": quantity,
            "unit": "piece", "unit_price": unit_price, "currency": currency, "deadline": deadline.isoformat(),
            "delivery_nuts3": "AT130", "label_required": False, "reason": reason}
    hub_message(runtime, consumers.on_part_forwarded, "hub.part.forwarded", version, part_id, data)
    return part_id


def hub_message(runtime, handler, type_name: str, version: int, part_id: str, data: dict) -> None:
    env = Envelope(id=str(uuid.uuid4()), type=type_name, version=version, site="EU", stream="EU/hub_to_at12", seq=1,
                   aggregate_id=part_id, aggregate_version=1, occurred_at=NOW.isoformat(), correlation_id="corr-7",
                   causation_id=None, data=data, to="AT12")
    with runtime.engine.begin() as conn:
        handler(conn, env)


def events_of(runtime, part_id: str) -> list[tuple]:
    with runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox).where(outbox.c.aggregate_id == part_id).order_by(outbox.c.id)).all()
    return [(r.type, r.version, r.aggregate_version, r.data["status"], r.correlation_id) for r in rows]


def reservation(runtime, part_id: str):
    with runtime.engine.connect() as conn:
        return matching.reservation(conn, part_id)


def test_accept_start_deliver_in_part_and_in_full_publishes_each_step_and_releases_the_capacity(runtime):
    se, offer = publish_se(runtime, capacity="70")
    part_id = forwarded(runtime, se, offer, quantity=100)
    handlers.accept_part(runtime.uow(), part_id, BROKER, NOW, "we can")
    assert reservation(runtime, part_id).status == "active" and reservation(runtime, part_id).quantity == 100
    handlers.start_production(runtime.uow(), part_id, PartActor("member", se), NOW)
    handlers.record_delivery(runtime.uow(), part_id, BROKER, NOW, Delivery(40, NOW.date(), ImpactFigures(
        material_diverted_kg=Decimal("120"))), rates_to_eur=RATES)
    assert reservation(runtime, part_id).status == "active"  # 60 still to make
    done = handlers.record_delivery(runtime.uow(), part_id, BROKER, NOW + timedelta(seconds=1),
                                    Delivery(60, NOW.date(), ImpactFigures(integration_hours=Decimal("40"))),
                                    rates_to_eur=RATES)
    assert done.status == "delivered" and reservation(runtime, part_id).status == "released"
    assert events_of(runtime, part_id) == [
        ("enquiries.part.accepted", 2, 1, "accepted", "corr-7"),
        ("enquiries.part.production_started", 1, 2, "in_production", "corr-7"),
        ("enquiries.part.delivery_recorded", 1, 3, "in_production", "corr-7"),
        ("enquiries.part.delivery_recorded", 1, 4, "delivered", "corr-7"),
    ]
    with runtime.engine.connect() as conn:
        stored = store.load_part(conn, part_id)
        (last,) = conn.execute(select(outbox.c.data).where(outbox.c.aggregate_id == part_id,
                                                           outbox.c.aggregate_version == 4)).scalars()
    assert [d.quantity for d in stored.deliveries] == [40, 60] and stored.version == 4
    assert stored.reason == {"code": "whole_capacity", "params": {"quantity": 100}}
    assert last["impact"]["value_paid"] == "300.00" and last["impact"]["material_diverted_kg"] == "120"
    assert stored.impact == last["impact"] and stored.figures.integration_hours == Decimal("40")


def test_a_version_1_part_keeps_its_english_reason_and_is_declined_with_a_code(runtime):
    se, offer = publish_se(runtime)
    part_id = forwarded(runtime, se, offer, version=1)
    with pytest.raises(Invalid):
        handlers.decline_part(runtime.uow(), part_id, BROKER, NOW, "closed for renovation")
    handlers.decline_part(runtime.uow(), part_id, BROKER, NOW, "no_capacity", "closed for renovation")
    with runtime.engine.connect() as conn:
        part = store.load_part(conn, part_id)
        (data,) = conn.execute(select(outbox.c.data).where(outbox.c.aggregate_id == part_id)).scalars()
    assert part.reason == "cheapest in time" and part.decline_reason == {"code": "no_capacity", "params": {}}
    assert data["reason"] == {"code": "no_capacity", "params": {}} and data["note"] == "closed for renovation"
    assert events_of(runtime, part_id) == [("enquiries.part.declined", 2, 1, "declined", "corr-7")]
    assert reservation(runtime, part_id) is None


def test_the_se_withdraws_or_closes_short_and_the_capacity_is_released(runtime):
    se, offer = publish_se(runtime, capacity="70")
    given_up, short = forwarded(runtime, se, offer, 100), forwarded(runtime, se, offer, 100)
    for part_id in (given_up, short):
        handlers.accept_part(runtime.uow(), part_id, BROKER, NOW)
    handlers.withdraw_part(runtime.uow(), given_up, BROKER, NOW, "the machine broke", rates_to_eur=RATES)
    handlers.record_delivery(runtime.uow(), short, BROKER, NOW, Delivery(70, NOW.date()), rates_to_eur=RATES)
    closed = handlers.close_short(runtime.uow(), short, BROKER, NOW, figures=ImpactFigures(distance_km=Decimal("210")),
                                  rates_to_eur=RATES)
    assert closed.failure["params"] == {"quantity": 100, "delivered": 70, "missing": 30}
    assert closed.impact["distance_km"] == "210" and closed.impact["value_paid"] == "210.00"
    assert events_of(runtime, given_up)[-1][:4] == ("enquiries.part.failed", 1, 2, "failed")
    assert events_of(runtime, short)[-1][:4] == ("enquiries.part.failed", 1, 4, "failed")
    assert reservation(runtime, given_up).status == reservation(runtime, short).status == "released"


def test_a_member_acts_on_its_own_organisations_parts_only(runtime):
    se, offer = publish_se(runtime)
    other, _ = publish_se(runtime)
    part_id = forwarded(runtime, se, offer)
    with pytest.raises(NotFound):
        handlers.accept_part(runtime.uow(), part_id, PartActor("stranger", other), NOW)
    assert events_of(runtime, part_id) == [] and reservation(runtime, part_id) is None
    assert handlers.accept_part(runtime.uow(), part_id, PartActor("member", se), NOW).answered_by == "member"
    with runtime.engine.connect() as conn:
        assert [p.id for p in store.list_parts(conn, None, 1, 50, other).items] == []
        assert [p.id for p in store.list_parts(conn, None, 1, 50, se).items] == [part_id]


def test_the_tick_fails_overdue_running_parts_once_and_releases_their_capacity(runtime):
    se, offer = publish_se(runtime, capacity="70")
    late = forwarded(runtime, se, offer, 50, deadline=NOW.date() + timedelta(days=7))
    done = forwarded(runtime, se, offer, 10, deadline=NOW.date() + timedelta(days=7))
    pending = forwarded(runtime, se, offer, 10, deadline=NOW.date() + timedelta(days=7))
    in_time = forwarded(runtime, se, offer, 10, deadline=NOW.date() + timedelta(days=20))
    for part_id in (late, done, in_time):
        handlers.accept_part(runtime.uow(), part_id, BROKER, NOW)
    handlers.record_delivery(runtime.uow(), late, BROKER, NOW, Delivery(20, NOW.date()), rates_to_eur=RATES)
    handlers.record_delivery(runtime.uow(), done, BROKER, NOW, Delivery(10, NOW.date()), rates_to_eur=RATES)

    later = NOW + timedelta(days=8)
    assert jobs.fail_overdue_forwarded_parts in ENQUIRIES.jobs  # what `sopro tick` runs at a site
    assert jobs.fail_overdue_forwarded_parts(runtime, later) == [
        f"part {late} of AT13-E-2026-0007 failed: 20 of 50 delivered by {NOW.date() + timedelta(days=7)}",
        "1 forwarded parts failed"]
    with runtime.engine.connect() as conn:
        failed = [store.load_part(conn, late)]
    assert failed[0].failure == {"code": "deadline_missed", "params": {"quantity": 50, "delivered": 20, "missing": 30}}
    assert failed[0].impact["value_paid"] == "60.00"
    assert events_of(runtime, late)[-1][:4] == ("enquiries.part.failed", 1, 4, "failed")
    assert reservation(runtime, late).status == "released" and reservation(runtime, in_time).status == "active"
    assert fail_overdue_parts(runtime.uow, later, RATES) == []  # idempotent
    with runtime.engine.connect() as conn:
        assert store.load_part(conn, pending).status == "pending"


def test_the_hub_withdraws_a_part_in_production_with_a_coded_reason(runtime):
    se, offer = publish_se(runtime)
    part_id = forwarded(runtime, se, offer)
    handlers.accept_part(runtime.uow(), part_id, BROKER, NOW)
    handlers.start_production(runtime.uow(), part_id, BROKER, NOW)
    withdrawal = {"part_id": part_id, "order_id": str(uuid.uuid4()), "reason": {"code": "order_cancelled", "params": {}}}
    hub_message(runtime, consumers.on_part_withdrawn, "hub.part.withdrawn", 2, part_id, withdrawal)
    hub_message(runtime, consumers.on_part_withdrawn, "hub.part.withdrawn", 2, part_id, withdrawal)  # again: absorbed
    with runtime.engine.connect() as conn:
        part = store.load_part(conn, part_id)
    assert part.status == "withdrawn" and part.withdrawal_reason == {"code": "order_cancelled", "params": {}}
    assert reservation(runtime, part_id).status == "released"


def test_a_caller_chosen_delivery_id_is_a_key_within_its_part_only(runtime):
    se, offer = publish_se(runtime, capacity="70")
    first, second = forwarded(runtime, se, offer, 10), forwarded(runtime, se, offer, 10)
    for part_id in (first, second):
        handlers.accept_part(runtime.uow(), part_id, BROKER, NOW)
        handlers.record_delivery(runtime.uow(), part_id, BROKER, NOW, Delivery(4, NOW.date(), id="box-1"),
                                 rates_to_eur=RATES)
    again = handlers.record_delivery(runtime.uow(), first, BROKER, NOW, Delivery(4, NOW.date(), id="box-1"),
                                     rates_to_eur=RATES)
    assert again.delivered == 4 and again.version == 3  # the retry changed nothing
    with runtime.engine.connect() as conn:
        assert [(p.delivered, [d.id for d in p.deliveries]) for p in (store.load_part(conn, first),
                                                                      store.load_part(conn, second))] == \
            [(4, ["box-1"]), (4, ["box-1"])]
