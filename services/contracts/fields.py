"""Request field types that several services' schemas share.

Every string is checked for what the database would choke on (NUL, lone surrogates, excess length)
and every number against a range, so bad input is a 422, not a 500.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.common.fields import storable as _storable
from services.contracts import cpv
from services.contracts.events.registry import NUTS3

MAX_AMOUNT = 10 ** 12


class Line(ma.fields.String):
    """One line of text, trimmed; blank is not a value."""

    def __init__(self, max_length: int, **kwargs):
        super().__init__(validate=[validate.Length(min=1, max=max_length), _storable], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def Prose(max_length: int, **kwargs):
    return ma.fields.String(validate=[validate.Length(min=1, max=max_length), _storable], **kwargs)


def _at_most_4_places(value) -> None:
    if value.as_tuple().exponent < -4:
        raise ma.ValidationError("at most 4 decimal places")


def Amount(positive: bool = False, **kwargs):
    """A decimal amount (money, capacity, kilograms): a string in JSON, never a float."""
    return ma.fields.Decimal(as_string=True, validate=[
        validate.Range(min=0, min_inclusive=not positive, max=MAX_AMOUNT), _at_most_4_places], **kwargs)


def Count(maximum: int, **kwargs):
    return ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=maximum), **kwargs)


class CpvCode(ma.fields.String):
    """`45000000` or `45000000-7` (with check digit), loaded as the eight digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = cpv.normalise(super()._deserialize(value, attr, data, **kwargs))
        if code is None:
            raise ma.ValidationError("a CPV code has eight digits, e.g. 45000000")
        return code


class CpvPrefix(ma.fields.String):
    """A filter: a full code (itself and everything under it) or a prefix of digits."""

    def _deserialize(self, value, attr, data, **kwargs):
        prefix = cpv.search_prefix(super()._deserialize(value, attr, data, **kwargs))
        if prefix is None:
            raise ma.ValidationError("a CPV code or a prefix of 1 to 8 digits")
        return prefix


class NutsPrefix(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).upper()
        validate.Regexp(r"^[A-Z]{2}[0-9A-Z]{0,3}$", error="a NUTS code or prefix, e.g. AT12")(value)
        return value


def Nuts3(**kwargs):
    return ma.fields.String(validate=NUTS3, **kwargs)


def Phone(**kwargs):
    return ma.fields.String(validate=validate.Regexp(r"^\+?[0-9][0-9 ()/.-]{4,30}$",
                                                     error="a phone number, e.g. +43 2742 12345"), **kwargs)


def Email(**kwargs):
    return ma.fields.Email(validate=[validate.Length(max=254), _storable], **kwargs)


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


def builds(cls):
    """A post_load hook building the value object `cls` from the loaded fields."""
    @ma.post_load
    def build(self, data, **kwargs):
        return cls(**data)
    return build
