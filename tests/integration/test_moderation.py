"""Moderation on real PostgreSQL and RabbitMQ: the hub pauses a site's stream, the site keeps writing,
nothing is applied and nothing is lost; on resume every held-back event is applied once, in order.

A probe handler appends a row per application (never deduplicated), so an event applied twice
shows as two rows and the order of the rows is the order of application.
"""
from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from services import cli
from services.bootstrap import create_app
from services.common import inbox
from services.common.errors import Conflict, Unavailable
from services.sync import moderation
from services.sync.processing import EventProcessor
from tests.support.migrated import bootstrap
from tests.support.sync import (
    EVENT_TYPE, FeedServer, RunningConsumer, declare, make_runtime, reconciler_for, relay_for,
    write_events,
)
from tests.support.polling import eventually
from tests.support.tokens import bearer

pytestmark = pytest.mark.services

CONSUMER, STREAM = "hub.ingest", "AT12/registry"

order_metadata = MetaData()
applications = Table(
    "probe_application", order_metadata,
    Column("position", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("seq", Integer, nullable=False),
)


def record_application(conn, env) -> None:
    conn.execute(applications.insert().values(event_id=str(env.id), seq=env.seq))


def applied(runtime) -> list[tuple[str, int]]:
    with runtime.engine.connect() as conn:
        return [(r.event_id, r.seq) for r in conn.execute(select(applications).order_by(applications.c.position))]


@pytest.fixture
def site(make_settings, pg_schema_url, amqp_url):
    return make_runtime(make_settings("AT12", db_url=pg_schema_url("site"), bus_url=amqp_url))


@pytest.fixture
def hub(make_settings, pg_schema_url, amqp_url):
    runtime = make_runtime(make_settings("EU", db_url=pg_schema_url("hub"), bus_url=amqp_url))
    order_metadata.create_all(runtime.engine)
    return runtime


@pytest.fixture
def pg_site(make_settings, pg_schema_url):
    """The site without a broker of its own: the feed is all these tests need of it."""
    return make_runtime(make_settings("AT12", db_url=pg_schema_url("site")))


@pytest.fixture
def pg_hub(make_settings, pg_schema_url):
    return make_runtime(make_settings("EU", db_url=pg_schema_url("hub")))


def test_paused_stream_is_held_back_and_applied_once_in_order_on_resume(site, hub, amqp_url):
    declare(amqp_url)
    processor = EventProcessor(CONSUMER, hub.engine, hub.verifier, hub.validator, {EVENT_TYPE: record_application})
    relay = relay_for(site, amqp_url)
    outcomes = []
    first = write_events(site, 3)
    relay.run_once()
    with FeedServer(site) as feed, RunningConsumer(amqp_url, processor, on_outcome=outcomes.append):
        eventually(lambda: len(applied(hub)) == 3)
        moderation.pause(hub.engine, CONSUMER, STREAM, "agency", "suspicious bulk registrations")

        held = write_events(site, 25)  # the site keeps writing and relaying while the hub holds back
        assert relay.run_once() == 25
        assert eventually(lambda: sum(o.paused for o in outcomes) == 25), "the consumer received every message"
        assert applied(hub) == [(i, s) for s, i in enumerate(first, 1)], "nothing of the paused stream applied"
        with hub.engine.connect() as conn:
            assert inbox.positions(conn, CONSUMER)[STREAM] == (3, 3), "and nothing claimed"

        reconciler = reconciler_for(hub, processor, site, feed.url)
        assert reconciler.run_once() == {}, "the reconciler's timer leaves a paused stream alone"
        listed = {s["stream"]: s for s in moderation.streams(hub.engine, CONSUMER, [STREAM])}
        assert listed[STREAM]["paused"] and listed[STREAM]["origin_last_seq"] == 28, "but shows the backlog"

        resumed = moderation.resume(reconciler, STREAM, "agency")
        assert resumed["applied"] == 25 and resumed["resumed_by"] == "agency"

        later = write_events(site, 2)  # live again
        relay.run_once()
        eventually(lambda: len(applied(hub)) == 30)

    expected = [(event_id, seq) for seq, event_id in enumerate(first + held + later, 1)]
    assert applied(hub) == expected, "every event applied exactly once, in seq order"
    with hub.engine.connect() as conn:
        assert inbox.positions(conn, CONSUMER)[STREAM] == (30, 30)
        assert inbox.paused_streams(conn, CONSUMER) == set()
    assert [p["resumed_by"] for p in moderation.history(hub.engine, CONSUMER, STREAM)] == ["agency"]


def test_resume_with_the_feed_unreachable_is_refused_and_the_stream_stays_paused(pg_site, pg_hub):
    site, hub = pg_site, pg_hub
    processor = EventProcessor(CONSUMER, hub.engine, hub.verifier, hub.validator, {EVENT_TYPE: record_application})
    moderation.pause(hub.engine, CONSUMER, STREAM, "agency", "checking")
    with pytest.raises(Conflict):
        moderation.pause(hub.engine, CONSUMER, STREAM, "agency", "twice")
    with pytest.raises(Unavailable):
        moderation.resume(reconciler_for(hub, processor, site, "http://127.0.0.1:1"), STREAM, "agency")
    with hub.engine.connect() as conn:
        assert inbox.paused_streams(conn, CONSUMER) == {STREAM}
    with pytest.raises(Conflict):
        moderation.resume(reconciler_for(hub, processor, site, "http://127.0.0.1:1"), "AT13/registry", "agency")


def test_moderation_api_and_command_at_the_hub(pg_site, make_settings, pg_schema_url, federation_files, monkeypatch,
                                              capsys):
    """agency_admin pauses and resumes over HTTP, an operator with `sopro streams`; each resume applies
    what the site wrote meanwhile."""
    site = pg_site
    with FeedServer(site) as feed:
        hub_url = pg_schema_url("hubapi")
        settings = make_settings("EU", db_url=hub_url)
        federation = settings.federation
        federation = replace(federation, sites={**federation.sites, "AT12": replace(federation.site("AT12"),
                                                                                     url=feed.url)})
        hub_runtime = bootstrap(settings.with_(federation=federation))
        client = create_app(hub_runtime).test_client()

        def call(path, roles=("agency_admin",), **kwargs):
            return client.post(path, headers=bearer(hub_runtime, roles, "ops"), **kwargs)

        base = f"/api/v1/federation/streams/{STREAM}"
        invalid = call(f"{base}/pause", json={})
        assert invalid.status_code == 422 and "reason" in invalid.get_json()["errors"]
        assert call(f"{base}/pause", roles=["agency_viewer"], json={"reason": "x"}).status_code == 403
        assert call("/api/v1/federation/streams/AT12/nothing/pause", json={"reason": "x"}).status_code == 404

        paused = call(f"{base}/pause", json={"reason": "review"})
        assert paused.status_code == 200, paused.get_json()
        assert (paused.get_json()["paused_by"], paused.get_json()["reason"]) == ("ops", "review")
        assert call(f"{base}/pause", json={"reason": "again"}).status_code == 409

        write_events(site, 5)
        relay_for(site, "memory://").run_once()
        listing = client.get("/api/v1/federation/streams",
                             headers=bearer(hub_runtime, ["agency_viewer"], "viewer")).get_json()
        row = next(s for s in listing["items"] if s["stream"] == STREAM)
        assert row["paused"] and row["reason"] == "review"
        assert len(listing["items"]) == 20, "five sites, four services each (registry, enquiries, label, community)"

        resumed = call(f"{base}/resume")
        assert resumed.status_code == 200, resumed.get_json()
        assert resumed.get_json()["applied"] == 5 and resumed.get_json()["resumed_by"] == "ops"
        assert call(f"{base}/resume").status_code == 409
        with hub_runtime.engine.connect() as conn:
            assert inbox.positions(conn, CONSUMER)[STREAM][0] == 5

        for name, value in {"SOPRO_SITE": "EU", "SOPRO_DB_URL": hub_url, "SOPRO_BUS_URL": "memory://",
                            "SOPRO_FEDERATION_FILE": str(federation_files[0]), "SOPRO_URL_AT12": feed.url,
                            "SOPRO_KEY_FILE": str(federation_files[1] / "EU.pem")}.items():
            monkeypatch.setenv(name, value)
        try:
            assert cli.main(["streams", "pause", STREAM, "--reason", "audit", "--by", "eva"]) == 0
            write_events(site, 4)
            relay_for(site, "memory://").run_once()
            assert cli.main(["streams", "list"]) == 0
            assert cli.main(["streams", "resume", "AT12/nothing"]) == 1
            assert cli.main(["streams", "resume", STREAM, "--by", "eva"]) == 0
            assert cli.main(["streams", "resume", STREAM]) == 1
        finally:
            root = logging.getLogger()
            for handler in [h for h in root.handlers if getattr(h, "sopro", False)]:
                root.removeHandler(handler)
        out = capsys.readouterr().out
        assert "AT12/registry        applied up to 5, seen 5, site at 5  PAUSED by eva: audit" in out
        assert "AT12/registry: resumed; 4 held-back events applied" in out
        assert "AT12/registry: AT12/registry is not paused" in out
        with hub_runtime.engine.connect() as conn:
            assert inbox.positions(conn, CONSUMER)[STREAM][0] == 9
        hub_runtime.engine.dispose()
