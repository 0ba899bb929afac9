"""The notification outbox: mails are rows written in the same transaction as the state change that
causes them, and sent later by `services.common.notification_sender`.

The recipient's address is personal data: it stays in the site's database. Logs name a notification by
its id and kind only. `user_contact` holds the address and language of the site's users who get mail.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import Column, Connection, Index, Integer, String, Table, Text, UniqueConstraint, func, select, text

from services.common.db import BigId, UtcDateTime, dialect_insert, kernel_metadata
from services.common.users import auth_user

notification = Table(
    "notification",
    kernel_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    # One mail per key, ever: a second enqueue with the same key is ignored, and the key gives the Message-ID.
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("kind", String(64), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("language", String(8), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    # When the sender may take the row next: also its lease while an attempt runs. NULL: given up.
    Column("next_attempt_at", UtcDateTime),
    Column("sent_at", UtcDateTime),
    Column("last_error", String(300)),
    # Who the mail is for in the settings: a username, or "mail:<address>" for someone without an account.
    Column("subscriber", String(340)),
    # "now": the sender takes it when due; "digest": it waits for the subscriber's daily digest mail;
    # "dropped": the digest found the person no longer wants it or can get it (the reason in last_error).
    Column("delivery", String(8), nullable=False, default="now", server_default="now"),
    Column("digest_id", BigId),  # the digest notification that carried it
    Column("action_url", String(600)),  # the page where the person acts (a digest lists it)
    Column("unsubscribe_url", String(600)),  # RFC 8058 one-click; None for mandatory mails
    Index("ix_notification_due", "next_attempt_at",
          postgresql_where=text("sent_at IS NULL"), sqlite_where=text("sent_at IS NULL")),
    # the daily digest's question: the mails still waiting for one (services/web/mail_digest.py)
    Index("ix_notification_digest_waiting", "created_at",
          postgresql_where=text("delivery = 'digest' AND digest_id IS NULL AND sent_at IS NULL"),
          sqlite_where=text("delivery = 'digest' AND digest_id IS NULL AND sent_at IS NULL")),
)

user_contact = Table(
    "user_contact",
    kernel_metadata,
    Column("username", String(100), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("language", String(8)),  # None: the site's first language
)


notification_preference = Table(
    "notification_preference",
    kernel_metadata,
    Column("subscriber", String(340), primary_key=True),
    Column("kind", String(64), primary_key=True),
    Column("mode", String(8), nullable=False),  # services.common.notification_kinds.MODES
)

# The token of a subscriber's one-click unsubscribe link for one kind: random, one per (subscriber, kind),
# so that every mail of the kind carries the same link and the link names nobody.
notification_unsubscribe = Table(
    "notification_unsubscribe",
    kernel_metadata,
    Column("token", String(64), primary_key=True),
    Column("subscriber", String(340), nullable=False),
    Column("kind", String(64), nullable=False),
    UniqueConstraint("subscriber", "kind", name="uq_notification_unsubscribe_subscriber"),
)


def subscriber_of(username: str | None, email: str) -> str:
    """The settings key of a recipient: the username, else the address (someone without an account)."""
    return username if username else f"mail:{email.strip().casefold()}"


def enqueue(conn: Connection, *, key: str, kind: str, recipient: str, language: str, subject: str,
            text_body: str, html_body: str, now: datetime, subscriber: str | None = None,
            delivery: str = "now", action_url: str | None = None, unsubscribe_url: str | None = None) -> bool:
    """Add a notification in the caller's transaction; False if its key is already there."""
    if delivery not in ("now", "digest"):
        raise ValueError(f"delivery must be now or digest, not {delivery!r}")
    row = {"idempotency_key": key, "kind": kind, "recipient": recipient, "language": language,
           "subject": subject, "body_text": text_body, "body_html": html_body, "created_at": now,
           "attempts": 0, "next_attempt_at": now if delivery == "now" else None, "subscriber": subscriber,
           "delivery": delivery, "action_url": action_url, "unsubscribe_url": unsubscribe_url}
    inserted = conn.execute(dialect_insert(conn, notification).values(**row)
                            .on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(notification.c.id))
    return inserted.first() is not None


# RFC 5321's dot-atom local part in ASCII (a server without SMTPUTF8 refuses anything else) and a DNS name.
_ADDRESS = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                      r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def chosen_mode(conn: Connection, subscriber: str, kind: str) -> str | None:
    """The subscriber's choice for `kind`, or None when it has made none."""
    return conn.execute(select(notification_preference.c.mode).where(
        notification_preference.c.subscriber == subscriber, notification_preference.c.kind == kind)).scalar()


def choices_of(conn: Connection, subscriber: str) -> dict[str, str]:
    return dict(conn.execute(select(notification_preference.c.kind, notification_preference.c.mode)
                             .where(notification_preference.c.subscriber == subscriber)).all())


def choose(conn: Connection, subscriber: str, kind: str, mode: str) -> None:
    if mode not in ("now", "digest", "off"):
        raise ValueError(f"mode must be now, digest or off, not {mode!r}")
    conn.execute(notification_preference.delete().where(notification_preference.c.subscriber == subscriber,
                                                         notification_preference.c.kind == kind))
    conn.execute(notification_preference.insert().values(subscriber=subscriber, kind=kind, mode=mode))


def unsubscribe_token(conn: Connection, subscriber: str, kind: str) -> str:
    """The subscriber's link token for `kind`, made on first use."""
    token = conn.execute(select(notification_unsubscribe.c.token).where(
        notification_unsubscribe.c.subscriber == subscriber, notification_unsubscribe.c.kind == kind)).scalar()
    if token is None:
        token = secrets.token_urlsafe(32)
        conn.execute(notification_unsubscribe.insert().values(token=token, subscriber=subscriber, kind=kind))
    return token


def unsubscribe_target(conn: Connection, token: str) -> tuple[str, str] | None:
    """(subscriber, kind) of a link token, or None for a token the site never made."""
    row = conn.execute(select(notification_unsubscribe.c.subscriber, notification_unsubscribe.c.kind)
                       .where(notification_unsubscribe.c.token == token)).first()
    return (row.subscriber, row.kind) if row else None


def valid_address(email: str) -> bool:
    """A plain address (local@domain.tld): no display name, no spaces, no CR/LF that could add a header."""
    return len(email) <= 320 and _ADDRESS.fullmatch(email) is not None  # fullmatch: `$` would pass a final "\n"


def set_contact(conn: Connection, username: str, email: str, language: str | None = None) -> None:
    """The address (and language) a user's mail goes to. ValueError for a malformed address."""
    if not valid_address(email):
        raise ValueError("not a valid e-mail address")
    conn.execute(user_contact.delete().where(user_contact.c.username == username))
    conn.execute(user_contact.insert().values(username=username, email=email, language=language))


def remove_contact(conn: Connection, username: str) -> None:
    conn.execute(user_contact.delete().where(user_contact.c.username == username))


def contact_of(conn: Connection, username: str):
    """(email, language) of one user, or None without an address."""
    row = conn.execute(select(user_contact.c.email, user_contact.c.language)
                       .where(user_contact.c.username == username)).first()
    return (row.email, row.language) if row else None


def contacts_of_organisation(conn: Connection, organisation_id: str) -> list[tuple[str, str, str | None]]:
    """(username, email, language) of the active member users of an organisation who have an address."""
    rows = conn.execute(select(auth_user.c.username, auth_user.c.roles, user_contact.c.email, user_contact.c.language)
                        .join(user_contact, user_contact.c.username == auth_user.c.username)
                        .where(auth_user.c.active.is_(True), auth_user.c.organisation_id == organisation_id)
                        .order_by(auth_user.c.username)).all()
    return [(r.username, r.email, r.language) for r in rows if "member" in (r.roles or [])]


def contacts_with_role(conn: Connection, role: str) -> list[tuple[str, str, str | None]]:
    """(username, email, language) of the active users holding `role` who have an address."""
    rows = conn.execute(select(auth_user.c.username, auth_user.c.roles, user_contact.c.email, user_contact.c.language)
                        .join(user_contact, user_contact.c.username == auth_user.c.username)
                        .where(auth_user.c.active.is_(True)).order_by(auth_user.c.username)).all()
    return [(r.username, r.email, r.language) for r in rows if role in (r.roles or [])]


def personal_records(conn: Connection, email: str) -> dict[str, list]:
    """What the site holds for mail to `email` (GDPR art. 15): the users it belongs to, and the mails to it."""
    address = email.strip().casefold()
    contacts = conn.execute(select(user_contact).where(func.lower(user_contact.c.email) == address)).all()
    sent = conn.execute(select(notification.c.id, notification.c.kind, notification.c.language,
                               notification.c.subject, notification.c.created_at, notification.c.sent_at)
                        .where(func.lower(notification.c.recipient) == address).order_by(notification.c.id)).all()
    subscriber = subscriber_of(None, address)
    choices = conn.execute(select(notification_preference.c.kind, notification_preference.c.mode)
                           .where(notification_preference.c.subscriber == subscriber)).all()
    return {"mail_contacts": [dict(r._mapping) for r in contacts],
            "notifications": [dict(r._mapping) for r in sent],
            "mail_choices": [dict(r._mapping) for r in choices]}


def erase(conn: Connection, email: str) -> dict[str, int]:
    """Forget `email` (GDPR art. 17): its users get no more mail, and the outbox's mails to it go, sent or not."""
    address = email.strip().casefold()
    contacts = conn.execute(user_contact.delete().where(func.lower(user_contact.c.email) == address)).rowcount
    mails = conn.execute(notification.delete().where(func.lower(notification.c.recipient) == address)).rowcount
    forget_subscriber(conn, subscriber_of(None, address))
    return {"mail_contacts": contacts, "notifications": mails}


def forget_subscriber(conn: Connection, subscriber: str, kinds: tuple[str, ...] | None = None) -> None:
    """The subscriber's choices and unsubscribe links (of `kinds`, or all): for an address, they name it."""
    pref, link = notification_preference, notification_unsubscribe
    pref_query = pref.delete().where(pref.c.subscriber == subscriber)
    link_query = link.delete().where(link.c.subscriber == subscriber)
    if kinds is not None:
        pref_query, link_query = pref_query.where(pref.c.kind.in_(kinds)), link_query.where(link.c.kind.in_(kinds))
    conn.execute(pref_query)
    conn.execute(link_query)
