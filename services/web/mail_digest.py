"""The daily digest: the mails a person chose to get once a day, gathered into one.

Notifications written with delivery "digest" wait in the outbox without a due time. Once a day, after
DIGEST_HOUR (UTC), `compose_due` writes one "digest" notification per subscriber holding every such mail
written before that hour, and marks them as carried by it (`digest_id`, `sent_at`: handed over to the
digest, whose own row then carries the delivery guarantee), in one transaction. The digest's key names
the subscriber and the day, so a second run that day writes nothing twice.

What counts is the person as they are when the digest is written: it goes to their current address
and language; a mail whose kind they have turned off since, or of a user who has been deactivated or
has no address any more, is dropped (`delivery` "dropped", with the reason in `last_error`).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import Connection, Engine, select, update

from services.common import notifications
from services.common.notification_kinds import OFF, kind as kind_of
from services.common.notifications import notification, user_contact
from services.common.users import auth_user
from services.web.mail_layout import Mail, render, words
from services.web.notify import SETTINGS_PATH, MailSite, storable_key

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
            notification.c.delivery == "digest", notification.c.digest_id.is_(None),
            notification.c.sent_at.is_(None), notification.c.created_at < until)
            .order_by(notification.c.subscriber, notification.c.id)).all()
        by_subscriber = defaultdict(list)
        for row in rows:
            by_subscriber[row.subscriber or f"mail:{row.recipient.casefold()}"].append(row)
        written = 0
        for subscriber, items in by_subscriber.items():
            address, language, dropped = _person_now(conn, subscriber, items)
            for reason, ids in dropped.items():
                conn.execute(update(notification).where(notification.c.id.in_(ids))
                             .values(delivery="dropped", last_error=reason))
            kept = [item for item in items if not any(item.id in ids for ids in dropped.values())]
            if not kept or address is None:
                continue
            digest_id = _write_digest(conn, site, subscriber, address, language, kept, until, now)
            if digest_id is None:
                continue
            conn.execute(update(notification).where(notification.c.id.in_([r.id for r in kept]))
                         .values(digest_id=digest_id, sent_at=now))
            written += 1
    return written


def _person_now(conn: Connection, subscriber: str, items: list) -> tuple[str | None, str, dict[str, list[int]]]:
    """The subscriber's address and language now, and the items to drop, by reason."""
    newest = items[-1]
    if subscriber.startswith("mail:"):  # someone without an account: the address is the subscriber
        address, language, active = newest.recipient, newest.language, True
    else:
        person = conn.execute(select(auth_user.c.active, user_contact.c.email, user_contact.c.language)
                              .select_from(auth_user.outerjoin(user_contact,
                                                               user_contact.c.username == auth_user.c.username))
                              .where(auth_user.c.username == subscriber)).first()
        active = bool(person and person.active)
        address = person.email if person else None
        language = (person.language if person else None) or newest.language
    if not active or address is None:
        reason = "dropped: the user is deactivated" if not active else "dropped: the user has no address"
        return None, language, {reason: [item.id for item in items]}
    choices = notifications.choices_of(conn, subscriber)
    off = [item.id for item in items
           if item.kind in choices and choices[item.kind] == OFF and not kind_of(item.kind).mandatory]
    return address, language, ({"dropped: the kind was turned off": off} if off else {})


def _write_digest(conn: Connection, site: MailSite, subscriber: str, address: str, language: str, items: list,
                  until: datetime, now: datetime) -> int | None:
    t = words(language, site.url)
    _ = t.gettext
    mail = Mail(subject=t.ngettext("Your daily summary: %(count)d notification",
                                   "Your daily summary: %(count)d notifications", len(items)) % {"count": len(items)},
                intro=_("Here is what happened since your last summary."),
                items=[(item.subject, item.action_url) for item in items],
                reason=_("You receive this summary because you chose a daily summary for these mails."))
    base = site.url.rstrip("/")
    settings_url = None if subscriber.startswith("mail:") else f"{base}{SETTINGS_PATH}?lang={language}"
    subject, text, html = render(mail, language, settings_url, None)
    key = storable_key(f"digest:{subscriber}:{until.date().isoformat()}")
    if not notifications.enqueue(conn, key=key, kind="digest", recipient=address, language=language,
                                 subject=subject, text_body=text, html_body=html, now=now, subscriber=subscriber):
        return None
    return conn.execute(select(notification.c.id).where(notification.c.idempotency_key == key)).scalar_one()
