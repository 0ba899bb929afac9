"""An event's data is the same, byte for byte, whichever way services.common.events dumps it.

`dump_data` calls the fields' serializers directly for flat events; marshmallow's `schema.dump` over
`dataclasses.asdict` is the reference. Envelopes are signed over this data, so a difference would
break old feeds' signatures: every declared type is compared on generated values.
"""
from __future__ import annotations

import dataclasses
import datetime
import json

import marshmallow as ma
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.events import _dumper_of, dump_data
from services.contracts.events import declared_types
from services.contracts.events.registry import OfferPublished, OrganisationRegistered

TYPES = declared_types()
SCALAR = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none())


def values_of(field: ma.fields.Field) -> st.SearchStrategy:
    """Values a dataclass attribute holds for `field`, in the Python types the domain uses."""
    if isinstance(field, ma.fields.List):
        inner = values_of(field.inner)
        return st.one_of(st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple))
    if isinstance(field, ma.fields.Nested):
        nested = field.schema
        return st.fixed_dictionaries({name: values_of(f) for name, f in nested.dump_fields.items()})
    if isinstance(field, ma.fields.Dict):
        return st.dictionaries(st.text(max_size=5), SCALAR, max_size=3)
    strategy = {
        ma.fields.UUID: st.uuids().map(str),
        ma.fields.Integer: st.integers(-10**12, 10**12),
        ma.fields.Float: st.floats(allow_nan=False),
        ma.fields.Decimal: st.decimals(allow_nan=False, allow_infinity=False, places=3),
        ma.fields.AwareDateTime: st.datetimes(timezones=st.just(datetime.timezone.utc)),
        ma.fields.Date: st.dates(),
        ma.fields.Boolean: st.booleans(),
        ma.fields.String: st.text(max_size=30),
    }[type(field)]
    return st.one_of(st.none(), strategy) if field.allow_none else strategy


def events_of(event_class) -> st.SearchStrategy:
    schema_fields = event_class.SCHEMA().dump_fields
    attributes = {f.name: values_of(schema_fields[f.name]) if f.name in schema_fields else st.none()
                  for f in dataclasses.fields(event_class)}
    return st.builds(event_class, **attributes)


def reference(evt) -> dict:
    return type(evt).SCHEMA().dump(dataclasses.asdict(evt))


@pytest.mark.parametrize("key", list(TYPES), ids=[f"{t}.v{v}" for t, v in TYPES])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_dump_is_byte_identical_to_marshmallow(key, data):
    evt = data.draw(events_of(TYPES[key]))
    assert json.dumps(dump_data(evt)) == json.dumps(reference(evt))


def test_every_declared_type_takes_the_direct_path():
    assert _dumper_of(OrganisationRegistered).__name__ == "by_field"
    assert _dumper_of(OfferPublished).__name__ == "by_field"
    direct = [cls for cls in TYPES.values() if _dumper_of(cls).__name__ == "by_field"]
    assert len(direct) == len(TYPES), "every declared type's schema reads its fields by name, without hooks"


def test_an_event_holding_a_nested_dataclass_is_dumped_by_marshmallow():
    class Line(ma.Schema):
        sku = ma.fields.String()

    class Order(ma.Schema):
        lines = ma.fields.List(ma.fields.Nested(Line))

    @dataclasses.dataclass(frozen=True)
    class OrderLine:
        sku: str

    @dataclasses.dataclass(frozen=True)
    class Ordered:
        SCHEMA = Order
        lines: list

    evt = Ordered([OrderLine("a"), OrderLine("b")])
    assert dump_data(evt) == {"lines": [{"sku": "a"}, {"sku": "b"}]} == Order().dump(dataclasses.asdict(evt))
