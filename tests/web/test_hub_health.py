"""The federation's health at the hub: lag per stream from the inbox positions and the sites' heads,
quarantined events, paused streams, dead letters (SQLite, the embedded mode's database)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import update

from services.common import inbox
from services.common.db import kernel_metadata, make_engine
from services.hub.web import health


@pytest.fixture
def conn(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite'}")
    kernel_metadata.create_all(engine)
    with engine.begin() as connection:
        yield connection
    engine.dispose()


def apply(conn, stream: str, seq: int, status: str = inbox.APPLIED) -> None:
    assert inbox.track(conn, health.HUB_CONSUMER, stream, seq, f"{stream}-{seq}", status)
    inbox.advance(conn, health.HUB_CONSUMER, stream, seq)


def pause(conn, stream: str, resumed: bool = False) -> None:
    now = datetime.now(timezone.utc)
    conn.execute(inbox.stream_pause.insert().values(
        consumer=health.HUB_CONSUMER, stream=stream, paused_at=now, paused_by="agency", reason="checking",
        resumed_at=now if resumed else None, resumed_by="agency" if resumed else None))


def test_lag_counts_what_the_site_published_beyond_what_the_hub_applied_in_order(conn):
    for seq in (1, 2, 3, 5):  # 4 is missing: a gap
        apply(conn, "AT12/registry", seq)
    apply(conn, "HU22/label", 1)
    apply(conn, "HU22/label", 2, inbox.QUARANTINED)
    sp = inbox.stream_position
    conn.execute(update(sp).where(sp.c.stream == "AT12/registry").values(source_last_seq=7))
    conn.execute(update(sp).where(sp.c.stream == "HU22/label").values(source_last_seq=2))
    pause(conn, "HU22/label")
    pause(conn, "AT12/registry", resumed=True)
    inbox.track(conn, "AT12.enquiries.members", "AT12/registry", 9, "other-consumer", inbox.APPLIED)

    assert health.paused_streams(conn) == {"HU22/label"}
    assert health.heads(conn) == {"AT12/registry": 7, "HU22/label": 2}
    streams = health.summarise_streams(
        ["AT11/registry", "AT12/registry", "HU22/label"], health.positions(conn), health.quarantined_counts(conn),
        health.heads(conn), health.paused_streams(conn))
    by_name = {s.stream: s for s in streams}
    at12 = by_name["AT12/registry"]
    assert (at12.contiguous, at12.max_seen, at12.head, at12.lag, at12.gap, at12.paused) == (3, 5, 7, 4, True, False)
    hu22 = by_name["HU22/label"]
    assert (hu22.contiguous, hu22.lag, hu22.quarantined, hu22.paused, hu22.gap) == (2, 0, 1, True, False)
    never_heard = by_name["AT11/registry"]
    assert (never_heard.contiguous, never_heard.lag, never_heard.updated_at, never_heard.head) == (0, 0, None, None)
    assert [s.stream for s in streams] == ["AT11/registry", "AT12/registry", "HU22/label"]


def test_a_head_read_before_later_events_arrived_is_not_taken_for_the_newest(conn):
    for seq in (1, 2, 3):
        apply(conn, "AT12/enquiries", seq)
    sp = inbox.stream_position
    conn.execute(update(sp).where(sp.c.stream == "AT12/enquiries").values(source_last_seq=1))  # an old reading
    (stream,) = health.summarise_streams([], health.positions(conn), {}, health.heads(conn))
    assert (stream.head, stream.newest_known, stream.lag) == (1, 3, 0)


def test_without_the_sites_head_the_lag_is_what_the_hub_has_seen(conn):
    apply(conn, "AT13/enquiries", 1)
    apply(conn, "AT13/enquiries", 4)
    (stream,) = health.summarise_streams([], health.positions(conn), {})
    assert (stream.head, stream.newest_known, stream.lag, stream.site) == (None, 4, 3, "AT13")


def test_dead_letters_newest_first_with_how_many_are_still_open(conn):
    for n in range(3):
        inbox.record_dead_letter(conn, health.HUB_CONSUMER, f"forged: {n}", "{}", "AT12/registry", n + 1, None)
    inbox.record_dead_letter(conn, "AT12.enquiries.members", "malformed", "x")
    dl = inbox.dead_letter
    conn.execute(update(dl).where(dl.c.reason == "forged: 0").values(
        redriven_at=datetime.now(timezone.utc), redriven_by="agency"))
    rows, still_open = health.dead_letters(conn, limit=2)
    assert still_open == 2
    assert [r.reason for r in rows] == ["forged: 2", "forged: 1"]
    assert rows[0].stream == "AT12/registry" and rows[0].seq == 3 and rows[0].redriven_at is None
    rows, _ = health.dead_letters(conn)
    assert rows[-1].reason == "forged: 0" and rows[-1].redriven_by == "agency"
