"""The daily digest: the mails a person chose to get once a day, gathered into one.

Notifications written with delivery "digest" wait in the outbox without a due time. Once a day, after
DIGEST_HOUR (UTC), `compose_due` writes one "digest" notification per subscriber holding every such mail
written before that hour, and marks them as carried by it, in one transaction. The digest's key names
the subscriber and the day, so a second run that day writes nothing twice.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import Engine, select, update

from services.common import notifications
from services.common.notifications import notification
from services.web.mail_layout import Mail, render, words
from services.web.notify import SETTINGS_PATH, MailSite

DIGEST_HOUR = 6


def cut_off(now: datetime, hour: int = DIGEST_HOUR) -> datetime:
    """The latest digest hour not after `now`."""
    today = datetime.combine(now.date(), time(hour), tzinfo=now.tzinfo)
    return today if now >= today else today - timedelta(days=1)


def compose_due(engine: Engine, site: MailSite, now: datetime, hour: int = DIGEST_HOUR) -> int:
    """Write the digests due at `now`; returns how many."""
    until = cut_off(now, hour)
    with engine.begin() as conn:
        rows = conn.execute(select(notification).where(
            notification.c.delivery == "digest", notification.c.sent_at.is_(None),
            notification.c.digest_id.is_(None), notification.c.created_at < until)
            .order_by(notification.c.subscriber, notification.c.id)).all()
        by_subscriber = defaultdict(list)
        for row in rows:
            by_subscriber[row.subscriber or f"mail:{row.recipient.casefold()}"].append(row)
        written = 0
        for subscriber, items in by_subscriber.items():
            digest_id = _write_digest(conn, site, subscriber, items, until, now)
            if digest_id is None:
                continue
            conn.execute(update(notification).where(notification.c.id.in_([r.id for r in items]))
                         .values(digest_id=digest_id, sent_at=now))
            written += 1
    return written


def _write_digest(conn, site: MailSite, subscriber: str, items: list, until: datetime, now: datetime) -> int | None:
    newest = items[-1]
    language = newest.language
    t = words(language, site.url)
    _ = t.gettext
    mail = Mail(subject=t.ngettext("Your daily summary: %(count)d notification",
                                   "Your daily summary: %(count)d notifications", len(items)) % {"count": len(items)},
                intro=_("Here is what happened since your last summary."),
                rows=[(item.subject, item.action_url or "") for item in items],
                reason=_("You receive this summary because you chose a daily summary for these mails."))
    is_user = not subscriber.startswith("mail:")
    base = site.url.rstrip("/")
    settings_url = f"{base}{SETTINGS_PATH}?lang={language}" if is_user else None
    subject, text, html = render(mail, language, settings_url, None)
    key = f"digest:{subscriber}:{until.date().isoformat()}"
    if not notifications.enqueue(conn, key=key[:200], kind="digest", recipient=newest.recipient, language=language,
                                 subject=subject, text_body=text, html_body=html, now=now, subscriber=subscriber):
        return None
    return conn.execute(select(notification.c.id).where(notification.c.idempotency_key == key[:200])).scalar_one()
