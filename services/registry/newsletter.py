"""The supporters' newsletter: only those who asked for it on their statement of support (an unticked
choice, consent kept at the site) get it, and only once they followed the link mailed to their address
(double opt-in) and while the statement is neither withdrawn nor erased. A broker's confirmation counts the
statement but vouches for the supporter, not for the address: the newsletter then waits for the link
(`handlers.confirm_by_broker`).

Asking for it records the supporter's choice "now" for the kind `newsletter` (whose default is "off")
when the link confirms the address; the one-click unsubscribe of every newsletter (services/web/notify.py)
turns it "off" again, and `notify` honours that. A broker or site administrator writes an issue (a
subject and a text per language of the site, newsletter_pages.py); `send` writes one notification per
supporter in their language, in one transaction, under a key per issue and address, so a form sent twice
mails nobody twice. Addresses never leave the site: no event is recorded.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from services.common import notifications
from services.common.db import dialect_insert
from services.common.notification_kinds import NOW
from services.common.uow import UnitOfWork
from services.registry.rules import ACTIVE, ERASED
from services.registry.tables import newsletter, support_statement
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, Recipient, notify_all

KIND = "newsletter"
SUBJECT_MAX = 200
TEXT_MAX = 20_000


def subscriber(email: str) -> str:
    return notifications.subscriber_of(None, email)


def subscribe_if_asked(conn: Connection, statement) -> bool:
    """When the link confirms the address: the supporter who asked for the newsletter gets it from now on."""
    if not (statement.newsletter and statement.person.email and statement.confirmed and statement.status == ACTIVE):
        return False
    notifications.choose(conn, subscriber(statement.person.email), KIND, NOW)
    return True


def forget_if_last(conn: Connection, email: str | None, erased_statement_id: str) -> None:
    """On erasure: unless another statement with the address still asks for the newsletter, the site
    forgets the address's choice and the newsletters it was sent (both hold the address)."""
    if not email:
        return
    st = support_statement
    others = conn.execute(select(func.count()).select_from(st).where(
        func.lower(st.c.email) == email.strip().casefold(), st.c.id != erased_statement_id,
        st.c.status != ERASED, st.c.newsletter.is_(True))).scalar()
    if others:
        return
    n = notifications.notification
    conn.execute(n.delete().where(n.c.kind == KIND, func.lower(n.c.recipient) == email.strip().casefold()))
    notifications.forget_subscriber(conn, subscriber(email), kinds=(KIND,))


def readers(conn: Connection, languages: tuple[str, ...]) -> list[Recipient]:
    """One recipient per address of the confirmed, active statements that asked for the newsletter, in the
    language of their newest statement (when the site writes in it; else the site's first). Whether the
    address unsubscribed is `notify`'s to judge."""
    st = support_statement
    rows = conn.execute(select(st.c.email, st.c.language).where(
        st.c.status == ACTIVE, st.c.confirmed_at.is_not(None), st.c.newsletter.is_(True), st.c.email.is_not(None))
        .order_by(st.c.created_at.desc(), st.c.id))
    found: dict[str, Recipient] = {}
    for email, language in rows:
        found.setdefault(email.strip().casefold(),
                         Recipient(email.strip(), language if language in languages else None))
    return list(found.values())


def mail(texts: dict[str, dict[str, str]], languages: tuple[str, ...]):
    def build(t: Words) -> Mail:
        _ = t.gettext
        chosen = texts.get(t.language) or texts[next(lang for lang in languages if lang in texts)]
        paragraphs = [p.strip() for p in chosen["text"].replace("\r\n", "\n").split("\n\n") if p.strip()]
        return Mail(subject=chosen["subject"], intro=paragraphs[0] if paragraphs else "", paragraphs=paragraphs[1:],
                    reason=_("You receive this newsletter because you asked for it with your statement of support."))
    return build


def sent_issue(conn: Connection, issue_id: str):
    return conn.execute(select(newsletter).where(newsletter.c.id == issue_id)).first()


def issues(conn: Connection, limit: int = 50) -> list[dict]:
    """The newsletters sent, newest first."""
    return [dict(r._mapping) for r in conn.execute(
        select(newsletter).order_by(newsletter.c.sent_at.desc()).limit(limit))]


def send(uow: UnitOfWork, site: MailSite, texts: dict[str, dict[str, str]], sent_by: str, now: datetime,
         issue_id: str | None = None) -> int:
    """Write the issue's mails to every reader; how many. The same `issue_id` again writes nothing more."""
    issue_id = issue_id or str(uuid.uuid4())
    with uow:
        # the issue's row first: of two sends of the same form at once, the second waits here, then finds it
        claimed = uow.conn.execute(dialect_insert(uow.conn, newsletter).values(
            id=issue_id, texts=texts, sent_by=sent_by, sent_at=now, recipients=0)
            .on_conflict_do_nothing(index_elements=["id"]).returning(newsletter.c.id)).first()
        if claimed is None:
            return sent_issue(uow.conn, issue_id).recipients
        count = notify_all(uow.conn, site, readers(uow.conn, site.languages), KIND, f"{KIND}:{issue_id}",
                           mail(texts, site.languages), now)
        uow.conn.execute(update(newsletter).where(newsletter.c.id == issue_id).values(recipients=count))
        uow.commit()
    return count
