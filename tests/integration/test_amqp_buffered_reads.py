"""The bus's py-amqp transport reads in chunks (services/common/amqp_reads.py), against a real RabbitMQ.

What it must keep: every message, byte for byte and in order, whatever its size (bodies larger than a
chunk, and than the broker's frame size, span several frames and reads); a read timeout on an empty
queue is a timeout, after which the connection still writes and reads. What it is for: far fewer `recv`
calls than py-amqp's three per frame.
"""
from __future__ import annotations

import random
import socket

import pytest
from kombu import Consumer, Exchange, Producer, Queue

from services.common import amqp_reads, bus

pytestmark = pytest.mark.services


def test_messages_of_every_size_arrive_whole_and_in_order_with_few_reads(amqp_url):
    rng = random.Random(20)
    sizes = [0, 1, 7, 8, 300, 4095, amqp_reads.CHUNK - 8, amqp_reads.CHUNK, amqp_reads.CHUNK + 1, 200_000]
    sizes += [rng.randrange(100, 2_000) for _ in range(400)]
    bodies = [rng.randbytes(n) for n in sizes]
    queue = Queue("reads.test", exchange=Exchange("reads.test", type="direct"), routing_key="r")

    with bus.connect(amqp_url) as conn:
        channel = conn.channel()
        queue(channel).declare()
        producer = Producer(channel)
        for body in bodies:
            producer.publish(body, exchange=queue.exchange, routing_key="r", content_type="application/octet-stream",
                             content_encoding="binary")

    received: list[bytes] = []
    with bus.connect(amqp_url) as conn:
        conn.connect()
        transport = conn.connection.transport
        assert isinstance(transport, amqp_reads.BufferedTCPTransport)
        recvs = _count_recv(transport)
        channel = conn.channel()
        channel.basic_qos(0, 1000, False)
        consumer = Consumer(channel, queues=[queue], accept=None,
                            on_message=lambda message: (received.append(message.body or b""), message.ack()))
        with consumer:
            while len(received) < len(bodies):  # (kombu hands an empty body over as "")
                conn.drain_events(timeout=5)
            with pytest.raises(socket.timeout):  # nothing left: the short read timeout is a timeout
                conn.drain_events(timeout=0.05)
            # The connection still writes (blocking again) and reads after the timeout.
            Producer(channel).publish(b"after", exchange=queue.exchange, routing_key="r")
            conn.drain_events(timeout=5)

    assert received == bodies + [b"after"]
    frames = 3 * len(bodies)  # at least method, header and body frame per message
    assert recvs["calls"] < frames / 2, f"{recvs['calls']} recv calls for {frames} frames: reads are not buffered"


def _count_recv(transport) -> dict:
    counted = {"calls": 0}
    recv = transport._quick_recv

    def counting(n):
        counted["calls"] += 1
        return recv(n)

    transport._quick_recv = counting
    return counted
