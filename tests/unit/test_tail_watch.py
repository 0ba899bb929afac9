"""TailWatch: the feed pulls a stream's tail only for published seqs the bus has stopped bringing."""
from __future__ import annotations

from services.sync.tail_watch import TailWatch


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_first_look_and_a_moving_position_leave_the_tail_to_the_bus():
    clock = Clock()
    watch = TailWatch(grace=5, clock=clock)
    assert not watch.stalled("AT12/registry", 10, 50), "a first look gives the bus time"
    clock.now += 30
    assert not watch.stalled("AT12/registry", 20, 50), "the bus moved the position: it is delivering"
    clock.now += 30
    assert watch.stalled("AT12/registry", 20, 50), "it stood still for longer than the grace: pull"


def test_within_the_grace_the_bus_still_has_time():
    clock = Clock()
    watch = TailWatch(grace=5, clock=clock)
    watch.stalled("AT12/registry", 10, 50)
    clock.now += 4
    assert not watch.stalled("AT12/registry", 10, 50)
    clock.now += 1
    assert watch.stalled("AT12/registry", 10, 50)


def test_nothing_published_is_missing_so_nothing_is_pulled():
    clock = Clock()
    watch = TailWatch(grace=0, clock=clock)
    assert not watch.stalled("AT12/registry", 50, 50)
    clock.now += 60
    assert not watch.stalled("AT12/registry", 50, 50), "the unpublished rest is the relay's"
    assert not watch.stalled("AT12/registry", 50, 60), "a caught-up stream starts its watch afresh"
    clock.now += 60
    assert watch.stalled("AT12/registry", 50, 60)


def test_streams_are_watched_apart():
    clock = Clock()
    watch = TailWatch(grace=1, clock=clock)
    watch.stalled("AT12/registry", 1, 9)
    clock.now += 2
    assert not watch.stalled("HU22/registry", 1, 9), "another stream's first look"
    assert watch.stalled("AT12/registry", 1, 9)
