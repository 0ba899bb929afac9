"""Free text typed by the public leaves the site only as a broker approved it (issue 11, section 3,
item 4), on PostgreSQL: an anonymous enquiry whose title and description name a person and their
e-mail goes through submission, matching and a cross-border request; neither the name nor the address
is in any outbox row or signed envelope, nor in any table of the hub after the hub's own processor
ingested those envelopes (signature, schema, handlers). Once the broker approves a public version,
that is what the hub shows."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import inspect, select, text

from services.common.outbox import outbox
from services.hub import consumers
from services.hub.enquiries import store as enquiry_store
from services.sync.processing import EventProcessor
from services.sync.relay import Relay
from tests.support.lifecycle import LifecycleSite, enquiry_body
from tests.support.migrated import bootstrap

pytestmark = pytest.mark.services

NAME, EMAIL = "Theodor Brenner", "theo@brenner.example"
PERSONAL = ("Theodor", "Brenner", "theo@")


class Collected:
    """A publisher that keeps what the relay publishes: the signed envelopes as they would go out, each
    confirmed as it is sent (bus.Publisher's interface)."""

    def __init__(self):
        self.bodies: list[str] = []

    @property
    def confirmed(self) -> int:
        return len(self.bodies)

    @contextmanager
    def burst(self):
        yield self

    def send(self, message) -> int:
        self.bodies.append(message.body)
        return len(self.bodies)

    def poll(self) -> int:
        return self.confirmed

    def flush(self) -> None:
        pass


@pytest.fixture
def network(make_settings, pg_schema_url):
    site = LifecycleSite(make_settings, pg_schema_url("site"))
    hub = bootstrap(make_settings("EU", db_url=pg_schema_url("hub")))
    sent = Collected()
    relay = Relay(site.runtime.engine, "AT12", site.runtime.signing_key, sent)
    ingest = EventProcessor("hub.ingest", hub.engine, hub.verifier, hub.validator, consumers.handlers(hub.settings))

    def deliver() -> None:
        """Relay the site's new events and let the hub ingest them."""
        already = len(sent.bodies)
        relay.run_once()
        outcome = ingest.process(sent.bodies[already:])
        assert outcome.dead == []

    yield site, hub, sent, deliver
    site.runtime.engine.dispose()
    hub.engine.dispose()


def _leaks(texts) -> list[str]:
    return [t for t in texts if any(p in t for p in PERSONAL)]


def _outbox_texts(site) -> list[str]:
    with site.runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.type, outbox.c.data, outbox.c.envelope)).all()
    return [f"{r.type} {r.data} {r.envelope}" for r in rows]


def _hub_texts(hub) -> list[str]:
    """Every row of every table of the hub's database, as text."""
    with hub.engine.connect() as conn:
        return [f"{name} {tuple(row)}" for name in inspect(conn).get_table_names()
                for row in conn.execute(text(f'SELECT * FROM "{name}"'))]


def _hub_title(hub, enquiry_id: str) -> str:
    with hub.engine.connect() as conn:
        return conn.execute(select(enquiry_store.hub_enquiries.c.title)
                            .where(enquiry_store.hub_enquiries.c.id == enquiry_id)).scalar_one()


def test_the_publics_words_reach_the_hub_only_as_the_broker_approved_them(network):
    site, hub, sent, deliver = network
    filed = site.ok("POST", "/enquiries", None, 201, json=enquiry_body(
        title=f"Anfrage von {NAME} ({EMAIL})", description=f"Bitte {NAME} anrufen oder an {EMAIL} schreiben.",
        contact={"name": NAME, "email": EMAIL}))
    eid, reference = filed["id"], filed["reference"]
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_consultation"})
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "matching"})
    site.ok("POST", f"/enquiries/{eid}/cross-border", "broker", 202, json={"max_partners": 3})
    deliver()

    types = [site_type for site_type, *_ in site.events()]
    assert {"enquiries.enquiry.submitted", "enquiries.enquiry.changed",
            "enquiries.enquiry.cross_border_requested"} <= set(types)
    assert len(sent.bodies) >= 4 and _leaks(sent.bodies) == [] and _leaks(_outbox_texts(site)) == []
    assert _hub_title(hub, eid) == f"{reference} (CPV 39100000)"  # the neutral placeholder
    assert _leaks(_hub_texts(hub)) == []
    assert site.ok("GET", f"/enquiries/{eid}/public-text")["approved"] is False

    approved = site.ok("PUT", f"/enquiries/{eid}/public-text", json={
        "title": "Palettenmöbel für eine Kantine", "description": "100 Stück, Lieferung nach St. Pölten"})
    assert approved["approved"] is True and approved["approved_by"] == "broker"
    assert approved["shared_title"] == "Palettenmöbel für eine Kantine"
    deliver()
    assert _hub_title(hub, eid) == "Palettenmöbel für eine Kantine"
    assert _leaks(_hub_texts(hub)) == [] and _leaks(_outbox_texts(site)) == []
    assert site.ok("GET", f"/enquiries/{eid}")["title"] == f"Anfrage von {NAME} ({EMAIL})"  # kept at the site


def test_only_staff_approve_and_a_members_words_wait_too(network):
    site, hub, _, deliver = network
    company = site.company()
    draft = site.ok("POST", "/enquiries", "client", 201, json=enquiry_body(title=f"Für {NAME}", submit=True))
    site.call("PUT", f"/enquiries/{draft['id']}/public-text", "client", json={"title": "Möbel"}, expect=403)
    refused = site.call("PUT", f"/enquiries/{draft['id']}/public-text", json={"title": " "}, expect=422).json
    assert set(refused["errors"]) == {"title"}
    for body, field in (({"title": 42}, "title"), ({"title": "x" * 201}, "title"), ({"title": "a\x00b"}, "title"),
                        ({"title": "Möbel", "by": "me"}, "by"), ({"title": "Möbel", "description": ["x"]}, "description")):
        refused = site.call("PUT", f"/enquiries/{draft['id']}/public-text", json=body, expect=422).json
        assert field in refused["errors"], refused
    site.call("PUT", "/enquiries/00000000-0000-4000-8000-000000000000/public-text", json={"title": "x"}, expect=404)
    staff = site.ok("POST", "/enquiries", expect=201, json=enquiry_body(
        title="Bänke aus Paletten", submit=True, client_organisation_id=company))
    deliver()
    assert _hub_title(hub, draft["id"]) == f"{draft['reference']} (CPV 39100000)"
    assert _hub_title(hub, staff["id"]) == "Bänke aus Paletten"  # staff's words are public as typed
    site.ok("PATCH", f"/enquiries/{staff['id']}", json={"title": "Bänke und Tische aus Paletten"})
    deliver()
    assert _hub_title(hub, staff["id"]) == "Bänke und Tische aus Paletten"  # ... and so are their edits


def test_republishing_overwrites_titles_that_left_before_public_versions_existed(network):
    """An upgraded site: the hub still holds a title an old release published as typed."""
    from services.enquiries.lifecycle.republish import republish_shared_texts

    site, hub, _, deliver = network
    filed = site.ok("POST", "/enquiries", None, 201, json=enquiry_body(
        title=f"Anfrage von {NAME} ({EMAIL})", contact={"name": NAME, "email": EMAIL}))
    site.company()
    draft = site.ok("POST", "/enquiries", "client", 201, json=enquiry_body(title="Noch ein Entwurf"))
    deliver()
    with hub.engine.begin() as conn:  # what the old release had put there
        conn.execute(enquiry_store.hub_enquiries.update().where(enquiry_store.hub_enquiries.c.id == filed["id"])
                     .values(title=f"Anfrage von {NAME} ({EMAIL})"))
    assert _leaks(_hub_texts(hub))

    assert republish_shared_texts(site.runtime.uow) == 1, "submitted enquiries only: a draft never left"
    deliver()
    assert _hub_title(hub, filed["id"]) == f"{filed['reference']} (CPV 39100000)"
    assert _leaks(_hub_texts(hub)) == []
    assert site.ok("GET", f"/enquiries/{draft['id']}", "client")["state"] == "draft"
