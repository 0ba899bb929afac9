"""Proposed fixes, prototyped by monkeypatching (nothing under services/ is edited), and measured by
rerunning the ingest benchmark with them in place. See README.md for each fix.

- ingest_statements: statements built once and reused with parameters instead of rebuilt per event:
  inbox.track (an INSERT ... ON CONFLICT DO NOTHING RETURNING) and hub rows.upsert_newer (cached per
  table and column set), plus one EnvelopeSchema instance instead of one per message.
"""
from __future__ import annotations

from contextlib import ExitStack, contextmanager

@contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


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


def ingest_variants() -> dict:
    return {"reused statements": _ingest_patched}
