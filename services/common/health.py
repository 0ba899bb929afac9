"""Liveness and readiness, for an orchestrator's probes (docker-compose health checks, Kubernetes).

- `GET /healthz`: the process serves requests. It touches nothing else, so a database outage does
  not get a healthy process restarted.
- `GET /readyz`: the process can do its work: the database answers, its schema is at the Alembic
  head of every component this app runs (the app factory passes them: `init_health`), and the broker accepts a connection (unless the bus is the
  in-memory one). Not ready is a 503 in the one error shape, each failed check under `errors`.
  Messages name the check, not the internals (hosts, credentials): the endpoint is public.
"""
from __future__ import annotations

import logging
import threading

import marshmallow as ma
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from services.common import bus
from services.common.auth import public
from services.common.errors import SoproError
from services.common.migrate import alembic_config
from services.common.runtime import current_runtime

log = logging.getLogger("sopro.health")

blp = Blueprint("health", __name__, description="Liveness and readiness probes")

BUS_TIMEOUT_SECONDS = 3


class NotReady(SoproError):
    status = 503
    code = "not_ready"


class LiveSchema(ma.Schema):
    status = ma.fields.String(metadata={"example": "ok"})


class ReadySchema(ma.Schema):
    status = ma.fields.String(metadata={"example": "ready"})
    checks = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(),
                            metadata={"description": "database, migrations, bus: ok or skipped"})


def init_health(app, components) -> None:
    """The components (tables and migration branches) `app` runs, whose heads readiness expects."""
    app.extensions["sopro.health"] = {"components": list(components)}


def expected_heads(runtime) -> set[str]:
    """The Alembic heads of the components this app runs (computed once: the code does not change)."""
    cache = current_app.extensions["sopro.health"]
    if "heads" not in cache:
        config = alembic_config(runtime.engine, cache["components"])
        cache["heads"] = set(ScriptDirectory.from_config(config).get_heads())
    return cache["heads"]


def check_database(runtime, heads: set[str]) -> dict[str, str]:
    """Failures of the database and migration checks, by check name."""
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # noqa: BLE001 - any failure to talk to the database means not ready
        log.warning("readiness: database unreachable: %s", exc)
        return {"database": f"unreachable ({type(exc).__name__})"}
    if current != heads:
        behind = sorted(heads - current)
        unknown = sorted(current - heads)
        return {"migrations": f"not at head: missing {behind or 'none'}, unknown {unknown or 'none'}; "
                              "run `sopro db upgrade`"}
    return {}


def check_bus(url: str) -> dict[str, str]:
    if url.startswith("memory"):
        return {}
    try:
        with bus.connect(url, connect_timeout=BUS_TIMEOUT_SECONDS, heartbeat=0) as conn:
            conn.connect()
    except Exception as exc:  # noqa: BLE001
        log.warning("readiness: broker unreachable: %s", exc)
        return {"bus": f"unreachable ({type(exc).__name__})"}
    return {}


_probe_lock = threading.Lock()


@blp.route("/healthz")
class Live(MethodView):
    @public
    @blp.response(200, LiveSchema)
    def get(self):
        """Liveness: the process answers. No dependency is checked."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @public
    @blp.response(200, ReadySchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="not ready: each failed check under `errors`")
    def get(self):
        """Readiness: database reachable, migrations at head, broker reachable (unless in-memory)."""
        runtime = current_runtime()
        with _probe_lock:  # probes are cheap but not free; never run several at once per process
            failed = check_database(runtime, expected_heads(runtime))
            failed.update(check_bus(runtime.settings.bus_url))
        if failed:
            raise NotReady("not ready: " + ", ".join(sorted(failed)), {k: [v] for k, v in failed.items()})
        checks = {"database": "ok", "migrations": "ok",
                  "bus": "skipped" if runtime.settings.bus_url.startswith("memory") else "ok"}
        return {"status": "ready", "checks": checks}
