"""The bus: RabbitMQ through kombu (`memory://` in embedded mode), with the topology of DESIGN.md §3.

- One durable topic exchange, `sopro.events`. Facts are routed as `<site>.<type>`, directed
  messages as `to.<site>.<type>`.
- Unroutable messages are kept by the alternate exchange `sopro.unrouted`, never dropped.
- Every consumer queue is durable, named after what it is and what it reads, and has a dead-letter
  queue `<queue>.dlq` on its owner's own direct exchange `<owner>.dead` (`AT12.dead`, `hub.dead`). Not
  one shared exchange: a direct exchange cannot be restricted by routing key, so whoever may publish to
  or bind on a shared one may inject into, or read copies of, everyone's dead letters.
- Publishing is persistent with publisher confirms, a whole batch in flight at once.
"""
from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

import amqp
import kombu.exceptions
from kombu import Connection, Exchange, Producer, Queue

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
    kwargs["heartbeat"] = DEFAULT_HEARTBEAT_SECONDS if heartbeat is None else heartbeat
    kwargs.setdefault("connect_timeout", 10)
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


class Publisher:
    """Publishes batches of persistent messages and returns once the broker has confirmed all of them.

    On AMQP the whole batch is in flight before waiting, and the confirms are collected as they
    come (multiple acks included). On the in-memory transport a publish is complete when it returns.
    """

    def __init__(self, conn: Connection, confirm_timeout: float = 30.0):
        self.conn = conn
        self.confirm_timeout = confirm_timeout
        self._channel = None
        self._next_tag = 0
        self._unconfirmed: set[int] = set()
        self._nacked = 0

    @property
    def is_amqp(self) -> bool:
        return self.conn.transport.driver_type == "amqp"

    def _amqp_channel(self) -> amqp.Channel:
        if self._channel is None or not self._channel.is_open:
            self.conn.ensure_connection(max_retries=1)
            channel = self.conn.connection.channel()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._channel, self._next_tag = channel, 0
            self._unconfirmed.clear()
        return self._channel

    def _settle(self, tag: int, multiple: bool) -> int:
        settled = {t for t in self._unconfirmed if t <= tag} if multiple else {tag} & self._unconfirmed
        self._unconfirmed -= settled
        return len(settled)

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._nacked += self._settle(tag, multiple)

    def publish(self, messages: list[OutgoingMessage], exchange: str = EVENTS_EXCHANGE) -> None:
        if not messages:
            return
        if not self.is_amqp:
            producer = Producer(self.conn.default_channel)
            for m in messages:
                producer.publish(m.body, exchange=exchange, routing_key=m.routing_key, delivery_mode=2,
                                 content_type="application/json", content_encoding="utf-8",
                                 message_id=m.message_id, headers=m.headers)
            return
        try:
            self._publish_amqp(messages, exchange)
        except (OSError, amqp.exceptions.AMQPError, kombu.exceptions.OperationalError) as exc:
            self.reset()
            raise PublishError(f"publish failed: {exc}") from exc

    def _publish_amqp(self, messages: list[OutgoingMessage], exchange: str) -> None:
        channel = self._amqp_channel()
        self._nacked = 0
        for m in messages:
            channel.basic_publish(
                amqp.Message(m.body, content_type="application/json", content_encoding="utf-8",
                             delivery_mode=2, message_id=m.message_id, application_headers=m.headers or None),
                exchange=exchange, routing_key=m.routing_key,
            )
            self._next_tag += 1
            self._unconfirmed.add(self._next_tag)
        deadline = time.monotonic() + self.confirm_timeout
        while self._unconfirmed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                count = len(self._unconfirmed)
                self.reset()
                raise PublishError(f"{count} messages unconfirmed after {self.confirm_timeout}s")
            try:
                self.conn.connection.drain_events(timeout=min(remaining, 1.0))
            except socket.timeout:
                continue
        if self._nacked:
            raise PublishError(f"the broker refused {self._nacked} of {len(messages)} messages")

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
        """Forget a broken connection; the next publish connects afresh."""
        self._channel = None
        self.conn.collect()

    def close(self) -> None:
        if self._channel is not None:
            try:
                self._channel.close()
            except Exception:  # noqa: BLE001 - closing a broken channel may fail in many ways
                pass
            self._channel = None
