"""Site write: the outbox as shipped beside the two other ways of sending its rows that issue 20 weighed.

Why the write's goal (>= 0.90 of the write without outbox) is not met, measured rather than argued. Each
variant is a unit of work whose commit sends the same outbox rows differently, on a schema of its own,
in chunks that rotate with the baseline (the same use case without outbox rows, as in outbox_write.py):

- `shipped`: `SELECT outbox_append('…'); COMMIT` in one message (services/common/outbox.write_and_commit).
- `prepared`: an INSERT prepared by name once per session, `EXECUTE …(…)` per row and the COMMIT in one
  message. It saves the PL/pgSQL call and the JSON array (parsed three times), but it cannot be shipped:
  psycopg's `rollback()` sends `DEALLOCATE ALL` whenever psycopg holds prepared statements of its own
  (after any statement's fifth run), and the next EXECUTE would then fail and take its transaction with
  it. This loop never rolls back, which is the only reason the variant survives here.
- `pipeline`: psycopg's pipeline mode, the INSERT with bound parameters (prepared by psycopg) and the
  COMMIT in one flush.

A last row shows what psycopg's automatic preparation is worth to the write itself: the write without
outbox on connections with `prepare_threshold = None`, the one way to keep the `prepared` variant's
statement alive. Figures are printed, never asserted.
"""
from __future__ import annotations

import datetime

from psycopg import sql
from psycopg.types.json import Json
from sqlalchemy import event

from bench.common import BenchEnv, Result, rotating_rounds
from bench.outbox_write import NoOutboxUnitOfWork, fields
from services.common.outbox import WAKEUP_CHANNEL_SQL
from services.common.uow import UnitOfWork
from services.registry import handlers

NAME = "write_variants"

COLUMNS = ("event_id", "stream", "type", "version", "aggregate_id", "aggregate_version", "occurred_at",
           "correlation_id", "causation_id", "to_site", "data")
_INSERT = (f"WITH appended AS (INSERT INTO outbox ({', '.join(COLUMNS)}) VALUES ({{values}})) "
           f"SELECT pg_notify({WAKEUP_CHANNEL_SQL}, '') FROM outbox_wakeup WHERE wanted")
STATEMENT = "sopro_bench_outbox_row"
PREPARE = f"PREPARE {STATEMENT} AS " + _INSERT.format(values=", ".join(f"${i}" for i in range(1, len(COLUMNS) + 1)))
PIPELINED = _INSERT.format(values=", ".join(["%s"] * len(COLUMNS)))


class PreparedUnitOfWork(UnitOfWork):
    """Commits with `[PREPARE …;] EXECUTE …(row); …; COMMIT`, the statement prepared once per session."""

    def commit(self) -> None:
        rows, self._rows = self._rows, []
        if rows:
            session = self.conn.connection.info
            with self.conn.connection.driver_connection.cursor() as cursor:
                executes = "; ".join(f"EXECUTE {STATEMENT}({_literals(row, cursor)})" for row in rows)
                head = "" if session.get(STATEMENT) else PREPARE + "; "
                cursor.execute(f"{head}{executes}; COMMIT", prepare=False)
                session[STATEMENT] = True
        self.conn.commit()
        self._committed = True


class PipelinedUnitOfWork(UnitOfWork):
    """Commits with psycopg's pipeline mode: the rows' INSERTs and the COMMIT in one flush."""

    def commit(self) -> None:
        rows, self._rows = self._rows, []
        driver = self.conn.connection.driver_connection
        with driver.pipeline():
            with driver.cursor() as cursor:
                for row in rows:
                    cursor.execute(PIPELINED, [Json(row[c]) if c == "data" else row[c] for c in COLUMNS], prepare=True)
            driver.commit()
        self.conn.commit()
        self._committed = True


def _literals(row: dict, cursor) -> str:
    return ", ".join("NULL" if row[c] is None else sql.quote(Json(row[c]) if c == "data" else row[c], cursor)
                     for c in COLUMNS)


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    n, chunk = (400, 100) if quick else (1500, 100)
    variants = {"shipped": UnitOfWork, "prepared": PreparedUnitOfWork, "pipeline": PipelinedUnitOfWork,
                "plain": NoOutboxUnitOfWork, "plain_unprepared": NoOutboxUnitOfWork}
    sites = {kind: env.site(f"wv{i}", registry=True) for i, kind in enumerate(variants)}
    event.listen(sites["plain_unprepared"].engine, "connect", _without_automatic_preparation)
    sites["plain_unprepared"].engine.dispose()  # the migrations' connections were made with it on
    today = datetime.date(2026, 11, 1)
    for kind, site in sites.items():  # warm-up: connections, statement caches, the prepared statement
        for i in range(50):
            handlers.register_organisation(variants[kind](site.engine, site.site_id, site.hooks), fields(i, "w"), today)

    def chunk_of(kind: str):
        site, unit_of_work = sites[kind], variants[kind]

        def write(turn: int) -> None:
            for i in range(turn * chunk, (turn + 1) * chunk):
                handlers.register_organisation(unit_of_work(site.engine, site.site_id, site.hooks), fields(i, "v"), today)
        return write

    times = rotating_rounds(n // chunk, {kind: chunk_of(kind) for kind in variants})
    ms = {kind: 1000 * sum(times[kind]) / (chunk * len(times[kind])) for kind in variants}
    rate = {kind: chunk * len(times[kind]) / sum(times[kind]) for kind in variants}

    def figure(kind: str, what: str, goal: str = "") -> Result:
        return Result(f"write_{kind}", what, "writes/s", rate[kind], "same use case, no outbox rows", rate["plain"],
                      goal=goal, note=f"{ms[kind]:.2f} vs {ms['plain']:.2f} ms/write "
                                      f"({1000 * (ms[kind] - ms['plain']):+.0f} us)")

    return [figure("shipped", f"outbox_append + COMMIT in one message, {n} tx", ">= 0.90"),
            figure("prepared", "a named prepared INSERT per row + COMMIT in one message (not shippable)"),
            figure("pipeline", "psycopg pipeline mode: INSERT with bound parameters + COMMIT in one flush"),
            figure("plain_unprepared", "no outbox rows, psycopg's automatic preparation off")]


def _without_automatic_preparation(dbapi_connection, connection_record) -> None:
    dbapi_connection.prepare_threshold = None
