"""Kernel migration 0004 digests the dead letters already stored and drops their bodies, on SQLite and
PostgreSQL: after the upgrade no row holds a message's data."""
from __future__ import annotations

import hashlib
import json

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from services.common.migrate import KERNEL, alembic_config
from tests.support.databases import BACKENDS, pg_url_if

BEFORE = "89db20a5c575"  # 0003, the last revision whose dead letters kept the body
BODY = json.dumps({"id": "0b5f3c1e-8f9a-4a57-9a3e-2b9a4f0f8c11", "site": "AT12", "stream": "AT12/registry", "seq": 7,
                   "data": {"email": "theo@example.at"}, "signature": "sig"})


@pytest.mark.parametrize("database", BACKENDS)
def test_stored_bodies_are_digested_and_dropped(database, request, tmp_path):
    engine = create_engine(pg_url_if(request, database, f"sqlite:///{tmp_path / 'k.sqlite'}"))
    cfg = alembic_config(engine, [KERNEL])
    command.upgrade(cfg, BEFORE)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO dead_letter (consumer, received_at, reason, stream, seq, event_id, body) "
                          "VALUES ('hub.ingest', CURRENT_TIMESTAMP, 'invalid: x', 'AT12/registry', 7, NULL, :b), "
                          "('hub.ingest', CURRENT_TIMESTAMP, 'malformed', NULL, NULL, NULL, 'theo@example.at')"),
                     {"b": BODY})
    command.upgrade(cfg, f"{KERNEL.name}@head")

    assert "body" not in {c["name"] for c in inspect(engine).get_columns("dead_letter")}
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT envelope, data_sha256, body_sha256, body_length FROM dead_letter "
                                 "ORDER BY id")).all()
    assert "theo@" not in json.dumps([tuple(r) for r in rows])
    event, garbage = rows
    assert json.loads(event.envelope) == {k: v for k, v in json.loads(BODY).items() if k != "data"}
    assert event.data_sha256 == hashlib.sha256(b'{"email":"theo@example.at"}').hexdigest()
    assert (garbage.envelope, garbage.body_length) == (None, len("theo@example.at"))
    assert garbage.body_sha256 == hashlib.sha256(b"theo@example.at").hexdigest()

    command.downgrade(cfg, BEFORE)  # the bodies do not come back; the envelope stands in for them
    with engine.connect() as conn:
        assert [r.body for r in conn.execute(text("SELECT body FROM dead_letter ORDER BY id"))] == [
            event.envelope, ""]
    engine.dispose()
