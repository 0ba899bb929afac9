"""Site write with the outbox vs without, on PostgreSQL.

The write is the registry's real use case services.registry.handlers.register_organisation (reference
counter, duplicate check, organisation row, and its OrganisationRegistered event in the outbox), one
transaction per write. With the outbox, the unit of work writes the event's row before the commit: on
PostgreSQL `SELECT outbox_append('…'); COMMIT` in one message, the function calling pg_notify if the
relay asks for it (services/common/outbox.write_and_commit). The baseline runs the same use case
with a unit of work that drops the events instead of writing them to the outbox. Both alternate in chunks on the same schema, so table growth
and machine noise hit both alike.

The writer NOTIFYs the relay only while the relay asks for wake-ups (services/common/outbox.outbox_wakeup):
a relay asleep asks, a relay busy with a stream of writes polls and does not. No relay runs here, so
the main figure is the write next to a busy relay (no NOTIFY); the second figure sets the flag as a
sleeping relay does, so that every write NOTIFYs, in chunks of its own in the same rotation.
"""
from __future__ import annotations

import datetime

from sqlalchemy import delete

from bench.common import BenchEnv, Result, rotating_rounds
from services.common.outbox import outbox_wakeup, want_wakeups
from services.common.uow import UnitOfWork
from services.registry import handlers
from services.registry.organisations import Address

NAME = "write"


class NoOutboxUnitOfWork(UnitOfWork):
    """The same transaction, without the outbox rows: the aggregate's events are dropped."""

    def record(self, *aggregates, to=None) -> None:
        for aggregate in aggregates:
            aggregate.pop_events()


def fields(i: int, tag: str) -> dict:
    return dict(kind="economic_enterprise", name=f"Bench {tag} Firma {i} GmbH", registration_number=f"FN {tag}{i:06d} b",
                address=Address(street=f"Hauptstrasse {i}", postcode="1010", town="Wien", country="AT"),
                nuts3="AT130", website=f"https://{tag}{i}.example")


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    n = 600 if quick else 2400
    chunk = 100
    site = env.site("write", registry=True)
    today = datetime.date(2026, 11, 1)
    for i in range(50):  # warm-up: connections, statement caches
        handlers.register_organisation(site.uow(), fields(i, "w"), today)
    kinds = ("outbox", "plain", "notify")

    def chunk_of(kind: str):
        def write(turn: int) -> None:
            for i in range(turn * chunk, (turn + 1) * chunk):
                uow = site.uow() if kind != "plain" else NoOutboxUnitOfWork(site.engine, site.site_id, site.hooks)
                handlers.register_organisation(uow, fields(i, kind[0]), today)
        return write

    times = rotating_rounds(n // chunk, {kind: chunk_of(kind) for kind in kinds},
                            before=lambda kind: wake_the_relay(site.engine, kind == "notify"))
    wake_the_relay(site.engine, False)
    spent = {kind: sum(times[kind]) for kind in kinds}
    done = {kind: chunk * len(times[kind]) for kind in kinds}
    per_write = {kind: 1000 * spent[kind] / done[kind] for kind in kinds}
    plain_rate = done["plain"] / spent["plain"]
    return [Result("outbox_write", f"register_organisation with outbox, {done['outbox']} tx (relay busy: no NOTIFY)",
                   "writes/s", done["outbox"] / spent["outbox"], "same use case, no outbox rows", plain_rate,
                   note=f"{per_write['outbox']:.2f} vs {per_write['plain']:.2f} ms/write", goal=">= 0.90"),
            Result("outbox_write_notify", f"the same, relay asleep: every write NOTIFYs, {done['notify']} tx",
                   "writes/s", done["notify"] / spent["notify"], "same use case, no outbox rows", plain_rate,
                   note=f"{per_write['notify']:.2f} vs {per_write['plain']:.2f} ms/write")]


def wake_the_relay(engine, wanted: bool) -> None:
    """Set the flag as a sleeping relay's listener does, or clear it as when no relay listens."""
    with engine.begin() as conn:
        if wanted:
            want_wakeups(conn, True)
        else:
            conn.execute(delete(outbox_wakeup))
