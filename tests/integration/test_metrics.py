"""Prometheus metrics on real PostgreSQL: the gauges read from the database at scrape time, and the
request latency histogram of each app's own registry."""
from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update

from services.common import inbox
from services.common.api import create_flask_app
from services.common.metrics import FederationCollector
from services.common.outbox import outbox
from services.common.runtime import build_runtime
from services.sync import moderation
from tests.support.sync import make_runtime, processor_for, relay_for, write_events

pytestmark = pytest.mark.services

STREAM = "AT12/registry"


def scrape(engine, clock=None) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(FederationCollector(engine, **({"clock": clock} if clock else {})))
    return registry


@pytest.fixture
def site(make_settings, pg_schema_url):
    return make_runtime(make_settings("AT12", db_url=pg_schema_url("site")))


@pytest.fixture
def hub(make_settings, pg_schema_url):
    return make_runtime(make_settings("EU", db_url=pg_schema_url("hub")))


def test_outbox_backlog_and_relay_lag_follow_the_relay(site):
    write_events(site, 4)
    with site.engine.connect() as conn:
        oldest = conn.execute(select(func.min(outbox.c.occurred_at))).scalar()
    clock = lambda: oldest.timestamp() + 42.0  # noqa: E731
    backlog = lambda r, state: r.get_sample_value("sopro_outbox_backlog", {"stream": STREAM, "state": state})  # noqa: E731

    registry = scrape(site.engine, clock)
    assert (backlog(registry, "unsequenced"), backlog(registry, "unpublished")) == (4, 0)
    assert registry.get_sample_value("sopro_relay_lag_seconds", {"stream": STREAM}) == pytest.approx(42.0)

    relay = relay_for(site, "memory://")
    with site.engine.connect() as conn:
        relay.sequence(conn, STREAM)  # sequenced and signed, not yet published
    registry = scrape(site.engine, clock)
    assert (backlog(registry, "unsequenced"), backlog(registry, "unpublished")) == (0, 4)
    assert registry.get_sample_value("sopro_relay_lag_seconds", {"stream": STREAM}) == pytest.approx(42.0)

    relay.run_once()
    registry = scrape(site.engine, clock)
    assert (backlog(registry, "unsequenced"), backlog(registry, "unpublished")) == (0, 0)
    assert registry.get_sample_value("sopro_relay_lag_seconds", {"stream": STREAM}) == 0
    assert registry.get_sample_value("sopro_database_up") == 1


def test_consumer_lag_dead_letters_and_pauses(site, hub):
    write_events(site, 4)
    relay_for(site, "memory://").run_once()
    with site.engine.connect() as conn:
        bodies = [r.envelope for r in conn.execute(select(outbox.c.envelope).order_by(outbox.c.seq))]
    processor = processor_for(hub)
    processor.process([bodies[0], bodies[1], bodies[3], "{not json", "{also not json"])  # seq 3 missing
    labels = {"consumer": "hub.ingest", "stream": STREAM}

    registry = scrape(hub.engine)
    assert registry.get_sample_value("sopro_stream_contiguous_seq", labels) == 2
    assert registry.get_sample_value("sopro_stream_lag_events", {**labels, "behind": "seen"}) == 2
    assert registry.get_sample_value("sopro_stream_lag_events", {**labels, "behind": "origin"}) is None, \
        "unknown until the site's feed was read"
    assert registry.get_sample_value("sopro_dead_letters", {"consumer": "hub.ingest", "state": "dead"}) == 2

    with hub.engine.begin() as conn:
        inbox.note_origin_seq(conn, "hub.ingest", STREAM, 9)
        first = conn.execute(select(func.min(inbox.dead_letter.c.id))).scalar()
        conn.execute(update(inbox.dead_letter).where(inbox.dead_letter.c.id == first)
                     .values(redriven_at=func.now(), redriven_by="ops"))
    moderation.pause(hub.engine, "hub.ingest", STREAM, "ops", "review")
    registry = scrape(hub.engine)
    assert registry.get_sample_value("sopro_stream_origin_last_seq", labels) == 9
    assert registry.get_sample_value("sopro_stream_lag_events", {**labels, "behind": "origin"}) == 7
    assert registry.get_sample_value("sopro_dead_letters", {"consumer": "hub.ingest", "state": "dead"}) == 1
    assert registry.get_sample_value("sopro_dead_letters", {"consumer": "hub.ingest", "state": "redriven"}) == 1
    assert registry.get_sample_value("sopro_stream_paused", labels) == 1


def test_a_scrape_with_the_database_down_still_answers(make_settings):
    down = build_runtime(make_settings("EU", db_url="postgresql+psycopg://postgres@127.0.0.1:1/none"))
    registry = scrape(down.engine)
    assert registry.get_sample_value("sopro_database_up") == 0
    assert registry.get_sample_value("sopro_outbox_backlog", {"stream": STREAM, "state": "unsequenced"}) is None


def test_metrics_endpoint_times_requests_per_app_and_can_be_limited_to_scrapers(site, monkeypatch):
    write_events(site, 2)
    app, _ = create_flask_app("a", "a", site)
    other, _ = create_flask_app("b", "b", site)
    client = app.test_client()
    for _ in range(2):
        client.get("/healthz")
    client.get("/nowhere")
    client.post("/api/v1/auth/token", json={})
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(response.get_data(as_text=True))
               for s in family.samples}

    def count(endpoint, method, status):
        labels = tuple(sorted({"endpoint": endpoint, "method": method, "status": status}.items()))
        return samples.get(("sopro_http_request_duration_seconds_count", labels))

    assert count("/healthz", "GET", "200") == 2
    assert count("<unmatched>", "GET", "404") == 1
    assert count("/api/v1/auth/token", "POST", "422") == 1
    assert samples[("sopro_outbox_backlog", (("state", "unsequenced"), ("stream", STREAM)))] == 2
    assert app.extensions["sopro.metrics"].get_sample_value(
        "sopro_http_request_duration_seconds_count", {"endpoint": "/healthz", "method": "GET", "status": "200"}) == 2
    assert other.extensions["sopro.metrics"].get_sample_value(
        "sopro_http_request_duration_seconds_count", {"endpoint": "/healthz", "method": "GET", "status": "200"}) \
        is None, "each app has its own registry"

    monkeypatch.setenv("SOPRO_METRICS_ALLOW", "10.0.0.0/8")
    limited, _ = create_flask_app("c", "c", site)
    refused = limited.test_client().get("/metrics")  # the test client comes from 127.0.0.1
    assert refused.status_code == 403 and refused.get_json()["code"] == "forbidden"
    monkeypatch.setenv("SOPRO_METRICS_ALLOW", "10.0.0.0/8, 127.0.0.1/32")
    allowed, _ = create_flask_app("d", "d", site)
    assert allowed.test_client().get("/metrics").status_code == 200
