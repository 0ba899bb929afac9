"""The notification outbox's sender vs plain smtplib, and writing a notification vs inserting its row.

- Sending: `notification_sender.deliver_due` (claim with a lease, compose, hand over, mark sent: two
  commits per mail on PostgreSQL) against the same composed messages sent with smtplib over one
  connection and nothing recorded, both to the same loopback SMTP server (aiosmtpd).
- Writing: `services.web.notify.notify` (the person's choice, the language, rendering the text and HTML
  templates, the unsubscribe token, the row) against inserting an already rendered row
  (`notifications.enqueue`), one transaction per 50 mails each.
Both alternate on the same schema and server, so machine noise hits both alike.
"""
from __future__ import annotations

import smtplib
import time
from datetime import timedelta

from sqlalchemy import delete, update

from bench.common import BenchEnv, Result
from services.common import notification_sender, notifications
from services.common.clock import utcnow
from services.common.mail import MailSettings, SmtpMailer, compose
from services.common.notifications import notification
from services.demo.mailbox import MailServer
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, Recipient, notify

NAME = "mail"


def _build(i: int):
    def build(t: Words) -> Mail:
        _ = t.gettext
        return Mail(subject=_("New enquiry %(reference)s: %(title)s") % {"reference": f"AT12-E-2026-{i:04d}",
                                                                          "title": f"Bench {i}"},
                    intro=_("An enquiry was filed at your site and waits for a broker."),
                    rows=[(_("Reference"), f"AT12-E-2026-{i:04d}")], action=_("Open the enquiry"),
                    link=t.link(f"/office/enquiries/{i}"),
                    reason=_("You receive this mail because you are a broker of this site."))
    return build


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    n = 300 if quick else 1200
    chunk = 50
    site = env.site("mail")
    server = MailServer().start()
    mail_site = MailSite("http://127.0.0.1:8012", ("de", "en"))
    settings = MailSettings(host="127.0.0.1", port=server.port, security="none", sender="noreply@at12.example")
    mailer = SmtpMailer(settings)
    try:
        # writing: notify (choice, language, templates, token) vs a rendered row
        spent = {"notify": 0.0, "enqueue": 0.0}
        rendered = compose_parts(mail_site)
        for start in range(0, n, chunk):
            for kind in (("notify", "enqueue") if (start // chunk) % 2 == 0 else ("enqueue", "notify")):
                t0 = time.perf_counter()
                with site.engine.begin() as conn:
                    for i in range(start, start + chunk):
                        if kind == "notify":
                            notify(conn, mail_site, Recipient(f"p{i}@at12.example", "de", f"user{i}"),
                                   "enquiry_filed", f"n:{i}", _build(i), utcnow())
                        else:
                            notifications.enqueue(conn, key=f"e:{i}", kind="enquiry_filed",
                                                  recipient=f"q{i}@at12.example", language="de", now=utcnow(),
                                                  **rendered)
                spent[kind] += time.perf_counter() - t0
        writing = Result("mail_write", f"notify(), {n} mails", "mails/s", n / spent["notify"],
                         "insert of a rendered row", n / spent["enqueue"],
                         note=f"{1000 * spent['notify'] / n:.2f} vs {1000 * spent['enqueue'] / n:.2f} ms/mail")

        # sending: the sender vs smtplib on one connection; both send the same rows' messages
        with site.engine.begin() as conn:
            conn.execute(delete(notification).where(notification.c.idempotency_key.like("e:%")))
            rows = conn.execute(notification.select().order_by(notification.c.id)).all()
        messages = [compose(settings.sender, r.recipient, r.subject, r.body_text, r.body_html, r.language,
                            r.idempotency_key, r.unsubscribe_url) for r in rows]
        spent = {"sender": 0.0, "smtplib": 0.0}
        sent = {"sender": 0, "smtplib": 0}
        for start in range(0, len(rows), chunk):
            for kind in (("sender", "smtplib") if (start // chunk) % 2 == 0 else ("smtplib", "sender")):
                t0 = time.perf_counter()
                if kind == "sender":
                    sent[kind] += notification_sender.deliver_due(site.engine, mailer, limit=chunk)
                else:
                    with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as smtp:
                        for msg in messages[start:start + chunk]:
                            smtp.send_message(msg)
                            sent[kind] += 1
                spent[kind] += time.perf_counter() - t0
        sending = Result("mail_send", f"deliver_due, {sent['sender']} mails", "mails/s",
                         sent["sender"] / spent["sender"], "smtplib, one connection, nothing recorded",
                         sent["smtplib"] / spent["smtplib"],
                         note=f"{1000 * spent['sender'] / max(sent['sender'], 1):.2f} vs "
                              f"{1000 * spent['smtplib'] / max(sent['smtplib'], 1):.2f} ms/mail")
        with site.engine.begin() as conn:  # rows due again would not change the figures; keep the schema small
            conn.execute(update(notification).values(next_attempt_at=utcnow() + timedelta(days=1)))
        return [writing, sending]
    finally:
        server.stop()


def compose_parts(mail_site: MailSite) -> dict:
    from services.web.mail_layout import render, words

    subject, text, html = render(_build(0)(words("de", mail_site.url)), "de", None, None)
    return {"subject": subject, "text_body": text, "html_body": html}
