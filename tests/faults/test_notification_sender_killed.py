"""A sender process killed (os._exit, no clean-up) after the SMTP server accepted a mail but before the
row was marked sent: nothing stays locked, the row is not taken again while its lease runs, and after the
lease it is sent again with the same Message-ID; every other row of the batch is sent once.
This is the one window in which SMTP allows a second handover (deploy/README.md, "Mail: what is guaranteed")."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services.common import notifications
from services.common.db import make_engine
from services.common.mail import MailSettings, SmtpMailer
from services.common.migrate import KERNEL, upgrade
from services.common.notification_sender import LEASE, deliver_due
from services.common.notifications import notification
from services.demo.mailbox import MailServer
from tests.support.databases import BACKENDS, pg_url_if

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)

SENDER = textwrap.dedent("""
    import os, sys
    from datetime import datetime
    from services.common import notification_sender
    from services.common.db import make_engine
    from services.common.mail import MailSettings, SmtpMailer

    db_url, port, now = sys.argv[1], int(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
    marked = []

    def mark_then_die(engine, row, at):
        if marked:  # the second mail: the server has accepted it, the process dies before marking it
            os._exit(137)
        marked.append(row.id)
        real_mark(engine, row, at)

    real_mark = notification_sender._mark_sent
    notification_sender._mark_sent = mark_then_die
    mailer = SmtpMailer(MailSettings("127.0.0.1", port, "none", "noreply@at12.sopro.example", timeout=5))
    notification_sender.deliver_due(make_engine(db_url), mailer, now=lambda: now)
""")


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    engine = make_engine(pg_url_if(request, request.param, f"sqlite:///{tmp_path / 'AT12.sqlite'}"))
    upgrade(engine, [KERNEL])
    yield engine
    engine.dispose()


def test_a_killed_sender_loses_nothing_and_resends_only_the_one_mail_with_its_message_id(engine):
    with engine.begin() as conn:
        for i in range(3):
            notifications.enqueue(conn, key=f"k{i}", kind="test", recipient=f"p{i}@at12.example", language="de",
                                  subject=f"Nr. {i}", text_body="Text", html_body="<p>Text</p>", now=NOW)
    server = MailServer().start()
    try:
        url = engine.url.render_as_string(hide_password=False)
        died = subprocess.run([sys.executable, "-c", SENDER, url, str(server.port), NOW.isoformat()], timeout=60)
        assert died.returncode == 137
        assert [m.subject for m in server.mailbox.received] == ["Nr. 0", "Nr. 1"]  # the second was accepted
        mailer = SmtpMailer(MailSettings("127.0.0.1", server.port, "none", "noreply@at12.sopro.example", timeout=5))
        assert deliver_due(engine, mailer, now=lambda: NOW) == 0  # the whole batch is leased to the dead sender
        assert deliver_due(engine, mailer, now=lambda: NOW + LEASE) == 2  # Nr. 1 again, Nr. 2 for the first time
        assert deliver_due(engine, mailer, now=lambda: NOW + timedelta(days=1)) == 0
        subjects = [m.subject for m in server.mailbox.received]
        assert sorted(subjects) == ["Nr. 0", "Nr. 1", "Nr. 1", "Nr. 2"]
        again = [m for m in server.mailbox.received if m.subject == "Nr. 1"]
        assert again[0].message_id == again[1].message_id  # recognisably one mail
        assert len(server.mailbox.mails()) == 3
        with engine.connect() as conn:
            assert conn.execute(select(notification.c.sent_at.is_not(None))).scalars().all() == [True] * 3
    finally:
        server.stop()
