"""The kernel's database helpers, on an in-memory SQLite database (PostgreSQL runs them in the
integration tests of the services that use them)."""
from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from services.common.db import (
    Page, containing, dialect_insert, escape_like, make_engine, new_metadata, next_in_counter, paged, starting_with,
)

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


def test_a_page_answers_its_items_where_it_is_and_the_total():
    page = Page(["a", "b"], page=2, per_page=2, total=5)
    assert page.as_dict() == {"items": ["a", "b"], "page": 2, "per_page": 2, "total": 5}
    assert page.as_dict(str.upper)["items"] == ["A", "B"]


def _fill(engine, letters: str) -> None:
    with engine.begin() as conn:
        conn.execute(counter.insert(), [{"letter": c, "year": 2026, "value": i} for i, c in enumerate(letters)])


def test_paged_gives_one_page_in_order_and_the_whole_count(engine):
    _fill(engine, "edcba")
    with engine.connect() as conn:
        second = paged(conn, select(counter), (counter.c.letter,), page=2, per_page=2)
        last = paged(conn, select(counter).where(counter.c.value > 0), (counter.c.letter,), page=2, per_page=3)
    assert [row["letter"] for row in second.items] == ["c", "d"]  # mappings by default
    assert (second.page, second.per_page, second.total) == (2, 2, 5)
    assert [row["letter"] for row in last.items] == ["d"] and last.total == 4


def test_paged_presents_each_row(engine):
    _fill(engine, "ab")
    with engine.connect() as conn:
        page = paged(conn, select(counter), (counter.c.letter.desc(),), 1, 10,
                     present=lambda row: f"{row.letter}{row.value}")
    assert page.items == ["b1", "a0"]


def test_escape_like_escapes_the_wildcards_and_the_escape_character():
    assert escape_like("50%_off") == "50\\%\\_off"
    assert escape_like("C:\\tmp") == "C:\\\\tmp"
    assert escape_like("plain") == "plain"


names = Table("t_names", metadata, Column("name", String(40), primary_key=True))
NAMES = ["100% recycled", "100 percent", "a_b", "axb", "back\\slash", "backslash", "Ökö_Kft"]


def _matching(engine, condition) -> list[str]:
    with engine.begin() as conn:
        conn.execute(names.insert(), [{"name": n} for n in NAMES])
        return sorted(conn.execute(select(names.c.name).where(condition)).scalars())


@pytest.mark.parametrize("text, found", [
    ("%", ["100% recycled"]),
    ("_", ["a_b", "Ökö_Kft"]),
    ("\\", ["back\\slash"]),
    ("0% r", ["100% recycled"]),
    ("ö_K", ["Ökö_Kft"]),
])
def test_containing_takes_the_users_text_literally(engine, text, found):
    assert _matching(engine, containing(names.c.name, text)) == found


@pytest.mark.parametrize("prefix, found", [
    ("100%", ["100% recycled"]),
    ("a_", ["a_b"]),
    ("back\\", ["back\\slash"]),
    ("100", ["100 percent", "100% recycled"]),
])
def test_starting_with_takes_the_prefix_literally(engine, prefix, found):
    assert _matching(engine, starting_with(names.c.name, prefix)) == found
