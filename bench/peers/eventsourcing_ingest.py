"""The `eventsourcing` library (v9.5) doing the hub ingest's work: its PostgreSQL tracking recorder, used
as the library's own recipe for a materialised view (a `PostgresTrackingRecorder` subclass whose table is
written in the transaction that records the tracking row), fed by pika.

Per message, as eventsourcing's process applications do, one at a time: parse the envelope (json), verify
its signature with the same `Verifier` (libsodium) and the same keys, then in one transaction insert the
tracking record (application name = the envelope's stream, notification id = its seq: the library refuses
a notification id not greater than the last, so a redelivery is not applied twice) and upsert one row per
aggregate, the greatest aggregate_version winning. Acks (one multiple-ack per 200, as EventConsumer) follow
the commits. Not the project's code, and not imported by it.
"""
from __future__ import annotations

import json
import time
from urllib.parse import unquote, urlsplit

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier
from psycopg.types.json import Jsonb

ROWS_TABLE = "peer_hub_rows"


def schema_of(sqlalchemy_url: str) -> str:
    """The schema named by a bench URL's `options=-csearch_path=<schema>`."""
    return unquote(urlsplit(sqlalchemy_url).query).split("search_path=", 1)[1].split("&")[0]


def datastore(sqlalchemy_url: str) -> PostgresDatastore:
    url = urlsplit(sqlalchemy_url)
    return PostgresDatastore(dbname=url.path.lstrip("/"), host=url.hostname, port=url.port or 5432,
                             user=url.username or "postgres", password=url.password or "",
                             schema=schema_of(sqlalchemy_url), pool_size=2)


class HubRowRecorder(PostgresTrackingRecorder):
    """One row per (site, aggregate) with its newest snapshot, and the tracking records, in one transaction."""

    def __init__(self, store: PostgresDatastore):
        super().__init__(store, tracking_table_name="peer_tracking")
        table = (Identifier(store.schema), Identifier(ROWS_TABLE))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {0}.{1} (site text, id text, aggregate_version int NOT NULL, "
            "last_event_id text NOT NULL, type text NOT NULL, data jsonb NOT NULL, PRIMARY KEY (site, id))"
        ).format(*table))
        self.upsert = SQL(
            "INSERT INTO {0}.{1} AS r VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (site, id) DO UPDATE SET "
            "aggregate_version = excluded.aggregate_version, last_event_id = excluded.last_event_id, "
            "type = excluded.type, data = excluded.data WHERE r.aggregate_version < excluded.aggregate_version"
        ).format(*table)
        self.count = SQL("SELECT count(*) AS n FROM {0}.{1}").format(*table)

    def apply(self, doc: dict, tracking: Tracking) -> bool:
        """Apply the event once: False when its tracking record was there (a duplicate, nothing written)."""
        try:
            with self.datastore.transaction(commit=True) as curs:
                self._insert_tracking(curs, tracking)
                curs.execute(self.upsert, (doc["site"], doc["aggregate_id"], doc["aggregate_version"], doc["id"],
                                           doc["type"], Jsonb(doc["data"])), prepare=True)
        except IntegrityError:
            return False
        return True

    def rows(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.count)
            return curs.fetchone()["n"]


def consume(params, queue: str, n: int, recorder: HubRowRecorder, verifier, prefetch: int = 500,
            ack_every: int = 200) -> tuple[float, dict]:
    """Consume and apply `n` messages; (seconds from connecting to the last ack, counts)."""
    import pika

    counts = {"applied": 0, "duplicates": 0, "dead": 0}
    start = time.perf_counter()
    conn = pika.BlockingConnection(params)
    ch = conn.channel()
    ch.basic_qos(prefetch_count=prefetch)
    seen = {"n": 0}

    def on_message(channel, method, properties, body):
        seen["n"] += 1
        doc = json.loads(body)
        fields = {k: v for k, v in doc.items() if k != "signature"}
        try:
            verifier.verify(fields, doc.get("signature"), doc.get("site"))
        except Exception:  # noqa: BLE001 - a forged message is counted and dropped
            counts["dead"] += 1
        else:
            applied = recorder.apply(doc, Tracking(doc["stream"], doc["seq"]))
            counts["applied" if applied else "duplicates"] += 1
        if seen["n"] % ack_every == 0 or seen["n"] >= n:
            channel.basic_ack(method.delivery_tag, multiple=True)
        if seen["n"] >= n:
            channel.stop_consuming()

    ch.basic_consume(queue, on_message, auto_ack=False)
    ch.start_consuming()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, counts


def recorder(sqlalchemy_url: str) -> HubRowRecorder:
    rec = HubRowRecorder(datastore(sqlalchemy_url))
    rec.create_table()
    return rec
