"""The kernel's database helpers, on an in-memory SQLite database (PostgreSQL runs them in the
integration tests of the services that use them)."""
from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from services.common.db import dialect_insert, make_engine, new_metadata, next_in_counter

metadata = new_metadata()
counter = Table(
    "t_counter", metadata,
    Column("letter", String(1), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)


@pytest.fixture
def engine():
    engine = make_engine("sqlite:///:memory:")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_dialect_insert_is_the_databases_own(engine):
    assert isinstance(dialect_insert("postgresql", counter), postgresql.Insert)
    assert isinstance(dialect_insert("sqlite", counter), sqlite.Insert)
    with engine.connect() as conn:
        assert isinstance(dialect_insert(conn, counter), sqlite.Insert)
    assert isinstance(dialect_insert(engine, counter), sqlite.Insert)


def test_dialect_insert_takes_on_conflict(engine):
    with engine.begin() as conn:
        for value in (1, 2):
            conn.execute(dialect_insert(conn, counter).values(letter="A", year=2026, value=value)
                         .on_conflict_do_nothing())
        assert conn.execute(select(counter.c.value)).scalars().all() == [1]


def test_counters_count_from_one_per_key(engine):
    with engine.begin() as conn:
        taken = [next_in_counter(conn, counter, letter="A", year=2026) for _ in range(3)]
        other_letter = next_in_counter(conn, counter, letter="B", year=2026)
        other_year = next_in_counter(conn, counter, letter="A", year=2027)
    assert taken == [1, 2, 3]
    assert (other_letter, other_year) == (1, 1)
    with engine.begin() as conn:
        assert next_in_counter(conn, counter, letter="A", year=2026) == 4


def test_a_rolled_back_number_is_taken_again(engine):
    with engine.connect() as conn:
        with conn.begin() as tx:
            assert next_in_counter(conn, counter, letter="A", year=2026) == 1
            tx.rollback()
        with conn.begin():
            assert next_in_counter(conn, counter, letter="A", year=2026) == 1
