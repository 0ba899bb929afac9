"""Telling a person by mail: the one way every trigger writes a notification.

`notify` runs inside the transaction of the state change that causes the mail (the outbox pattern):
it honours the person's choice for the kind (at once, daily digest, off; mandatory kinds always go at
once), renders the mail in the person's language (else the site's first), adds the settings link and the
RFC 8058 one-click unsubscribe, and writes it to the site's outbox (services/common/notifications.py)
under an idempotency key, so that a repeated trigger writes no second mail.

The address stays in the site's database: events and the hub never see it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from sqlalchemy import Connection

from services.common import notifications
from services.common.notification_kinds import NOW, OFF, kind as kind_of
from services.web.i18n import LANGUAGES
from services.web.mail_layout import Mail, Words, render, words

SETTINGS_PATH = "/account/notifications"
UNSUBSCRIBE_PATH = "/notifications/unsubscribe/"


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str | None = None  # None or a language the pages lack: the site's first
    username: str | None = None  # None: someone without an account (a supporter)


@dataclass(frozen=True)
class MailSite:
    """What a mail needs of its site: the address of its pages and its languages."""
    url: str
    languages: tuple[str, ...]

    @classmethod
    def of(cls, site) -> "MailSite | None":
        """From anything with the site's `url` and `languages` (its SiteConfig, a service's rules); None
        when it has no address, so that a trigger writes no mail without a page to link to."""
        if site is None or not getattr(site, "url", None):
            return None
        return cls(site.url, tuple(site.languages))


def storable_key(key: str, limit: int = 200) -> str:
    """The key as stored: a long one keeps its start and gets a digest of the whole, so that two keys
    sharing a long prefix (two recipients' addresses at its end) never become one."""
    if len(key) <= limit:
        return key
    return f"{key[:limit - 65]}#{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()}"


def language_for(recipient: Recipient, site: MailSite) -> str:
    if recipient.language in LANGUAGES:
        return recipient.language
    return next((lang for lang in site.languages if lang in LANGUAGES), "en")


def notify(conn: Connection, site: MailSite, recipient: Recipient, kind: str, key: str,
           build: Callable[[Words], Mail], now: datetime) -> bool:
    """Write one mail of `kind` for `recipient`, built in their language; False if their choice is "off"
    or `key` was written before. `key` must name the cause and the recipient (e.g. "part_answered:<id>:<user>")."""
    spec = kind_of(kind)
    subscriber = notifications.subscriber_of(recipient.username, recipient.email)
    mode = NOW if spec.mandatory else (notifications.chosen_mode(conn, subscriber, kind) or spec.default)
    if mode == OFF:
        return False
    language = language_for(recipient, site)
    mail = build(words(language, site.url))
    base = site.url.rstrip("/")
    unsubscribe_url = None
    if not spec.mandatory:
        unsubscribe_url = f"{base}{UNSUBSCRIBE_PATH}{notifications.unsubscribe_token(conn, subscriber, kind)}"
    settings_url = f"{base}{SETTINGS_PATH}?lang={language}" if recipient.username else None
    subject, text, html = render(mail, language, settings_url, unsubscribe_url)
    return notifications.enqueue(conn, key=storable_key(key), kind=kind, recipient=recipient.email, language=language,
                                 subject=subject, text_body=text, html_body=html, now=now, subscriber=subscriber,
                                 delivery=mode, action_url=mail.link, unsubscribe_url=unsubscribe_url)


def notify_all(conn: Connection, site: MailSite, recipients: Iterable[Recipient], kind: str, key: str,
               build: Callable[[Words], Mail], now: datetime) -> int:
    """`notify` for each recipient, the key made per person (`<key>:<username or address>`)."""
    return sum(notify(conn, site, r, kind, f"{key}:{r.username or r.email.casefold()}", build, now)
               for r in recipients)


def brokers(conn: Connection) -> list[Recipient]:
    """The site's active brokers who have an address."""
    return [Recipient(email, language, username)
            for username, email, language in notifications.contacts_with_role(conn, "broker")]


def with_role(conn: Connection, role: str) -> list[Recipient]:
    """The site's active users holding `role` who have an address (e.g. the approvers of label appeals)."""
    return [Recipient(email, language, username)
            for username, email, language in notifications.contacts_with_role(conn, role)]


def members_of(conn: Connection, organisation_id: str) -> list[Recipient]:
    """The active member users of an organisation who have an address."""
    return [Recipient(email, language, username)
            for username, email, language in notifications.contacts_of_organisation(conn, organisation_id)]
