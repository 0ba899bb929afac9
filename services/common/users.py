"""The site's users (the kernel's `auth_user` table): adding and changing them, their passwords, and
whether a token issued to one of them still stands.

A token of one of the site's users is checked against the user's row on every request (one primary-key
lookup, `as_user_now`): a deactivated user, a password change or a changed organisation ends it at once,
and it grants only the roles the user still holds.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import JSON, Boolean, Column, Connection, Integer, String, Table, select

from services.common.db import kernel_metadata
from services.common.errors import Unauthorized
from services.common.password_limit import count_password_check
from services.common.passwords import hash_password, verify_password
from services.common.sessions import end_sessions_of
from services.common.tokens import ROLES, Principal, Tokens

auth_user = Table(
    "auth_user",
    kernel_metadata,
    Column("username", String(100), primary_key=True),
    Column("password_hash", String(300), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("organisation_id", String(36)),
    Column("active", Boolean, nullable=False, default=True),
    # Raised to end every token issued before (deactivation, a new password); tokens carry it as `ver`.
    Column("token_version", Integer, nullable=False, default=0, server_default="0"),
)


def add_user(conn: Connection, username: str, password: str | None, roles, organisation_id: str | None = None,
             *, password_hash: str | None = None) -> None:
    """A new user with `password`, or with `password_hash` made earlier by hash_password (one hash for many
    users with the same password: each hash costs scrypt's ~50 ms)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    if (password is None) == (password_hash is None):
        raise ValueError("a user gets a password or a password hash, not both and not neither")
    conn.execute(auth_user.insert().values(
        username=username, password_hash=password_hash or hash_password(password), roles=sorted(roles),
        organisation_id=organisation_id, active=True,
    ))


def user_token(tokens: Tokens, user) -> str:
    """The token of a user row (`authenticate`'s), bound to its current `token_version`."""
    return tokens.issue(user.username, user.roles, user.organisation_id, version=user.token_version)


def update_user(conn: Connection, username: str, roles=None, active: bool | None = None) -> bool:
    """New roles and/or active state; False if there is no such user. Deactivation ends the user's
    tokens and web sessions at once; fewer roles take effect on the next request anyway (a token grants
    only the roles its user still holds)."""
    values = {}
    if roles is not None:
        unknown = set(roles) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles {sorted(unknown)}")
        values["roles"] = sorted(roles)
    if active is not None:
        values["active"] = active
    if active is False:
        values["token_version"] = auth_user.c.token_version + 1
        end_sessions_of(conn, username)
    if not values:
        return _exists(conn, username)
    return conn.execute(auth_user.update().where(auth_user.c.username == username).values(**values)).rowcount == 1


def set_password(conn: Connection, username: str, password: str) -> bool:
    """A new password ends every token and web session issued with the old one."""
    end_sessions_of(conn, username)
    return conn.execute(auth_user.update().where(auth_user.c.username == username).values(
        password_hash=hash_password(password), token_version=auth_user.c.token_version + 1)).rowcount == 1


def _exists(conn: Connection, username: str) -> bool:
    return conn.execute(select(auth_user.c.username).where(auth_user.c.username == username)).first() is not None


def authenticate(conn: Connection, username: str, password: str):
    count_password_check()  # password guessing meets the stricter limit, wherever passwords are checked
    row = conn.execute(select(auth_user).where(auth_user.c.username == username)).first()
    # scrypt runs for unknown users too (against a decoy): the time of the answer names no user.
    if not verify_password(password, row.password_hash if row is not None else None) or not row.active:
        return None
    return row


def as_user_now(conn: Connection, principal: Principal) -> Principal:
    """The principal of a token of this site, as its user stands now: refused if the user is inactive,
    changed password or organisation since; granted only the token's roles the user still holds."""
    user = conn.execute(select(auth_user.c.active, auth_user.c.roles, auth_user.c.organisation_id,
                               auth_user.c.token_version)
                        .where(auth_user.c.username == principal.subject)).first()
    if user is None:
        if principal.token_version is None:
            return principal  # issued to a service principal (a subject that is no user), never to a person
        raise Unauthorized("the token's user no longer exists", code="token_revoked")
    if not user.active:
        raise Unauthorized("the token's user has been deactivated", code="token_revoked")
    if (principal.token_version or 0) != user.token_version or principal.organisation_id != user.organisation_id:
        raise Unauthorized("the token has been revoked; log in again", code="token_revoked")
    return replace(principal, roles=principal.roles & frozenset(user.roles))
