"""Request fields every service's schemas share."""
from __future__ import annotations

import re

import marshmallow as ma


NOT_STORABLE = "contains characters that are not allowed"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable(value: str) -> bool:
    """PostgreSQL text cannot hold NUL, nor UTF-8 a lone surrogate."""
    return _UNSTORABLE.search(value) is None


def storable(value: str) -> None:
    """Refuse what `is_storable` refuses as input (a 422, not a 500)."""
    if not is_storable(value):
        raise ma.ValidationError(NOT_STORABLE)


class Id(ma.fields.UUID):
    """A UUID, kept as its canonical string."""

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))


def patch_schema(schema_cls: type[ma.Schema], exclude: tuple[str, ...] = ()) -> ma.Schema:
    """The schema of a PATCH body: every top-level field may be left out, yet a nested object that is
    sent is whole. `partial=True` would reach the nested schemas too, whose `post_load` then met an
    object without a required field (a KeyError or TypeError: a 500)."""
    top_level = tuple(name for name in schema_cls(exclude=exclude).load_fields)
    return schema_cls(partial=top_level, exclude=exclude)
