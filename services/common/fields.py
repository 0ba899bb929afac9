"""Request fields every service's schemas share."""
from __future__ import annotations

import marshmallow as ma


def storable(value: str) -> None:
    """PostgreSQL text cannot hold NUL, nor UTF-8 a lone surrogate: refuse them as input (a 422, not a 500)."""
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ma.ValidationError("contains characters that are not allowed")


class Id(ma.fields.UUID):
    """A UUID, kept as its canonical string."""

    def _deserialize(self, value, attr, data, **kwargs):
        return str(super()._deserialize(value, attr, data, **kwargs))
