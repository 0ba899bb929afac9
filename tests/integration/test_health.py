"""/healthz and /readyz on a site's and the hub's app, on real PostgreSQL and RabbitMQ; and the
correlation id every request carries (X-Correlation-ID in, out, and in the log line)."""
from __future__ import annotations

import io
import json
import logging
import uuid
from dataclasses import replace

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from services.bootstrap import create_app
from services.common import logs
from services.common.migrate import KERNEL, alembic_config
from tests.support.migrated import bootstrap
from tests.support.services import AMQP_HOST, need
from tests.support.tokens import bearer

pytestmark = pytest.mark.services

ERROR_SHAPE = {"code", "status", "message", "errors"}


@pytest.fixture(params=["AT12", "EU"])
def site_id(request):
    return request.param


def test_ready_only_with_database_migrations_at_head_and_broker(site_id, make_settings, pg_url):
    need("RabbitMQ", AMQP_HOST, 5672)
    # Readiness only connects: the broker's default vhost will do (no vhost of the test's own needed).
    runtime = bootstrap(make_settings(site_id, db_url=pg_url, bus_url=f"amqp://guest:guest@{AMQP_HOST}:5672//"))
    app = create_app(runtime)
    client = app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "bus": "ok"}}

    # The broker unreachable.
    app.extensions["sopro"] = replace(runtime, settings=runtime.settings.with_(
        bus_url="amqp://guest:guest@127.0.0.1:1//"))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    body = ready.get_json()
    assert set(body) == ERROR_SHAPE and body["code"] == "not_ready"
    assert list(body["errors"]) == ["bus"]
    assert "127.0.0.1" not in json.dumps(body), "a public probe names the check, not the internals"
    assert client.get("/healthz").status_code == 200, "liveness does not depend on the broker"
    app.extensions["sopro"] = runtime

    # The kernel's branch one revision back, as if new code ran before `sopro db upgrade`.
    head = ScriptDirectory.from_config(alembic_config(runtime.engine, [KERNEL])).get_revision("common@head")
    with runtime.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :previous WHERE version_num = :head"),
                     {"previous": head.down_revision, "head": head.revision})
    ready = client.get("/readyz")
    assert ready.status_code == 503
    errors = ready.get_json()["errors"]
    assert list(errors) == ["migrations"] and head.revision in errors["migrations"][0]
    runtime.engine.dispose()


def test_not_ready_when_the_database_is_unreachable_but_still_live(site_id, make_settings):
    from services.common.runtime import build_runtime

    down = build_runtime(make_settings(site_id, db_url="postgresql+psycopg://postgres@127.0.0.1:1/none"))
    client = create_app(down).test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert list(ready.get_json()["errors"]) == ["database"]


def test_every_request_carries_a_correlation_id_into_the_response_and_the_log(make_settings, pg_url):
    runtime = bootstrap(make_settings("AT12", db_url=pg_url))
    client = create_app(runtime).test_client()
    stream = io.StringIO()
    handler = logs.make_handler("json", stream)
    access = logging.getLogger("sopro.http")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        given = client.get("/healthz", headers={"X-Correlation-ID": "trace-77"})
        refused = client.get("/api/v1/federation/dead-letters")  # 401: refused requests are traced too
        unsafe = client.get("/healthz", headers={"X-Correlation-ID": "bad\tid"})
    finally:
        access.removeHandler(handler)
    assert given.headers["X-Correlation-ID"] == "trace-77"
    assert refused.status_code == 401
    made = refused.headers["X-Correlation-ID"]
    uuid.UUID(made)
    assert unsafe.headers["X-Correlation-ID"] != "bad\tid"
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["correlation_id"], line["path"], line["status"]) for line in lines] == [
        ("trace-77", "/healthz", 200), (made, "/api/v1/federation/dead-letters", 401),
        (unsafe.headers["X-Correlation-ID"], "/healthz", 200)]
    assert logs.current() == {}, "the request's context does not leak into the next"

    # (The same site app: moderation is the hub's; see test_moderation.py for the hub's side.)
    response = client.post("/api/v1/federation/streams/AT12/registry/pause", json={"reason": "x"},
                           headers=bearer(runtime, ["agency_admin"], "ops"))
    assert response.status_code == 404 and response.get_json()["message"] == "streams are moderated at the hub"
    runtime.engine.dispose()
