"""The consumer runner: a kombu ConsumerMixin that survives reconnects and acks after the commit.

Messages are gathered into batches, applied by an EventProcessor in one transaction, then acknowledged
together. Four threads share the work, so that receiving, checking and the database overlap:
- this one receives messages, acknowledges batches and dead-letters (py-amqp's channel is not
  thread-safe, so everything on the bus stays here);
- two checking threads check the messages (parsed, their signatures verified, their data validated) as
  soon as they arrive, a chunk at a time; libsodium lets go of the GIL while it verifies, so two chunks
  are verified at once, and the batch reads their results in the order the messages came;
- an applying thread applies one batch at a time, in order, while this one receives the next; psycopg
  lets go of the GIL while the database works.
A batch is acknowledged only after its transaction has committed. A batch whose connection was lost is
not acknowledged: its messages come again and the inbox absorbs the copies. A batch is handed over
when it is full, when the queue has been quiet for `quiet` seconds (so a lone event is not held back),
or at the latest `max_wait` after its first message (so a steady trickle cannot hold a batch open).
Dead letters are published to the queue's dead-letter queue, through the owner's own dead-letter
exchange (services.common.bus), with their reason in a header, before the ack.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from kombu import Connection, Producer
from kombu.mixins import ConsumerMixin

from services.common.bus import REASON_HEADER, QueueSpec, declare_queue
from services.sync.processing import Checked, EventProcessor, Outcome

log = logging.getLogger("sopro.consumer")

CHECK_CHUNK = 25  # messages checked in one task of a checking thread (a task per message cost more)
# Verifying signatures paced the ingest with one checking thread (the applying thread waited on it); with
# two, the hub ingest bench ran 20-24 % faster in the same rounds (bench/README.md, issue 20).
CHECKERS = 2


class EventConsumer(ConsumerMixin):
    def __init__(self, connection: Connection, spec: QueueSpec, processor: EventProcessor,
                 batch_size: int = 200, max_wait: float = 0.05, quiet: float = 0.003, on_outcome=None):
        self.connection = connection
        self.spec = spec
        self.processor = processor
        self.batch_size = batch_size
        self.max_wait = max_wait
        self.quiet = quiet
        self.on_outcome = on_outcome
        self._batch: list = []
        self._checks: list = []  # per chunk of CHECK_CHUNK messages of the batch, the future of their checks
        self._checker = ThreadPoolExecutor(CHECKERS, thread_name_prefix=f"{spec.name}-check")
        self._applier = ThreadPoolExecutor(1, thread_name_prefix=f"{spec.name}-apply")
        self._applying: tuple[Future, list] | None = None  # the batch being applied, and its messages
        self._first_at = 0.0
        self._arrived = False
        self.ready = threading.Event()

    def get_consumers(self, consumer_cls, channel):
        # Declare on the connection being consumed from (the mixin consumes on a clone of
        # `self.connection`). Declaring on `self.connection` kept a second connection that nothing
        # heartbeated: the broker closed it, or a half-open link left it hanging, and every reconnect
        # then failed on it first (tests/faults).
        declare_queue(channel.connection.client, self.spec)
        channel.basic_qos(0, self.spec.prefetch, False)
        return [consumer_cls(queues=[self.spec.queue()], on_message=self._on_message, accept=None)]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        self.ready.set()

    @contextmanager
    def extra_context(self, connection, channel):
        """Around consuming on one channel: when consuming stops, the batch being applied is acknowledged
        on the channel it came from; when the channel failed, it is left to be redelivered."""
        try:
            yield
        except BaseException:
            self._abandon_applying()
            raise
        self._settle_applying()

    def on_connection_revived(self):
        # Unacknowledged messages of a lost connection are redelivered; drop our copies.
        self._drop_batch()
        self._abandon_applying()

    def _drop_batch(self) -> None:
        self._batch, self._checks = [], []

    def _on_message(self, message):
        if not self._batch:
            self._first_at = time.monotonic()
        self._batch.append(message)
        if len(self._batch) % CHECK_CHUNK == 0:
            self._check_arrived()
        self._arrived = True
        if len(self._batch) >= self.batch_size:
            self._hand_over()

    def _check_arrived(self) -> None:
        """Hand the messages not yet being checked to the checking threads, a chunk in one task."""
        bodies = [m.body for m in self._batch[len(self._checks) * CHECK_CHUNK:]]
        if bodies:
            self._checks.append(self._checker.submit(lambda: [Checked(b, self.processor.check(b)) for b in bodies]))

    def on_iteration(self):
        # Called before every wait for the next message; if the last wait brought nothing, it timed
        # out after `quiet` seconds and the queue is idle.
        idle, self._arrived = not self._arrived, False
        if self._batch and (idle or time.monotonic() - self._first_at >= self.max_wait):
            self.flush()
        elif self._applying is not None and self._applying[0].done():
            self._settle_applying()

    def flush(self) -> Outcome | None:
        """Apply what has been gathered and acknowledge it; the outcome of the last batch."""
        self._hand_over()
        return self._settle_applying()

    def _hand_over(self) -> None:
        """Give the gathered batch to the applying thread, then settle the one before it."""
        if len(self._batch) % CHECK_CHUNK:
            self._check_arrived()
        batch, checks = self._batch, self._checks
        self._drop_batch()
        if not batch:
            return
        previous = self._applying
        self._applying = (self._applier.submit(self._apply, checks), batch)
        if previous is not None:
            self._settle(*previous)

    def _apply(self, checks: list) -> Outcome:
        return self.processor.process([item for check in checks for item in check.result()])

    def _settle_applying(self) -> Outcome | None:
        applying, self._applying = self._applying, None
        return None if applying is None else self._settle(*applying)

    def _settle(self, applied: Future, batch: list) -> Outcome:
        """After the batch's transaction: dead letters out, then one acknowledgement for the batch."""
        outcome = applied.result()  # a failure is raised here, on the thread that owns the channel
        if outcome.dead:
            producer = Producer(self.connection.default_channel)
            for dead in outcome.dead:
                producer.publish(dead.body, exchange=self.spec.dead_exchange, routing_key=self.spec.name,
                                 delivery_mode=2, content_type="application/json", content_encoding="utf-8",
                                 headers={REASON_HEADER: dead.reason[:1000], "x-sopro-consumer": self.spec.name})
                log.warning("%s: dead-lettered %s#%s: %s", self.spec.name, dead.stream, dead.seq, dead.reason)
        if self.connection.transport.driver_type == "amqp":
            batch[-1].ack(multiple=True)  # one frame acknowledges the whole batch
        else:
            for message in batch:
                message.ack()
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        return outcome

    def _abandon_applying(self) -> None:
        """Forget the batch being applied without acknowledging it: its channel is gone. Its transaction
        still ends (committed or not), so the redelivered copies are told apart by the inbox."""
        applying, self._applying = self._applying, None
        if applying is not None:
            try:
                applying[0].result()
            except Exception:  # noqa: BLE001 - redelivered and applied again; the failure is logged there
                log.info("%s: a batch applied while its connection was lost failed", self.spec.name, exc_info=True)

    def run_until(self, stop: threading.Event, backoff: float = 1.0) -> None:
        """Consume until `stop` is set. kombu reconnects after broker failures; any other failure (the
        database down, say) closes the connection, so the unacknowledged batch is redelivered, and
        consuming starts again after `backoff` seconds."""
        watcher = threading.Thread(target=lambda: (stop.wait(), setattr(self, "should_stop", True)), daemon=True)
        watcher.start()
        while not stop.is_set():
            try:
                self.run(safety_interval=self.quiet)
            except Exception:  # noqa: BLE001 - a consumer thread must not die of one failure
                log.warning("%s: consuming failed; restarting in %.1fs", self.spec.name, backoff, exc_info=True)
                self._drop_batch()
                self._abandon_applying()
                stop.wait(backoff)
        self._checker.shutdown(wait=False, cancel_futures=True)
        self._applier.shutdown(wait=True)
