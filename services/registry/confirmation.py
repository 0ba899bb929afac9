"""The link that confirms a statement's e-mail address: a random token, single use, expiring.

The site keeps only the token's SHA-256 (a copy of the database confirms nothing); the token itself is
only in the link, which is mailed to the address (confirmation_notice.py, through the site's notification
outbox). A broker can confirm a statement instead (a paper form, a statement without an address).
No I/O here.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

VALID_FOR = timedelta(days=7)
PATH = "/support/confirm/"
TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def is_well_formed(token: str) -> bool:
    return TOKEN.fullmatch(token) is not None


def link(site_url: str, token: str) -> str:
    return f"{site_url.rstrip('/')}{PATH}{token}"
