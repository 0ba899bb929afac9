"""Site write with the outbox vs without, on PostgreSQL.

The write is the registry's real use case services.registry.handlers.register_organisation (reference
counter, duplicate check, organisation row, and its OrganisationRegistered event in the outbox), one
transaction per write. With the outbox, the unit of work writes the event's row with the commit: on
PostgreSQL one prepared statement (the row, and pg_notify waking the relay when the transaction commits)
pipelined with the COMMIT (services/common/outbox.write_and_commit). The baseline runs the same use case
with a unit of work that drops the events instead of writing them to the outbox. Both alternate in chunks on the same schema, so table growth
and machine noise hit both alike.
"""
from __future__ import annotations

import datetime
import time

from bench.common import BenchEnv, Result
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
    spent = {"outbox": 0.0, "plain": 0.0}
    done = {"outbox": 0, "plain": 0}
    for start in range(0, n, chunk):
        for kind in (("outbox", "plain") if (start // chunk) % 2 == 0 else ("plain", "outbox")):
            t0 = time.perf_counter()
            for i in range(start, start + chunk):
                uow = site.uow() if kind == "outbox" else NoOutboxUnitOfWork(site.engine, site.site_id, site.hooks)
                handlers.register_organisation(uow, fields(i, kind[0]), today)
            spent[kind] += time.perf_counter() - t0
            done[kind] += chunk
    return [Result("outbox_write", f"register_organisation with outbox, {done['outbox']} tx", "writes/s",
                   done["outbox"] / spent["outbox"], "same use case, no outbox rows", done["plain"] / spent["plain"],
                   note=f"{1000 * spent['outbox'] / done['outbox']:.2f} vs "
                        f"{1000 * spent['plain'] / done['plain']:.2f} ms/write", goal=">= 0.90")]
