"""The confirmation links of support statements in the registry's tables: the token's hash with its
expiry (`registry_statement_confirmation`), and the links waiting to be mailed (`registry_confirmation_mail`).
The token itself is made and checked in `confirmation`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from services.common.clock import utcnow
from services.registry.tables import confirmation_mail, statement_confirmation


def add_confirmation(conn: Connection, statement_id: str, token_hash: str, expires_at: datetime, link: str) -> None:
    conn.execute(insert(statement_confirmation).values(statement_id=statement_id, token_hash=token_hash,
                                                       expires_at=expires_at))
    conn.execute(insert(confirmation_mail).values(statement_id=statement_id, link=link, created_at=utcnow()))


def confirmation_by_hash(conn: Connection, token_hash: str):
    """The confirmation row (locked) of a token's hash, or None."""
    c = statement_confirmation
    return conn.execute(select(c).where(c.c.token_hash == token_hash).with_for_update()).first()


def end_confirmation(conn: Connection, statement_id: str, used_at: datetime | None) -> None:
    """The link is used (`used_at`) or moot: either way nothing waits to be mailed any more."""
    if used_at is not None:
        conn.execute(update(statement_confirmation).where(statement_confirmation.c.statement_id == statement_id)
                     .values(used_at=used_at))
    conn.execute(confirmation_mail.delete().where(confirmation_mail.c.statement_id == statement_id))


def pending_confirmation_links(conn: Connection) -> list[dict]:
    """The links waiting for delivery (the mail sender's queue, issue 15)."""
    mail = confirmation_mail
    return [dict(r._mapping) for r in conn.execute(select(mail).order_by(mail.c.created_at))]
