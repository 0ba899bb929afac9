"""Prometheus metrics of a site or the hub, at `GET /metrics`.

- Request latency: a histogram by endpoint (the route's template, so ids do not multiply series),
  method and status, observed in this process.
- Everything else is read from the database at scrape time by `FederationCollector`, so it is the
  same whichever process is scraped (API, relay and ingest may be separate processes):
  the outbox backlog and the relay's lag per stream, each consumer's lag per stream (behind what
  it has seen, and behind the origin's own last seq as its feed last reported it), dead letters per
  consumer, and paused streams.

Each app has its own registry (nothing global, so apps and tests do not share series).

Access: `/metrics` is public, because Prometheus scrapes without a JWT (and our tokens expire
within the hour). It exposes aggregate counts by stream, consumer and route only, never an entity's
id or a person. An operator can still limit it to the scrapers' addresses with
`SOPRO_METRICS_ALLOW` (comma-separated networks, e.g. `10.0.0.0/8,127.0.0.1/32`); others get 403.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import time
from datetime import datetime, timezone

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from services.common.auth import public
from services.common.errors import Forbidden
from services.common.inbox import dead_letter, stream_pause, stream_position
from services.common.outbox import outbox, outbox_stream

log = logging.getLogger("sopro.metrics")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment  # SQLite: naive UTC


class FederationCollector(Collector):
    """Gauges computed from the database when Prometheus scrapes."""

    def __init__(self, engine: Engine, clock=time.time):
        self.engine = engine
        self.clock = clock

    def collect(self):
        up = GaugeMetricFamily("sopro_database_up", "1 if the metrics query reached the database")
        try:
            with self.engine.connect() as conn:
                families = list(self._outbox(conn)) + list(self._consumers(conn)) + list(self._dead_letters(conn))
        except SQLAlchemyError as exc:
            log.warning("metrics: database unreachable: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _outbox(self, conn):
        backlog = GaugeMetricFamily("sopro_outbox_backlog", "outbox rows not yet published, by stream and state "
                                    "(unsequenced: committed, no seq yet; unpublished: sequenced, not confirmed)",
                                    labels=["stream", "state"])
        lag = GaugeMetricFamily("sopro_relay_lag_seconds", "age of the oldest unpublished outbox row (0: none)",
                                labels=["stream"])
        streams = set(conn.execute(select(outbox_stream.c.stream)).scalars())
        pending = outbox.c.published_at.is_(None)
        counts = {}
        for row in conn.execute(
            select(outbox.c.stream, outbox.c.seq.is_(None).label("unsequenced"), func.count(), func.min(outbox.c.occurred_at))
            .where(pending).group_by(outbox.c.stream, outbox.c.seq.is_(None))
        ):
            state = "unsequenced" if row[1] else "unpublished"
            count, oldest = counts.get(row[0], ({}, None))
            count[state] = row[2]
            oldest = min(filter(None, [oldest, _utc(row[3])]))
            counts[row[0]] = (count, oldest)
        now = self.clock()
        for stream in sorted(streams | set(counts)):
            count, oldest = counts.get(stream, ({}, None))
            for state in ("unsequenced", "unpublished"):
                backlog.add_metric([stream, state], count.get(state, 0))
            lag.add_metric([stream], max(0.0, now - oldest.timestamp()) if oldest else 0.0)
        return backlog, lag

    def _consumers(self, conn):
        lag = GaugeMetricFamily("sopro_stream_lag_events", "how many events a consumer is behind on a stream: "
                                "behind=seen (max seen seq - contiguous seq), behind=origin (the origin's last "
                                "seq from its feed - contiguous seq; only once the feed was read)",
                                labels=["consumer", "stream", "behind"])
        contiguous = GaugeMetricFamily("sopro_stream_contiguous_seq", "every seq up to here is applied",
                                       labels=["consumer", "stream"])
        origin = GaugeMetricFamily("sopro_stream_origin_last_seq", "the origin's last seq as its feed last said",
                                   labels=["consumer", "stream"])
        paused = GaugeMetricFamily("sopro_stream_paused", "1 while a consumer's ingest of a stream is paused",
                                   labels=["consumer", "stream"])
        for row in conn.execute(select(stream_position)):
            labels = [row.consumer, row.stream]
            contiguous.add_metric(labels, row.contiguous_seq)
            lag.add_metric(labels + ["seen"], max(0, row.max_seen_seq - row.contiguous_seq))
            if row.source_last_seq is not None:
                origin.add_metric(labels, row.source_last_seq)
                lag.add_metric(labels + ["origin"], max(0, row.source_last_seq - row.contiguous_seq))
        for row in conn.execute(select(stream_pause.c.consumer, stream_pause.c.stream)
                                .where(stream_pause.c.resumed_at.is_(None))):
            paused.add_metric([row.consumer, row.stream], 1)
        return lag, contiguous, origin, paused

    def _dead_letters(self, conn):
        family = GaugeMetricFamily("sopro_dead_letters", "dead-lettered messages by consumer; state=dead still "
                                   "needs attention, state=redriven was applied by a re-drive",
                                   labels=["consumer", "state"])
        redriven = dead_letter.c.redriven_at.is_not(None)
        for row in conn.execute(select(dead_letter.c.consumer, redriven.label("redriven"), func.count())
                                .group_by(dead_letter.c.consumer, redriven)):
            family.add_metric([row[0], "redriven" if row[1] else "dead"], row[2])
        return (family,)


def allowed_networks(spec: str | None) -> list | None:
    """The networks allowed to scrape, from `SOPRO_METRICS_ALLOW`; None means everyone."""
    if not spec or not spec.strip():
        return None
    return [ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()]


def register_metrics(app: Flask, engine: Engine, allow: str | None = None) -> CollectorRegistry:
    """Give `app` its own registry, time every request, and serve `/metrics`."""
    registry = CollectorRegistry(auto_describe=True)
    latency = Histogram("sopro_http_request_duration_seconds", "HTTP request latency",
                        ["endpoint", "method", "status"], buckets=LATENCY_BUCKETS, registry=registry)
    registry.register(FederationCollector(engine))
    networks = allowed_networks(os.environ.get("SOPRO_METRICS_ALLOW") if allow is None else allow)
    app.extensions["sopro.metrics"] = registry

    @app.before_request
    def start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            endpoint = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
            latency.labels(endpoint, request.method, str(response.status_code)).observe(
                time.perf_counter() - started)
        return response

    @public
    def metrics():
        if networks is not None:
            address = ipaddress.ip_address(request.remote_addr or "0.0.0.0")
            if not any(address in net for net in networks):
                raise Forbidden("metrics are served to the configured scrapers only")
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
    return registry
