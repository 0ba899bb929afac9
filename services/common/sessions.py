"""Server-side login sessions of the web pages.

The browser's cookie holds only a random session id; the user's token stays here, under the id's
hash. Logging out deletes the row, so a copied cookie is dead afterwards, and deactivating a user or
changing their password deletes all of theirs. A row lives no longer than its token.
"""
from __future__ import annotations

import hashlib
import secrets
import time

import jwt
from sqlalchemy import BigInteger, Column, Connection, String, Table, Text, delete, select

from services.common.db import kernel_metadata

web_session = Table(
    "web_session",
    kernel_metadata,
    Column("id_hash", String(64), primary_key=True),  # sha256 of the cookie's id: the table holds no cookie
    Column("username", String(100), nullable=False, index=True),
    Column("token", Text, nullable=False),
    Column("expires_at", BigInteger, nullable=False, index=True),  # the token's `exp`, in Unix seconds
)


def start_session(conn: Connection, username: str, token: str) -> str:
    """A new session holding `token`; returns the id for the cookie. Expired rows go on the way."""
    now = int(time.time())
    conn.execute(delete(web_session).where(web_session.c.expires_at <= now))
    session_id = secrets.token_urlsafe(32)
    expires_at = jwt.decode(token, options={"verify_signature": False})["exp"]
    conn.execute(web_session.insert().values(id_hash=_hash(session_id), username=username, token=token,
                                             expires_at=expires_at))
    return session_id


def session_token(conn: Connection, session_id: str) -> str | None:
    """The token of a live session; None once it was ended or has expired."""
    return conn.execute(select(web_session.c.token).where(
        web_session.c.id_hash == _hash(session_id), web_session.c.expires_at > int(time.time()))).scalar()


def end_session(conn: Connection, session_id: str) -> None:
    conn.execute(delete(web_session).where(web_session.c.id_hash == _hash(session_id)))


def end_sessions_of(conn: Connection, username: str) -> None:
    conn.execute(delete(web_session).where(web_session.c.username == username))


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()
