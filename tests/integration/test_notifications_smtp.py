"""The notification outbox against a real SMTP server on loopback (aiosmtpd): a filed enquiry's mail to
each broker in the broker's language; the server down and back; a sender dying between the server's
reply and marking the row sent; a permanent refusal. On SQLite and PostgreSQL."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.common import notification_sender, notifications
from services.common.clock import utcnow
from services.common.mail import MailSettings, SmtpMailer, message_id
from services.common.notifications import notification
from services.demo.mailbox import MailServer
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.lifecycle import IN_30_DAYS, LifecycleSite, enquiry_body
from tests.support.ports import free_port
from tests.support.web import Browser


@pytest.fixture
def smtp():
    server = MailServer().start()
    yield server
    server.stop()


def mail_settings(port: int) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security="none", sender="noreply@at12.sopro.example",
                        timeout=5.0)


@pytest.fixture(params=BACKENDS)
def site(request, make_settings, smtp):
    db_url = pg_url_if(request, request.param)
    s = LifecycleSite(lambda site_id, db_url: make_settings(site_id, db_url=db_url, mail=mail_settings(smtp.port)),
                      db_url)
    s.add_user("broker_hu", ["broker"])
    with s.runtime.engine.begin() as conn:
        notifications.set_contact(conn, "broker", "broker@at12.example", "de")
        notifications.set_contact(conn, "broker_hu", "broker.hu@at12.example", "hu")
        notifications.set_contact(conn, "admin", "admin@at12.example", "de")  # not a broker: no mail
    yield s
    s.runtime.engine.dispose()


def deliver(site, **kwargs) -> int:
    return notification_sender.deliver_due(site.runtime.engine, SmtpMailer(site.runtime.settings.mail), **kwargs)


def rows(site):
    with site.runtime.engine.connect() as conn:
        return conn.execute(select(notification).order_by(notification.c.id)).all()


def test_a_filed_enquiry_mails_each_broker_once_in_their_language(site, smtp, caplog):
    org = site.company()
    eid = site.ok("POST", "/enquiries", expect=201, json=enquiry_body(submit=True, client_organisation_id=org))["id"]
    assert [(r.recipient, r.language, r.sent_at) for r in rows(site)] == [
        ("broker@at12.example", "de", None), ("broker.hu@at12.example", "hu", None)]  # written with the enquiry

    with caplog.at_level(logging.INFO, logger="sopro.notifications"):
        assert deliver(site) == 2
    assert deliver(site) == 0  # sent rows are not taken again
    mails = {m.recipients[0]: m for m in smtp.mailbox.received}
    assert len(smtp.mailbox.received) == 2 and set(mails) == {"broker@at12.example", "broker.hu@at12.example"}
    de, hu = mails["broker@at12.example"], mails["broker.hu@at12.example"]
    assert de.language == "de" and de.subject.startswith("Neue Anfrage AT12-E-")
    assert hu.language == "hu" and hu.subject.startswith("Új megkeresés AT12-E-")
    for mail, lang in ((de, "de"), (hu, "hu")):
        link = f"{site.runtime.settings.site.url}/office/enquiries/{eid}?lang={lang}"
        assert link in mail.text and f'href="{link}"' in mail.html and "Pallet furniture" in mail.text
        assert f'lang="{lang}"' in mail.html
    assert de.message_id == message_id(f"enquiry_filed:{eid}:broker", "noreply@at12.sopro.example")
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows(site))
    # The log names notifications by id and kind, never by address. The test's SMTP server (aiosmtpd's
    # "mail.log") stands for the outside server and logs the envelope when another test raised its level.
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert ours and not [line for line in ours if "@" in line]


def test_an_enquiry_of_the_public_form_mails_the_brokers(site, smtp):
    browser = Browser(site.app)
    browser.get("/enquire?lang=de")
    response = browser.post("/enquire", {
        "organisation": "Gemeinde Musterdorf", "client_kind": "public_institution", "contact.name": "Anna Huber",
        "contact.email": "anna@musterdorf.example", "type": "production_step", "title": "Bänke für den Park",
        "quantity": "12", "unit": "pieces", "deadline": IN_30_DAYS, "delivery.nuts3": "AT123"})
    assert response.status_code == 302, browser.page[:3000]
    assert deliver(site) == 2
    assert {m.subject.split(": ", 1)[1] for m in smtp.mailbox.received} == {"Bänke für den Park"}
    assert all("anna@musterdorf.example" not in m.recipients for m in smtp.mailbox.received)  # the brokers'


def test_a_draft_filed_later_mails_the_brokers_then_and_only_once(site, smtp):
    org = site.company()
    eid = site.ok("POST", "/enquiries", expect=201, json=enquiry_body(client_organisation_id=org))["id"]
    assert rows(site) == []  # a draft tells nobody
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "submitted", "reason": "ready"})
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_consultation", "reason": "first talk"})
    assert deliver(site) == 2 and len(smtp.mailbox.received) == 2


def test_with_the_smtp_server_down_every_notification_waits_and_arrives_once_when_it_is_back(site):
    port = free_port()
    mailer = SmtpMailer(mail_settings(port))
    now = utcnow()
    with site.runtime.engine.begin() as conn:
        for i in range(100):
            notifications.enqueue(conn, key=f"test:{i}", kind="test", recipient=f"person{i}@at12.example",
                                  language="de", subject=f"Nr. {i}", text_body="Text", html_body="<p>Text</p>", now=now)
    engine = site.runtime.engine
    assert notification_sender.deliver_due(engine, mailer, now=lambda: now, limit=500) == 0  # nobody listens
    waiting = rows(site)
    assert all(r.sent_at is None and r.attempts == 1 and r.last_error for r in waiting)
    assert {r.next_attempt_at for r in waiting} == {now + notification_sender.backoff(1)}
    assert notification_sender.deliver_due(engine, mailer, now=lambda: now, limit=500) == 0  # not due yet

    server = MailServer(port=port).start()
    try:
        later = now + notification_sender.backoff(1)
        assert notification_sender.deliver_due(engine, mailer, now=lambda: later, limit=500) == 100
        assert notification_sender.deliver_due(engine, mailer, now=lambda: later + timedelta(days=1), limit=500) == 0
        subjects = sorted(m.subject for m in server.mailbox.received)
        assert subjects == sorted(f"Nr. {i}" for i in range(100))  # every one, exactly once
    finally:
        server.stop()


def test_a_sender_dying_after_the_server_accepted_resends_the_same_message_id_after_its_lease(site, smtp,
                                                                                                monkeypatch):
    """What is guaranteed: no loss, and a second handover only in this window, with the same Message-ID.
    SMTP cannot tell a sender whether it already accepted a message, so the row is sent again."""
    now = utcnow()
    with site.runtime.engine.begin() as conn:
        notifications.enqueue(conn, key="test:crash", kind="test", recipient="person@at12.example", language="de",
                              subject="Einmal", text_body="Text", html_body="<p>Text</p>", now=now)

    def die(*args):
        raise SystemExit("killed between the server's 250 and marking the row sent")

    monkeypatch.setattr(notification_sender, "_mark_sent", die)
    with pytest.raises(SystemExit):
        deliver(site, now=lambda: now)
    monkeypatch.undo()
    assert len(smtp.mailbox.received) == 1 and rows(site)[0].sent_at is None
    assert deliver(site, now=lambda: now + timedelta(minutes=1)) == 0  # the lease holds: no second sender
    assert deliver(site, now=lambda: now + notification_sender.LEASE) == 1
    first, second = smtp.mailbox.received
    assert first.message_id == second.message_id == message_id("test:crash", "noreply@at12.sopro.example")
    assert len(smtp.mailbox.mails()) == 1  # a receiver deduplicating by Message-ID shows it once
    assert deliver(site, now=lambda: now + timedelta(days=1)) == 0




def test_a_permanent_refusal_is_kept_and_not_retried(site, smtp, monkeypatch):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 no such mailbox" if address.startswith("gone") else await accept(address, envelope)

    async def accept(address, envelope):
        envelope.rcpt_tos.append(address)
        return "250 OK"

    monkeypatch.setattr(smtp.mailbox, "handle_RCPT", refuse, raising=False)
    now = utcnow()
    with site.runtime.engine.begin() as conn:
        for name in ("gone", "here"):
            notifications.enqueue(conn, key=f"test:{name}", kind="test", recipient=f"{name}@at12.example",
                                  language="de", subject=name, text_body="Text", html_body="<p>Text</p>", now=now)
    assert deliver(site, now=lambda: now) == 1
    gone, here = rows(site)
    assert gone.sent_at is None and gone.next_attempt_at is None and gone.last_error == "SMTPRecipientsRefused 550"
    assert here.sent_at is not None
    assert deliver(site, now=lambda: now + timedelta(days=2)) == 0 and len(smtp.mailbox.received) == 1


def test_the_same_key_is_enqueued_once(site):
    now = utcnow()
    with site.runtime.engine.begin() as conn:
        assert notifications.enqueue(conn, key="k", kind="test", recipient="a@at12.example", language="de",
                                     subject="s", text_body="t", html_body="h", now=now)
        assert not notifications.enqueue(conn, key="k", kind="test", recipient="a@at12.example", language="de",
                                         subject="s", text_body="t", html_body="h", now=now)
    assert len(rows(site)) == 1


def test_a_header_injection_in_a_stored_row_is_given_up_and_the_rest_are_sent(site, smtp):
    now = utcnow()
    with site.runtime.engine.begin() as conn:
        for name, subject in (("bad", "Hi\r\nBcc: victim@example.org"), ("good", "Hi")):
            notifications.enqueue(conn, key=f"test:{name}", kind="test", recipient=f"{name}@at12.example",
                                  language="de", subject=subject, text_body="Text", html_body="<p>Text</p>", now=now)
    assert deliver(site, now=lambda: now) == 1
    bad, good = rows(site)
    assert bad.sent_at is None and bad.next_attempt_at is None and bad.last_error == "malformed: ValueError"
    assert good.sent_at is not None
    assert [m.recipients for m in smtp.mailbox.received] == [("good@at12.example",)]


def test_the_sites_sender_thread_sends_at_once_after_the_commit_and_the_tick_job_sends_what_is_due(site, smtp):
    from services import jobs
    from services.composition import MAIL
    from services.workers import Workers, start_notification_sender

    org = site.company()
    workers = Workers()
    start_notification_sender(site.runtime, workers)
    try:
        site.ok("POST", "/enquiries", expect=201, json=enquiry_body(submit=True, client_organisation_id=org))
        deadline = utcnow() + timedelta(seconds=3)  # the idle interval is 5 s
        while len(smtp.mailbox.received) < 2 and utcnow() < deadline:
            workers.stop.wait(0.05)
        assert len(smtp.mailbox.received) == 2  # woken by the commit, not after its idle interval
    finally:
        workers.shutdown()
    assert jobs.send_notifications in MAIL.jobs  # what `sopro tick` runs at a site
    site.ok("POST", "/enquiries", expect=201, json=enquiry_body(submit=True, client_organisation_id=org))
    assert jobs.send_notifications(site.runtime, utcnow()) == ["0 daily digests written", "2 notifications sent"]
    assert len(smtp.mailbox.received) == 4
