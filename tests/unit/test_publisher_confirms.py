"""The sliding window's bookkeeping in bus.Publisher: the broker's acks and nacks (by delivery tag, single
or multiple) turn into `confirmed`, the end of the prefix of tickets the broker has taken for sure; and the
publish frames it writes itself are py-amqp's."""
from __future__ import annotations

import amqp
import pytest
from amqp import spec
from amqp.method_framing import frame_writer
from amqp.serialization import dumps

from services.common.bus import EVENTS_EXCHANGE, OutgoingMessage, Publisher, publish_frames


def sent(count: int) -> Publisher:
    publisher = Publisher(conn=None)
    publisher._sent = count  # as if `count` messages had gone out on the current channel
    return publisher


def test_multiple_acks_confirm_every_ticket_up_to_theirs():
    publisher = sent(10)
    publisher._on_ack(3, True)
    assert publisher.confirmed == 3
    publisher._on_ack(7, True)
    assert publisher.confirmed == 7


def test_a_single_ack_past_a_gap_waits_for_the_gap():
    publisher = sent(10)
    publisher._on_ack(2, False)
    assert publisher.confirmed == 0
    publisher._on_ack(1, False)
    assert publisher.confirmed == 2


def test_a_nack_stops_the_confirmed_prefix_before_it_for_good():
    publisher = sent(10)
    publisher._on_ack(2, True)
    publisher._on_nack(4, False)
    publisher._on_ack(3, False)
    publisher._on_ack(10, True)
    assert publisher.confirmed == 3


def test_tickets_go_on_across_channels():
    publisher = sent(10)
    publisher._on_ack(10, True)
    publisher._tag_base = 10  # a new channel: its delivery tag 1 is ticket 11
    publisher._sent = 12
    publisher._on_ack(1, False)
    assert publisher.confirmed == 11


class _Recorded:
    def __init__(self, frame_max: int):
        self.frame_max, self.bytes_sent, self.written = frame_max, 0, bytearray()

    def write(self, data) -> None:
        self.written += bytes(data)


def py_amqp_frames(channel_id: int, exchange: str, message: OutgoingMessage, frame_max: int) -> bytes:
    """What py-amqp's channel.basic_publish writes for the message as the Publisher used to build it."""
    record = _Recorded(frame_max)
    write_frame = frame_writer(record, record)
    content = amqp.Message(message.body, content_type="application/json", content_encoding="utf-8",
                           delivery_mode=2, message_id=message.message_id)
    write_frame(1, channel_id, spec.Basic.Publish, dumps("Bssbb", (0, exchange, message.routing_key, False, False)),
                content)
    return bytes(record.written)


@pytest.mark.parametrize("body, frame_max", [
    ('{"id":"1","data":{"name":"Wiener Kücheninitiative"}}', 131072),  # non-ASCII: bytes, not characters
    ("", 131072),
    ("x" * 5000, 4096),  # a body over several frames
])
def test_the_publish_frames_are_byte_for_byte_py_amqps(body, frame_max):
    message = OutgoingMessage("AT12.registry.organisation.registered", body, "6f1c0c8e-4a47-4f7c-9d59-0d3b0f1f5e11")
    assert publish_frames(3, EVENTS_EXCHANGE, message, frame_max) == py_amqp_frames(3, EVENTS_EXCHANGE, message,
                                                                                     frame_max)
