"""Issue 17, item 6, on real PostgreSQL and RabbitMQ: the agency publishes the label's criteria at the hub,
every site stores them from the hub's signed directed message, and applies them from their day on.

- new applications use version 1 before `applies_from`, version 2 from that day; an application keeps
  the version it was made under through its assessment and decision;
- a message that is not the hub's own (signed by a site, or forged), or addressed to another site, or
  whose catalogue the label cannot read, is dead-lettered with its reason, and no version is stored;
- the hub's API: 422 with field messages for a bad catalogue, 403 for anyone but the agency admin.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services import workers
from services.bootstrap import create_app
from services.common import inbox
from services.common.bus import REASON_HEADER
from services.common.clock import utc_today
from services.common.envelope import Envelope
from services.common.outbox import outbox
from services.common.signing import sign
from services.label import catalogues, handlers as h
from services.label.store import criteria as label_criteria
from services.hub.criteria.store import hub_criteria
from tests.support.criteria_governance import next_version
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES
from tests.support.migrated import bootstrap
from tests.support.polling import eventually
from tests.support.sync import RunningConsumer, declare, drain_queue, relay_for
from tests.support.tokens import bearer

pytestmark = pytest.mark.services

SITES = ("AT12", "HU22")
ORG = str(uuid.uuid4())
NOW = datetime.now(timezone.utc)


@pytest.fixture
def hub(make_settings, pg_url):
    """The hub alone on PostgreSQL, for its API's refusals."""
    rt = bootstrap(make_settings("EU", db_url=pg_url))
    yield rt
    rt.engine.dispose()


@pytest.fixture
def network(make_settings, pg_schema_url, amqp_url):
    """The hub and two sites, each on a PostgreSQL schema of its own, on the test's RabbitMQ vhost."""
    runtimes = {s: bootstrap(make_settings(s, db_url=pg_schema_url(s), bus_url=amqp_url)) for s in ("EU", *SITES)}
    inboxes = {s: workers.site_inbox(runtimes[s]) for s in SITES}
    for spec, _ in inboxes.values():
        declare(amqp_url, spec)  # the queues exist before the hub sends
    yield runtimes, inboxes
    for rt in runtimes.values():
        rt.engine.dispose()


def publish(hub, body: dict, roles=("agency_admin",)):
    return create_app(hub).test_client().post("/api/v1/criteria", json=body, headers=bearer(hub, roles, "agnes"))


def versions_at(site) -> dict[int, object]:
    with site.engine.connect() as conn:
        return {r.version: r for r in conn.execute(select(label_criteria))}


def fields(se_share: str) -> dict:
    return {"holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Tote bag",
            "cpv_codes": ["18930000"], "evidence": {**GOOD_EVIDENCE, "se_share": {"figure": se_share}}}


def delivered(network, amqp_url) -> None:
    """Relay the hub's outbox and let every site's inbox consumer apply what came."""
    runtimes, inboxes = network
    relay_for(runtimes["EU"], amqp_url).run_once()
    for site in SITES:
        spec, processor = inboxes[site]
        with RunningConsumer(amqp_url, processor, spec):
            eventually(lambda: 2 in versions_at(runtimes[site]))


def test_the_agency_publishes_v2_and_every_site_applies_it_from_its_day(network, amqp_url):
    runtimes, _ = network
    hub, at12, hu22 = runtimes["EU"], runtimes["AT12"], runtimes["HU22"]
    applies_from = utc_today() + timedelta(days=10)

    response = publish(hub, next_version(applies_from, se_share_minimum="40"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"] == 2

    with hub.engine.connect() as conn:
        sent = conn.execute(select(outbox.c.to_site, outbox.c.type)).all()
        stored = conn.execute(select(hub_criteria.c.version, hub_criteria.c.published_by)).all()
    members = {s.id for s in hub.settings.federation.member_sites}
    assert sorted(to for to, _ in sent) == sorted(members), "one directed message per member site"
    assert {kind for _, kind in sent} == {"hub.criteria.published"}
    assert stored == [(2, "agnes")]

    delivered(network, amqp_url)
    for site in (at12, hu22):
        row = versions_at(site)[2]
        assert row.applies_from == applies_from and row.event_id is not None
        assert row.body["criteria"][0]["scoring"]["minimum"] == "40"

    # Before its day, new applications use version 1; from its day, version 2.
    before = h.create_application(hu22.uow(), fields("35"), "member1", acting_for=ORG,
                                  today=applies_from - timedelta(days=1))
    after = h.create_application(hu22.uow(), fields("35"), "member1", acting_for=ORG, today=applies_from)
    assert (before.catalogue_version, after.catalogue_version) == (1, 2)
    assert catalogues.in_force_at(at12.engine, applies_from).criterion("se_share").minimum == 40

    # Each keeps its version through assessment: 35 % passes version 1's 30 %, not version 2's 40 %.
    for app in (before, after):
        h.submit_application(hu22.uow(), app.id, "member1", acting_for=ORG)
        h.assess_application(hu22.uow(), app.id, "anna", GOOD_SCORES, NOW)
    old, _ = h.decide_application(hu22.uow(), before.id, "bela", "granted", "ok", applies_from, NOW)
    with hu22.engine.connect() as conn:
        from services.label import store as label_store

        new = label_store.load_application(conn, after.id)
    assert old.catalogue_version == 1 and old.assessment["passed"] is True and old.status == "granted"
    assert new.catalogue_version == 2 and new.assessment["passed"] is False
    assert "se_share" in new.assessment["failures"]


def test_a_redelivered_publication_changes_nothing(network, amqp_url):
    runtimes, inboxes = network
    hub, at12 = runtimes["EU"], runtimes["AT12"]
    assert publish(hub, next_version(utc_today())).status_code == 201
    delivered(network, amqp_url)
    with hub.engine.connect() as conn:
        body = conn.execute(select(outbox.c.envelope).where(outbox.c.to_site == "AT12")).scalar_one()
    copy = Envelope.parse(body)
    fields_ = {**copy.unsigned_fields(), "id": str(uuid.uuid4()), "seq": copy.seq + 1}
    fields_["data"] = {**fields_["data"], "validity_years": 9}
    again = json.dumps({**fields_, "signature": sign(fields_, hub.signing_key, "EU")})
    outcome = inboxes["AT12"][1].process([again])
    assert len(outcome.applied) == 1 and not outcome.dead
    assert versions_at(at12)[2].body["validity_years"] == 3, "a version held is never replaced"


def _resigned(envelope_json: str, key, signer: str, **changes) -> str:
    env = Envelope.parse(envelope_json)
    fields_ = {**env.unsigned_fields(), "id": str(uuid.uuid4()), **changes}
    return json.dumps({**fields_, "signature": sign(fields_, key, signer)})


def test_forged_misdirected_and_unreadable_publications_are_dead_lettered(network, amqp_url, federation_files):
    from services.common.bus import OutgoingMessage, Publisher, connect
    from services.common.signing import load_private_key

    runtimes, inboxes = network
    hub, hu22 = runtimes["EU"], runtimes["HU22"]
    assert publish(hub, next_version(utc_today())).status_code == 201
    relay_for(hub, amqp_url).run_once()  # sequences and signs the hub's rows (and sends them)
    with hub.engine.connect() as conn:
        signed = {r.to_site: r.envelope for r in conn.execute(select(outbox).where(outbox.c.to_site.in_(SITES)))}
    assert set(signed) == set(SITES)
    spec, processor = inboxes["HU22"]
    drain_queue(amqp_url, spec.name)  # the real one is not applied: every version-2 message below is bad

    at12_key = load_private_key(federation_files[1] / "AT12.pem")
    hub_message = Envelope.parse(signed["HU22"])
    assert hub_message.site == "EU" and hub_message.to == "HU22"
    by_a_site = _resigned(signed["HU22"], at12_key, "AT12", site="AT12", stream="AT12/hub_to_hu22")
    claims_the_hub = _resigned(signed["HU22"], at12_key, "AT12")  # says EU, signed by AT12
    to_another_site = signed["AT12"]  # the hub's own, addressed to AT12, put in HU22's queue
    unreadable_data = {**hub_message.data, "criteria": [{**hub_message.data["criteria"][0], "scoring": {}}]}
    unreadable = _resigned(signed["HU22"], hub.signing_key, "EU", data=unreadable_data)
    bodies = [by_a_site, claims_the_hub, to_another_site, unreadable]
    with connect(amqp_url) as conn:
        Publisher(conn).publish([OutgoingMessage("to.HU22.hub.criteria.published", b, str(i))
                                 for i, b in enumerate(bodies)])
    dead: list = []

    def all_four():
        dead.extend(drain_queue(amqp_url, spec.dead_letter_name))
        return len(dead) >= 4

    with RunningConsumer(amqp_url, processor, spec):
        eventually(all_four, timeout=20)
    reasons = sorted(m.headers[REASON_HEADER] for m in dead)
    assert len(reasons) == 4, reasons
    assert any(r.startswith("site AT12 is not accepted") for r in reasons)
    assert any(r.startswith("forged:") for r in reasons)
    assert any(r.startswith("misdirected: addressed to AT12") for r in reasons)
    assert any("handler failed for hub.criteria.published" in r and "threshold" in r for r in reasons)
    assert 2 not in versions_at(hu22), "no version was stored from a bad message"
    with hu22.engine.connect() as conn:
        recorded = conn.execute(select(inbox.dead_letter.c.reason)).scalars().all()
    assert len(recorded) == 4


@pytest.mark.parametrize("change, field", [
    (lambda b: b["title"].pop("hu"), "title"),
    (lambda b: b["criteria"][1]["text"].update(hu=""), "criteria"),
    (lambda b: b["criteria"][0]["scoring"].update(minimum="-5"), "criteria"),
    (lambda b: b["criteria"][0]["scoring"].update(minimum="150"), "criteria"),
    (lambda b: b["criteria"][1]["scoring"].update(min_score=6), "criteria"),
    (lambda b: b["criteria"].append(dict(b["criteria"][0])), "criteria"),
    (lambda b: b.update(version=3), "version"),
    (lambda b: b.update(applies_from="2001-01-01"), "applies_from"),
    (lambda b: b.update(validity_years=0), "validity_years"),
    (lambda b: b["criteria"][0]["text"].update(de="Anteil\x00SU"), "criteria"),  # PostgreSQL stores no NUL
    (lambda b: b["criteria"].extend([dict(b["criteria"][1], id=f"c{i}") for i in range(60)]), "criteria"),
])
def test_an_invalid_publication_is_422_with_field_messages_and_sends_nothing(hub, change, field):
    body = next_version(utc_today())
    change(body)
    response = publish(hub, body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"], response.get_json()
    with hub.engine.connect() as conn:
        assert conn.execute(select(outbox)).first() is None
        assert conn.execute(select(hub_criteria)).first() is None


@pytest.mark.parametrize("roles", [("agency_viewer",), ("site_admin",), ("approver", "assessor")])
def test_only_the_agency_admin_publishes(hub, roles):
    assert publish(hub, next_version(utc_today()), roles).status_code == 403
    client = create_app(hub).test_client()
    assert client.post("/api/v1/criteria", json=next_version(utc_today())).status_code == 401
    with hub.engine.connect() as conn:
        assert conn.execute(select(hub_criteria)).first() is None


def test_the_hub_lists_its_versions_publicly(hub):
    assert publish(hub, next_version(utc_today() + timedelta(days=3))).status_code == 201
    client = create_app(hub).test_client()
    items = client.get("/api/v1/criteria").get_json()["items"]
    assert [(i["version"], i["in_force"], i["criteria_count"]) for i in items] == [(1, True, 4), (2, False, 4)]
    one = client.get("/api/v1/criteria/2").get_json()
    assert one["catalogue"]["criteria"][0]["text"]["hu"] and one["applies_from"] == (
        utc_today() + timedelta(days=3)).isoformat()
    assert client.get("/api/v1/criteria/7").status_code == 404


def test_a_site_that_joins_later_is_sent_every_version_it_missed_once(network, amqp_url):
    """HU22 was not yet a member when version 2 was published: the hub's tick sends it then, and only once."""
    from services import jobs
    from services.common.clock import utcnow
    from services.hub.criteria import publishing

    runtimes, inboxes = network
    hub, at12, hu22 = runtimes["EU"], runtimes["AT12"], runtimes["HU22"]
    body = next_version(utc_today(), se_share_minimum="45")
    members = sorted(s.id for s in hub.settings.federation.member_sites)
    before = [site for site in members if site != "HU22"]  # the network as it was
    publishing.publish(hub.uow(), body, before, "agnes", utc_today())
    relay_for(hub, amqp_url).run_once()
    with RunningConsumer(amqp_url, inboxes["AT12"][1], inboxes["AT12"][0]):
        eventually(lambda: 2 in versions_at(at12))
    assert 2 not in versions_at(hu22)

    lines = jobs.send_criteria_to_joined_sites(hub, utcnow())  # every member site, HU22 included, now
    assert lines == ["criteria version 2 sent to HU22, which joined later",
                     "1 criteria versions sent to sites that joined later"]
    delivered(network, amqp_url)
    assert versions_at(hu22)[2].body["criteria"][0]["scoring"]["minimum"] == "45"

    assert jobs.send_criteria_to_joined_sites(hub, utcnow()) == ["0 criteria versions sent to sites that joined later"]
    with hub.engine.connect() as conn:
        sent = sorted(conn.execute(select(outbox.c.to_site).where(outbox.c.type == "hub.criteria.published")).scalars())
    assert sent == members
