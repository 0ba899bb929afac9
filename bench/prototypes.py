"""Proposed fixes, prototyped by monkeypatching (nothing under services/ is edited), and measured by
rerunning the relay and ingest benchmarks with them in place. See README.md for each fix.

- relay_envelope: Relay._envelope built without dataclasses.asdict. Envelope.unsigned_fields() deep-copies
  `data` through dataclasses.asdict, and the relay calls it twice per row (to sign, then in to_json).
  The prototype builds the field dict once, in the same key order, signs it and serialises it once.
  The JSON it stores is byte-for-byte what the current code stores (checked below: Ed25519 is
  deterministic).
- relay_update: Relay.sequence writes the 500 (seq, envelope) pairs with one
  `UPDATE outbox ... FROM unnest(ids, seqs, envelopes)` instead of an executemany of 500 UPDATEs.
- ingest_statements: statements built once and reused with parameters instead of rebuilt per event:
  inbox.track (an INSERT ... ON CONFLICT DO NOTHING RETURNING) and hub rows.upsert_newer (cached per
  table and column set), plus one EnvelopeSchema instance instead of one per message.
"""
from __future__ import annotations

import json
from contextlib import ExitStack, contextmanager
from datetime import timezone

from sqlalchemy import text

from bench.common import BenchEnv


@contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


# --- relay ---------------------------------------------------------------------------------------------

class _Prebuilt:
    __slots__ = ("json",)

    def __init__(self, json_text: str):
        self.json = json_text

    def to_json(self) -> str:
        return self.json


def fast_envelope(self, row, seq):
    from services.common.signing import sign

    occurred = row.occurred_at
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=timezone.utc)
    fields = {
        "id": row.event_id, "type": row.type, "version": row.version, "site": self.site_id, "stream": row.stream,
        "seq": seq, "aggregate_id": row.aggregate_id, "aggregate_version": row.aggregate_version,
        "occurred_at": occurred.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "correlation_id": row.correlation_id, "causation_id": row.causation_id, "data": row.data,
    }
    if row.to_site is not None:
        fields["to"] = row.to_site
    fields["signature"] = sign({k: v for k, v in fields.items()}, self.signing_key, self.site_id)
    return _Prebuilt(json.dumps(fields, separators=(",", ":"), ensure_ascii=False))


def check_fast_envelope_identical(env: BenchEnv) -> bool:
    """The prototype stores exactly what the current Relay._envelope stores."""
    from sqlalchemy import select

    from bench.common import write_outbox
    from services.common.outbox import outbox
    from services.sync.relay import Relay

    site = env.site("proto_check")
    write_outbox(site, 30)
    relay = Relay(site.engine, site.site_id, site.signing_key, publisher=None)
    with site.engine.connect() as conn:
        rows = conn.execute(select(outbox)).all()
    return all(relay._envelope(r, i + 1).to_json() == fast_envelope(relay, r, i + 1).to_json()
               for i, r in enumerate(rows))


def set_based_sequence(self, conn, stream):
    """Relay.sequence with one set-based UPDATE instead of an executemany (PostgreSQL only)."""
    from sqlalchemy import select, update

    from services.common.outbox import outbox, outbox_stream

    with conn.begin():
        last = conn.execute(
            select(outbox_stream.c.last_seq).where(outbox_stream.c.stream == stream).with_for_update()
        ).scalar()
        if last is None:
            conn.execute(outbox_stream.insert().values(stream=stream, last_seq=0))
            last = 0
        rows = conn.execute(
            select(outbox).where(outbox.c.stream == stream, outbox.c.seq.is_(None))
            .order_by(outbox.c.id).limit(self.batch_size)
        ).all()
        if not rows:
            return 0
        ids, seqs, envelopes = [], [], []
        for row in rows:
            last += 1
            ids.append(row.id)
            seqs.append(last)
            envelopes.append(self._envelope(row, last).to_json())
        conn.execute(text(
            "UPDATE outbox SET seq = v.seq, envelope = v.envelope "
            "FROM unnest(CAST(:ids AS bigint[]), CAST(:seqs AS bigint[]), CAST(:envelopes AS text[])) "
            "AS v(id, seq, envelope) WHERE outbox.id = v.id"
        ), {"ids": ids, "seqs": seqs, "envelopes": envelopes})
        conn.execute(update(outbox_stream).where(outbox_stream.c.stream == stream).values(last_seq=last))
    return len(rows)


# --- ingest --------------------------------------------------------------------------------------------

def ingest_patches(stack: ExitStack) -> None:
    from sqlalchemy.dialects import postgresql

    from services.common import envelope as envelope_module, inbox
    from services.common.outbox import utcnow
    from services.hub import rows

    schema = envelope_module.EnvelopeSchema()
    stack.enter_context(patched(envelope_module, "EnvelopeSchema", lambda: schema))

    track_stmt = postgresql.insert(inbox.inbox).on_conflict_do_nothing().returning(inbox.inbox.c.seq)
    original_track = inbox.track

    def track(conn, consumer, stream, seq, event_id, status=inbox.APPLIED):
        if conn.dialect.name != "postgresql":
            return original_track(conn, consumer, stream, seq, event_id, status)
        return conn.execute(track_stmt, dict(consumer=consumer, stream=stream, seq=seq, event_id=event_id,
                                              status=status, applied_at=utcnow())).first() is not None

    stack.enter_context(patched(inbox, "track", track))

    cache = {}
    original_upsert = rows.upsert_newer

    def upsert_newer(conn, table, values):
        if conn.dialect.name != "postgresql":
            return original_upsert(conn, table, values)
        key = (table.name, tuple(values))
        stmt = cache.get(key)
        if stmt is None:
            ins = postgresql.insert(table)
            stmt = cache[key] = ins.on_conflict_do_update(
                index_elements=[table.c.site, table.c.id],
                set_={name: ins.excluded[name] for name in values if name not in ("site", "id")},
                where=table.c.aggregate_version < ins.excluded.aggregate_version,
            ).returning(table.c.aggregate_version)
        return conn.execute(stmt, values).first() is not None

    stack.enter_context(patched(rows, "upsert_newer", upsert_newer))


def _patches(*patches):
    @contextmanager
    def apply():
        with ExitStack() as stack:
            for obj, name, value in patches:
                stack.enter_context(patched(obj, name, value))
            yield

    return apply


@contextmanager
def _ingest_patched():
    with ExitStack() as stack:
        ingest_patches(stack)
        yield


def relay_variants() -> dict:
    from services.sync.relay import Relay

    return {
        "envelope w/o asdict": _patches((Relay, "_envelope", fast_envelope)),
        "envelope w/o asdict + set-based UPDATE": _patches((Relay, "_envelope", fast_envelope),
                                                           (Relay, "sequence", set_based_sequence)),
    }


def ingest_variants() -> dict:
    return {"reused statements": _ingest_patched}
