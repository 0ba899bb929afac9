"""Single-use, expiring links that let a person set a password: an invitation for a new user, and a
reset for one who forgot it.

The site keeps only the token's SHA-256 (a copy of the database opens no account); the token itself
travels only in the mail. Using a link spends it, and a new link of the same purpose spends the older
ones. No web here: services/web/account_pages.py shows the pages.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, Connection, String, Table, select

from services.common.db import UtcDateTime, kernel_metadata

INVITATION, PASSWORD_RESET = "invitation", "password_reset"
VALID_FOR = {INVITATION: timedelta(days=7), PASSWORD_RESET: timedelta(hours=2)}
TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")

account_link = Table(
    "account_link",
    kernel_metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(100), nullable=False, index=True),
    Column("purpose", String(20), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)


class LinkRefused(Exception):
    """Why a link opens nothing: "unknown", "expired" or "used" (the page says which)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OpenLink:
    username: str
    purpose: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(conn: Connection, username: str, purpose: str, now: datetime) -> str:
    """A new link token; older unused links of the same purpose for the user are spent."""
    if purpose not in VALID_FOR:
        raise ValueError(f"unknown purpose {purpose!r}")
    conn.execute(account_link.update().where(account_link.c.username == username, account_link.c.purpose == purpose,
                                             account_link.c.used_at.is_(None)).values(used_at=now))
    token = secrets.token_urlsafe(32)
    conn.execute(account_link.insert().values(token_hash=_digest(token), username=username, purpose=purpose,
                                              created_at=now, expires_at=now + VALID_FOR[purpose]))
    return token


def check(conn: Connection, token: str, purpose: str, now: datetime, lock: bool = False) -> OpenLink:
    """The link's user, or LinkRefused. With `lock`, the row stays locked for `spend` in the same transaction."""
    if not TOKEN.fullmatch(token or ""):
        raise LinkRefused("unknown")
    query = select(account_link).where(account_link.c.token_hash == _digest(token), account_link.c.purpose == purpose)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise LinkRefused("unknown")
    if row.used_at is not None:
        raise LinkRefused("used")
    if row.expires_at <= now:
        raise LinkRefused("expired")
    return OpenLink(row.username, row.purpose)


def spend(conn: Connection, token: str, purpose: str, now: datetime) -> OpenLink:
    """Check the link and mark it used, in the caller's transaction (which also sets the password)."""
    link = check(conn, token, purpose, now, lock=True)
    conn.execute(account_link.update().where(account_link.c.token_hash == _digest(token)).values(used_at=now))
    return link
