"""Concurrent reservations of one offer on PostgreSQL never commit more than its capacity."""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from services.common.db import make_engine
from services.common.errors import Conflict
from services.enquiries.matching import service, store
from tests.support.matching import publish_se, runtime  # noqa: F401 - fixture

pytestmark = pytest.mark.services

START, UNTIL = date(2026, 3, 2), date(2026, 3, 30)  # four weeks at 70 a week: 280


def committed(runtime, offer_id: str) -> Decimal:
    c = store.matching_commitment
    with runtime.engine.connect() as conn:
        return conn.execute(select(func.coalesce(func.sum(c.c.quantity), 0))
                            .where(c.c.offer_id == offer_id, c.c.status == store.COMMITMENT_ACTIVE)).scalar_one()


def test_thirty_concurrent_reservations_never_over_commit(runtime):
    org, offer = publish_se(runtime, capacity="70")
    attempts = 30
    barrier = threading.Barrier(attempts, timeout=30)
    engine = make_engine(runtime.settings.db_url, pool_size=attempts)  # every thread its own connection at once

    def attempt(_):
        with engine.connect() as conn:
            barrier.wait()
            with conn.begin():
                try:
                    service.reserve(conn, str(uuid.uuid4()), org, offer, Decimal(30), UNTIL, START)
                    return True
                except Conflict:
                    return False

    try:
        with ThreadPoolExecutor(attempts) as pool:
            outcomes = list(pool.map(attempt, range(attempts)))
    finally:
        engine.dispose()
    assert outcomes.count(True) == 9  # 9 x 30 = 270 <= 280 < 300
    assert committed(runtime, offer) == 270


def test_a_reservation_waits_for_the_one_holding_the_offer_and_then_sees_it(runtime):
    org, offer = publish_se(runtime, capacity="70")
    second_done = threading.Event()
    outcome = {}

    def second():
        with runtime.engine.begin() as conn:
            try:
                service.reserve(conn, str(uuid.uuid4()), org, offer, Decimal(100), UNTIL, START)
                outcome["second"] = "reserved"
            except Conflict as exc:
                outcome["second"] = exc.code
        second_done.set()

    with runtime.engine.connect() as conn, conn.begin():
        service.reserve(conn, str(uuid.uuid4()), org, offer, Decimal(200), UNTIL, START)
        thread = threading.Thread(target=second)
        thread.start()
        assert not second_done.wait(1.0), "the second reservation must wait for the offer's lock"
    thread.join(10)
    assert outcome["second"] == "capacity_exceeded"
    assert committed(runtime, offer) == 200
