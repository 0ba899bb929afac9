"""The confirmation links of support statements: the token's hash with its expiry in the registry's table
(`registry_statement_confirmation`); the link itself goes only into the mail to the statement's address,
written to the site's notification outbox (confirmation_notice.py). The token is made and checked in
`confirmation`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, String, insert, literal, select, update

from services.common.notifications import notification
from services.registry.confirmation_notice import KIND, key_of
from services.registry.rules import ACTIVE
from services.registry.tables import statement_confirmation, support_statement


def add_confirmation(conn: Connection, statement_id: str, token_hash: str, expires_at: datetime) -> None:
    conn.execute(insert(statement_confirmation).values(statement_id=statement_id, token_hash=token_hash,
                                                       expires_at=expires_at))


def confirmation_by_hash(conn: Connection, token_hash: str):
    """The confirmation row (locked) of a token's hash, or None."""
    c = statement_confirmation
    return conn.execute(select(c).where(c.c.token_hash == token_hash).with_for_update()).first()


def peek_confirmation(conn: Connection, token_hash: str):
    """The confirmation row of a token's hash, unlocked (to show the link's page), or None."""
    c = statement_confirmation
    return conn.execute(select(c).where(c.c.token_hash == token_hash)).first()


def end_confirmation(conn: Connection, statement_id: str, used_at: datetime | None) -> None:
    """The link is used (`used_at`); a broker's confirmation or an erasure leaves it unused, and it then
    finds a confirmed or erased statement."""
    if used_at is not None:
        conn.execute(update(statement_confirmation).where(statement_confirmation.c.statement_id == statement_id)
                     .values(used_at=used_at))


def pending_confirmation_links(conn: Connection) -> list[dict]:
    """The confirmation links mailed (or to be mailed) for statements that still await confirmation:
    [{statement_id, link, created_at}], the link without its language, oldest first. For the office and
    tests: the outbox holds the mail itself."""
    n, st = notification, support_statement
    prefix = f"{KIND}:"
    rows = conn.execute(
        select(n.c.idempotency_key, n.c.action_url, n.c.created_at, st.c.id)
        .join(st, n.c.idempotency_key == literal(prefix, String) + st.c.id)
        .where(n.c.kind == KIND, st.c.confirmed_at.is_(None), st.c.status == ACTIVE)
        .order_by(n.c.created_at, n.c.id))
    return [{"statement_id": r.id, "link": (r.action_url or "").split("?", 1)[0], "created_at": r.created_at}
            for r in rows if r.idempotency_key == key_of(r.id)]


def forget_supporter_mail(conn: Connection, statement_id: str) -> int:
    """On erasure: the statement's confirmation mail leaves the outbox (it holds the address)."""
    return conn.execute(notification.delete().where(notification.c.idempotency_key == key_of(statement_id))).rowcount
