"""deploy/rabbitmq/definitions.json, loaded whole into the real RabbitMQ, keeps every site to itself.

The file is imported with `rabbitmqctl import_definitions` into the test's own vhost, with its users
renamed for the test (users are global to a broker) and given throwaway passwords; the exchanges,
queues with their dead-letter queues, bindings, permissions and topic permissions are the file's
own. Then the site's and the hub's own code run on it with their own credentials, and a forged
event is stopped twice: by the broker (AT12's user may not publish HU22's routing keys) and, when it
comes under AT12's own key claiming HU22, by the hub's signature check (dead-lettered as forged).
Dead letters stay with their owner: AT12 can neither bind to nor publish on another's dead-letter
exchange, while its own dead-lettering (the broker's and its consumer's) still works.
"""
from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest
from kombu import Connection
from sqlalchemy import select

from services.common import bus, inbox
from services.common.bus import REASON_HEADER
from services.common.envelope import Envelope
from services.common.signing import sign
from services.sync.consumer import EventConsumer
from services.workers import HUB_INGEST_QUEUE, hub_ingest
from tests.support.migrated import bootstrap
from tests.support.services import AMQP_HOST, rabbitmqctl
from tests.support.sync import (
    RunningConsumer, drain_queue, make_runtime, processor_for, relay_for, write_events,
)
from tests.support.polling import eventually

pytestmark = pytest.mark.services

DEFINITIONS = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq" / "definitions.json"
EVENT_KEY = "registry.support_statement.recorded"


class Broker:
    """The definitions as loaded into one vhost: a URL per definitions user."""

    def __init__(self, vhost: str, users: dict[str, tuple[str, str]]):
        self.vhost = vhost
        self.users = users  # definitions name -> (broker name, password)

    def url(self, user: str) -> str:
        name, password = self.users[user]
        return f"amqp://{name}:{password}@{AMQP_HOST}:5672/{self.vhost}"


def _delete_users(names: list[str]) -> None:
    erlang = ", ".join(f'<<"{n}">>' for n in names)
    try:  # one CLI call for all (each call boots an Erlang VM)
        rabbitmqctl("eval", f'lists:foreach(fun(U) -> rabbit_auth_backend_internal:delete_user(U, <<"sopro-test">>) '
                            f'end, [{erlang}]).')
    except subprocess.CalledProcessError:
        for name in names:
            rabbitmqctl("delete_user", name)


@pytest.fixture
def broker(amqp_url) -> Broker:
    doc = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    vhost = amqp_url.rsplit("/", 1)[1]
    tag = uuid.uuid4().hex[:8]
    # The administrator is left out: an administrator tag would be broker-wide.
    users = {u["name"]: (f"t{tag}-{u['name']}", uuid.uuid4().hex) for u in doc["users"]
             if "administrator" not in u["tags"]}
    [declared_vhost] = doc["vhosts"]

    def here(items):
        assert all(item["vhost"] == declared_vhost["name"] for item in items)
        return [{**item, "vhost": vhost} for item in items]

    def ours(items):
        return [{**item, "user": users[item["user"]][0]} for item in here(items) if item["user"] in users]

    loaded = {
        "users": [{"name": name, "password": password, "tags": []} for name, password in users.values()],
        "vhosts": [{"name": vhost}],
        "permissions": ours(doc["permissions"]),
        "topic_permissions": ours(doc["topic_permissions"]),
        "exchanges": here(doc["exchanges"]),
        "queues": here(doc["queues"]),
        "bindings": here(doc["bindings"]),
        "policies": here(doc["policies"]),
    }
    # On stdin: rabbitmqctl runs as the broker's user, which may not read the test's temporary files.
    subprocess.run(["rabbitmqctl", "-q", "import_definitions", "--format", "json"], input=json.dumps(loaded),
                   text=True, check=True, capture_output=True, timeout=60)
    try:
        yield Broker(vhost, users)
    finally:
        _delete_users([name for name, _ in users.values()])


def publish(url: str, routing_key: str, body: str = "{}", exchange: str = bus.EVENTS_EXCHANGE) -> None:
    with bus.connect(url) as conn:
        bus.Publisher(conn).publish([bus.OutgoingMessage(routing_key, body, str(uuid.uuid4()))], exchange=exchange)


def basic_get(url: str, queue: str):
    with Connection(url) as conn:
        return conn.channel().basic_get(queue=queue)


@pytest.fixture
def site(make_settings, pg_schema_url, broker):
    return make_runtime(make_settings("AT12", db_url=pg_schema_url("site"), bus_url=broker.url("at12")))


@pytest.fixture
def hub(make_settings, pg_schema_url, broker):
    return bootstrap(make_settings("EU", db_url=pg_schema_url("hub"), bus_url=broker.url("hub")))


class HubIngest:
    """The hub's own ingest consumer and processor, connected as the hub's broker user."""

    def __init__(self, hub):
        import threading

        self.hub = hub
        spec, processor, _ = hub_ingest(hub)
        self.stop = threading.Event()
        self.consumer = EventConsumer(bus.connect(hub.settings.bus_url), spec, processor)
        self.thread = threading.Thread(target=self.consumer.run_until, args=(self.stop,), daemon=True)

    def __enter__(self):
        self.thread.start()
        assert self.consumer.ready.wait(15), "the hub's consumer did not start with the hub's credentials"
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)

    def position(self, stream: str):
        with self.hub.engine.connect() as conn:
            return inbox.positions(conn, HUB_INGEST_QUEUE).get(stream)


def test_the_sites_relay_and_the_hubs_consumer_work_on_the_provisioned_broker(broker, site, hub):
    write_events(site, 3)
    assert relay_for(site, site.settings.bus_url).run_once() == 3  # published as AT12's broker user
    with HubIngest(hub) as ingest:
        assert eventually(lambda: ingest.position("AT12/registry") == (3, 3)), ingest.position("AT12/registry")


def test_a_user_cannot_publish_other_keys_nor_read_or_bind_what_is_not_its_own(broker):
    at12 = broker.url("at12")
    for routing_key in (f"HU22.{EVENT_KEY}", f"EU.{EVENT_KEY}", f"to.HU22.{EVENT_KEY}", f"AT12X.{EVENT_KEY}",
                        EVENT_KEY):
        with pytest.raises(bus.PublishError, match="ACCESS_REFUSED"):
            publish(at12, routing_key)
    publish(at12, f"AT12.{EVENT_KEY}")  # its own keys go through on the same terms
    for queue in ("hub.ingest", "hub.ingest.dlq", "HU22.inbox", "HU22.inbox.dlq", "sopro.unrouted"):
        with pytest.raises(Exception, match="ACCESS_REFUSED"):
            basic_get(at12, queue)
    assert basic_get(at12, "AT12.inbox") is None  # its own inbox: readable (and empty)
    with bus.connect(at12) as conn:
        bus.declare_queue(conn, bus.QueueSpec("AT12.enquiries.members", ("AT12.registry.organisation.*",)))
        with pytest.raises(Exception, match="ACCESS_REFUSED"):
            bus.declare_queue(conn, bus.QueueSpec("AT12.spy", ("HU22.registry.#",)))
    # Nor can the hub's user speak for a site.
    with pytest.raises(bus.PublishError, match="ACCESS_REFUSED"):
        publish(broker.url("hub"), f"AT12.{EVENT_KEY}")


def test_a_forged_event_is_stopped_twice(broker, site, hub):
    write_events(site, 2)
    relay_for(site, site.settings.bus_url).run_once()
    with HubIngest(hub) as ingest:
        assert eventually(lambda: ingest.position("AT12/registry") == (2, 2))
    # AT12 fakes an event of HU22's: HU22's site and stream, signed with AT12's own key.
    genuine = Envelope.parse(json.loads(_outbox_body(site)))
    fields = {**genuine.unsigned_fields(), "id": str(uuid.uuid4()), "site": "HU22", "stream": "HU22/registry",
              "seq": 1}
    forged = json.dumps({**fields, "signature": sign(fields, site.signing_key, "HU22")})

    # 1. The broker refuses it under HU22's routing key: AT12's user may only write ^AT12\.
    with pytest.raises(bus.PublishError, match="ACCESS_REFUSED"):
        publish(broker.url("at12"), f"HU22.{EVENT_KEY}", forged)
    assert basic_get(broker.url("hub"), "hub.ingest") is None, "nothing reached the hub's queue"

    # 2. Under AT12's own key the broker cannot look inside; the hub's signature check stops it.
    publish(broker.url("at12"), f"AT12.{EVENT_KEY}", forged)
    write_events(site, 1)  # and a genuine event after it: the stream flows on
    relay_for(site, site.settings.bus_url).run_once()
    with HubIngest(hub) as ingest:
        dead = eventually(lambda: drain_queue(broker.url("hub"), "hub.ingest.dlq"))
        assert eventually(lambda: ingest.position("AT12/registry") == (3, 3))
        assert ingest.position("HU22/registry") is None, "the forged event took no place in HU22's stream"
    assert len(dead) == 1 and json.loads(dead[0].body)["id"] == fields["id"]
    assert dead[0].headers[REASON_HEADER].startswith("forged:"), dead[0].headers[REASON_HEADER]
    with hub.engine.connect() as conn:
        reasons = [r.reason for r in conn.execute(select(inbox.dead_letter.c.reason))]
    assert len(reasons) == 1 and reasons[0].startswith("forged:") and "HU22" in reasons[0]


def test_dead_letters_stay_with_their_owner(broker, site):
    doc = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    dead_lettered = {q["arguments"]["x-dead-letter-exchange"]: q["name"] for q in doc["queues"]
                     if "x-dead-letter-exchange" in q["arguments"]}
    at12 = broker.url("at12")
    with Connection(at12) as conn:  # a queue of its own name, to try to bind with
        conn.channel().queue_declare("AT12.spy", durable=False, auto_delete=False)
    try:
        for exchange in (e["name"] for e in doc["exchanges"]):
            if exchange.startswith("AT12.") or exchange == bus.EVENTS_EXCHANGE:
                continue
            key = dead_lettered.get(exchange, "")
            with pytest.raises(Exception, match="ACCESS_REFUSED"), Connection(at12) as conn:  # read copies
                conn.channel().queue_bind("AT12.spy", exchange, key)
            with pytest.raises(bus.PublishError, match="ACCESS_REFUSED"):  # inject
                publish(at12, key, exchange=exchange)
        for dlq in ("hub.ingest.dlq", "HU22.inbox.dlq"):  # nor straight into a queue, by the default exchange
            with pytest.raises(bus.PublishError, match="ACCESS_REFUSED"):
                publish(at12, dlq, exchange="")
    finally:
        with Connection(at12) as conn:
            conn.channel().queue_delete("AT12.spy")

    # Its own dead letters still reach its own dead-letter queue: a message the site rejects (the broker
    # dead-letters it) and one its consumer dead-letters with the reason (it publishes to AT12.dead).
    publish(broker.url("hub"), "to.AT12.hub.part.forwarded", "rejected")
    with Connection(at12) as conn:
        channel = conn.channel()
        rejected = eventually(lambda: channel.basic_get(queue="AT12.inbox"))
        channel.basic_reject(rejected.delivery_tag, requeue=False)
    publish(broker.url("hub"), "to.AT12.hub.part.forwarded", "{not json")
    spec = bus.QueueSpec("AT12.inbox", ("to.AT12.#",))  # declared by the site's code as the definitions have it
    dead = []
    with RunningConsumer(at12, processor_for(site, spec.name), spec):
        assert eventually(lambda: dead.extend(drain_queue(at12, "AT12.inbox.dlq")) or len(dead) == 2), dead
    assert sorted(m.body for m in dead) == ["rejected", "{not json"]
    [by_consumer] = [m for m in dead if m.body == "{not json"]
    assert by_consumer.headers[REASON_HEADER].startswith("malformed"), by_consumer.headers


def _outbox_body(runtime) -> str:
    """The signed envelope of the newest event the site's relay published, as it went out."""
    from services.common.outbox import outbox

    with runtime.engine.connect() as conn:
        return conn.execute(select(outbox.c.envelope).where(outbox.c.published_at.is_not(None))
                            .order_by(outbox.c.seq.desc())).scalar()
