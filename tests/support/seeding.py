"""A site with the demo's data, and the events it would send the hub: for tests that need real lists."""
from __future__ import annotations

from sqlalchemy import text

from services.common.users import add_user
from services.demo import data, seed
from services.serving import AppServer
from services.sync.relay import Relay


def seed_site(runtime, app) -> None:
    """The site's demo data, entered through its own API over HTTP (services/demo/seed.py)."""
    with runtime.engine.begin() as conn:
        for username, granted in data.SITE_USERS:
            add_user(conn, username, data.DEMO_PASSWORD, granted)
    server = AppServer(app, "127.0.0.1", 0).start()
    try:
        seed.seed_site(f"http://127.0.0.1:{server.port}", runtime.site_id)
    finally:
        server.stop()


def events_of(runtime) -> list[str]:
    """The site's events as signed envelopes, sequenced by its relay (no bus: nothing is published)."""
    relay = Relay(runtime.engine, runtime.site_id, runtime.signing_key, publisher=None)
    with runtime.engine.connect() as conn:
        for stream in relay.pending_streams(conn):
            while relay.sequence(conn, stream):
                pass
        return list(conn.execute(text("SELECT envelope FROM outbox ORDER BY stream, seq")).scalars())
