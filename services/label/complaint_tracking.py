"""The complainant's secret link to follow a complaint: /labels/complaints/track/<token>.

The token is made when the complaint is filed and handed to the complainant (on the page, in the API's
answer and, when the contact holds an address, by mail); the site keeps only its SHA-256, so a copy of the
database opens no complaint's status.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from services.label import model as m, store

PATH = "/labels/complaints/track/"


@dataclass
class TrackedComplaint(m.Complaint):
    """A complaint as filed, with the token of its tracking link (known only in the filing request)."""
    tracking_token: str | None = None


@dataclass(frozen=True)
class Tracked:
    complaint: m.Complaint
    filed_at: datetime
    updated_at: datetime


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def url(site_url: str, token: str) -> str:
    return f"{site_url.rstrip('/')}{PATH}{token}"


def remember(conn: Connection, complaint_id: str, token: str) -> None:
    conn.execute(update(store.complaint).where(store.complaint.c.id == complaint_id)
                 .values(tracking_hash=hash_of(token)))


def find(conn: Connection, token: str) -> Tracked | None:
    """The complaint the token opens, or None (an unknown, mistyped or over-long token)."""
    if not token or len(token) > 100:
        return None
    c = store.complaint
    row = conn.execute(select(c.c.id, c.c.created_at, c.c.updated_at)
                       .where(c.c.tracking_hash == hash_of(token))).first()
    if row is None:
        return None
    return Tracked(store.load_complaint(conn, row.id), row.created_at, row.updated_at)
