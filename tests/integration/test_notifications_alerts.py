"""Issue 15: the enquiry alert, through a real SMTP server on loopback (SQLite and PostgreSQL). When an
enquiry opens for proposals (moves to "matching", the first state in which a social enterprise sees and
answers it), each member of each social enterprise whose offers fit it (CPV, region, capacity, label) gets
a mail in their language saying why it fits and linking to its member page; once; not when they chose
"off"; and in one daily digest with their other alerts when they chose "digest"."""
from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from services.common import notifications
from services.common.notifications import notification
from services.enquiries.lifecycle import alerts, store
from services.enquiries.matching import alerts as matching_alerts
from services.enquiries.matching.ranking import Candidate, MatchRequest, score
from services.web import mail_digest
from services.web.notify import MailSite
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.events import envelope
from tests.support.lifecycle import ADDRESS, LifecycleSite, enquiry_body
from tests.support.mail import deliver, link_in, mail_settings, mails_to
from tests.support.matching import apply
from tests.support.web import Browser

SE_DE, SE_HU = "anna@werkstatt.example", "jozsef@werkstatt.example"
OTHER_CPV, TOO_SMALL, FAR, UNLABELLED = ("textil@example.org", "klein@example.org", "fern@example.org",
                                         "ohne@example.org")


class AlertSite(LifecycleSite):
    def enterprise(self, name: str, username: str, email: str, language: str = "de", cpv: str = "39100000",
                   capacity: str = "70", coordinates=(48.2, 15.62), nuts3: str = "AT123",
                   delivery_radius_km: int | None = None) -> str:
        """An SE with one offer where it says, projected into matching, and a member with an address."""
        org = self.ok("POST", "/organisations", "admin", 201, json={
            "kind": "social_enterprise", "name": name, "registration_number": f"ZVR {name}", "address": ADDRESS,
            "nuts3": nuts3, "coordinates": {"lat": coordinates[0], "lon": coordinates[1]},
            "labour_market_segment": "second_labour_market", "workers_in_integration": 12})
        self.ok("POST", "/offers", "admin", 201, json={
            "organisation_id": org["id"], "title": f"Offer of {name}", "description": "Upcycled pallets",
            "cpv_codes": [cpv], "capacity_per_week": capacity, "unit": "pieces", "lead_time_days": 0,
            "price_min": "30", "price_max": "50", "delivery_radius_km": delivery_radius_km})
        self.project_registry()
        self.add_user(username, ["member"], org["id"])
        with self.runtime.engine.begin() as conn:
            notifications.set_contact(conn, username, email, language)
        return org["id"]

    def grant_label(self, org_id: str) -> None:
        """The label service's event, as the site's matching consumer receives it."""
        label_id = str(uuid.uuid4())
        apply(self.runtime, envelope("label.label.granted", label_id, 1, {
            "label_id": label_id, "number": "SOPRO-AT12-2026-0007", "application_id": str(uuid.uuid4()),
            "holder_organisation_id": org_id, "holder_name": "Werkstatt Nord", "product": "Pallet furniture",
            "cpv_codes": ["39100000"], "catalogue_version": 1, "status": "valid", "valid_from": "2026-01-01",
            "valid_until": "2099-12-31", "suspended_until": None, "reason": None}))

    def filed(self, **body) -> str:
        return self.ok("POST", "/enquiries", expect=201, json=enquiry_body(
            submit=True, client_organisation_id=self.company_id, **body))["id"]

    def open_for_proposals(self, eid: str) -> None:
        self.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "matching", "reason": "looking for suppliers"})


@pytest.fixture(params=BACKENDS)
def site(request, make_settings, smtp_server):
    db_url = pg_url_if(request, request.param)
    s = AlertSite(lambda site_id, db_url: make_settings(site_id, db_url=db_url, mail=mail_settings(smtp_server.port)),
                  db_url)
    s.company_id = s.company()
    s.se_id = s.enterprise("Werkstatt Nord", "anna", SE_DE, "de", cpv="39130000")  # the same group (391)
    s.add_user("jozsef", ["member"], s.se_id)
    with s.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "jozsef", SE_HU, "hu")
    yield s
    s.runtime.engine.dispose()


def alerts_written(site) -> list[tuple[str, str]]:
    with site.runtime.engine.connect() as conn:
        return sorted((r.recipient, r.language) for r in conn.execute(
            select(notification).where(notification.c.kind == "enquiry_alert")))


def choose(site, username: str, mode: str) -> None:
    with site.runtime.engine.begin() as conn:
        notifications.choose(conn, username, "enquiry_alert", mode)


def test_a_fitting_enterprise_hears_in_each_members_language_why_it_fits_and_where_to_answer(site, smtp_server):
    site.enterprise("Textilwerkstatt", "textil", OTHER_CPV, cpv="39500000")  # shares only the division 39
    site.enterprise("Kleine Werkstatt", "klein", TOO_SMALL, capacity="1")  # ~4 pieces before the deadline
    # 23 km from the delivery place, delivering within 10 km
    site.enterprise("Werkstatt Krems", "fern", FAR, coordinates=(48.41, 15.60), delivery_radius_km=10)
    eid = site.filed(cpv_codes=["39110000"])  # seats; Werkstatt Nord offers office furniture (39130000)
    assert alerts_written(site) == []  # filed, not yet open to social enterprises: they cannot see it yet

    site.open_for_proposals(eid)
    assert alerts_written(site) == [(SE_DE, "de"), (SE_HU, "hu")]  # written with the move
    assert deliver(site.runtime) == 2
    assert not [a for a in (OTHER_CPV, TOO_SMALL, FAR) if mails_to(smtp_server, a)]

    [de], [hu] = mails_to(smtp_server, SE_DE), mails_to(smtp_server, SE_HU)
    reference = site.ok("GET", f"/enquiries/{eid}")["reference"]
    assert de.language == "de" and de.subject.startswith("Eine Anfrage passt zu Ihrem Angebot: ")
    assert hu.language == "hu" and hu.subject.startswith("Egy megkeresés illeszkedik az Ön ajánlatához: ")
    for mail in (de, hu):
        assert mail.subject.endswith(": Pallet furniture for the canteen") and reference in mail.text
        assert "Offer of Werkstatt Nord" in mail.text
        assert "39110000" in mail.text and "39130000" in mail.text  # the codes asked for and offered
        assert "AT123" in mail.text and "100" in mail.text  # where and how much
    assert "dieselbe CPV-Gruppe" in de.text and "100 Stück" in de.text and "Frist" in de.text
    assert "ugyanaz a CPV-csoport" in hu.text and "100 db" in hu.text and "Határidő" in hu.text
    for mail, lang in ((de, "de"), (hu, "hu")):
        link = link_in(mail, "/office/member/enquiries/")
        assert link == f"{site.runtime.settings.site.url}/office/member/enquiries/{eid}?lang={lang}"
        assert f'href="{link}"' in mail.html and f'lang="{lang}"' in mail.html
        assert "/account/notifications" in mail.text and mail.list_unsubscribe_post == "List-Unsubscribe=One-Click"

    browser = Browser(site.app)  # the link opens the enquiry on the member's page, with the proposal form
    browser.login("anna", site.password)
    parts = urlsplit(link_in(de, "/office/member/enquiries/"))
    assert browser.get(f"{parts.path}?{parts.query}").status_code == 200
    assert reference in browser.page and 'name="offer_id"' in browser.page


def test_an_enquiry_requiring_the_label_alerts_only_label_holders(site, smtp_server):
    site.grant_label(site.se_id)
    site.enterprise("Werkstatt ohne Label", "ohne", UNLABELLED)
    eid = site.filed(label_required=True)
    site.open_for_proposals(eid)
    assert deliver(site.runtime) == 2
    assert not mails_to(smtp_server, UNLABELLED)
    [de] = mails_to(smtp_server, SE_DE)
    assert "SOPRO-AT12-2026-0007" in de.text


def test_without_a_label_required_the_unlabelled_enterprise_hears_too(site, smtp_server):
    site.enterprise("Werkstatt ohne Label", "ohne", UNLABELLED)
    site.open_for_proposals(site.filed())
    assert deliver(site.runtime) == 3 and len(mails_to(smtp_server, UNLABELLED)) == 1


def test_an_alert_is_sent_once_and_only_on_the_real_move(site, smtp_server):
    eid = site.filed()
    site.call("POST", f"/enquiries/{eid}/transitions", "anna", json={"to": "matching"}, expect=404)  # unseen
    draft = site.ok("POST", "/enquiries", expect=201, json=enquiry_body(client_organisation_id=site.company_id))
    site.call("POST", f"/enquiries/{draft['id']}/transitions", json={"to": "matching"}, expect=409)
    assert alerts_written(site) == []  # refused moves tell no one

    site.open_for_proposals(eid)
    site.call("POST", f"/enquiries/{eid}/transitions", json={"to": "matching"}, expect=409)
    now = datetime.now(timezone.utc)
    with site.runtime.uow() as uow:  # the same cause again (a retried move) writes nothing twice
        assert alerts.notify_enterprises(uow.conn, store.load_enquiry(uow.conn, eid),
                                         site.runtime.settings.site.url, ("de",), now) == 0
        uow.commit()
    assert deliver(site.runtime) == 2 and deliver(site.runtime) == 0
    assert len(mails_to(smtp_server, SE_DE)) == 1 and len(mails_to(smtp_server, SE_HU)) == 1


def test_the_enquirys_own_client_is_not_alerted(site, smtp_server):
    eid = site.ok("POST", "/enquiries", expect=201, json=enquiry_body(
        submit=True, client_organisation_id=site.se_id))["id"]  # Werkstatt Nord buys, as a client
    site.open_for_proposals(eid)
    assert alerts_written(site) == []


def test_off_is_honoured(site, smtp_server):
    choose(site, "jozsef", "off")
    site.open_for_proposals(site.filed())
    assert alerts_written(site) == [(SE_DE, "de")]
    assert deliver(site.runtime) == 1 and not mails_to(smtp_server, SE_HU)


def test_the_daily_digest_groups_two_alerts_into_one_mail(site, smtp_server):
    choose(site, "jozsef", "digest")
    first = site.filed(title="Benches for the park")
    second = site.filed(title="Shelves for the library", cpv_codes=["39130000"])
    for eid in (first, second):  # a broker's title is public as typed: the mail shows it
        site.open_for_proposals(eid)
    assert deliver(site.runtime) == 2  # anna's two, at once; jozsef's wait for the digest
    assert not mails_to(smtp_server, SE_HU) and len(mails_to(smtp_server, SE_DE)) == 2

    tomorrow = datetime.combine(datetime.now(timezone.utc).date() + timedelta(days=1), time(7), tzinfo=timezone.utc)
    mail_site = MailSite(site.runtime.settings.site.url, site.runtime.settings.site.languages)
    assert mail_digest.compose_due(site.runtime.engine, mail_site, tomorrow) == 1
    assert mail_digest.compose_due(site.runtime.engine, mail_site, tomorrow) == 0  # once a day
    assert deliver(site.runtime, now=lambda: tomorrow) == 1
    [digest] = mails_to(smtp_server, SE_HU)
    assert digest.language == "hu" and "2" in digest.subject
    assert "Benches for the park" in digest.text and "Shelves for the library" in digest.text
    for eid in (first, second):
        assert f"/office/member/enquiries/{eid}?lang=hu" in digest.text


# --- the rule, without a site -----------------------------------------------------------------------

def candidate(**changes) -> Candidate:
    values = dict(offer_id="o", organisation_id="se", organisation_name="Werkstatt", title="Pallets",
                  cpv_codes=("39100000",), free_capacity=Decimal(300), unit="pieces", lead_time_days=0,
                  price_min=None, price_max=None, currency="EUR")
    return Candidate(**{**values, **changes})


def fits(candidate_: Candidate, **request) -> bool:
    req = MatchRequest(**{"cpv_codes": ("39100000",), "today": datetime(2026, 3, 2).date(),
                          "quantity": Decimal(100), "unit": "pieces", **request})
    ranked = score(req, candidate_)
    return ranked is not None and matching_alerts.fits(req, ranked)


def test_the_rule_by_region_capacity_and_cpv():
    near = dict(delivery_lat=48.204, delivery_lon=15.626)
    assert fits(candidate(lat=48.2, lon=15.62, delivery_radius_km=10), **near)
    assert not fits(candidate(lat=48.41, lon=15.60, delivery_radius_km=10), **near)
    assert not fits(candidate(lat=47.0, lon=19.0), **near)  # no radius: beyond 200 km
    assert fits(candidate(nuts3="AT124"), delivery_nuts3="AT123")  # no coordinates: the same NUTS-2 region
    assert not fits(candidate(nuts3="HU221"), delivery_nuts3="AT123")
    assert fits(candidate())  # no place known on either side: the region rules nothing out
    assert not fits(candidate(free_capacity=Decimal(99)))
    assert fits(candidate(free_capacity=Decimal(1)), quantity=None)  # no quantity asked: capacity unknown
    assert not fits(candidate(unit="kg"))  # capacity in another unit cannot be said to cover it
    assert fits(candidate(cpv_codes=("39130000",)))  # the same group
    assert not fits(candidate(cpv_codes=("39500000",)))  # only the division
    assert not fits(candidate(), label_required=True)
    assert fits(candidate(labelled=True, label_number="L-1"), label_required=True)
