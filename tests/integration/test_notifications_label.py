"""The label's mail through a real SMTP server on loopback, at HU22 (Hungarian first), on SQLite and
PostgreSQL: the brokers hear of a submitted application and a filed complaint; the holder's members of a
suspension, reinstatement and revocation, of a complaint's outcome, and 60 and 30 days before the label
expires (the daily job); the complainant who left an address of the outcome. Each in the person's language,
with the link to the page where they act, once, not after "off", and never for a refused transition."""
from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta, timezone

import pytest

from services import jobs
from services.common import notifications
from services.common.clock import utc_today
from services.composition import LABEL
from services.label import store
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES
from tests.support.mail import deliver, link_in, mail_settings, mails_to
from tests.support.sites import Site
from tests.support.web import Browser

ORG, OTHER_ORG = str(uuid.uuid4()), str(uuid.uuid4())
ADDRESSES = {"broker_de": ("broker.de@hu22.example", "de"), "broker_hu": ("broker.hu@hu22.example", "hu"),
             "member_hu": ("tag@textil.example", "hu"), "member_de": ("mitglied@textil.example", "de"),
             "stranger": ("idegen@other.example", "hu"), "admin": ("admin@hu22.example", "hu")}
EVERYONE = [address for address, _ in ADDRESSES.values()]


class LabelMailSite(Site):
    acting_as = "admin"

    def __init__(self, settings):
        super().__init__(settings, (
            ("admin", ["site_admin"], None), ("anna", ["assessor"], None), ("bela", ["approver"], None),
            ("broker_de", ["broker"], None), ("broker_hu", ["broker"], None),
            ("member_hu", ["member"], ORG), ("member_de", ["member"], ORG), ("stranger", ["member"], OTHER_ORG)))
        with self.runtime.engine.begin() as conn:
            for username, (address, language) in ADDRESSES.items():
                notifications.set_contact(conn, username, address, language)

    @property
    def url(self) -> str:
        return self.runtime.settings.site.url

    def submitted(self) -> str:
        body = {"holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Tote bag",
                "cpv_codes": ["18930000"], "evidence": GOOD_EVIDENCE}
        app = self.call("POST", "/label-applications", "member_hu", 201, json=body).json
        self.call("POST", f"/label-applications/{app['id']}/submit", "member_hu", 200)
        return app["id"]

    def granted(self) -> str:
        app_id = self.submitted()
        self.call("POST", f"/label-applications/{app_id}/assessment", "anna", 200, json={"scores": GOOD_SCORES})
        return self.call("POST", f"/label-applications/{app_id}/decision", "bela", 200,
                         json={"outcome": "granted", "reason": "meets every criterion"}).json["label_number"]

    def off(self, username: str, kind: str) -> None:
        with self.runtime.engine.begin() as conn:
            notifications.choose(conn, username, kind, "off")

    def sent(self, when: datetime | None = None) -> int:
        """One sending round; `when`: the time the sender sees (mails a job wrote ahead of the clock)."""
        return deliver(self.runtime, **({"now": lambda: when} if when else {}))


@pytest.fixture(params=BACKENDS)
def site(request, make_settings, smtp_server):
    db_url = pg_url_if(request, request.param)
    s = LabelMailSite(make_settings("HU22", db_url=db_url, mail=mail_settings(smtp_server.port, "HU22")))
    yield s
    s.runtime.engine.dispose()


def only(server, address):
    found = mails_to(server, address)
    assert len(found) == 1, [m.subject for m in found]
    return found[0]


def nobody_else(server, *addresses):
    assert {r for m in server.mailbox.received for r in m.recipients} <= set(addresses)


def test_a_submitted_application_mails_each_broker_once_in_their_language(site, smtp_server):
    app_id = site.submitted()
    assert site.sent() == 2
    de, hu = only(smtp_server, "broker.de@hu22.example"), only(smtp_server, "broker.hu@hu22.example")
    assert de.language == "de" and de.subject == "Gütesiegel-Antrag eingereicht: Tote bag (Textil Kft)"
    assert hu.language == "hu" and hu.subject == "Védjegykérelem benyújtva: Tote bag (Textil Kft)"
    for mail, lang in ((de, "de"), (hu, "hu")):
        assert link_in(mail, "/office/labels/") == f"{site.url}/office/labels/{app_id}?lang={lang}"
        assert "Textil Kft" in mail.text and mail.list_unsubscribe.startswith(f"<{site.url}/notifications/")
    nobody_else(smtp_server, "broker.de@hu22.example", "broker.hu@hu22.example")
    broker = Browser(site.app)  # the broker opens the link and reads; assessing stays with the assessors
    broker.login("broker_de", site.password)
    assert broker.get(f"/office/labels/{app_id}?lang=de").status_code == 200 and "Tote bag" in broker.page
    assert "Bewertung speichern" not in broker.page and "Record the assessment" not in broker.page

    # submitting again is refused (409): no second mail; a draft edited or withdrawn tells nobody
    site.call("POST", f"/label-applications/{app_id}/submit", "member_hu", 409)
    draft = site.call("POST", "/label-applications", "member_hu", 201, json={
        "holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Apron", "cpv_codes": ["18930000"],
        "evidence": GOOD_EVIDENCE}).json
    site.call("POST", f"/label-applications/{draft['id']}/withdraw", "member_hu", 200)
    assert site.sent() == 0


def test_an_application_returned_and_submitted_again_mails_again_and_off_is_honoured(site, smtp_server):
    app_id = site.submitted()
    site.call("POST", f"/label-applications/{app_id}/assessment", "anna", 200, json={"scores": GOOD_SCORES})
    site.call("POST", f"/label-applications/{app_id}/decision", "bela", 200,
              json={"outcome": "returned", "reason": "a document is missing"})
    site.off("broker_hu", "label_application_submitted")
    site.call("POST", f"/label-applications/{app_id}/submit", "member_hu", 200)
    assert site.sent() == 3
    assert len(mails_to(smtp_server, "broker.de@hu22.example")) == 2  # the first submission and the second
    assert len(mails_to(smtp_server, "broker.hu@hu22.example")) == 1  # the second: after choosing "off"


def test_a_filed_complaint_mails_the_brokers_without_the_complainants_contact(site, smtp_server):
    number = site.granted()
    site.sent()
    smtp_server.mailbox.received.clear()
    site.call("POST", "/label-complaints", None, 201, json={
        "label_number": number, "text": "The bags are made abroad.", "contact": "Theo Maier <theo@example.at>"})
    assert site.sent() == 3  # the two brokers, and the complainant's receipt with the link to follow the complaint
    assert "/labels/complaints/track/" in only(smtp_server, "theo@example.at").text
    de, hu = only(smtp_server, "broker.de@hu22.example"), only(smtp_server, "broker.hu@hu22.example")
    assert de.subject == f"Beschwerde zum Gütesiegel {number}"
    assert hu.subject == f"Panasz a(z) {number} számú védjegyről"
    assert link_in(hu, "/office/labels/number/") == f"{site.url}/office/labels/number/{number}?lang=hu"
    broker = Browser(site.app)
    broker.login("broker_hu", site.password)
    assert broker.get(f"/office/labels/number/{number}?lang=hu").status_code == 200 and number in broker.page
    assert "The bags are made abroad." not in de.text + de.html  # the label staff read it, not the mail
    assert all("theo@example.at" not in m.text + m.html and "Theo Maier" not in m.text for m in (de, hu))

    site.call("POST", "/label-complaints", None, 201, json={"label_number": None, "text": "The scheme is unclear."})
    assert site.sent() == 2  # about the label scheme: no label to link to
    scheme = mails_to(smtp_server, "broker.de@hu22.example")[-1]
    assert scheme.subject == "Beschwerde zum Gütesiegel-System" and "/office/labels" not in scheme.text

    site.call("POST", "/label-complaints", None, 404, json={"label_number": "SOPRO-HU22-2020-9999", "text": "x"})
    site.off("broker_de", "complaint_filed")
    site.call("POST", "/label-complaints", None, 201, json={"label_number": number, "text": "Again."})
    assert site.sent() == 1 and len(mails_to(smtp_server, "broker.de@hu22.example")) == 2


def test_suspension_reinstatement_and_revocation_mail_the_holders_members(site, smtp_server):
    number = site.granted()
    site.sent()
    smtp_server.mailbox.received.clear()
    until = (utc_today() + timedelta(days=30)).isoformat()
    site.call("POST", f"/labels/{number}/suspend", "bela", 200, json={"until": until, "reason": "audit pending"})
    assert site.sent() == 2
    hu, de = only(smtp_server, "tag@textil.example"), only(smtp_server, "mitglied@textil.example")
    assert hu.language == "hu" and hu.subject == f"Az Ön {number} számú védjegyét felfüggesztették"
    assert de.language == "de" and de.subject == f"Ihr Gütesiegel {number} wurde ausgesetzt"
    assert "audit pending" in de.text
    for mail, lang in ((hu, "hu"), (de, "de")):
        assert link_in(mail, "/office/member/") == f"{site.url}/office/member/labels?lang={lang}"
    nobody_else(smtp_server, "tag@textil.example", "mitglied@textil.example")

    # a refused step (suspending a suspended label) writes nothing; reinstating does, once
    site.call("POST", f"/labels/{number}/suspend", "bela", 409, json={"until": until, "reason": "again"})
    assert site.sent() == 0
    site.off("member_de", "label_status_changed")
    site.call("POST", f"/labels/{number}/reinstate", "bela", 200, json={"reason": "audit passed"})
    assert site.sent() == 1
    assert mails_to(smtp_server, "tag@textil.example")[-1].subject == f"Az Ön {number} számú védjegye ismét érvényes"
    assert len(mails_to(smtp_server, "mitglied@textil.example")) == 1  # "off" since

    site.call("POST", f"/labels/{number}/revoke", "bela", 200, json={"reason": "fraud"})
    site.call("POST", f"/labels/{number}/revoke", "bela", 409, json={"reason": "fraud"})
    site.call("POST", f"/labels/{number}/reinstate", "bela", 409, json={"reason": None})
    assert site.sent() == 1
    revoked = mails_to(smtp_server, "tag@textil.example")[-1]
    assert revoked.subject == f"Az Ön {number} számú védjegyét visszavonták" and "fraud" in revoked.text


def test_a_suspension_that_lapses_tells_the_holder_once(site, smtp_server):
    number = site.granted()
    until = utc_today() + timedelta(days=10)
    site.call("POST", f"/labels/{number}/suspend", "bela", 200, json={"until": until.isoformat(), "reason": "check"})
    site.sent()
    smtp_server.mailbox.received.clear()
    later = datetime.combine(until + timedelta(days=1), time(3), tzinfo=timezone.utc)
    assert jobs.end_label_suspensions in LABEL.jobs
    assert jobs.end_label_suspensions(site.runtime, later) == [f"label {number} valid again (its suspension ended)"]
    assert jobs.end_label_suspensions(site.runtime, later) == []
    assert site.sent(later) == 2
    lapsed = only(smtp_server, "mitglied@textil.example")
    assert lapsed.subject == f"Ihr Gütesiegel {number} ist wieder gültig"
    assert "the suspension ended" not in lapsed.text  # the system's English note stays in the audit trail


def test_a_decided_complaint_mails_the_holder_and_the_complainant(site, smtp_server):
    number = site.granted()
    complaint = site.call("POST", "/label-complaints", None, 201, json={
        "label_number": number, "text": "Made abroad.", "contact": "Theo Maier <theo@example.at>, +43 1 234"}).json
    site.sent()
    smtp_server.mailbox.received.clear()
    site.call("POST", f"/label-complaints/{complaint['id']}/review", "bela", 200,
              json={"status": "under_review", "resolution": None})
    assert site.sent() == 0  # not decided yet

    until = (utc_today() + timedelta(days=60)).isoformat()
    site.call("POST", f"/label-complaints/{complaint['id']}/review", "bela", 200,
              json={"status": "upheld", "resolution": "Production moved abroad.", "action": "suspend",
                    "suspend_until": until})
    assert site.sent() == 5  # the outcome and the suspension to each of the two members; the complainant
    de = [m.subject for m in mails_to(smtp_server, "mitglied@textil.example")]
    assert sorted(de) == sorted([f"Über eine Beschwerde zu Ihrem Gütesiegel {number} wurde entschieden",
                                 f"Ihr Gütesiegel {number} wurde ausgesetzt"])
    outcome_hu = next(m for m in mails_to(smtp_server, "tag@textil.example") if "panasz" in m.subject)
    assert outcome_hu.subject == f"Döntés született az Ön {number} számú védjegyével kapcsolatos panaszról"
    assert "Production moved abroad." in outcome_hu.text
    assert link_in(outcome_hu, "/office/member/") == f"{site.url}/office/member/labels?lang=hu"
    theo = only(smtp_server, "theo@example.at")  # no account, no language: the site's first (Hungarian)
    assert theo.language == "hu" and theo.subject == "Döntés született a védjeggyel kapcsolatos panaszáról"
    assert "Panaszának helyt adtak." in theo.text
    assert link_in(theo, "/labels/verify") == f"{site.url}/labels/verify?number={number}&lang=hu"
    assert theo.list_unsubscribe  # one click stops the complainant's mail too

    # a decided complaint cannot move again: no mail
    site.call("POST", f"/label-complaints/{complaint['id']}/review", "bela", 409,
              json={"status": "dismissed", "resolution": "no"})
    assert site.sent() == 0


def test_a_dismissed_complaint_without_an_address_mails_the_holder_only_and_off_is_honoured(site, smtp_server):
    number = site.granted()
    complaint = site.call("POST", "/label-complaints", None, 201, json={
        "label_number": number, "text": "I do not like it.", "contact": "call me: +36 1 234 5678"}).json
    site.sent()
    smtp_server.mailbox.received.clear()
    site.off("member_hu", "complaint_outcome")
    site.call("POST", f"/label-complaints/{complaint['id']}/review", "bela", 200,
              json={"status": "dismissed", "resolution": "Unfounded."})
    assert site.sent() == 1
    mail = only(smtp_server, "mitglied@textil.example")
    assert "Die Beschwerde wurde abgewiesen." in mail.text and "Unfounded." in mail.text
    nobody_else(smtp_server, "mitglied@textil.example")


def at(day) -> datetime:
    return datetime.combine(day, time(6), tzinfo=timezone.utc)


def test_expiry_reminders_60_and_30_days_before_each_once_however_often_the_job_runs(site, smtp_server):
    number = site.granted()
    with site.runtime.engine.connect() as conn:
        valid_until = store.load_label(conn, number).valid_until
    site.sent()
    smtp_server.mailbox.received.clear()
    assert jobs.remind_label_expiry in LABEL.jobs

    assert jobs.remind_label_expiry(site.runtime, at(valid_until - timedelta(days=61))) == [
        "0 label expiry reminders written"]
    day60 = at(valid_until - timedelta(days=60))
    assert jobs.remind_label_expiry(site.runtime, day60) == [
        f"label {number}: 60-day expiry reminder (2 mails)", "2 label expiry reminders written"]
    assert jobs.remind_label_expiry(site.runtime, day60 + timedelta(hours=1)) == ["0 label expiry reminders written"]
    assert jobs.remind_label_expiry(site.runtime, at(valid_until - timedelta(days=45))) == [
        "0 label expiry reminders written"]
    assert site.sent(at(valid_until - timedelta(days=45))) == 2
    hu, de = only(smtp_server, "tag@textil.example"), only(smtp_server, "mitglied@textil.example")
    assert de.language == "de" and de.subject.startswith(f"Ihr Gütesiegel {number} läuft am ")
    assert "Ihr Gütesiegel läuft in 60 Tagen ab." in de.text
    assert hu.language == "hu" and "Védjegye 60 nap múlva lejár." in hu.text
    assert link_in(hu, "/office/member/") == f"{site.url}/office/member/labels?lang=hu"
    nobody_else(smtp_server, "tag@textil.example", "mitglied@textil.example")

    site.off("member_de", "label_expiry_reminder")
    for hours in (0, 1, 2):
        jobs.remind_label_expiry(site.runtime, at(valid_until - timedelta(days=30)) + timedelta(hours=hours))
    assert site.sent(at(valid_until - timedelta(days=29))) == 1  # the 30-day one, once, to the member without "off"
    assert "Védjegye 30 nap múlva lejár." in mails_to(smtp_server, "tag@textil.example")[-1].text
    assert len(mails_to(smtp_server, "mitglied@textil.example")) == 1


def test_a_late_found_or_revoked_label_gets_no_earlier_reminder(site, smtp_server):
    number = site.granted()
    revoked = site.granted()
    site.call("POST", f"/labels/{revoked}/revoke", "bela", 200, json={"reason": "fraud"})
    with site.runtime.engine.connect() as conn:
        valid_until = store.load_label(conn, number).valid_until
    site.sent()
    smtp_server.mailbox.received.clear()
    # the job did not run for weeks: 20 days before the end, only the 30-day reminder goes
    assert jobs.remind_label_expiry(site.runtime, at(valid_until - timedelta(days=20))) == [
        f"label {number}: 30-day expiry reminder (2 mails)", "2 label expiry reminders written"]
    assert site.sent(at(valid_until - timedelta(days=20))) == 2
    assert "Ihr Gütesiegel läuft in 20 Tagen ab." in only(smtp_server, "mitglied@textil.example").text
    # after the end, no reminder (the label expires)
    assert jobs.remind_label_expiry(site.runtime, at(valid_until + timedelta(days=1))) == [
        "0 label expiry reminders written"]


def test_the_staff_pages_suspend_and_revoke_mail_the_holder_as_the_api_does(site, smtp_server):
    number = site.granted()
    site.sent()
    smtp_server.mailbox.received.clear()
    approver = Browser(site.app)
    approver.login("bela", site.password)
    page = f"/office/labels/number/{number}"
    approver.get(page)
    until = (utc_today() + timedelta(days=20)).isoformat()
    assert approver.post(f"{page}/suspend", {"until": until, "reason": "Prüfung"}).status_code == 302
    assert approver.post(f"{page}/suspend", {"until": until, "reason": "Prüfung"}).status_code == 409
    assert site.sent() == 2
    assert only(smtp_server, "mitglied@textil.example").subject == f"Ihr Gütesiegel {number} wurde ausgesetzt"
    approver.get(f"{page}/revoke")
    assert approver.post(f"{page}/revoke", {"reason": "Betrug"}).status_code == 302
    assert site.sent() == 2
    assert mails_to(smtp_server, "tag@textil.example")[-1].subject == f"Az Ön {number} számú védjegyét visszavonták"


def test_a_label_drawn_for_a_spot_check_tells_its_holder_who_cannot_withdraw_it(site, smtp_server):
    from decimal import Decimal

    from services.label import notices, spot_check_draws

    number = site.granted()
    site.sent()
    smtp_server.mailbox.received.clear()
    done = spot_check_draws.draw_spot_checks(site.runtime.uow(), 2026, "seed", "bela", Decimal("1"), utc_today(),
                                             notices.mail_site(site.runtime))
    assert done.drawn == [number]
    assert site.sent() == 2  # the holder's two members, each once, in their language
    hu, de = only(smtp_server, "tag@textil.example"), only(smtp_server, "mitglied@textil.example")
    assert number in hu.subject and hu.language == "hu" and de.language == "de" and number in de.subject
    app_id = done.applications[number]
    assert link_in(de, "/office/member/labels/") == f"{site.url}/office/member/labels/{app_id}?lang=de"
    refused = site.call("POST", f"/label-applications/{app_id}/withdraw", "member_hu", 409).json
    assert refused["code"] == "spot_check"
