"""Property: whatever sequence of reservations and releases, an offer is never over-committed.

Over-committed means: some period [a, b] wholly contains commitments adding up to more than the
offer can produce in it (capacity per week × weeks). Checked on PostgreSQL after every sequence, for
every period between the commitments' own start and end dates.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.common.errors import Conflict
from services.enquiries.matching import service, store
from services.contracts.capacity import gross
from tests.support.matching import publish_se, runtime  # noqa: F401 - fixture

pytestmark = pytest.mark.services

DAY0 = date(2026, 3, 2)
CAPACITY = Decimal(70)

reservation = st.tuples(st.just("reserve"), st.integers(0, 40), st.integers(0, 30), st.integers(1, 250))
release = st.tuples(st.just("release"), st.integers(0, 30))
commands = st.lists(st.one_of(reservation, reservation, release), min_size=1, max_size=14)


def active_commitments(runtime, offer_id: str) -> list:
    c = store.matching_commitment
    with runtime.engine.connect() as conn:
        return conn.execute(select(c.c.quantity, c.c.start_on, c.c.until)
                            .where(c.c.offer_id == offer_id, c.c.status == store.COMMITMENT_ACTIVE)).all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands=commands)
def test_reservations_and_releases_never_over_commit_an_offer(runtime, commands):
    org, offer = publish_se(runtime, capacity=str(CAPACITY))
    agreements: list[str] = []
    for command in commands:
        if command[0] == "reserve":
            _, offset, days, quantity = command
            start = DAY0 + timedelta(days=offset)
            agreement = str(uuid.uuid4())
            try:
                with runtime.engine.begin() as conn:
                    service.reserve(conn, agreement, org, offer, Decimal(quantity), start + timedelta(days=days), start)
                agreements.append(agreement)
            except Conflict:
                pass
        elif agreements:
            with runtime.engine.begin() as conn:
                service.release(conn, agreements[command[1] % len(agreements)])

    held = active_commitments(runtime, offer)
    boundaries = sorted({r.start_on for r in held} | {r.until for r in held})
    for a in boundaries:
        for b in boundaries:
            inside = sum((r.quantity for r in held if a <= r.start_on and r.until <= b), Decimal(0))
            assert inside <= gross(CAPACITY, a, b) or inside == 0, (a, b, inside)
