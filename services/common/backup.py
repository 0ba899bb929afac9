"""Backup and restore of one site's (or the hub's) database: a consistent, portable logical dump.

`backup` reads every table of the site's components in one repeatable-read transaction (one
snapshot: the outbox, its stream positions and the state they describe agree) and writes JSON:
the Alembic revisions and, per table, its columns and rows. `restore` takes an empty database,
migrates it to the backup's revisions, loads the rows, moves the id sequences past them, and then
upgrades to the code's head. So the relay carries on after the restored `last_seq` of each stream,
and the hub's positions and tracking rows come back with its store.

Portable (SQLite <-> PostgreSQL) and schema-agnostic, unlike pg_dump, whose dumps name their schema.
A table in the database that no component declares makes `backup` fail, rather than be left out.
"""
from __future__ import annotations

import base64
import gzip
import json
import os
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import Connection, Engine, Table, TypeDecorator, func, inspect, insert, select, text
from sqlalchemy.schema import sort_tables

from services.common.clock import utcnow
from services.common.config import Settings
from services.common import fulltext
from services.common.db import Component, make_engine
from services.common.migrate import alembic_config, upgrade
from services.common.outbox import outbox_stream, outbox_wakeup
from services.common.sessions import web_session

FORMAT = "sopro-backup/1"
ALEMBIC_TABLE = "alembic_version"


def _tables(components: list[Component]) -> list[Table]:
    tables = [t for c in components for t in c.metadata.tables.values()]
    return sort_tables(tables)  # parents before children, for inserting


# --- values to JSON and back, by column type ---------------------------------------------------------

def _encode(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return value


def _decoder(column):
    column_type = column.type
    if isinstance(column_type, TypeDecorator):  # UtcDateTime, ExactDecimal, BigId: read as what they store
        column_type = column_type.impl_instance
    try:
        kind = column_type.python_type
    except NotImplementedError:
        return lambda v: v
    if kind is datetime:
        return lambda v: None if v is None else _aware(datetime.fromisoformat(v))
    if kind is date:
        return lambda v: None if v is None else date.fromisoformat(v)
    if kind is Decimal:
        return lambda v: None if v is None else Decimal(v)
    if kind is bytes:
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# --- backup ------------------------------------------------------------------------------------------

def _snapshot(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    # SQLite: the engine begins every transaction IMMEDIATE, which holds writers off until we finish.


# Rows that live only as long as the running site: web sessions hold bearer tokens, which a copy of the
# backup must not carry (a restore logs everyone out; the table itself is kept); the relay's wake-up
# hint belongs to the relay that runs (its listener writes it again when it connects).
LIVE_ONLY = frozenset({web_session.name, outbox_wakeup.name})


def dump(engine: Engine, tables: list[Table], site_id: str) -> dict:
    declared = {t.name for t in tables} | {ALEMBIC_TABLE}
    # Full-text indexes are derived from their owners' rows, which the backup holds (services.common.fulltext).
    unknown = sorted(t for t in set(inspect(engine).get_table_names()) - declared if not fulltext.derived_table(t))
    if unknown:
        raise RuntimeError(f"tables no component declares, which a backup would miss: {unknown}")
    with engine.begin() as conn:
        _snapshot(conn)
        revisions = sorted(conn.execute(text(f"SELECT version_num FROM {ALEMBIC_TABLE}")).scalars())
        doc = {"format": FORMAT, "site": site_id, "created_at": utcnow().isoformat(),
               "revisions": revisions, "tables": {}}
        for table in tables:
            columns = [c.name for c in table.columns]
            order = list(table.primary_key.columns) or list(table.columns)
            rows = [] if table.name in LIVE_ONLY else conn.execute(select(table).order_by(*order)).all()
            doc["tables"][table.name] = {"columns": columns,
                                         "rows": [[_encode(v) for v in row] for row in rows]}
    return doc


def backup(settings: Settings, components: list[Component], out: Path) -> dict:
    """Write a backup of the tables of `components` (the site's, as the composition root lists them)."""
    engine = make_engine(settings.db_url)
    try:
        doc = dump(engine, _tables(components), settings.site_id)
    finally:
        engine.dispose()
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    tmp = Path(str(out) + ".partial")
    _write_private(tmp, gzip.compress(data) if str(out).endswith(".gz") else data)
    tmp.replace(out)  # never a half-written backup under the real name
    return {"tables": len(doc["tables"]), "rows": sum(len(t["rows"]) for t in doc["tables"].values())}


def _write_private(path: Path, data: bytes) -> None:
    """Write `path` readable by its owner alone (0600) from its creation on: a backup holds password
    hashes and personal data, and a chmod afterwards would leave a window in which others may open it."""
    path.unlink(missing_ok=True)  # a stale partial file would keep its own mode; O_EXCL makes ours
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


# --- restore -----------------------------------------------------------------------------------------

def read_backup(path: Path) -> dict:
    raw = Path(path).read_bytes()
    doc = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    if doc.get("format") != FORMAT:
        raise ValueError(f"{path} is not a SoPro backup ({FORMAT})")
    return doc


def _ensure_empty(conn: Connection, tables: list[Table]) -> None:
    present = set(inspect(conn).get_table_names())
    filled = [t.name for t in tables
              if t.name in present and conn.execute(select(func.count()).select_from(t)).scalar()]
    if filled:
        raise RuntimeError(f"the target database is not empty ({', '.join(filled[:5])} ...); "
                           "restore needs a fresh one")


def load(engine: Engine, tables: list[Table], doc: dict) -> int:
    by_name = {t.name: t for t in tables}
    unknown = sorted(set(doc["tables"]) - set(by_name))
    if unknown:
        raise RuntimeError(f"the backup has tables this release does not know: {unknown}")
    count = 0
    with engine.begin() as conn:
        _ensure_empty(conn, tables)
        for table in tables:
            stored = doc["tables"].get(table.name)
            if not stored or not stored["rows"]:
                continue
            columns = [table.c[name] for name in stored["columns"]]
            decoders = [_decoder(c) for c in columns]
            rows = [{c.name: d(v) for c, d, v in zip(columns, decoders, row)} for row in stored["rows"]]
            conn.execute(insert(table), rows)
            count += len(rows)
        if conn.dialect.name == "postgresql":
            _advance_sequences(conn, tables)
    return count


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """Restored rows carry their ids; the sequences behind them must continue after the largest."""
    for table in tables:
        for column in table.primary_key.columns:
            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": table.name, "c": column.name}).scalar()
            if seq:
                top = conn.execute(select(func.max(column))).scalar() or 0
                conn.execute(text("SELECT setval(:s, :v, false)"), {"s": seq, "v": top + 1})


def resume_streams_after(engine: Engine, positions: dict[str, int]) -> None:
    """Let the relay continue after `seq` for each stream (never lower than restored).

    Events sequenced after the backup was taken are gone from the site, but the hub has seen their
    seqs; a new event under such a seq would be taken for a duplicate there. Give the hub's positions.
    """
    with engine.begin() as conn:
        for stream, seq in positions.items():
            current = conn.execute(select(outbox_stream.c.last_seq).where(outbox_stream.c.stream == stream)).scalar()
            if current is None:
                conn.execute(insert(outbox_stream).values(stream=stream, last_seq=seq))
            elif current < seq:
                conn.execute(outbox_stream.update().where(outbox_stream.c.stream == stream).values(last_seq=seq))


def restore(settings: Settings, components: list[Component], path: Path,
            resume_after: dict[str, int] | None = None) -> dict:
    """Restore a backup into the empty database of the site whose `components` the composition root lists."""
    doc = read_backup(path)
    if doc["site"] != settings.site_id:
        raise ValueError(f"{path} is a backup of {doc['site']}, not of {settings.site_id}")
    tables = _tables(components)
    engine = make_engine(settings.db_url)
    try:
        with engine.begin() as conn:
            _ensure_empty(conn, tables)
        # The schema as it was when the backup was taken, then the rows, then this release's migrations.
        cfg = alembic_config(engine, components)
        for revision in doc["revisions"]:
            command.upgrade(cfg, revision)
        count = load(engine, tables, doc)
        upgrade(engine, components)
        with engine.begin() as conn:  # derived data a backup leaves out (full-text indexes), from the rows
            for component in components:
                if component.reindex is not None:
                    component.reindex(conn)
        resume_streams_after(engine, resume_after or {})
        with engine.connect() as conn:
            streams = {r.stream: r.last_seq for r in conn.execute(select(outbox_stream))}
    finally:
        engine.dispose()
    return {"tables": sum(1 for t in doc["tables"].values() if t["rows"]), "rows": count, "streams": streams}
