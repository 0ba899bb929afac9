"""Issue 15: the mails of an enquiry's lifecycle at its own site, through a real SMTP server on loopback
(SQLite and PostgreSQL). The client's members hear of a proposal (and of its revision) and of their
enquiry's state changed by someone else (the broker, the system's expiry); the social enterprise's
members hear that their proposal was accepted or declined. Each in the person's language, linking to
the page where the person acts, once, not when the person chose "off", and never on a refused move."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services import jobs
from services.common import notifications
from services.common.notifications import notification
from services.enquiries.lifecycle.expiry import expire_overdue
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.lifecycle import LifecycleSite, enquiry_body, terms
from tests.support.mail import deliver, link_in, mail_settings, mails_to
from tests.support.web import Browser

CLIENT_DE, CLIENT_HU = "client@bau.example", "client.hu@bau.example"
SE_DE, SE_HU = "se@werkstatt.example", "se.hu@werkstatt.example"
OTHER_SE = "se@tischlerei.example"


@pytest.fixture(params=BACKENDS)
def site(request, make_settings, smtp_server):
    db_url = pg_url_if(request, request.param)
    s = LifecycleSite(lambda site_id, db_url: make_settings(site_id, db_url=db_url,
                                                            mail=mail_settings(smtp_server.port)), db_url)
    s.company_id = s.company()  # member "client"
    s.add_user("client_hu", ["member"], s.company_id)
    s.se_id, s.offer_id = s.social_enterprise(username="se")
    s.add_user("se_hu", ["member"], s.se_id)
    s.other_se_id, s.other_offer_id = s.social_enterprise("Tischlerei Süd", username="se_other")
    with s.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "client", CLIENT_DE, "de")
        notifications.set_contact(conn, "client_hu", CLIENT_HU, "hu")
        notifications.set_contact(conn, "se", SE_DE, "de")
        notifications.set_contact(conn, "se_hu", SE_HU, "hu")
        notifications.set_contact(conn, "se_other", OTHER_SE, "de")
    yield s
    s.runtime.engine.dispose()


def rows(site, kind: str | None = None) -> list:
    with site.runtime.engine.connect() as conn:
        query = select(notification).order_by(notification.c.id)
        if kind:
            query = query.where(notification.c.kind == kind)
        return conn.execute(query).all()


def told(site, kind: str) -> list[tuple[str, str]]:
    """(address, language) of each mail of `kind` written so far, in order."""
    return [(r.recipient, r.language) for r in rows(site, kind)]


def choose_off(site, username: str, kind: str) -> None:
    with site.runtime.engine.begin() as conn:
        notifications.choose(conn, username, kind, "off")


def to_matching(site, **body) -> str:
    eid = site.ok("POST", "/enquiries", expect=201, json=enquiry_body(submit=True,
                                                                      client_organisation_id=site.company_id,
                                                                      **body))["id"]
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "matching"})
    return eid


def propose(site, eid: str, as_: str = "se", offer_id: str | None = None, **changes) -> dict:
    return site.ok("POST", f"/enquiries/{eid}/proposals", as_, 201,
                   json={"offer_id": offer_id or site.offer_id, **terms(**changes)})


def about_proposals(server, address: str) -> list:
    """The mails to a social enterprise's member about its proposals (not the alerts of enquiries)."""
    return [m for m in mails_to(server, address) if m.subject.startswith(("Ihr Vorschlag", "Az Ön ajánlatát"))]


def page(site, path: str, lang: str) -> str:
    return f"{site.runtime.settings.site.url}{path}?lang={lang}"


# --- the client: a proposal received ---------------------------------------------------------------

def test_a_proposal_reaches_each_client_member_once_in_their_language_with_the_enquiry_page(site, smtp_server):
    eid = to_matching(site)
    proposal = propose(site, eid, price="4500")
    assert told(site, "proposal_received") == [(CLIENT_DE, "de"), (CLIENT_HU, "hu")]  # the SE's members: none
    assert told(site, "enquiry_state_changed") == [(CLIENT_DE, "de"), (CLIENT_HU, "hu")]  # matching only:
    # the move to negotiating that the proposal made is told by the proposal's own mail
    deliver(site.runtime)
    reference = site.ok("GET", f"/enquiries/{eid}")["reference"]
    de = [m for m in mails_to(smtp_server, CLIENT_DE) if "Vorschlag" in m.subject]
    hu = [m for m in mails_to(smtp_server, CLIENT_HU) if "ajánlat" in m.subject]
    assert [m.subject for m in de] == [f"Neuer Vorschlag zu Ihrer Anfrage {reference}"]
    assert [m.subject for m in hu] == [f"Új ajánlat az Ön megkeresésére ({reference})"]
    assert de[0].language == "de" and hu[0].language == "hu"
    assert link_in(de[0], "/office/our-enquiries/") == page(site, f"/office/our-enquiries/{eid}", "de")
    assert link_in(hu[0], "/office/our-enquiries/") == page(site, f"/office/our-enquiries/{eid}", "hu")
    assert "Werkstatt Nord" in de[0].text and "4.500,00" in de[0].text and "100 Stück" in de[0].text
    assert "Werkstatt Nord" in hu[0].text
    assert not [m for m in mails_to(smtp_server, SE_DE) + mails_to(smtp_server, SE_HU) if "Vorschlag" in m.subject]

    # A counter-offer is a new mail (its revision's key); the same terms again are no revision: none.
    site.ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/revisions", "se", 201, json=terms(price="4200"))
    site.ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/revisions", "se", 201, json=terms(price="4200"))
    assert told(site, "proposal_received") == [(CLIENT_DE, "de"), (CLIENT_HU, "hu")] * 2
    assert deliver(site.runtime) == 2 and deliver(site.runtime) == 0
    revised = mails_to(smtp_server, CLIENT_DE)[-1]
    assert revised.subject == f"Überarbeiteter Vorschlag zu Ihrer Anfrage {reference}" and "4.200,00" in revised.text


def test_a_proposal_follows_the_client_members_choice_and_none_comes_of_a_refused_one(site, smtp_server):
    choose_off(site, "client_hu", "proposal_received")
    eid = to_matching(site)
    propose(site, eid)
    assert told(site, "proposal_received") == [(CLIENT_DE, "de")]
    # Refused: too much for the enquiry's unit, or an enquiry that takes no proposals (a draft).
    site.call("POST", f"/enquiries/{eid}/proposals", "se", expect=422,
              json={"offer_id": site.offer_id, **terms(unit="kg")})
    draft = site.ok("POST", "/enquiries", "client", 201, json=enquiry_body())["id"]
    site.call("POST", f"/enquiries/{draft}/proposals", "broker", expect=409,
              json={"organisation_id": site.se_id, "offer_id": site.offer_id, **terms()})
    assert told(site, "proposal_received") == [(CLIENT_DE, "de")]


# --- the client: its enquiry's state -----------------------------------------------------------------

def test_the_brokers_moves_tell_the_client_members_and_the_clients_own_do_not(site, smtp_server):
    eid = site.ok("POST", "/enquiries", "client", 201, json=enquiry_body())["id"]
    site.ok("POST", f"/enquiries/{eid}/transitions", "client", json={"to": "submitted", "reason": "ready"})
    assert told(site, "enquiry_state_changed") == []  # the client's own move
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_consultation", "reason": "Termin am Montag"})
    assert told(site, "enquiry_state_changed") == [(CLIENT_DE, "de"), (CLIENT_HU, "hu")]
    # Illegal (409) and forbidden (403) moves tell nobody.
    site.call("POST", f"/enquiries/{eid}/transitions", json={"to": "delivered"}, expect=409)
    site.call("POST", f"/enquiries/{eid}/transitions", "client", json={"to": "matching"}, expect=403)
    site.call("POST", f"/enquiries/{eid}/transitions", json={"to": "in_consultation"}, expect=409)
    assert len(rows(site, "enquiry_state_changed")) == 2
    assert deliver(site.runtime) == 2
    reference = site.ok("GET", f"/enquiries/{eid}")["reference"]
    (de,), (hu,) = mails_to(smtp_server, CLIENT_DE), mails_to(smtp_server, CLIENT_HU)
    assert de.subject == f"Ihre Anfrage {reference}: In Beratung" and de.language == "de"
    assert hu.subject == f"Az Ön megkeresése ({reference}): Tanácsadás alatt" and hu.language == "hu"
    assert "Termin am Montag" in de.text  # the broker's reason
    assert link_in(de, "/office/our-enquiries/") == page(site, f"/office/our-enquiries/{eid}", "de")
    assert link_in(hu, "/office/our-enquiries/") == page(site, f"/office/our-enquiries/{eid}", "hu")
    assert de.list_unsubscribe.startswith("<http")  # one can turn it off

    choose_off(site, "client", "enquiry_state_changed")
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "cancelled", "reason": "Budget gestrichen"})
    assert told(site, "enquiry_state_changed")[2:] == [(CLIENT_HU, "hu")]
    assert deliver(site.runtime) == 1
    cancelled = mails_to(smtp_server, CLIENT_HU)[-1]
    assert cancelled.subject == f"Az Ön megkeresése ({reference}): Visszavonva"
    assert "Budget gestrichen" in cancelled.text


def test_the_client_cancelling_its_own_enquiry_is_told_nothing(site):
    eid = to_matching(site)
    before = len(rows(site, "enquiry_state_changed"))
    site.ok("POST", f"/enquiries/{eid}/transitions", "client", json={"to": "cancelled", "reason": "not needed"})
    assert len(rows(site, "enquiry_state_changed")) == before


def test_agreed_production_and_delivery_by_the_broker_tell_the_client(site, smtp_server):
    eid = to_matching(site)
    proposal = propose(site, eid)
    agreement = site.ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/accept", "broker", 201)
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_production"})
    site.ok("POST", f"/enquiries/{eid}/agreements/{agreement['id']}/deliver", json={
        "material_diverted_kg": "850", "regional_share": "0.8", "production_nuts3": "AT123",
        "production_lat": 48.2, "production_lon": 15.62, "integration_hours": "320"})
    deliver(site.runtime)
    subjects = [m.subject.split(": ", 1)[1] for m in mails_to(smtp_server, CLIENT_DE) if m.subject.startswith("Ihre")]
    assert subjects == ["Suche nach Anbietern", "Vereinbart", "In Produktion", "Geliefert"]
    delivered = mails_to(smtp_server, CLIENT_DE)[-1]
    assert "every agreement was delivered" not in delivered.text  # the code's audit note is no reason to show


def test_expiry_tells_the_client_members_once(site, smtp_server):
    eid = to_matching(site)
    later = datetime.now(timezone.utc) + timedelta(days=31)
    assert [e.from_state for e in expire_overdue(site.runtime.uow, later, site=site.runtime.settings.site)] == [
        "matching"]
    assert expire_overdue(site.runtime.uow, later, site=site.runtime.settings.site) == []
    expired = [r for r in rows(site, "enquiry_state_changed") if "expired" in r.idempotency_key]
    assert [(r.recipient, r.language) for r in expired] == [(CLIENT_DE, "de"), (CLIENT_HU, "hu")]
    deliver(site.runtime, now=lambda: later)  # written at the sweep's time
    reference = site.ok("GET", f"/enquiries/{eid}")["reference"]
    hu = mails_to(smtp_server, CLIENT_HU)[-1]
    assert hu.subject == f"Az Ön megkeresése ({reference}): Lejárt"
    assert link_in(hu, "/office/our-enquiries/") == page(site, f"/office/our-enquiries/{eid}", "hu")


def test_the_tick_job_expires_and_tells_the_client(site):
    to_matching(site)
    choose_off(site, "client_hu", "enquiry_state_changed")
    lines = jobs.expire_enquiries(site.runtime, datetime.now(timezone.utc) + timedelta(days=31))
    assert lines[-1] == "1 enquiries expired"
    expired = [r for r in rows(site, "enquiry_state_changed") if "expired" in r.idempotency_key]
    assert [(r.recipient, r.language) for r in expired] == [(CLIENT_DE, "de")]


# --- the social enterprise: its proposal accepted or declined ------------------------------------------

def test_the_client_declining_and_accepting_tells_the_proposing_social_enterprise(site, smtp_server):
    eid = to_matching(site)
    ours = propose(site, eid)
    theirs = propose(site, eid, "se_other", site.other_offer_id, quantity="60")
    site.ok("POST", f"/enquiries/{eid}/proposals/{theirs['id']}/decline", "client")
    assert told(site, "proposal_declined") == [(OTHER_SE, "de")]
    site.call("POST", f"/enquiries/{eid}/proposals/{theirs['id']}/decline", "client", expect=409)
    site.call("POST", f"/enquiries/{eid}/proposals/{theirs['id']}/accept", "client", expect=409)
    site.call("POST", f"/enquiries/{eid}/proposals/{ours['id']}/accept", "se", expect=403)  # not the SE's to do
    assert told(site, "proposal_declined") == [(OTHER_SE, "de")] and told(site, "proposal_accepted") == []

    before = len(rows(site, "enquiry_state_changed"))
    site.ok("POST", f"/enquiries/{eid}/proposals/{ours['id']}/accept", "client", 201)
    assert told(site, "proposal_accepted") == [(SE_DE, "de"), (SE_HU, "hu")]
    assert len(rows(site, "enquiry_state_changed")) == before  # agreed by the client's own acceptance
    site.call("POST", f"/enquiries/{eid}/proposals/{ours['id']}/accept", "client", expect=409)
    assert len(rows(site, "proposal_accepted")) == 2

    deliver(site.runtime)
    assert deliver(site.runtime) == 0
    reference = site.ok("GET", f"/enquiries/{eid}")["reference"]
    (declined,) = about_proposals(smtp_server, OTHER_SE)
    (de,), (hu,) = about_proposals(smtp_server, SE_DE), about_proposals(smtp_server, SE_HU)
    assert declined.subject == f"Ihr Vorschlag zu {reference} wurde abgelehnt"
    assert de.subject == f"Ihr Vorschlag zu {reference} wurde angenommen" and de.language == "de"
    assert hu.subject == f"Az Ön ajánlatát elfogadták ({reference})" and hu.language == "hu"
    assert link_in(declined, "/office/member/") == page(site, f"/office/member/enquiries/{eid}", "de")
    assert link_in(hu, "/office/member/") == page(site, f"/office/member/enquiries/{eid}", "hu")
    assert not [m for m in mails_to(smtp_server, CLIENT_DE) if "angenommen" in m.subject]


def test_a_social_enterprise_member_who_chose_off_hears_nothing(site):
    choose_off(site, "se_hu", "proposal_accepted")
    choose_off(site, "se", "proposal_declined")
    eid = to_matching(site)
    first = propose(site, eid, quantity="40")
    second = propose(site, eid, quantity="60")
    site.ok("POST", f"/enquiries/{eid}/proposals/{first['id']}/decline", "broker")
    site.ok("POST", f"/enquiries/{eid}/proposals/{second['id']}/accept", "broker", 201)
    assert told(site, "proposal_declined") == [(SE_HU, "hu")]
    assert told(site, "proposal_accepted") == [(SE_DE, "de")]


def test_the_broker_cancelling_an_agreement_tells_the_client_the_enquiry_is_negotiated_again(site, smtp_server):
    eid = to_matching(site)
    proposal = propose(site, eid)
    agreement = site.ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/accept", "client", 201)
    before = len(rows(site, "enquiry_state_changed"))
    site.ok("POST", f"/enquiries/{eid}/agreements/{agreement['id']}/cancel", json={"reason": "Werkstatt überlastet"})
    assert [(r.recipient, r.idempotency_key.split(":")[2]) for r in rows(site, "enquiry_state_changed")[before:]] == [
        (CLIENT_DE, "agreed-negotiating"), (CLIENT_HU, "agreed-negotiating")]
    deliver(site.runtime)
    assert "Werkstatt überlastet" in mails_to(smtp_server, CLIENT_DE)[-1].text


# --- the pages make the same mails -----------------------------------------------------------------------

def test_the_pages_accept_and_decline_tell_the_social_enterprises(site, smtp_server):
    eid = to_matching(site)
    ours = propose(site, eid, quantity="40")
    theirs = propose(site, eid, "se_other", site.other_offer_id, quantity="60")
    client = Browser(site.app)
    client.login("client", site.password)
    client.get(f"/office/our-enquiries/{eid}")
    response = client.post(f"/office/our-enquiries/{eid}/proposals/{ours['id']}/decline")
    assert response.status_code == 302, client.page[:2000]
    broker = Browser(site.app)
    broker.login("broker", site.password)
    broker.get(f"/office/enquiries/{eid}")
    response = broker.post(f"/office/enquiries/{eid}/proposals/{theirs['id']}/accept")
    assert response.status_code == 302, broker.page[:2000]
    assert told(site, "proposal_declined") == [(SE_DE, "de"), (SE_HU, "hu")]
    assert told(site, "proposal_accepted") == [(OTHER_SE, "de")]
    deliver(site.runtime)
    assert link_in(about_proposals(smtp_server, OTHER_SE)[-1], "/office/member/") == page(
        site, f"/office/member/enquiries/{eid}", "de")
