"""The in-memory bus is one broker per virtual host (services/common/memory_bus.py): two embedded
federations in one process do not read each other's queues."""
from __future__ import annotations

import uuid

from kombu import Queue

from services.common import memory_bus
from services.common.bus import connect


def put(url: str, queue: str, body: str) -> None:
    with connect(url) as conn:
        channel = conn.default_channel
        Queue(queue)(channel).declare()
        channel.basic_publish(channel.prepare_message(body), exchange="", routing_key=queue)


def waiting(url: str, queue: str) -> int:
    with connect(url) as conn:
        return Queue(queue)(conn.default_channel).queue_declare().message_count


def test_a_virtual_host_keeps_its_messages_to_itself():
    first, second = (f"memory://localhost/{uuid.uuid4().hex}" for _ in range(2))
    put(first, "hub.ingest", "from the first federation")
    assert waiting(first, "hub.ingest") == 1  # another connection to the same host sees it
    assert waiting(second, "hub.ingest") == 0


def test_a_forgotten_virtual_host_starts_empty():
    vhost = uuid.uuid4().hex
    put(f"memory://localhost/{vhost}", "hub.ingest", "left unread")
    memory_bus.forget(vhost)
    assert waiting(f"memory://localhost/{vhost}", "hub.ingest") == 0


def test_memory_without_a_host_is_kombus_one_shared_broker():
    queue = f"shared.{uuid.uuid4().hex}"
    put("memory://", queue, "one")
    assert waiting("memory://localhost/", queue) == 1
