"""The bus: RabbitMQ through kombu (`memory://` in embedded mode), with the topology of DESIGN.md §3.

- One durable topic exchange, `sopro.events`. Facts are routed as `<site>.<type>`, directed
  messages as `to.<site>.<type>`.
- Unroutable messages are kept by the alternate exchange `sopro.unrouted`, never dropped.
- Every consumer queue is durable, named after what it is and what it reads, and has a dead-letter
  queue `<queue>.dlq` on its owner's own direct exchange `<owner>.dead` (`AT12.dead`, `hub.dead`). Not
  one shared exchange: a direct exchange cannot be restricted by routing key, so whoever may publish to
  or bind on a shared one may inject into, or read copies of, everyone's dead letters.
- Publishing is persistent with publisher confirms through a sliding window: up to `window` messages
  unconfirmed, more sent as confirms come in.
"""
from __future__ import annotations

import socket
import struct
import time
from contextlib import contextmanager
from functools import lru_cache
from dataclasses import dataclass, field

import amqp
import kombu.exceptions
from kombu import Connection, Exchange, Producer, Queue

from services.common import amqp_reads, memory_bus

EVENTS_EXCHANGE = "sopro.events"
UNROUTED_EXCHANGE = "sopro.unrouted"
UNROUTED_QUEUE = "sopro.unrouted"
REASON_HEADER = "x-sopro-reason"

events_exchange = Exchange(EVENTS_EXCHANGE, type="topic", durable=True,
                           arguments={"alternate-exchange": UNROUTED_EXCHANGE})
unrouted_exchange = Exchange(UNROUTED_EXCHANGE, type="fanout", durable=True)
# The same exchanges as queues refer to them: declare_exchanges() has made sure they exist, and a
# site's user may not declare them (kombu would, for every binding, without no_declare).
_events_ref = Exchange(EVENTS_EXCHANGE, type="topic", durable=True, no_declare=True)


class PublishError(Exception):
    """The broker did not confirm every message of a batch."""


@dataclass(frozen=True)
class QueueSpec:
    """A consumer's durable queue, the routing keys it binds, and its dead-letter queue."""

    name: str
    binding_keys: tuple[str, ...]
    prefetch: int = 500

    @property
    def dead_letter_name(self) -> str:
        return f"{self.name}.dlq"

    @property
    def dead_exchange(self) -> Exchange:
        """The owner's dead-letter exchange: `AT12.dead` for `AT12.inbox`, `hub.dead` for `hub.ingest`."""
        return Exchange(f"{self.name.split('.', 1)[0]}.dead", type="direct", durable=True)

    def queue(self) -> Queue:
        from kombu import binding

        return Queue(
            self.name,
            bindings=[binding(_events_ref, routing_key=key) for key in self.binding_keys],
            durable=True,
            queue_arguments={"x-dead-letter-exchange": self.dead_exchange.name,
                             "x-dead-letter-routing-key": self.name},
        )

    def dead_letter_queue(self) -> Queue:
        dead_ref = Exchange(self.dead_exchange.name, type="direct", durable=True, no_declare=True)
        return Queue(self.dead_letter_name, exchange=dead_ref, routing_key=self.name, durable=True)


DEFAULT_HEARTBEAT_SECONDS = 30.0


def connect(url: str, heartbeat: float | None = None, **kwargs) -> Connection:
    """A connection to the bus. `heartbeat` (seconds; Settings.bus_heartbeat_seconds, SOPRO_BUS_HEARTBEAT)
    bounds how long a half-open link goes unnoticed: about two intervals."""
    if url.rstrip("/") == "memory:":
        url = "memory://localhost/"  # the in-memory transport warns about a URL without a host
    if url.startswith("memory"):
        heartbeat = 0
        kwargs.setdefault("transport", memory_bus.Transport)  # a broker per virtual host
    kwargs["heartbeat"] = DEFAULT_HEARTBEAT_SECONDS if heartbeat is None else heartbeat
    kwargs.setdefault("connect_timeout", 10)
    if url.startswith("amqp://"):
        kwargs.setdefault("transport", amqp_reads.Transport)  # py-amqp, fewer system calls per message read
    return Connection(url, **kwargs)


def declare_exchanges(conn: Connection) -> None:
    """Make sure the exchanges exist. A provisioned broker (deploy/rabbitmq/definitions.json) has them,
    and a site's user may not configure them: check passively first, declare only what is missing."""
    for exchange in (unrouted_exchange, events_exchange):
        _ensure(conn, exchange)
    _ensure(conn, Queue(UNROUTED_QUEUE, exchange=unrouted_exchange, durable=True))


def _ensure(conn: Connection, entity) -> None:
    channel = conn.channel()
    try:
        bound = entity(channel)
        bound.queue_declare(passive=True) if isinstance(entity, Queue) else bound.declare(passive=True)
    except amqp.exceptions.ChannelError as exc:
        if str(getattr(exc, "reply_code", "")) != "404":  # the in-memory transport gives it as a string
            raise
        channel = conn.channel()  # a failed passive declare closes the channel
        entity(channel).declare()
    finally:
        try:
            channel.close()
        except Exception:  # noqa: BLE001 - the broker may have closed it already
            pass


def declare_queue(conn: Connection, spec: QueueSpec) -> None:
    declare_exchanges(conn)
    _ensure(conn, spec.dead_exchange)
    channel = conn.default_channel
    spec.queue()(channel).declare()
    spec.dead_letter_queue()(channel).declare()


@dataclass
class OutgoingMessage:
    routing_key: str
    body: str
    message_id: str
    headers: dict = field(default_factory=dict)


_WRITE_SIZE = 256 * 1024
_FRAME_END = b"\xce"
_BASIC_PUBLISH = struct.pack(">HHH", 60, 40, 0)  # class Basic, method Publish, reserved short
# Basic properties present: content-type, content-encoding, delivery-mode, message-id (AMQP 0-9-1 flags).
_PROPERTY_FLAGS = (1 << 15) | (1 << 14) | (1 << 12) | (1 << 7)
_FIXED_PROPERTIES = struct.pack(">H", _PROPERTY_FLAGS) + b"\x10application/json\x05utf-8\x02"


def _shortstr(value: str) -> bytes:
    raw = value.encode()
    if len(raw) > 255:
        raise ValueError(f"AMQP short string too long: {value[:40]}...")
    return bytes((len(raw),)) + raw


@lru_cache(maxsize=4096)
def _publish_method_frame(channel_id: int, exchange: str, routing_key: str) -> bytes:
    payload = _BASIC_PUBLISH + _shortstr(exchange) + _shortstr(routing_key) + b"\x00"  # not mandatory, immediate
    return struct.pack(">BHI", 1, channel_id, len(payload)) + payload + _FRAME_END


def publish_frames(channel_id: int, exchange: str, message: OutgoingMessage, frame_max: int) -> bytes:
    """The frames of a persistent basic.publish (method, content header, body), byte for byte what py-amqp's
    basic_publish writes for the same amqp.Message, built without its generic per-field serializer: it
    cost a fifth of the relay's time per message. Messages with headers go through py-amqp."""
    body = message.body.encode()
    header = (struct.pack(">HHQ", 60, 0, len(body)) + _FIXED_PROPERTIES + _shortstr(message.message_id))
    parts = [_publish_method_frame(channel_id, exchange, message.routing_key),
             struct.pack(">BHI", 2, channel_id, len(header)), header, _FRAME_END]
    chunk = frame_max - 8
    for start in range(0, len(body), chunk):
        piece = body[start:start + chunk]
        parts += (struct.pack(">BHI", 3, channel_id, len(piece)), piece, _FRAME_END)
    return b"".join(parts)


class Publisher:
    """Publishes persistent messages with publisher confirms through a sliding window.

    `send` puts one message on the wire and returns its ticket (1, 2, 3, ... for the publisher's life, across
    reconnections); it waits only while `window` messages are unconfirmed. `confirmed` is the highest
    ticket up to which the broker has confirmed every message: a refused (nacked) message stops it for
    good, and the next `send` or `flush` raises PublishError. `flush` waits until everything sent is
    confirmed. `publish` is send-all-then-flush for a list. On the in-memory transport a message is
    confirmed when it has been sent.
    """

    def __init__(self, conn: Connection, confirm_timeout: float = 30.0, window: int = 500):
        self.conn = conn
        self.confirm_timeout = confirm_timeout
        self.window = window
        self._channel = None
        self._sent = 0  # tickets handed out
        self._tag_base = 0  # the ticket before the channel's delivery tag 1
        self._confirmed = 0  # every ticket up to this one is confirmed
        self._acked_ahead: set[int] = set()  # single acks past a gap (RabbitMQ confirms in order, but may not)
        self._refused: int | None = None  # the first nacked ticket
        self._bursting = False
        self._out: list[bytes] = []  # frames held back during a burst
        self._out_size = 0

    @property
    def is_amqp(self) -> bool:
        return self.conn.transport.driver_type == "amqp"

    @property
    def confirmed(self) -> int:
        return self._confirmed

    @property
    def sent(self) -> int:
        return self._sent

    def _amqp_channel(self) -> amqp.Channel:
        if self._channel is None or not self._channel.is_open:
            if self._confirmed < self._sent:  # what was in flight on the lost channel will never be confirmed
                count = self._sent - self._confirmed
                self.reset()
                raise PublishError(f"the channel closed with {count} messages unconfirmed")
            self.conn.ensure_connection(max_retries=1)
            channel = self.conn.connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._channel, self._tag_base = channel, self._sent
        return self._channel

    def _on_ack(self, tag: int, multiple: bool) -> None:
        ticket = self._tag_base + tag
        if multiple:
            self._acked_ahead = {t for t in self._acked_ahead if t > ticket}
            self._confirmed = max(self._confirmed, ticket if self._refused is None else min(ticket, self._refused - 1))
        else:
            self._acked_ahead.add(ticket)
        while self._confirmed + 1 in self._acked_ahead and self._confirmed + 1 != self._refused:
            self._confirmed += 1
            self._acked_ahead.discard(self._confirmed)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        ticket = self._tag_base + tag
        first = self._confirmed + 1 if multiple else ticket
        if self._refused is None or first < self._refused:
            self._refused = first

    def send(self, message: OutgoingMessage, exchange: str = EVENTS_EXCHANGE) -> int:
        """Publish one message; returns its ticket. Raises PublishError if the broker refused an earlier one."""
        if not self.is_amqp:
            Producer(self.conn.default_channel).publish(
                message.body, exchange=exchange, routing_key=message.routing_key, delivery_mode=2,
                content_type="application/json", content_encoding="utf-8", message_id=message.message_id,
                headers=message.headers)
            self._sent += 1
            self._confirmed = self._sent
            return self._sent
        try:
            channel = self._amqp_channel()
            if self._sent - self._confirmed >= self.window:
                self._await(lambda: self._sent - self._confirmed < self.window)
            self._check_refused()
            if message.headers:
                self._write_out()
                channel.basic_publish(
                    amqp.Message(message.body, content_type="application/json", content_encoding="utf-8",
                                 delivery_mode=2, message_id=message.message_id,
                                 application_headers=message.headers),
                    exchange=exchange, routing_key=message.routing_key,
                )
            else:
                frames = publish_frames(channel.channel_id, exchange, message, self.conn.connection.frame_max)
                self._out.append(frames)
                self._out_size += len(frames)
        except (OSError, amqp.exceptions.AMQPError, kombu.exceptions.OperationalError) as exc:
            self.reset()
            raise PublishError(f"publish failed: {exc}") from exc
        self._sent += 1
        if not self._bursting or self._out_size >= _WRITE_SIZE:
            self._write_out()
        return self._sent

    @contextmanager
    def burst(self):
        """Messages sent inside leave in few large writes rather than one write each: on the loopback each
        write costs the sender the receiver's network stack too. What is held back goes out whenever the
        publisher waits for confirms, and at the end."""
        self._bursting = True
        try:
            yield self
        finally:
            self._bursting = False
        self._write_out()

    def _write_out(self) -> None:
        if not self._out:
            return
        data, self._out, self._out_size = b"".join(self._out), [], 0
        try:
            connection = self.conn.connection
            connection.transport.write(data)
            connection.bytes_sent += 1  # py-amqp's heartbeat counts writes by this
        except (OSError, amqp.exceptions.AMQPError, kombu.exceptions.OperationalError) as exc:
            self.reset()
            raise PublishError(f"publish failed: {exc}") from exc

    def poll(self) -> int:
        """Take in the confirms that have arrived, without waiting; returns `confirmed`."""
        if self.is_amqp and self._channel is not None and self._confirmed < self._sent:
            try:
                while self._confirmed < self._sent:
                    self.conn.connection.drain_events(timeout=0)
            except socket.timeout:
                pass
            except (OSError, amqp.exceptions.AMQPError, kombu.exceptions.OperationalError) as exc:
                self.reset()
                raise PublishError(f"publish failed: {exc}") from exc
        return self._confirmed

    def flush(self) -> None:
        """Wait until the broker has confirmed everything sent. Raises PublishError on a refusal or timeout."""
        if self._confirmed < self._sent:
            try:
                self._await(lambda: self._confirmed >= self._sent)
            except (OSError, amqp.exceptions.AMQPError, kombu.exceptions.OperationalError) as exc:
                self.reset()
                raise PublishError(f"publish failed: {exc}") from exc
        self._check_refused()

    def publish(self, messages: list[OutgoingMessage], exchange: str = EVENTS_EXCHANGE) -> None:
        """Publish a batch and return once the broker has confirmed all of it."""
        for m in messages:
            self.send(m, exchange)
        self.flush()

    def _await(self, done, stop_on_refusal: bool = True) -> None:
        """Read confirms until `done()`, a refusal, or `confirm_timeout` seconds without one."""
        self._write_out()  # what is held back would never be confirmed
        deadline = time.monotonic() + self.confirm_timeout
        while not done() and (self._refused is None or not stop_on_refusal):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                count = self._sent - self._confirmed
                self.reset()
                raise PublishError(f"{count} messages unconfirmed after {self.confirm_timeout}s")
            before = self._confirmed
            try:
                self.conn.connection.drain_events(timeout=min(remaining, 1.0))
            except socket.timeout:
                continue
            if self._confirmed > before:
                deadline = time.monotonic() + self.confirm_timeout

    def _check_refused(self) -> None:
        refused = self._refused
        if refused is not None:
            # The broker may refuse a message before it has confirmed earlier ones (persisted ones take
            # longer): take those in, so that the confirmed prefix reaches the refused message.
            try:
                self._await(lambda: self._confirmed >= refused - 1, stop_on_refusal=False)
            except (PublishError, OSError, amqp.exceptions.AMQPError, kombu.exceptions.OperationalError):
                pass
            unsettled = self._sent - self._confirmed
            self.reset()
            raise PublishError(f"the broker refused message {refused}; {unsettled} sent messages unconfirmed")

    def keepalive(self) -> None:
        """Send or check heartbeats while idle, so an idle connection is neither dropped nor dead unnoticed."""
        if self.is_amqp and self._channel is not None:
            try:
                self._read_pending()
                self.conn.heartbeat_check()
            except (OSError, amqp.exceptions.AMQPError, kombu.exceptions.OperationalError):
                self.reset()

    def _read_pending(self) -> None:
        # py-amqp counts the broker's heartbeats only when it reads them: an idle publisher that never
        # read would take a healthy link for dead after two intervals and drop it (tests/faults).
        try:
            self.conn.connection.drain_events(timeout=0)
        except socket.timeout:
            pass

    def reset(self) -> None:
        """Forget a broken connection and what was in flight on it (its senders publish it again, and the
        tickets past `confirmed` are handed out anew); the next send connects afresh."""
        self._forget_in_flight()
        self._channel = None
        self.conn.collect()

    def _forget_in_flight(self) -> None:
        self._out, self._out_size = [], 0
        self._sent = self._confirmed
        self._acked_ahead.clear()
        self._refused = None

    def close(self) -> None:
        self._forget_in_flight()
        if self._channel is not None:
            try:
                self._channel.close()
            except Exception:  # noqa: BLE001 - closing a broken channel may fail in many ways
                pass
            self._channel = None
