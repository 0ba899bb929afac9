"""DESIGN.md §3, guarantee 5 on real PostgreSQL and RabbitMQ: bad messages don't block.

Malformed, forged and invalid messages are dead-lettered with their reason, and the good ones before
and after them are applied.
"""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from services.common import bus, inbox
from services.common.bus import REASON_HEADER
from services.common.envelope import Envelope
from services.common.signing import sign
from tests.support.guarantees import hub, site  # noqa: F401 - fixture
from tests.support.polling import eventually
from tests.support.sync import (
    QUEUE, RunningConsumer, applied_counts, declare, drain_queue, processor_for, relay_for, write_events,
)

pytestmark = pytest.mark.services


def test_malformed_and_forged_messages_are_dead_lettered_with_reason_and_stream_flows(site, hub, amqp_url,
                                                                                     federation_files):
    declare(amqp_url)
    write_events(site, 3)
    relay_for(site, amqp_url).run_once()
    good = [json.loads(m.body) for m in drain_queue(amqp_url, QUEUE.name)]

    # Forged: HU22's key signs an event that claims to come from AT12.
    from services.common.signing import load_private_key

    hu22_key = load_private_key(federation_files[1] / "HU22.pem")
    forged = Envelope.parse(good[0])
    forged_fields = {**forged.unsigned_fields(), "id": str(uuid.uuid4()), "seq": 2}
    forged_body = json.dumps({**forged_fields, "signature": sign(forged_fields, hu22_key, "HU22")})
    # Well signed by AT12 but its data breaks the schema.
    invalid_fields = {**forged.unsigned_fields(), "id": str(uuid.uuid4()), "seq": 4,
                      "data": {"statement_id": "not-a-uuid"}}
    invalid_body = json.dumps({**invalid_fields, "signature": sign(invalid_fields, site.signing_key, "AT12")})
    later_fields = {**forged.unsigned_fields(), "id": str(uuid.uuid4()), "seq": 5,
                    "aggregate_id": str(uuid.uuid4())}
    later_body = json.dumps({**later_fields, "signature": sign(later_fields, site.signing_key, "AT12")})

    bodies = ["{not json", forged_body, json.dumps(good[0]), json.dumps(good[1]), json.dumps(good[2]),
              invalid_body, later_body]
    with bus.connect(amqp_url) as conn:
        bus.Publisher(conn).publish([bus.OutgoingMessage("AT12.registry.support_statement.recorded", b, str(i))
                                     for i, b in enumerate(bodies)])
    with RunningConsumer(amqp_url, processor_for(hub)):
        eventually(lambda: len(applied_counts(hub)) == 4)
        dead = eventually(lambda: drain_queue(amqp_url, QUEUE.dead_letter_name))
    assert sorted(m.headers[REASON_HEADER].split(":")[0] for m in dead) == ["forged", "invalid", "malformed"]
    assert len(applied_counts(hub)) == 4, "the good events before and after the bad ones were applied"

    with hub.engine.connect() as conn:
        reasons = [r.reason for r in conn.execute(select(inbox.dead_letter.c.reason).order_by(inbox.dead_letter.c.id))]
        quarantined = conn.execute(select(inbox.inbox.c.seq).where(inbox.inbox.c.status == inbox.QUARANTINED)).all()
        position = inbox.positions(conn, QUEUE.name)["AT12/registry"]
    assert len(reasons) == 3
    assert any(r.startswith("malformed: not JSON") for r in reasons)
    assert any(r.startswith("forged:") and "HU22" in r for r in reasons)
    assert any(r.startswith("invalid:") for r in reasons)
    assert [q.seq for q in quarantined] == [4]
    assert position == (5, 5), "the quarantined seq does not block the stream"


def test_dead_letter_queue_holds_the_message_with_its_reason(hub, amqp_url):
    declare(amqp_url)
    with bus.connect(amqp_url) as conn:
        bus.Publisher(conn).publish([bus.OutgoingMessage("AT12.registry.support_statement.recorded",
                                                         '{"id": 1}', "bad")])
    with RunningConsumer(amqp_url, processor_for(hub)):
        dead = eventually(lambda: drain_queue(amqp_url, QUEUE.dead_letter_name))
    assert len(dead) == 1
    assert dead[0].body == '{"id": 1}'
    assert dead[0].headers[REASON_HEADER].startswith("malformed: invalid envelope")
