"""Keyset paging: a page continues after the last row of the previous one, named by an opaque cursor,
so that the 300th page costs what the first does (OFFSET reads and drops every row before it).

A list orders by columns that make each row unique (e.g. name, site, id), all ascending and never NULL.
Its cursor is those values of the page's last row, as base64url JSON; the next page is the rows whose
values compare greater, as a row value: `(name, site, id) > (:name, :site, :id)` on PostgreSQL and SQLite
alike, which an index on the same columns answers in order.

`page` (OFFSET paging) still works for the lists that had it: it reads the rows it skips.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Callable, Generic, Sequence, TypeVar

import marshmallow as ma
from sqlalchemy import Column, Connection, Row, Select, tuple_

from services.common.errors import Invalid

T = TypeVar("T")

MAX_CURSOR_LENGTH = 2000


def encode_cursor(values: Sequence[str | int]) -> str:
    raw = json.dumps(list(values), ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple:
    """The values a cursor names; ValueError when it is not one of ours."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise ValueError("cursor too long")
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not isinstance(values, list) or not values or not all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                              for v in values):
        raise ValueError("not a cursor")
    return tuple(values)


class Cursor(ma.fields.String):
    """A query parameter holding a cursor: loaded as the tuple of values it names."""

    default_error_messages = {"invalid_cursor": "not a cursor of this list; follow the `next` of a page"}

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return decode_cursor(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise self.make_error("invalid_cursor") from exc


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page, the cursor of the next one (None on the last page), and the whole list's size when it
    is known without scanning (None otherwise)."""

    items: list[T]
    page: int
    per_page: int
    total: int | None
    next: str | None

    def as_dict(self, present: Callable[[T], object] = lambda item: item) -> dict:
        return {"items": [present(i) for i in self.items], "page": self.page, "per_page": self.per_page,
                "total": self.total, "next": self.next}


def _fits(values: tuple, order: Sequence[Column]) -> bool:
    return len(values) == len(order) and all(isinstance(v, c.type.python_type) for v, c in zip(values, order))


def keyset_page(conn: Connection, query: Select, order: Sequence[Column], per_page: int, after: tuple | None = None,
                page: int = 1, total: Callable[[], int | None] = lambda: None,
                present: Callable[[Row], T] = lambda row: row._mapping) -> KeysetPage[T]:
    """The page of `query` after the cursor `after` (or, without one, page `page` by OFFSET) in `order`.
    `total` says how many rows the whole query has, if it can tell cheaply."""
    if after is not None and not _fits(after, order):
        raise Invalid("the cursor is not one of this list", {"after": [Cursor.default_error_messages["invalid_cursor"]]})
    ordered = query.order_by(*order).limit(per_page + 1)
    if after is not None:
        ordered = ordered.where(tuple_(*order) > tuple_(*after))
    elif page > 1:
        ordered = ordered.offset((page - 1) * per_page)
    rows = conn.execute(ordered).all()
    more, rows = len(rows) > per_page, rows[:per_page]
    following = encode_cursor([rows[-1]._mapping[c] for c in order]) if more else None
    return KeysetPage([present(r) for r in rows], page, per_page, total(), following)
