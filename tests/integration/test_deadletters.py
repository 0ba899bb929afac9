"""Dead letters on real PostgreSQL: the table keeps the envelope without its data and hashes, never the
message; re-driving a fixed poison reads it again from its origin and applies it once, keeping the
record; a still-bad message stays dead with its reason; the read-only API and the `sopro deadletters`
command (re-reading from the site's real feed)."""
from __future__ import annotations

import hashlib
import json
import logging
import uuid

import pytest
from sqlalchemy import select

from services import cli
from services.bootstrap import create_app
from services.common import inbox, logs
from services.common.envelope import Envelope
from services.common.outbox import outbox
from services.common.signing import sign
from services.sync import deadletters
from services.sync.processing import EventProcessor
from tests.support.migrated import bootstrap
from tests.support.sync import (
    EVENT_TYPE, FeedServer, applied_counts, make_runtime, probe_handler, relay_for, write_events,
)
from tests.support.tokens import bearer

pytestmark = pytest.mark.services

CONSUMER, STREAM = "hub.ingest", "AT12/registry"


@pytest.fixture
def site(make_settings, pg_schema_url):
    return make_runtime(make_settings("AT12", db_url=pg_schema_url("site")))


@pytest.fixture
def hub(make_settings, pg_schema_url):
    return make_runtime(make_settings("EU", db_url=pg_schema_url("hub")))


def envelopes(site, n: int) -> list[str]:
    ids = write_events(site, n)
    relay_for(site, "memory://").run_once()
    with site.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.event_id, outbox.c.envelope).order_by(outbox.c.seq)).all()
    return [r.envelope for r in rows if r.event_id in ids]


def letters(runtime) -> list:
    with runtime.engine.connect() as conn:
        return conn.execute(select(inbox.dead_letter).order_by(inbox.dead_letter.c.id)).all()


def origin(site) -> deadletters.Origins:
    """The site's own outbox, as the origin of its events (what its feed serves)."""
    return deadletters.Origins(site.engine, site.site_id)


def tracked(runtime, seq: int) -> str | None:
    with runtime.engine.connect() as conn:
        return conn.execute(select(inbox.inbox.c.status).where(inbox.inbox.c.stream == STREAM,
                                                               inbox.inbox.c.seq == seq)).scalar()


def test_a_poison_whose_handler_was_fixed_is_applied_once_by_a_redrive(site, hub):
    fixed = {"yes": False}
    contexts = []

    def handler(conn, env):
        contexts.append(logs.current())
        if env.seq == 2 and not fixed["yes"]:
            raise LookupError("organisation 42 is not known yet")
        probe_handler(conn, env)

    processor = EventProcessor(CONSUMER, hub.engine, hub.verifier, hub.validator, {EVENT_TYPE: handler})
    bodies = envelopes(site, 3)
    processor.process(bodies)
    (letter,) = letters(hub)
    poison_id = Envelope.parse(bodies[1]).id
    assert letter.reason.startswith("handler failed") and letter.seq == 2
    assert tracked(hub, 2) == inbox.QUARANTINED and str(poison_id) not in applied_counts(hub)
    first = Envelope.parse(bodies[0])
    assert contexts[0] == {"correlation_id": first.correlation_id, "event_id": str(first.id),
                           "stream": STREAM, "seq": 1}, "the processor binds the event's log context"
    assert logs.current() == {}

    again = deadletters.redrive(processor, letter.id, "ops", origin(site))
    assert (again.outcome, again.ok) == (deadletters.STILL_DEAD, False)
    assert "organisation 42 is not known yet" in again.reason, "the reason is reported again"
    assert letters(hub)[0].redriven_at is None and tracked(hub, 2) == inbox.QUARANTINED

    fixed["yes"] = True
    done = deadletters.redrive(processor, letter.id, "ops", origin(site))
    assert done.outcome == deadletters.APPLIED
    assert applied_counts(hub)[str(poison_id)] == 1 and tracked(hub, 2) == inbox.APPLIED
    (kept,) = letters(hub)
    assert kept.redriven_at is not None and kept.redriven_by == "ops", "the record stays, marked"

    assert deadletters.redrive(processor, letter.id, "ops", origin(site)).outcome == deadletters.ALREADY_REDRIVEN
    processor.process([bodies[1]])  # the broker redelivers the original: still applied once
    assert applied_counts(hub) == {str(Envelope.parse(b).id): 1 for b in bodies}


def test_the_hub_keeps_the_envelope_and_hashes_of_a_dead_letter_never_its_data(site, hub):
    """A site's bug adds personal fields: the hub's dead letter keeps none of them."""
    processor = EventProcessor(CONSUMER, hub.engine, hub.verifier, hub.validator, {EVENT_TYPE: probe_handler})
    good = json.loads(envelopes(site, 1)[0])
    fields = {k: v for k, v in good.items() if k != "signature"}
    leaky = {**fields, "data": {**good["data"], "email": "theo@example.at", "name": "Theodor Muster"}}
    leaky_body = json.dumps({**leaky, "signature": sign(leaky, site.signing_key, "AT12")})
    not_json = "email=theo@example.at&name=Theodor"
    extra = json.dumps({**good, "contact": "theo@example.at"})  # an unknown envelope field
    deep = '{"data": ' + "[" * 5000 + "]" * 5000 + "}"  # too deep to read: dead, not a poison redelivered
    outcome = processor.process([leaky_body, not_json, extra, deep])
    assert len(outcome.dead) == 4

    rows = letters(hub)
    stored = json.dumps([dict(r._mapping) for r in rows], default=str)
    assert "theo@" not in stored and "Theodor" not in stored and "[[[" not in stored
    invalid, garbage, unknown, too_deep = rows
    assert invalid.reason.startswith("invalid") and (invalid.stream, invalid.seq) == (STREAM, 1)
    assert json.loads(invalid.envelope) == {k: v for k, v in leaky.items() if k != "data"} | {
        "signature": json.loads(leaky_body)["signature"]}, "the envelope without its data"
    canonical = json.dumps(leaky["data"], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert invalid.data_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert (invalid.body_sha256, invalid.body_length) == (hashlib.sha256(leaky_body.encode()).hexdigest(),
                                                          len(leaky_body.encode()))
    assert (garbage.envelope, garbage.data_sha256, garbage.body_length) == (None, None, len(not_json))
    assert garbage.body_sha256 == hashlib.sha256(not_json.encode()).hexdigest()
    assert "contact" not in json.loads(unknown.envelope) and json.loads(unknown.envelope)["id"] == good["id"]
    assert too_deep.reason == "malformed: nested too deeply" and too_deep.envelope is None


def test_still_bad_messages_stay_dead_with_their_reason(site, hub, federation_files):
    from services.common.signing import load_private_key

    processor = EventProcessor(CONSUMER, hub.engine, hub.verifier, hub.validator, {EVENT_TYPE: probe_handler})
    good = json.loads(envelopes(site, 1)[0])
    fields = {k: v for k, v in good.items() if k != "signature"}
    invalid = {**fields, "id": str(uuid.uuid4()), "seq": 2, "data": {"statement_id": "not-a-uuid"}}
    forged = {**fields, "id": str(uuid.uuid4()), "seq": 1}  # in the place of the genuine seq 1
    hu22 = load_private_key(federation_files[1] / "HU22.pem")
    processor.process(["{not json",
                       json.dumps({**invalid, "signature": sign(invalid, site.signing_key, "AT12")}),
                       json.dumps({**forged, "signature": sign(forged, hu22, "HU22")})])
    assert [letter.reason.split(":")[0] for letter in letters(hub)] == ["malformed", "invalid", "forged"]
    results = deadletters.redrive_all(processor, "ops", origin(site))
    assert [r.outcome for r in results] == [deadletters.STILL_DEAD] * 3
    assert [r.reason for r in results] == [
        "it names no stream and seq (it was not an envelope), so it cannot be read again",
        f"its origin holds no event at {STREAM}#2",
        f"its origin's event at {STREAM}#1 is another one ({good['id']}): the letter was not the origin's "
        "(the genuine event is pulled by reconciliation)"]
    assert all(letter.redriven_at is None for letter in letters(hub))
    assert applied_counts(hub) == {}


def test_a_sender_accepted_later_is_applied_by_a_redrive_and_the_stream_moves_on(site, hub):
    refusing = EventProcessor(CONSUMER, hub.engine, hub.verifier, hub.validator, {EVENT_TYPE: probe_handler},
                              accept_site=lambda s: False)
    body = envelopes(site, 1)[0]
    refusing.process([body])
    (letter,) = letters(hub)
    assert "not accepted" in letter.reason and tracked(hub, 1) is None

    accepting = EventProcessor(CONSUMER, hub.engine, hub.verifier, hub.validator, {EVENT_TYPE: probe_handler})
    assert deadletters.redrive(accepting, letter.id, "ops", origin(site)).outcome == deadletters.APPLIED
    assert list(applied_counts(hub).values()) == [1]
    with hub.engine.connect() as conn:
        assert inbox.positions(conn, CONSUMER)[STREAM] == (1, 1)


def test_a_site_cannot_read_the_hubs_messages_again_and_says_so(site):
    """A site's inbox letter (a message of the hub's) has no copy and no feed the site may read."""
    processor = EventProcessor("AT12.inbox", site.engine, site.verifier, site.validator, {})
    with site.engine.begin() as conn:
        inbox.record_dead_letter(conn, "AT12.inbox", "handler failed", "{}", "EU/crossborder", 4, str(uuid.uuid4()))
    (letter,) = letters(site)
    result = deadletters.redrive(processor, letter.id, "ops", deadletters.origins_of(site))
    assert result.outcome == deadletters.STILL_DEAD
    assert result.reason.startswith("EU's events cannot be read again here: AT12 may not read EU's feed")


@pytest.fixture
def sopro(monkeypatch, make_settings, federation_files, pg_url, tmp_path, capsys):
    """`sopro ...` against the hub's database (the environment a hub operator has)."""
    monkeypatch.setenv("SOPRO_SITE", "EU")
    monkeypatch.setenv("SOPRO_DB_URL", pg_url)
    monkeypatch.setenv("SOPRO_BUS_URL", "memory://")
    monkeypatch.setenv("SOPRO_FEDERATION_FILE", str(federation_files[0]))
    monkeypatch.setenv("SOPRO_KEY_FILE", str(federation_files[1] / "EU.pem"))
    monkeypatch.setenv("SOPRO_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SOPRO_LOG_FORMAT", "json")

    def run(*argv) -> tuple[int, str]:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        run.log_lines = [json.loads(line) for line in captured.err.splitlines() if line.startswith("{")]
        return code, captured.out

    yield run
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "sopro", False)]:
        root.removeHandler(handler)


def test_dead_letters_through_the_api_and_the_command(site, make_settings, pg_url, sopro, monkeypatch):
    hub = bootstrap(make_settings("EU", db_url=pg_url))
    body = envelopes(site, 1)[0]
    env = Envelope.parse(body)
    with hub.engine.begin() as conn:  # as the consumer would have recorded them (real hub handlers)
        inbox.record_dead_letter(conn, CONSUMER, "malformed: not JSON", "{not json")
        inbox.record_dead_letter(conn, CONSUMER, "handler failed for the event", body, env.stream, env.seq,
                                 str(env.id))
    malformed_id, poison_id = [letter.id for letter in letters(hub)]

    client = create_app(hub).test_client()
    auth = bearer(hub, ["agency_admin"], "ops")
    page = client.get("/api/v1/federation/dead-letters", headers=auth).get_json()
    assert page["total"] == 2 and [i["id"] for i in page["items"]] == [malformed_id, poison_id]
    assert "envelope" not in page["items"][0], "the listing is a summary"
    detail = client.get(f"/api/v1/federation/dead-letters/{poison_id}", headers=auth).get_json()
    assert "body" not in detail and detail["envelope"] == {k: v for k, v in json.loads(body).items() if k != "data"}
    assert detail["body_sha256"] == hashlib.sha256(body.encode()).hexdigest() and detail["data_sha256"]
    assert client.get("/api/v1/federation/dead-letters/999999", headers=auth).status_code == 404
    assert client.get("/api/v1/federation/dead-letters?state=nonsense", headers=auth).status_code == 422
    viewer = bearer(hub, ["agency_viewer"], "v")
    assert client.get("/api/v1/federation/dead-letters", headers=viewer).status_code == 403

    code, out = sopro("deadletters", "list")
    assert code == 0 and "2 dead letters (dead)" in out and "AT12/registry#1" in out
    code, out = sopro("deadletters", "show", str(poison_id))
    assert code == 0 and json.loads(out)["event_id"] == str(env.id)
    with FeedServer(site) as feed:  # the hub re-reads the event from the site's feed
        monkeypatch.setenv("SOPRO_URL_AT12", feed.url)
        code, out = sopro("deadletters", "redrive", "--all", "--by", "anna")
    assert code == 1, "one letter is still dead"
    assert f"{poison_id}  applied" in out and f"{malformed_id}  still_dead: it names no stream and seq" in out
    assert "1 re-driven, 1 still dead" in out
    (redriven_line,) = [line for line in sopro.log_lines if line["logger"] == "sopro.deadletters"
                        and line["message"].startswith(f"dead letter {poison_id} re-driven")]
    assert (redriven_line["correlation_id"], redriven_line["event_id"], redriven_line["seq"]) == (
        env.correlation_id, str(env.id), 1), "SOPRO_LOG_FORMAT=json: the event's context in the line"
    with hub.engine.connect() as conn:
        assert inbox.positions(conn, CONSUMER)[STREAM] == (1, 1), "applied by the hub's real handlers"

    code, out = sopro("deadletters", "list", "--state", "redriven")
    assert code == 0 and "by anna" in out and "1 dead letters (redriven)" in out
    page = client.get("/api/v1/federation/dead-letters?state=redriven", headers=auth).get_json()
    assert [(i["id"], i["redriven_by"]) for i in page["items"]] == [(poison_id, "anna")]
    code, out = sopro("deadletters", "redrive", str(malformed_id))
    assert code == 1 and "still_dead: it names no stream and seq" in out
    hub.engine.dispose()


def test_the_command_finds_every_consumer_of_a_site_and_of_the_hub(make_settings):
    from services.bootstrap import consumer_processors
    from services.common.runtime import build_runtime

    assert set(consumer_processors(build_runtime(make_settings("AT12")))) == {"AT12.enquiries.members", "AT12.inbox"}
    assert set(consumer_processors(build_runtime(make_settings("EU")))) == {"hub.ingest"}
