"""A hand-rolled outbox relay: psycopg 3 and py-amqp, doing the work of services.sync.relay.Relay.

Per stream, under a session advisory lock: in one transaction, lock the stream's counter row, number the
committed rows that have no seq in id order (commit order), sign each envelope with the same `sign` and
write seq and envelope back (executemany, which psycopg 3 pipelines); then publish the batch persistent
with publisher confirms, all in flight, wait for every confirm, and mark the batch with one UPDATE.

The publisher is py-amqp (what kombu drives) rather than pika: pika's BlockingConnection confirms one
message at a time (a window of 1), a straw man beside a relay with 500 in flight.
"""
from __future__ import annotations

import socket
import time
from datetime import timezone
from urllib.parse import urlsplit

import amqp
import psycopg
from psycopg.rows import namedtuple_row

from services.common.envelope import dumps, routing_key
from services.common.signing import sign


def pg_conninfo(sqlalchemy_url: str) -> str:
    """postgresql+psycopg://... -> postgresql://... (same query, e.g. options=-csearch_path%3D...)."""
    return "postgresql" + sqlalchemy_url[sqlalchemy_url.index("://"):]


def amqp_connection(amqp_url: str) -> amqp.Connection:
    u = urlsplit(amqp_url)
    conn = amqp.Connection(f"{u.hostname}:{u.port or 5672}", userid=u.username, password=u.password,
                           virtual_host=u.path[1:] or "/")
    conn.connect()
    return conn


class HandrolledRelay:
    def __init__(self, dsn: str, amqp_url: str, site_id: str, key, batch: int = 500, exchange: str = "sopro.events"):
        self.db = psycopg.connect(dsn, row_factory=namedtuple_row)
        self.mq = amqp_connection(amqp_url)
        self.ch = self.mq.channel()
        self.ch.confirm_select()
        self.acked: set[int] = set()
        self.nacked: set[int] = set()
        self.ch.events["basic_ack"].add(lambda tag, multiple: self._settle(self.acked, tag, multiple))
        self.ch.events["basic_nack"].add(lambda tag, multiple: self._settle(self.nacked, tag, multiple))
        self.tag = self.floor = 0  # delivery tags: last sent; last before the batch in flight
        self.site, self.key, self.batch, self.exchange = site_id, key, batch, exchange

    def _settle(self, into: set, tag: int, multiple: bool) -> None:
        into.update(range(self.floor + 1, tag + 1) if multiple else (tag,))

    def run_once(self) -> int:
        done = 0
        streams = [r.stream for r in self.db.execute(
            "SELECT DISTINCT stream FROM outbox WHERE published_at IS NULL ORDER BY stream")]
        self.db.commit()
        for stream in streams:
            key = self.db.execute("SELECT hashtext(current_schema() || ':sopro.relay:' || %s) AS k", (stream,)).fetchone().k
            if not self.db.execute("SELECT pg_try_advisory_lock(%s) AS got", (key,)).fetchone().got:
                continue
            try:
                while True:
                    self.sequence(stream)
                    n = self.publish(stream)
                    done += n
                    if n < self.batch:
                        break
            finally:
                self.db.execute("SELECT pg_advisory_unlock(%s)", (key,))
                self.db.commit()
        return done

    def sequence(self, stream: str) -> None:
        with self.db.transaction():
            row = self.db.execute("SELECT last_seq FROM outbox_stream WHERE stream = %s FOR UPDATE", (stream,)).fetchone()
            last = row.last_seq if row else 0
            if row is None:
                self.db.execute("INSERT INTO outbox_stream (stream, last_seq) VALUES (%s, 0)", (stream,))
            # Written to the outbox's index of pending rows (stream, seq, id), as the relay's own query is.
            rows = self.db.execute("SELECT * FROM outbox WHERE stream = %s AND seq IS NULL AND published_at IS NULL "
                                   "ORDER BY seq, id LIMIT %s", (stream, self.batch)).fetchall()
            if not rows:
                return
            updates = []
            for r in rows:
                last += 1
                updates.append((last, self.envelope(r, last), r.id))
            self.db.cursor().executemany("UPDATE outbox SET seq = %s, envelope = %s WHERE id = %s", updates)
            self.db.execute("UPDATE outbox_stream SET last_seq = %s WHERE stream = %s", (last, stream))

    def envelope(self, r, seq: int) -> str:
        fields = {"id": r.event_id, "type": r.type, "version": r.version, "site": self.site, "stream": r.stream,
                  "seq": seq, "aggregate_id": r.aggregate_id, "aggregate_version": r.aggregate_version,
                  "occurred_at": r.occurred_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
                  "correlation_id": r.correlation_id, "causation_id": r.causation_id, "data": r.data}
        if r.to_site is not None:
            fields["to"] = r.to_site
        fields["signature"] = sign(fields, self.key, self.site)
        return dumps(fields)

    def publish(self, stream: str) -> int:
        rows = self.db.execute(
            "SELECT id, type, to_site, event_id, envelope FROM outbox WHERE stream = %s AND seq IS NOT NULL "
            "AND published_at IS NULL ORDER BY seq LIMIT %s", (stream, self.batch)).fetchall()
        self.db.commit()
        if not rows:
            return 0
        self.floor = self.tag
        self.acked.clear()
        self.nacked.clear()
        for r in rows:
            self.ch.basic_publish(amqp.Message(r.envelope, content_type="application/json", content_encoding="utf-8",
                                               delivery_mode=2, message_id=r.event_id),
                                  exchange=self.exchange, routing_key=routing_key(self.site, r.type, r.to_site))
            self.tag += 1
        deadline = time.monotonic() + 30
        while len(self.acked | self.nacked) < len(rows):
            if time.monotonic() > deadline:
                raise RuntimeError("confirms timed out")
            try:
                self.mq.drain_events(timeout=1)
            except socket.timeout:
                pass
        if self.nacked:
            raise RuntimeError("the broker refused messages")
        with self.db.transaction():
            self.db.execute("UPDATE outbox SET published_at = now() WHERE id = ANY(%s)", ([r.id for r in rows],))
        return len(rows)

    def close(self) -> None:
        self.db.close()
        self.mq.close()
