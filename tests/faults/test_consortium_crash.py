"""The hub killed in the middle of a consortium allocation: no capacity double-counted after restart.

Social enterprises at AT12 and HU22 publish offers; AT12 asks the hub for a cross-border consortium.
The hub's ingest process (tests/support/faults/ingest_process.py, running services.workers.hub_ingest) is
SIGKILLed inside the allocation's transaction, after writing the parts. Its successor gets the request
again and allocates it once; a second order after the restart only gets the capacity the first left.
And two allocations at once (the hub's bus consumer and its reconciler) count no capacity twice.
"""
from __future__ import annotations

import signal
import threading
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from services.common.events import Recorded
from services.common.outbox import outbox
from services.contracts.events import enquiries
from services.hub.crossborder import store as cs
from services.hub.crossborder import matching_view
from services.hub.crossborder.flow import CrossBorder
from services.registry import handlers as registry
from services.registry.organisations import Address, Coordinates
from tests.support.faults.checker import assert_clean, classify
from tests.support.faults.harness import all_applied, declare
from tests.support.faults.ingest_process import IngestProcess
from tests.support.faults.workers import IngestWorker, RelayWorker
from tests.support.polling import eventually

pytestmark = pytest.mark.services

CPV = "18930000"  # sacks and bags


def supplier(site, per_week: int, price: str, lat: float, lon: float) -> str:
    """A social enterprise at `site` with one cross-border offer; returns the offer's id."""
    org = registry.register_organisation(site.runtime.uow(), {
        "kind": "social_enterprise", "name": f"Taschenwerk {site.site_id}", "registration_number": uuid.uuid4().hex[:8],
        "address": Address("Werkstraße 1", "1000", "Stadt", site.site_id[:2]),
        "nuts3": "HU221" if site.site_id == "HU22" else "AT123", "coordinates": Coordinates(lat, lon),
        "labour_market_segment": "second_labour_market", "workers_in_integration": 10}, site.today())
    return registry.publish_offer(site.runtime.uow(), {
        "organisation_id": org.id, "title": "Tote bags", "description": "sewn from banners", "cpv_codes": [CPV],
        "capacity_per_week": Decimal(per_week), "unit": "bags", "lead_time_days": 7, "currency": "EUR",
        "price_min": Decimal(price), "price_max": Decimal(price), "cross_border": True}, site.today()).id


def request_consortium(site, quantity: int) -> str:
    """AT12's enquiry service asks the hub for a consortium (its event, through the outbox)."""
    enquiry_id = str(uuid.uuid4())
    event = enquiries.CrossBorderRequested(
        enquiry_id=enquiry_id, reference=f"AT12-E-2026-{quantity}", title="Tote bags for a trade fair",
        type="csr_product", client_kind="economic_enterprise", cpv_codes=[CPV], quantity=quantity, unit="bags",
        deadline=date.today() + timedelta(days=35), delivery_nuts3="AT130", budget=None, currency="EUR",
        label_required=False, max_partners=5, min_lot=1, sites=[], requested_by="broker")
    with site.runtime.uow() as uow:
        uow.record_events([Recorded(event, enquiry_id, 2)])
        uow.commit()
    return enquiry_id


def suppliers_known_at_the_hub(make_site, hub, amqp_url):
    """AT12 and HU22 each with one social enterprise and its offer, applied at the hub."""
    at12, hu22 = make_site("AT12"), make_site("HU22")
    declare(hub, amqp_url)
    offers = {supplier(at12, 400, "3.00", 48.03, 15.60), supplier(hu22, 600, "2.50", 47.68, 16.58)}
    with IngestWorker(hub, amqp_url):  # the hub knows the offers before anyone asks
        for site in (at12, hu22):
            with RelayWorker(site.runtime, amqp_url):
                assert eventually(lambda: site.backlog() == 0)
        assert eventually(lambda: all_applied(hub, at12.event_ids() + hu22.event_ids()))
    return at12, hu22, offers


def free_capacity(hub, order) -> dict[str, int]:
    """Each candidate offer's capacity for the order as if no part held any (in a rolled-back transaction)."""
    crossborder = CrossBorder(hub.runtime.settings)
    terms = matching_view.OrderTerms(order["cpv_codes"], order["deadline"], order["delivery_nuts3"],
                                     order["label_required"], order["min_lot"], order["sites"])
    with hub.runtime.engine.connect() as conn:
        conn.execute(delete(cs.hub_crossborder_parts))
        view = matching_view.candidates(conn, terms, date.today(), crossborder.site_places["AT12"],
                                        crossborder.site_places)
        conn.rollback()
    return {c.offer_id: c.capacity for c in view.candidates}


def test_hub_killed_mid_allocation_counts_no_capacity_twice(make_site, hub, amqp_url, federation_files):
    at12, hu22, offers = suppliers_known_at_the_hub(make_site, hub, amqp_url)
    first = request_consortium(at12, 3000)
    with RelayWorker(at12.runtime, amqp_url):
        assert eventually(lambda: at12.backlog() == 0)
    doomed = IngestProcess(hub, amqp_url, federation_files[0], "--hold-in-allocation")
    try:
        parts_in_flight = int(doomed.expect("ALLOCATING").split()[1])
    finally:
        doomed.end(signal.SIGKILL)
    in_doubt = set(at12.event_ids()) - set(hub.applications())  # the request, caught mid-allocation
    with hub.runtime.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(cs.hub_crossborder_orders)).scalar() == 0, \
            "the killed allocation left nothing behind"

    successor = IngestProcess(hub, amqp_url, federation_files[0])
    try:
        successor.expect("READY")
        assert eventually(lambda: order_of(hub, first), timeout=60), "the request was allocated after the restart"
        second = request_consortium(at12, 3000)
        with RelayWorker(at12.runtime, amqp_url):
            assert eventually(lambda: at12.backlog() == 0)
        assert eventually(lambda: order_of(hub, second), timeout=60)
        written = at12.event_ids() + hu22.event_ids()
        assert eventually(lambda: all_applied(hub, written), timeout=30)
    finally:
        successor.end()

    with hub.runtime.engine.connect() as conn:
        orders = {e: cs.order_for_enquiry(conn, "AT12", e) for e in (first, second)}
        parts = {e: cs.parts(conn, o["id"]) for e, o in orders.items()}
        held = cs.held_by_parts(conn, sorted(offers))
        forwarded = conn.execute(select(outbox.c.aggregate_id).where(outbox.c.type == "hub.part.forwarded")).scalars().all()
        order_count = conn.execute(select(func.count()).select_from(cs.hub_crossborder_orders)).scalar()
    free = free_capacity(hub, orders[first])
    allocated = {e: sum(p["quantity"] for p in ps if p["status"] in cs.ACTIVE_PARTS) for e, ps in parts.items()}
    figures = classify("hub killed mid-allocation", written, hub.applications(), hub.routes(), in_doubt=in_doubt,
                       absorbed=successor.duplicates(), parts_in_killed_allocation=parts_in_flight,
                       free_capacity=sum(free.values()), first_allocated=allocated[first],
                       second_allocated=allocated[second])
    assert_clean(figures)
    assert figures.in_doubt == figures.recovered == 1
    assert order_count == 2, "one order per request, the killed attempt's order is gone"
    assert set(free) == offers and sum(free.values()) < 6000, "the two orders ask for more than there is"
    assert allocated[first] == 3000, "the first order was allocated in full, once"
    assert allocated[first] + allocated[second] == sum(free.values()), "the second got exactly what was left"
    assert all(held[o] <= free[o] for o in offers), f"capacity counted twice: held {held}, free {free}"
    all_parts = [p["id"] for ps in parts.values() for p in ps]
    assert sorted(forwarded) == sorted(all_parts), "each part forwarded once, none from the killed attempt"


def order_of(hub, enquiry_id: str):
    with hub.runtime.engine.connect() as conn:
        return cs.order_for_enquiry(conn, "AT12", enquiry_id)


def test_two_allocations_at_once_count_no_capacity_twice(make_site, hub, amqp_url):
    """The hub's bus consumer and its reconciler (catching up after a partition, say) each apply one of
    two requests at the same moment: together they get no more than the free capacity."""
    at12, hu22, offers = suppliers_known_at_the_hub(make_site, hub, amqp_url)
    requests = [request_consortium(at12, 3000), request_consortium(at12, 3000)]
    with RelayWorker(at12.runtime, amqp_url):
        assert eventually(lambda: at12.backlog() == 0)
    bodies = [e for e in at12.envelopes() if '"type":"enquiries.enquiry.cross_border_requested"' in e]
    start = threading.Barrier(2)
    processors = [hub.processor("bus"), hub.processor("feed")]

    def apply(processor, body):
        start.wait()
        processor.process([body])

    threads = [threading.Thread(target=apply, args=pair) for pair in zip(processors, bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    with hub.runtime.engine.connect() as conn:
        orders = [cs.order_for_enquiry(conn, "AT12", e) for e in requests]
        allocated = [sum(p["quantity"] for p in cs.parts(conn, o["id"]) if p["status"] in cs.ACTIVE_PARTS)
                     for o in orders]
        held = cs.held_by_parts(conn, sorted(offers))
    free = free_capacity(hub, orders[0])
    written = at12.event_ids() + hu22.event_ids()
    figures = classify("two allocations at once", written, hub.applications(), hub.routes(),
                       free_capacity=sum(free.values()), allocated=allocated)
    assert_clean(figures)
    assert all(held[o] <= free[o] for o in offers), f"capacity counted twice: held {held}, free {free}"
    assert sorted(allocated) == [sum(free.values()) - 3000, 3000], "one got its 3,000, the other what was left"
