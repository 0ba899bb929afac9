"""A user is made with a password, or with a hash of one made earlier (one hash for many users who share a
password: the demo's users, the tests' users). The users live in an in-memory database."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from services.common.db import kernel_metadata
from services.common.passwords import hash_password
from services.common.users import add_user, auth_user, authenticate


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    kernel_metadata.create_all(engine)
    with engine.begin() as connection:
        yield connection


def test_users_made_from_one_hash_each_log_in_with_its_password(conn):
    shared = hash_password("demo-password")
    add_user(conn, "anna", None, ["broker"], password_hash=shared)
    add_user(conn, "bela", None, ["member"], password_hash=shared)
    assert conn.execute(select(auth_user.c.password_hash).where(auth_user.c.username == "bela")).scalar() == shared
    assert authenticate(conn, "anna", "demo-password").username == "anna"
    assert authenticate(conn, "bela", "demo-password").roles == ["member"]
    assert authenticate(conn, "bela", "demo-password ") is None


@pytest.mark.parametrize("password, password_hash", [("pw", "scrypt$16384$8$1$AAAA$AAAA"), (None, None)])
def test_a_user_gets_a_password_or_a_hash_not_both_and_not_neither(conn, password, password_hash):
    with pytest.raises(ValueError, match="password"):
        add_user(conn, "anna", password, ["broker"], password_hash=password_hash)
    assert conn.execute(select(auth_user.c.username)).all() == []
