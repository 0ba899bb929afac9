"""The demo's dead letters for the agency to practise on (services/demo/practice.py): after the seed, the hub
holds one forged copy of AT12's and one of HU22's first registry event, dead-lettered as forged under the
real event's stream, seq and id, with nothing of the copy applied; federation.json names them, and
re-driving one reads the genuine event from the site's feed and closes the letter."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from services.common.inbox import dead_letter
from services.demo.federation import EmbeddedFederation
from services.hub.register import queries
from services.sync import deadletters
from services.sync.api import HUB_INGEST


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    fed = EmbeddedFederation(tmp_path_factory.mktemp("practice"), ephemeral_ports=True).start()
    fed.seed()
    yield fed
    fed.stop()


def open_letters(fed) -> list[dict]:
    with fed.runtimes["EU"].engine.connect() as conn:
        return deadletters.list_letters(conn, "hub.ingest", "dead").items


def test_the_hub_dead_letters_each_forged_copy_with_its_reason(federation):
    letters = {letter["stream"]: letter for letter in open_letters(federation)}
    assert sorted(letter["stream"] for letter in open_letters(federation)) == ["AT12/registry", "HU22/registry"]
    for stream, letter in letters.items():
        site = stream.split("/")[0]
        assert letter["seq"] == 1
        assert letter["reason"].startswith(f"forged: the signature does not match site '{site}'"), letter
    described = json.loads(federation.write_description().read_text(encoding="utf-8"))["practice_dead_letters"]
    assert {(d["stream"], d["seq"], d["event_id"]) for d in described} == {
        (s, letter["seq"], letter["event_id"]) for s, letter in letters.items()}
    with federation.runtimes["EU"].engine.connect() as conn:  # nothing of the tampered copies was applied
        names = [o["name"] for o in queries.list_organisations(conn, queries.Filters(), 1, 500).items]
    assert not [n for n in names if n.endswith("(altered on the way)")]


def test_a_practice_letter_is_redriven_from_the_sites_feed(federation):
    hub = federation.runtimes["EU"]
    app = federation.servers["EU"].server.app.app
    letter = next(d for d in open_letters(federation) if d["stream"] == "AT12/registry")
    with app.app_context():
        _, processor, _ = app.extensions[HUB_INGEST]()
        done = deadletters.redrive(processor, letter["id"], "agency", deadletters.origins_of(hub))
    assert done.ok, done
    with hub.engine.connect() as conn:
        assert conn.execute(select(dead_letter.c.redriven_by).where(dead_letter.c.id == letter["id"])).scalar() \
            == "agency"
    assert [d["stream"] for d in open_letters(federation)] == ["HU22/registry"]
