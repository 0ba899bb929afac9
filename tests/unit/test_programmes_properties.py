"""Property test: over random sequences of applications, withdrawals, cancellations, place changes
and bookings, a programme never accepts more firms than it has places, serves the waiting list in
order of arrival, and never books more hours than a firm's allowance."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from services.common.errors import Conflict, Invalid
from services.enquiries.programmes.applications import CANCELLED, WITHDRAWN, Firm
from services.enquiries.programmes.hours import BOOKING_KINDS
from services.enquiries.programmes.model import Programme

NOW = datetime(2026, 3, 2, tzinfo=timezone.utc)
TODAY = NOW.date()
FIRMS = 4  # few firms, so that commands often hit the same one

hours = st.integers(min_value=1, max_value=24).map(lambda q: Decimal(q) / 4)
commands = st.lists(st.one_of(
    st.tuples(st.just("apply"), st.integers(0, FIRMS - 1)),
    st.tuples(st.just("withdraw"), st.integers(0, FIRMS - 1)),
    st.tuples(st.just("cancel"), st.integers(0, FIRMS - 1)),
    st.tuples(st.just("places"), st.integers(1, 6)),
    st.tuples(st.just("book"), st.integers(0, FIRMS - 1), st.sampled_from(BOOKING_KINDS), hours),
), max_size=60)


@settings(max_examples=300, deadline=None)
@given(places=st.integers(1, 5), first=st.integers(0, 16), further=st.integers(1, 40), script=commands)
def test_places_order_and_allowance_hold(places, first, further, script):
    p = Programme.create(id="p", name="P", funder="F", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
                           places=places, first_consultation_hours=Decimal(first) / 4,
                           further_hours=Decimal(further) / 4)
    live: dict[int, str] = {}  # firm -> id of its live application
    booked: dict[str, dict[str, Decimal]] = {}
    arrivals_seen = 0
    for step, command in enumerate(script):
        name, firm = command[0], command[1]
        try:
            if name == "apply":
                application = p.apply(f"a{step}", Firm(f"firm {firm}", f"org-{firm}"), NOW)
                live[firm] = application.id
            elif name in ("withdraw", "cancel") and firm in live:
                p.end(live.pop(firm), WITHDRAWN if name == "withdraw" else CANCELLED, NOW)
            elif name == "places":
                p.update(places=firm)
            elif name == "book" and firm in live:
                _, _, kind, amount = command
                p.book(live[firm], kind, amount, TODAY, TODAY)
                per_kind = booked.setdefault(live[firm], {})
                per_kind[kind] = per_kind.get(kind, Decimal(0)) + amount
        except (Conflict, Invalid):
            pass

        accepted, waiting = p.accepted, p.waiting_list
        assert len(accepted) <= p.places
        # Nobody waits while a place is free, and everyone accepted arrived before everyone waiting.
        assert not waiting or len(accepted) == p.places
        if accepted and waiting:
            assert max(a.arrival for a in accepted) < min(a.arrival for a in waiting)
        assert [a.arrival for a in waiting] == sorted(a.arrival for a in waiting)
        assert p.last_arrival >= arrivals_seen
        arrivals_seen = p.last_arrival
        for application_id, per_kind in booked.items():
            for kind, total in per_kind.items():
                assert total <= p.allowance(kind)
                assert p.usage[application_id].of(kind) == total

