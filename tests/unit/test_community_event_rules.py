"""The rules of a community event (services.community.calendar.model): seats, the waiting list in order of
arrival, cancellation and capacity changes, and the clear refusals; every change records its snapshot."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.common.errors import Conflict, Invalid
from services.community.calendar.model import CommunityEvent

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)


def terms(**overrides) -> dict:
    starts = NOW + timedelta(days=7)
    return {"id": "e1", "reference": "HU22-V-2026-0001", "kind": "forum", "scope": "site", "platform_forum": True,
            "texts": [{"language": "hu", "title": "Fórum", "summary": ""}], "languages": ["hu"],
            "starts_at": starts, "ends_at": starts + timedelta(hours=2), "venue": "Pécs", "country": "HU",
            "nuts3": "HU231", "capacity": 2, **overrides}


def event(**overrides) -> CommunityEvent:
    e = CommunityEvent.create(NOW, **terms(**overrides))
    e.pop_events()
    return e


def sign_up(e: CommunityEvent, n: int):
    return e.register(f"r{n}", f"Person {n}", f"p{n}@example.hu", None, "hu", NOW)


def test_seats_go_in_order_of_arrival_and_the_rest_wait():
    e = event(capacity=2)
    people = [sign_up(e, n) for n in range(1, 6)]
    assert [p.arrival for p in people] == [1, 2, 3, 4, 5]
    assert [p.status for p in people] == ["registered"] * 2 + ["waiting"] * 3
    assert [e.position_of(p) for p in people] == [None, None, 1, 2, 3]
    assert [r.event.registered for r in e.pop_events()] == [1, 2, 2, 2, 2]


def test_a_cancellation_frees_the_seat_for_the_longest_waiting():
    e = event(capacity=1)
    first, second, third = (sign_up(e, n) for n in (1, 2, 3))
    e.pop_events()
    cancelled, moved = e.cancel_registration(first.id)
    assert cancelled.status == "cancelled" and moved == [second] and second.status == "registered"
    assert e.position_of(third) == 1
    [snapshot] = e.pop_events()
    assert (snapshot.event.registered, snapshot.event.waiting) == (1, 1)
    with pytest.raises(Conflict):
        e.cancel_registration(first.id)


def test_raising_the_capacity_moves_the_waiting_up_and_lowering_below_the_seats_taken_is_a_conflict():
    e = event(capacity=1)
    for n in (1, 2, 3):
        sign_up(e, n)
    moved = e.update({"capacity": 3}, NOW)
    assert [m.id for m in moved] == ["r2", "r3"] and e.seats_left == 0
    with pytest.raises(Conflict) as refused:
        e.update({"capacity": 2}, NOW)
    assert refused.value.code == "capacity_below_seats_taken" and e.capacity == 3


def test_one_address_registers_once_and_again_after_cancelling():
    e = event()
    first = sign_up(e, 1)
    with pytest.raises(Conflict) as twice:
        e.register("x", "Same", " P1@Example.HU ", None, "hu", NOW)
    assert twice.value.code == "duplicate_registration"
    e.cancel_registration(first.id)
    assert e.register("y", "Same", "p1@example.hu", None, "hu", NOW).arrival == 2


@pytest.mark.parametrize("overrides, field", [
    ({"starts_at": NOW - timedelta(hours=1), "ends_at": NOW + timedelta(hours=1)}, "starts_at"),
    ({"ends_at": NOW + timedelta(days=6)}, "ends_at"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": -5}, "capacity"),
    ({"capacity": 10_000_000}, "capacity"),
    ({"texts": []}, "texts"),
    ({"languages": []}, "languages"),
])
def test_bad_terms_are_refused_with_a_message_on_the_field(overrides, field):
    with pytest.raises(Invalid) as refused:
        CommunityEvent.create(NOW, **terms(**overrides))
    assert field in refused.value.errors


def test_no_registration_for_a_cancelled_or_begun_event_and_no_change_after_cancelling():
    e = event()
    with pytest.raises(Conflict) as begun:
        e.register("x", "Late", "late@example.hu", None, "hu", e.starts_at)
    assert begun.value.code == "event_past"
    e.cancel()
    [called_off] = e.pop_events()
    assert called_off.event.TYPE == "community.event.cancelled" and called_off.event.status == "cancelled"
    with pytest.raises(Conflict):
        sign_up(e, 9)
    with pytest.raises(Conflict):
        e.update({"capacity": 5}, NOW)
    with pytest.raises(Conflict):
        e.cancel()
