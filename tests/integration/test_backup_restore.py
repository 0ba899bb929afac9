"""Backup and restore of a site, and the hub rebuilt from the feeds alone, through `sopro`, on PostgreSQL
and RabbitMQ.

A site is backed up, writes and publishes more, and is restored into a fresh schema: it holds exactly
what the backup held (outbox, stream positions and the inbox included), takes writes, and its relay
carries on after the seqs the hub has seen (`--resume-after`), reusing none. The hub rebuild runs `sopro hub rebuild`
on an empty database against the sites' real feeds.
"""
from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import select

from services.bootstrap import components, create_app
from services.cli import main
from services.common import bus, inbox
from services.common.users import add_user
from services.common.backup import dump, read_backup
from services.common.config import load_settings
from services.common.outbox import outbox, outbox_stream
from services.hub.register import store as hub_store
from services.sync.relay import Relay
from services.workers import site_members
from tests.support.migrated import bootstrap
from tests.support.sites import Site
from tests.support.sync import FeedServer
from tests.support.tokens import logged_in

pytestmark = pytest.mark.services

MEMBERS = "AT12.enquiries.members"


@pytest.fixture
def env(monkeypatch, federation_files, tmp_path, pg_schema_url):
    """The environment `sopro` runs in: AT12 on its own schema, the throwaway keys."""
    federation_file, keys_dir = federation_files
    values = {"SOPRO_SITE": "AT12", "SOPRO_DB_URL": pg_schema_url("site"), "SOPRO_BUS_URL": "memory://",
              "SOPRO_FEDERATION_FILE": str(federation_file), "SOPRO_KEY_FILE": str(keys_dir / "AT12.pem"),
              "SOPRO_VAR_DIR": str(tmp_path)}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def broker(env, amqp_url, monkeypatch):
    """The test's own RabbitMQ vhost, with somewhere for the relay's messages to go."""
    monkeypatch.setenv("SOPRO_BUS_URL", amqp_url)
    with bus.connect(amqp_url) as conn:
        bus.declare_queue(conn, bus.QueueSpec("hub.ingest", ("*.registry.#",)))
    return {**env, "SOPRO_BUS_URL": amqp_url}


class BackedUpSite(Site):
    """AT12 with its broker: a fresh site (the broker is added) or one restored from a backup (it is there)."""

    def __init__(self, settings):
        super().__init__(settings, users=())
        with self.runtime.engine.connect() as conn:
            restored = conn.execute(select(outbox_stream)).first() is not None
        if restored:
            self.headers["broker"] = logged_in(self.client, "broker")
        else:
            self.add_user("broker", ["broker"])

    def statement(self, n: int) -> dict:
        return self.ok("POST", "/support-statements", expect=201, json={
            "kind": "organisation", "organisation_name": f"Gemeinde {n}", "organisation_kind": "public_institution",
            "consent": True, "nuts3": "AT121"})

    def person_statement(self) -> dict:
        return self.ok("POST", "/support-statements", expect=201, json={
            "kind": "person", "first_name": "Hansjörg", "last_name": "Zaunmaier", "email": "hz@example.org",
            "consent": True, "nuts3": "AT123"})

    def organisation(self, name: str) -> dict:
        return self.ok("POST", "/organisations", expect=201, json={
            "kind": "social_enterprise", "name": name, "registration_number": f"ZVR {name}",
            "address": {"street": "Hauptplatz 1", "postcode": "2130", "town": "Mistelbach", "country": "AT"},
            "nuts3": "AT125", "labour_market_segment": "second_labour_market", "workers_in_integration": 4})

    def relay(self) -> int:
        relay = Relay(self.runtime.engine, "AT12", self.runtime.signing_key,
                      bus.Publisher(bus.connect(self.runtime.settings.bus_url)))
        return relay.run_once()

    def consume_own_events(self) -> None:
        """The site's matching projection reads its registry events: positions in the site's inbox."""
        _, processor = site_members(self.runtime)
        with self.runtime.engine.connect() as conn:
            events = [json.loads(e) for e in conn.execute(
                select(outbox.c.envelope).where(outbox.c.seq.is_not(None)).order_by(outbox.c.seq)).scalars()]
        processor.process(events)

    def seqs(self) -> list[int]:
        with self.runtime.engine.connect() as conn:
            return list(conn.execute(select(outbox.c.seq).where(outbox.c.published_at.is_not(None))
                                     .order_by(outbox.c.seq)).scalars())


def test_backup_write_more_restore_into_a_fresh_schema_and_carry_on(broker, tmp_path, pg_schema_url, monkeypatch,
                                                                    capsys):
    site = BackedUpSite(load_settings())
    site.organisation("Werkstatt Nord")
    person = site.person_statement()["id"]
    kept = [person] + [site.statement(i)["id"] for i in range(3)]
    site.relay()
    site.consume_own_events()
    backed_up_seqs = site.seqs()
    assert backed_up_seqs == list(range(1, 6))

    file = tmp_path / "at12.json.gz"
    assert main(["backup", "--out", str(file)]) == 0
    assert "written to" in capsys.readouterr().out
    backup = read_backup(file)
    assert json.loads(gzip.decompress(file.read_bytes()))["site"] == "AT12"
    lost = site.statement(99)["id"]  # written after the backup: not in it
    assert site.call("POST", f"/support-statements/{person}/erase", json={}).status_code == 200
    assert site.relay() == 2
    with site.runtime.engine.connect() as conn:
        positions = inbox.positions(conn, MEMBERS)
    assert positions == {"AT12/registry": (5, 5)}

    # What was written after the backup went out as seqs 6 and 7: the hub has seen them, the backup has not.
    monkeypatch.setenv("SOPRO_DB_URL", pg_schema_url("restored"))
    assert main(["restore", str(file), "--resume-after", "AT12/registry=7"]) == 0
    assert "AT12/registry: the relay continues after seq 7" in capsys.readouterr().out
    restored = BackedUpSite(load_settings())
    tables = dump(restored.runtime.engine, sorted(_tables(restored), key=lambda t: t.name), "AT12")["tables"]
    assert backup["tables"]["outbox_stream"]["rows"] == [["AT12/registry", 5]]
    assert tables.pop("outbox_stream")["rows"] == [["AT12/registry", 7]]  # moved on to the hub's position
    assert len(backup["tables"]["outbox"]["rows"]) == 5 and backup["tables"]["inbox"]["rows"]
    assert {name: t["rows"] for name, t in tables.items()} == {name: backup["tables"][name]["rows"]
                                                               for name in tables}
    with restored.runtime.engine.connect() as conn:
        assert inbox.positions(conn, MEMBERS) == positions  # the inbox came back with the state
    statuses = {s["id"] for s in restored.call("GET", "/support-statements").json["items"]}
    assert statuses == set(kept)  # what the backup held; not the statement written after it

    new = restored.statement(100)
    assert restored.relay() == 1
    assert restored.seqs() == backed_up_seqs + [8]  # no seq the hub has seen is reused for another event
    with restored.runtime.engine.connect() as conn:
        row = conn.execute(select(outbox.c.aggregate_id, outbox.c.id).where(outbox.c.seq == 8)).one()
    assert row.aggregate_id == new["id"] and row.id > max(r[0] for r in backup["tables"]["outbox"]["rows"])
    assert lost not in statuses

    with pytest.raises(RuntimeError, match="not empty"):
        main(["restore", str(file)])

    # The backup predates the erasure, so the restore brought the person back: erase again what the
    # hub knows as erased (`sopro privacy erased --of AT12` there; tests/integration/test_privacy.py).
    assert restored.call("GET", f"/support-statements/{person}").json["last_name"] == "Zaunmaier"
    assert main(["privacy", "reerase", person, lost, "--by", "ops"]) == 0
    out = capsys.readouterr().out
    assert f"{person}: erased again" in out and f"{lost}: unknown here" in out
    again = restored.call("GET", f"/support-statements/{person}").json
    assert again["status"] == "erased" and again["last_name"] is None and again["email"] is None
    audit = restored.call("GET", f"/support-statements/{person}/audit").json
    assert [(a["action"], a["actor"], a["ground"]) for a in audit] == [("erased", "ops", "backup_restored")]


def _tables(site: BackedUpSite):
    return [t for c in components(site.runtime.settings) for t in c.metadata.tables.values()]


def test_sopro_hub_rebuild_fills_an_empty_hub_from_the_sites_feeds(env, make_settings, pg_schema_url,
                                                                   monkeypatch, tmp_path, capsys):
    """The same rebuild as test_new_hub_rebuilds_its_store_from_the_feeds (tests/integration/
    test_guarantees_gaps_heal.py), but with the real hub consumers and the command an operator runs."""
    site = BackedUpSite(load_settings())
    orgs = [site.organisation(f"Werkstatt {i}")["id"] for i in range(3)]
    statements = [site.statement(i)["id"] for i in range(2)]
    with site.runtime.engine.connect() as conn:
        Relay(site.runtime.engine, "AT12", site.runtime.signing_key, publisher=None).sequence(conn, "AT12/registry")

    with FeedServer(site.runtime) as feed:
        monkeypatch.setenv("SOPRO_SITE", "EU")
        monkeypatch.setenv("SOPRO_DB_URL", pg_schema_url("hub"))
        monkeypatch.setenv("SOPRO_KEY_FILE", env["SOPRO_KEY_FILE"].replace("AT12", "EU"))
        monkeypatch.setenv("SOPRO_URL_AT12", feed.url)
        for other in ("AT11", "AT13", "AT22", "HU22"):
            monkeypatch.setenv(f"SOPRO_URL_{other}", "http://127.0.0.1:9")  # down
        assert main(["hub", "rebuild"]) == 1  # four sites unreachable: it says so, and does not look complete
        out = capsys.readouterr().out
        assert "AT12/registry: 5 events applied" in out
        assert out.count("NOT rebuilt") == 16 and "HU22/registry: NOT rebuilt" in out  # 4 sites × 4 services

        hub = bootstrap(load_settings())
        with hub.engine.connect() as conn:
            assert {r.id for r in conn.execute(select(hub_store.hub_organisation))} == set(orgs)
            assert {r.id for r in conn.execute(select(hub_store.hub_support_statement))} == set(statements)
        with pytest.raises(RuntimeError, match="already tracks"):
            main(["hub", "rebuild"])
        site.statement(7)
        with site.runtime.engine.connect() as conn:
            Relay(site.runtime.engine, "AT12", site.runtime.signing_key, publisher=None).sequence(conn, "AT12/registry")
        assert main(["hub", "rebuild", "--allow-non-empty"]) == 1  # fills only what is missing
        assert "AT12/registry: 1 events applied" in capsys.readouterr().out
    with hub.engine.connect() as conn:
        assert len(conn.execute(select(hub_store.hub_support_statement)).all()) == 3
    hub.engine.dispose()


def test_a_backup_is_readable_by_its_owner_alone(env, tmp_path, capsys):
    """It holds password hashes and personal data: 0600 from the start, whatever the umask, and even
    where a world-readable file of the same name was before."""
    import os
    import stat

    bootstrap(load_settings())
    old = tmp_path / "old.json"
    old.write_text("{}")
    old.chmod(0o644)
    previous = os.umask(0o022)  # the usual umask, with which a plain write gives 0644
    try:
        for out in (tmp_path / "at12.json.gz", old):
            assert main(["backup", "--out", str(out)]) == 0
            assert stat.S_IMODE(out.stat().st_mode) == 0o600, out.name
            assert read_backup(out)["site"] == "AT12"
    finally:
        os.umask(previous)


def test_a_backup_carries_no_live_session(env, tmp_path):
    """A web session holds its bearer token: a stolen backup must not log anyone in."""
    from services.common.sessions import web_session

    runtime = bootstrap(load_settings())
    app = create_app(runtime)
    with runtime.engine.begin() as conn:
        add_user(conn, "anna", "a long enough password", ["broker"])
    client = app.test_client()
    page = client.get("/login")
    csrf = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"username": "anna", "password": "a long enough password", "csrf_token": csrf})
    with runtime.engine.connect() as conn:
        assert conn.execute(select(web_session)).all(), "the login opened a session"
    out = tmp_path / "at12.json.gz"
    assert main(["backup", "--out", str(out)]) == 0
    doc = read_backup(out)
    assert doc["tables"]["web_session"]["rows"] == []
    assert "anna" in {row[0] for row in doc["tables"]["auth_user"]["rows"]}, "the users are kept"
