"""Mail about cross-border parts and consortia (services/enquiries/crossborder/notices.py), through a real
SMTP server on loopback, on PostgreSQL like the other site-side cross-border tests.

- At the target site (HU22), the hub's signed `hub.part.forwarded` goes through the site's own inbox
  processor: its brokers and the members of the social enterprise the part names are mailed, in their
  language (the site's first, Hungarian, when they chose none), with the part's page; once, however
  often the message comes.
- At the origin site (AT12), the hub's consortium pictures (checked against the contract's schema):
  each broker hears of an answered part, of the consortium agreed, and of the order coming up short,
  with the consortium's page; a late, replayed or unchanged picture says nothing again.
- The whole way (origin, hub and target on PostgreSQL, their signed messages carried as the relay and
  the bus would): the part forwarded, accepted, agreed, then failed by the target's deadline sweep;
  each site mails its own people, and handing every message over again sends nothing more.
"""
from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.common import notifications
from services.common.clock import utcnow
from services.common.envelope import Envelope
from services.common.mail import message_id
from services.common.outbox import outbox
from services.common.runtime import build_runtime
from services.common.signing import sign
from services.enquiries.crossborder import consumers
from services.enquiries.crossborder.deadlines import fail_overdue_parts
from services.sync.relay import Relay
from services.web.notify import MailSite
from services.workers import hub_ingest, site_inbox
from tests.support import consortium_snapshots as cs
from tests.support.clock import in_days
from tests.support.lifecycle import LifecycleSite, enquiry_body
from tests.support.mail import deliver, link_in, mail_settings, mails_to
from tests.support.migrated import bootstrap
from tests.support.sites import Site

pytestmark = pytest.mark.services

def deadline():
    return in_days(30)


CAPACITY_DE = "100 Einheiten: Den infrage kommenden Sozialunternehmen fehlt bis zur Frist die Kapazität."
CAPACITY_HU = "100 egység: a szóba jöhető szociális vállalkozásoknak nincs elég kapacitásuk a határidőig."
HU_ADDRESS = {"street": "Fő utca 1", "postcode": "9400", "town": "Sopron", "country": "HU"}


# --- the target site ------------------------------------------------------------------------------------

class TargetSite(Site):
    """HU22, whose social enterprise the hub chose for a part."""

    def social_enterprise(self, name: str) -> str:
        org = self.ok("POST", "/organisations", "admin", 201, json={
            "kind": "social_enterprise", "name": name, "registration_number": f"REG {uuid.uuid4().hex[:8]}",
            "address": HU_ADDRESS, "nuts3": "HU221", "coordinates": {"lat": 47.68, "lon": 16.58},
            "labour_market_segment": "second_labour_market", "workers_in_integration": 12})
        self.project_registry()
        return org["id"]


@pytest.fixture
def target(make_settings, pg_schema_url, smtp_server):
    site = TargetSite(make_settings("HU22", db_url=pg_schema_url("hu22"), mail=mail_settings(smtp_server.port, "HU22")))
    site.add_user("broker_de", ["broker"])
    site.se = site.social_enterprise("Soproni Textil Szövetkezet")
    site.other_se = site.social_enterprise("Győri Zsákmanufaktúra")
    site.add_user("varga", ["member"], site.se)
    site.add_user("kiss", ["member"], site.other_se)
    with site.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "broker", "broker@hu22.example")  # no language: the site's first, hu
        notifications.set_contact(conn, "broker_de", "broker.de@hu22.example", "de")
        notifications.set_contact(conn, "admin", "admin@hu22.example", "hu")  # not a broker
        notifications.set_contact(conn, "varga", "varga@se.example", "hu")
        notifications.set_contact(conn, "kiss", "kiss@other.example", "hu")  # the other SE's member
    site.hub = build_runtime(make_settings("EU"))
    site.seq = 0
    yield site
    site.runtime.engine.dispose()


def forwarded(target: TargetSite, organisation_id: str, part_id: str | None = None) -> tuple[str, str]:
    """The hub's `hub.part.forwarded` (version 2) to HU22, signed with the hub's key, as it is sent:
    (part id, body)."""
    part_id = part_id or str(uuid.uuid4())
    target.seq += 1
    data = {"part_id": part_id, "order_id": str(uuid.uuid4()), "origin_site": "AT13",
            "enquiry_reference": "AT13-E-2026-0007", "title": "Upcycled tote bags", "type": "csr_product",
            "cpv_codes": ["18930000"], "offer_id": str(uuid.uuid4()), "organisation_id": organisation_id,
            "quantity": 2400, "unit": "bags", "unit_price": "1000.0000", "currency": "HUF",
            "deadline": deadline().isoformat(), "delivery_nuts3": "AT130", "label_required": False,
            "reason": {"code": "whole_capacity", "params": {"unit_cost_eur": "2.54", "rank": 1, "eligible": 4,
                                                            "capacity": 2400}}}
    env = Envelope(id=str(uuid.uuid4()), type="hub.part.forwarded", version=2, site="EU", stream="EU/hub_to_hu22",
                   seq=target.seq, aggregate_id=part_id, aggregate_version=1, occurred_at="2026-11-01T10:00:00Z",
                   correlation_id="corr-hu22", causation_id=None, data=data, to="HU22")
    fields = env.unsigned_fields()
    return part_id, json.dumps({**fields, "signature": sign(fields, target.hub.signing_key, "EU")})


def received(server, key: str, site_id: str) -> list:
    """Every handover of the mail written under `key` (duplicates included)."""
    wanted = message_id(key, f"noreply@{site_id.lower()}.sopro.example")
    return [m for m in server.mailbox.received if m.message_id == wanted]


def test_a_forwarded_part_mails_the_target_brokers_and_the_members_of_its_se_once_in_their_language(
        target, smtp_server):
    _, inbox = site_inbox(target.runtime)
    part_id, body = forwarded(target, target.se)
    assert [str(e.id) for e in inbox.process([body]).applied] == [json.loads(body)["id"]]
    assert deliver(target.runtime) == 3

    hu = mails_to(smtp_server, "broker@hu22.example")
    de = mails_to(smtp_server, "broker.de@hu22.example")
    member = mails_to(smtp_server, "varga@se.example")
    assert len(hu) == len(de) == len(member) == 1
    (hu,), (de,), (member,) = hu, de, member
    assert hu.language == "hu" and hu.subject == "Továbbított rész (AT13-E-2026-0007): Upcycled tote bags"
    assert de.language == "de" and de.subject == "Weitergeleiteter Teil von AT13-E-2026-0007: Upcycled tote bags"
    assert member.language == "hu" and member.subject.startswith("A(z) AT13-E-2026-0007 egy része")
    url = target.runtime.settings.site.url
    for mail in (hu, de, member):
        page = f"{url}/office/forwarded-parts/{part_id}?lang={mail.language}"
        assert link_in(mail, "/office/forwarded-parts/") == page
        assert "AT13" in mail.text and "Soproni Textil Szövetkezet" in mail.text
        assert mail.list_unsubscribe and "/account/notifications" in mail.text
    assert "2 400 táska" in hu.text.replace("\xa0", " ") and "2.400 Taschen" in de.text  # units in their words
    assert hu.message_id == message_id(f"part_forwarded:{part_id}:broker", "noreply@hu22.sopro.example")
    assert member.message_id == message_id(f"part_forwarded_to_member:{part_id}:varga", "noreply@hu22.sopro.example")
    # Not the other social enterprise's member, nor a user who is not a broker.
    assert mails_to(smtp_server, "kiss@other.example") == [] and mails_to(smtp_server, "admin@hu22.example") == []
    # The member's link opens the part's page (the API behind it says the member may see it).
    assert target.ok("GET", f"/forwarded-parts/{part_id}", "varga")["organisation_id"] == target.se

    # The same message again (a redelivery), and the same part in a new message (a replay): no mail.
    assert inbox.process([body]).applied == []
    _, replay = forwarded(target, target.se, part_id=part_id)
    assert len(inbox.process([replay]).applied) == 1
    with target.runtime.engine.begin() as conn:  # the consumer itself, past the inbox's tracking
        consumers.on_part_forwarded(conn, Envelope.parse(body))
    assert deliver(target.runtime) == 0
    assert len(received(smtp_server, f"part_forwarded:{part_id}:broker", "HU22")) == 1


def test_a_person_who_turned_the_kind_off_hears_nothing_of_a_forwarded_part(target, smtp_server):
    with target.runtime.engine.begin() as conn:
        notifications.choose(conn, "broker_de", "part_forwarded", "off")
        notifications.choose(conn, "varga", "part_forwarded_to_member", "off")
        notifications.choose(conn, "broker", "part_forwarded_to_member", "off")  # another kind: no effect
    _, inbox = site_inbox(target.runtime)
    part_id, body = forwarded(target, target.se)
    inbox.process([body])
    assert deliver(target.runtime) == 1
    (mail,) = smtp_server.mailbox.received
    assert mail.recipients == ("broker@hu22.example",) and part_id in link_in(mail, "/office/forwarded-parts/")


def test_a_part_for_the_other_se_tells_its_members_only(target, smtp_server):
    _, inbox = site_inbox(target.runtime)
    inbox.process([forwarded(target, target.other_se)[1]])
    assert deliver(target.runtime) == 3
    assert len(mails_to(smtp_server, "kiss@other.example")) == 1 and mails_to(smtp_server, "varga@se.example") == []


def test_the_mail_links_to_the_address_the_runtime_gives_its_handlers(target, smtp_server):
    """workers.site_inbox may bind the runtime's own address (a demo on free ports is not where the
    federation file says): the handlers' mails link there."""
    handlers = consumers.handlers(MailSite("http://hu22.sopro.example:8443", ("hu", "en")))
    part_id, body = forwarded(target, target.se)
    with target.runtime.engine.begin() as conn:
        handlers["hub.part.forwarded"](conn, Envelope.parse(body))
    assert deliver(target.runtime) == 3
    (mail,) = mails_to(smtp_server, "varga@se.example")
    assert link_in(mail, "/office/") == f"http://hu22.sopro.example:8443/office/forwarded-parts/{part_id}?lang=hu"

# --- the origin site ------------------------------------------------------------------------------------

@pytest.fixture
def origin(make_settings, pg_url, smtp_server):
    site = LifecycleSite(lambda site_id, db_url: make_settings(site_id, db_url=db_url,
                                                              mail=mail_settings(smtp_server.port, site_id)), pg_url)
    site.add_user("broker_hu", ["broker"])
    with site.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "broker", "broker@at12.example", "de")
        notifications.set_contact(conn, "broker_hu", "broker.hu@at12.example", "hu")
        notifications.set_contact(conn, "admin", "admin@at12.example", "de")  # not a broker
    yield site
    site.runtime.engine.dispose()


def order_of(origin: LifecycleSite, smtp_server) -> cs.Order:
    """An enquiry passed to the hub; the brokers' mails about the enquiry itself are sent and set aside."""
    order = cs.Order(origin)
    deliver(origin.runtime)
    smtp_server.mailbox.received.clear()
    return order


def test_each_answered_part_mails_the_origin_brokers_once_with_the_consortium_page(origin, smtp_server):
    order = order_of(origin, smtp_server)
    hu22 = cs.part("HU22", 100, "forwarded", currency="HUF", unit_price="1000", name="Soproni Textil Szövetkezet")
    at22 = cs.part("AT22", 200, "forwarded")
    order.report("forwarded", hu22, at22)
    assert deliver(origin.runtime) == 0  # forwarded, nobody answered yet

    declined = {**hu22, "status": "declined", "answer": {"code": "no_capacity", "params": {}},
                "note": "Renovation in those weeks"}
    replacement = cs.part("AT11", 100, "forwarded")
    env = order.report("forwarded", declined, at22, replacement)
    assert deliver(origin.runtime) == 2  # one answer, two brokers
    (de,) = mails_to(smtp_server, "broker@at12.example")
    (hu,) = mails_to(smtp_server, "broker.hu@at12.example")
    assert de.language == "de" and de.subject.startswith("Teil abgelehnt für AT12-E-")
    assert hu.language == "hu" and hu.subject.startswith("Elutasított rész (AT12-E-")
    assert "Keine Kapazität für diese Menge." in de.text and "Nincs kapacitás erre a mennyiségre." in hu.text
    assert "Renovation in those weeks" in de.text and "Soproni Textil Szövetkezet" in de.text and "HU22" in de.text
    url = origin.runtime.settings.site.url
    for mail in (de, hu):
        page = f"{url}/office/enquiries/{order.enquiry_id}/consortium?lang={mail.language}"
        assert link_in(mail, "/consortium") == page
    assert mails_to(smtp_server, "admin@at12.example") == []

    cs.deliver(origin, env)  # the same message again: nothing new
    order.report("forwarded", declined, at22, replacement, version=1)  # a late picture: nothing
    assert deliver(origin.runtime) == 0

    accepted = {**at22, "status": "accepted"}
    order.report("forwarded", declined, accepted, replacement)
    assert deliver(origin.runtime) == 2
    accepted_mail = [m for m in mails_to(smtp_server, "broker@at12.example") if m.subject.startswith("Teil angenommen")]
    assert len(accepted_mail) == 1 and "200 Stück" in accepted_mail[0].text
    # The declined part is not told of again with the newer picture.
    assert len(received(smtp_server, f"part_answered:{hu22['part_id']}:broker", "AT12")) == 1


def test_a_consortium_agreed_mails_the_origin_brokers_once_and_off_is_honoured(origin, smtp_server):
    order = order_of(origin, smtp_server)
    with origin.runtime.engine.begin() as conn:
        notifications.choose(conn, "broker_hu", "consortium_agreed", "off")
        notifications.choose(conn, "broker_hu", "part_answered", "off")
    a, b = cs.part("HU22", 100, "forwarded"), cs.part("AT22", 200, "forwarded")
    order.report("forwarded", a, b)
    env = order.report("agreed", {**a, "status": "accepted"}, {**b, "status": "accepted"})
    assert deliver(origin.runtime) == 3  # two answers and the agreement, to the one broker who wants them
    assert mails_to(smtp_server, "broker.hu@at12.example") == []
    agreed = [m for m in mails_to(smtp_server, "broker@at12.example") if m.subject.startswith("Konsortium vereinbart")]
    assert len(agreed) == 1 and agreed[0].language == "de"
    assert link_in(agreed[0], "/consortium").endswith(f"/office/enquiries/{order.enquiry_id}/consortium?lang=de")
    assert order.state == "agreed"

    cs.deliver(origin, env)  # redelivered
    order.report("in_production", {**a, "status": "in_production"}, {**b, "status": "accepted"})  # later news
    assert deliver(origin.runtime) == 0
    assert len(received(smtp_server, f"consortium_agreed:{order.order_id}:broker", "AT12")) == 1


def test_an_agreed_consortium_in_hungarian(origin, smtp_server):
    order = order_of(origin, smtp_server)
    order.report("agreed", cs.part("HU22", 300, "accepted"))
    deliver(origin.runtime)
    agreed = [m for m in mails_to(smtp_server, "broker.hu@at12.example")
              if m.subject.startswith("Létrejött a konzorcium (AT12-E-")]
    assert len(agreed) == 1 and agreed[0].language == "hu"


def test_an_order_coming_up_short_mails_the_origin_brokers_with_the_reasons(origin, smtp_server):
    order = order_of(origin, smtp_server)
    a = cs.part("HU22", 200, "forwarded")
    capacity = {"code": "capacity", "quantity": 100, "params": {"quantity": 100}}
    order.report("short", a, quantity=300, shortfalls=[capacity])
    assert deliver(origin.runtime) == 2
    (de,) = mails_to(smtp_server, "broker@at12.example")
    (hu,) = mails_to(smtp_server, "broker.hu@at12.example")
    assert de.subject.startswith("Konsortium unvollständig für AT12-E-") and hu.language == "hu"
    assert CAPACITY_DE in " ".join(de.text.split()) and CAPACITY_HU in " ".join(hu.text.split())
    assert link_in(de, "/consortium").endswith(f"/office/enquiries/{order.enquiry_id}/consortium?lang=de")

    # Still short with the next picture (a part answered): told once, not again.
    order.report("short", {**a, "status": "accepted"}, quantity=300, shortfalls=[capacity])
    assert deliver(origin.runtime) == 2  # the answer only
    assert all("Teil angenommen" in m.subject or "Elfogadott" in m.subject for m in smtp_server.mailbox.received[2:])


def test_a_part_failing_after_agreement_makes_the_order_short_once(origin, smtp_server):
    """The target's deadline sweep (or its SE's withdrawal) fails a part; the hub cannot re-allocate: the
    origin's brokers hear of it from the hub's picture, once."""
    order = order_of(origin, smtp_server)
    a, b = cs.part("HU22", 200, "accepted"), cs.part("AT22", 100, "accepted")
    order.report("agreed", a, b)
    deliver(origin.runtime)
    smtp_server.mailbox.received.clear()

    missed = {"code": "deadline_missed", "quantity": 150,
              "params": {"quantity": 200, "delivered": 50, "missing": 150, "reallocation": "no_time_left"}}
    failed = {**a, "status": "failed", "delivered": 50,
              "answer": {"code": "deadline_missed", "params": {"quantity": 200, "delivered": 50, "missing": 150}},
              "deliveries": [{"delivery_id": str(uuid.uuid4()), "quantity": 50, "delivered_on": cs.deadline()}]}
    env = order.report("in_production", failed, {**b, "status": "in_production"}, quantity=300, shortfalls=[missed])
    cs.deliver(origin, env)  # redelivered
    assert deliver(origin.runtime) == 2
    (de,) = mails_to(smtp_server, "broker@at12.example")
    (hu,) = mails_to(smtp_server, "broker.hu@at12.example")
    assert de.subject.startswith("Konsortium unvollständig") and hu.language == "hu"
    assert "50" in de.text and "150" in de.text
    assert de.message_id == message_id(f"consortium_short:{order.order_id}:{env.aggregate_version}:broker",
                                       "noreply@at12.sopro.example")

    # A later picture with the same shortfall (a delivery of the other part) tells nothing new.
    order.report("in_production", failed, {**b, "status": "delivered", "delivered": 100}, quantity=300,
                 shortfalls=[missed])
    assert deliver(origin.runtime) == 0


# --- the whole way: origin, hub and target, their signed messages carried as the relay would ----------

class Wire:
    """Carries each runtime's sequenced, signed outbox messages as the bus would: a site's facts to the
    hub's ingest, the hub's directed messages to the inbox of the site they name. `again()` hands over
    everything once more (a redelivery)."""

    def __init__(self, hub, sites: dict):
        self.hub, self.sites = hub, sites
        self.ingest = hub_ingest(hub)[1]
        self.inboxes = {site_id: site_inbox(site.runtime)[1] for site_id, site in sites.items()}
        self.sent: dict[str, set] = {}

    def bodies(self, runtime, new_only: bool = True) -> list[str]:
        relay = Relay(runtime.engine, runtime.site_id, runtime.signing_key, publisher=None)
        with runtime.engine.connect() as conn:
            for stream in relay.pending_streams(conn):
                while relay.sequence(conn, stream):
                    pass
            envelopes = list(conn.execute(select(outbox.c.envelope).where(outbox.c.envelope.is_not(None))
                                          .order_by(outbox.c.stream, outbox.c.seq)).scalars())
        sent = self.sent.setdefault(runtime.site_id, set())
        fresh = [e for e in envelopes if not new_only or e not in sent]
        sent.update(fresh)
        return fresh

    def carry(self, *site_ids: str, new_only: bool = True) -> None:
        for site_id in site_ids:
            self.ingest.process(self.bodies(self.sites[site_id].runtime, new_only))
        directed: dict[str, list[str]] = {}
        for body in self.bodies(self.hub, new_only):
            to = json.loads(body).get("to")
            if to in self.inboxes:
                directed.setdefault(to, []).append(body)
        for to, bodies in directed.items():
            self.inboxes[to].process(bodies)

    def again(self) -> None:
        self.carry(*self.sites, new_only=False)


def test_the_whole_way_the_target_and_the_origin_each_mail_their_own_people_once(
        make_settings, pg_schema_url, target, origin, smtp_server):
    hub = bootstrap(make_settings("EU", db_url=pg_schema_url("eu")))
    try:
        wire = Wire(hub, {"HU22": target, "AT12": origin})
        target.ok("POST", "/offers", "admin", 201, json={
            "organisation_id": target.se, "title": "Tote bags", "description": "Upcycled tote bags",
            "cpv_codes": ["18930000"], "capacity_per_week": "200", "unit": "bags", "lead_time_days": 7,
            "price_min": "1000", "price_max": "1000", "currency": "HUF", "cross_border": True})
        target.project_registry()  # the site's matching, which reserves the SE's capacity on acceptance
        wire.carry("HU22")  # the hub learns of the offer
        enquiry = origin.ok("POST", "/enquiries", expect=201, json={
            **enquiry_body(cpv_codes=["18930000"], quantity="300", unit="bags"), "submit": True,
            "client_kind": "economic_enterprise", "client_organisation_id": origin.company()})
        origin.ok("POST", f"/enquiries/{enquiry['id']}/transitions", json={"to": "in_consultation"})
        origin.ok("POST", f"/enquiries/{enquiry['id']}/cross-border", expect=202, json={})
        deliver(origin.runtime)
        smtp_server.mailbox.received.clear()  # the brokers' mail about the enquiry itself

        wire.carry("AT12")  # the request; the hub forwards the part to HU22 and tells AT12
        (part,) = target.ok("GET", "/forwarded-parts")["items"]
        assert deliver(target.runtime) == 3 and deliver(origin.runtime) == 0  # nothing answered yet at AT12
        (hu,) = mails_to(smtp_server, "broker@hu22.example")
        (member,) = mails_to(smtp_server, "varga@se.example")
        assert hu.language == member.language == "hu" and enquiry["reference"] in hu.subject
        assert link_in(member, "/office/forwarded-parts/").startswith(
            f"{target.runtime.settings.site.url}/office/forwarded-parts/{part['id']}?lang=hu")
        assert mails_to(smtp_server, "broker@at12.example") == []

        target.ok("POST", f"/forwarded-parts/{part['id']}/accept", json={})
        wire.carry("HU22")  # the answer reaches the hub, which agrees the consortium and tells AT12
        assert deliver(target.runtime) == 0
        assert deliver(origin.runtime) == 4  # the answer and the agreement, to each of the two brokers
        de = sorted(m.subject for m in mails_to(smtp_server, "broker@at12.example"))
        assert de == [f"Konsortium vereinbart für {enquiry['reference']}: {enquiry['title']}",
                      f"Teil angenommen für {enquiry['reference']}: {enquiry['title']}"]
        assert {m.language for m in mails_to(smtp_server, "broker.hu@at12.example")} == {"hu"}
        assert origin.ok("GET", f"/enquiries/{enquiry['id']}")["state"] == "agreed"

        # The part's deadline passes undelivered: HU22's `sopro tick` fails it; the hub finds nobody else.
        later = utcnow() + timedelta(days=40)
        assert len(fail_overdue_parts(target.runtime.uow, later, target.runtime.settings.federation.rates_to_eur)) == 1
        wire.carry("HU22")
        assert deliver(target.runtime) == 0
        assert deliver(origin.runtime) == 2
        (short,) = [m for m in mails_to(smtp_server, "broker@at12.example") if "unvollständig" in m.subject]
        assert "Die Frist ist verstrichen" in short.text and link_in(short, "/consortium")

        wire.again()  # every message handed over once more
        assert deliver(target.runtime) == 0 and deliver(origin.runtime) == 0
        assert len(smtp_server.mailbox.received) == 9
        # The hub's messages carry no address; the mails stay with the sites that wrote them.
        for body in wire.bodies(hub, new_only=False):
            assert "@" not in body
    finally:
        hub.engine.dispose()


def test_the_client_hears_of_the_moves_the_hubs_picture_makes_once(origin, smtp_server):
    """The hub's picture moves the origin's enquiry (agreed, in production, delivered): the client's members
    hear of each move in their language, once, also when the picture comes again."""
    client_org = origin.company(name="Bau Kunde AG", username="kunde")
    with origin.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "kunde", "kunde@bau.example", "hu")
    order = cs.Order(origin, client_organisation_id=client_org)
    deliver(origin.runtime)
    smtp_server.mailbox.received.clear()
    part = cs.part("HU22", 300, "accepted")
    env = order.report("agreed", part)
    cs.deliver(origin, env)  # the same picture again: no second move, no second mail
    deliver(origin.runtime)
    (agreed,) = mails_to(smtp_server, "kunde@bau.example")
    assert agreed.language == "hu" and order.state == "agreed"
    assert link_in(agreed, "/office/our-enquiries/").endswith(f"/office/our-enquiries/{order.enquiry_id}?lang=hu")
    order.report("in_production", {**part, "status": "in_production"})
    deliver(origin.runtime)
    assert len(mails_to(smtp_server, "kunde@bau.example")) == 2 and order.state == "in_production"
