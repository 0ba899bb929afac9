"""A site holding a person's data, for the privacy tests: filing statements, the events the hub gets,
and `sopro privacy export`."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from services.bootstrap import create_app
from services.cli import main
from services.common import config
from services.common.users import add_user
from services.common.outbox import outbox
from services.sync.relay import Relay
from tests.support.migrated import bootstrap
from tests.support.sites import API
from tests.support.tokens import PASSWORD, logged_in

PERSON = {"first_name": "Hansjörg", "last_name": "Zaunmaier", "phone": "+43 664 9876543", "phone_kind": "mobile",
          "email": "Hansjoerg.Zaunmaier@example.org"}
CONTACT = {"name": "Hansjörg Zaunmaier", "email": "hansjoerg.zaunmaier@example.org", "phone": "+43 2742 555111"}


@pytest.fixture
def site(make_settings, pg_schema_url):
    runtime = bootstrap(make_settings("AT12", db_url=pg_schema_url("site")))
    with runtime.engine.begin() as conn:
        add_user(conn, "broker", PASSWORD, ["broker"])
    client = create_app(runtime).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = logged_in(client, "broker")["Authorization"]
    yield runtime, client
    runtime.engine.dispose()


def file_statement(client, **person) -> dict:
    resp = client.post(f"{API}/support-statements", json={"kind": "person", "consent": True, "nuts3": "AT123",
                                                           **PERSON, **person})
    assert resp.status_code == 201, resp.json
    return resp.json


def signed_events(runtime) -> list[dict]:
    with runtime.engine.connect() as conn:
        Relay(runtime.engine, runtime.site_id, runtime.signing_key, publisher=None).sequence(conn, "AT12/registry")
        return [json.loads(e) for e in conn.execute(select(outbox.c.envelope).order_by(outbox.c.seq)).scalars()]


def export(monkeypatch, runtime, tmp_path, *args) -> dict:
    monkeypatch.setenv("SOPRO_DB_URL", runtime.settings.db_url)
    monkeypatch.setenv("SOPRO_FEDERATION_FILE", str(tmp_path / "unused.yaml"))
    out = tmp_path / "export.json"
    monkeypatch.setattr(config, "load_federation", lambda *a, **k: runtime.settings.federation)
    assert main(["privacy", "export", "--site", "AT12", *args, "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))
