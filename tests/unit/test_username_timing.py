"""A login's work does not tell whether the username exists: scrypt runs for unknown and inactive
users too, with the cost of a real hash. Counted, not timed (timings are never a pass/fail test here;
the measured times are in the closing note of issue 11). The users live in an in-memory database."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import create_engine

from services.common.users import add_user, authenticate, update_user
from services.common.db import kernel_metadata


@pytest.fixture
def conn():
    engine = create_engine("sqlite://")
    kernel_metadata.create_all(engine)
    with engine.begin() as connection:
        add_user(connection, "anna", "right-password", ["broker"])
        add_user(connection, "gone", "right-password", ["broker"])
        update_user(connection, "gone", active=False)
        yield connection


def scrypt_runs(monkeypatch, conn, username: str, password: str) -> list[tuple[int, int, int]]:
    """The cost parameters (n, r, p) of every scrypt computation of one login."""
    runs, real = [], hashlib.scrypt

    def counted(*args, **kwargs):
        runs.append((kwargs["n"], kwargs["r"], kwargs["p"]))
        return real(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(hashlib, "scrypt", counted)
        authenticate(conn, username, password)
    return runs


def test_an_unknown_or_inactive_user_costs_the_same_scrypt_work_as_a_real_one(monkeypatch, conn):
    real_user = scrypt_runs(monkeypatch, conn, "anna", "wrong-password")
    assert len(real_user) == 1
    assert scrypt_runs(monkeypatch, conn, "nobody", "wrong-password") == real_user
    assert scrypt_runs(monkeypatch, conn, "gone", "right-password") == real_user


def test_the_decoy_lets_nobody_in(conn):
    assert authenticate(conn, "nobody", "") is None
    assert authenticate(conn, "gone", "right-password") is None
    assert authenticate(conn, "anna", "right-password").username == "anna"
