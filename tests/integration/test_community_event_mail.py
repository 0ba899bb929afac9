"""Community events' mail through a real SMTP server on loopback (aiosmtpd), on PostgreSQL: the confirmation
with the secret link in the registrant's language, the seat after waiting, and the reminder two days ahead,
sent once per registration even when the job runs twice."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services import jobs
from services.common import notification_sender
from services.common.clock import utcnow
from services.community.calendar import handlers, notices
from services.common.mail import MailSettings, SmtpMailer
from services.demo.mailbox import MailServer
from tests.support.community_events import EventsSite

pytestmark = pytest.mark.services


@pytest.fixture
def smtp():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def site(make_settings, pg_url, smtp):
    mail = MailSettings(host="127.0.0.1", port=smtp.port, security="none", sender="noreply@at12.sopro.example",
                        timeout=5.0)
    s = EventsSite(make_settings("AT12", db_url=pg_url, mail=mail))
    yield s
    s.runtime.engine.dispose()


def deliver(site, now=None) -> int:
    return notification_sender.deliver_due(site.runtime.engine, SmtpMailer(site.runtime.settings.mail),
                                           **({"now": lambda: now} if now else {}))


def test_registrants_get_their_confirmation_a_seat_and_one_reminder_each(site, smtp):
    e = site.event(capacity=1)
    anna = site.register(e["id"], 1, email="anna@example.hu", name="Kovács Anna", language="hu")
    site.register(e["id"], 2, email="theo@example.at", name="Theo Maier", language="de")
    assert deliver(site) == 2
    mails = {m.recipients[0]: m for m in smtp.mailbox.received}
    hu, de = mails["anna@example.hu"], mails["theo@example.at"]
    assert hu.language == "hu" and "Szociális termelés fórum" in hu.subject
    assert anna["registration_url"] in hu.text  # the secret link, only in the mail and the answer
    assert de.language == "de" and "Warteliste" in de.subject and "Forum Soziale Produktion" in de.subject

    token = anna["registration_url"].rsplit("/", 1)[1]
    with site.runtime.engine.connect() as conn:  # Anna cancels by her link (the page calls this handler)
        found = handlers.find_registration(conn, token)
    handlers.cancel_registration(site.runtime.uow(), e["id"], found.id, utcnow(), notices.event_mail(site.runtime))
    assert deliver(site) == 1
    moved = smtp.mailbox.received[-1]
    assert moved.recipients == ("theo@example.at",) and moved.language == "de" and "Platz" in moved.subject

    starts = datetime.fromisoformat(e["starts_at"])
    assert jobs.remind_community_events(site.runtime, starts - timedelta(days=3))[-1] == \
        "0 community event reminders written"  # not yet due
    first = jobs.remind_community_events(site.runtime, starts - timedelta(days=1))
    again = jobs.remind_community_events(site.runtime, starts - timedelta(days=1, hours=-1))
    assert first[-1] == "1 community event reminders written" and again[-1] == "0 community event reminders written"
    assert deliver(site, starts - timedelta(hours=20)) == 1
    assert deliver(site, starts - timedelta(hours=19)) == 0
    reminder = smtp.mailbox.received[-1]
    assert reminder.recipients == ("theo@example.at",) and reminder.subject.startswith("Erinnerung")
    assert len(smtp.mailbox.received) == 4
