"""Event types: how a service declares what it publishes, and how domain objects record events.

A service declares each event as a dataclass with a marshmallow schema for its `data`::

    @event_type("registry.organisation.registered", OrganisationSchema)
    @dataclass(frozen=True)
    class OrganisationRegistered: ...

The federation's types live in the contract package; `services.contracts.events.declared_types()`
lists them, and they are the source of the JSON Schemas in `schemas/events/` (see `jsonschemas.py`).
"""
from __future__ import annotations

import dataclasses
import datetime
import decimal
import functools
import re
import uuid
from dataclasses import dataclass, field
from typing import ClassVar

import marshmallow as ma

TYPE_PATTERN = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*\.[a-z][a-z_]*$")


class EventData(ma.Schema):
    """Base of every event type's data schema: a field the type does not declare is an error, so the
    generated JSON Schema forbids it too (additionalProperties: false)."""

    class Meta:
        unknown = ma.RAISE


def event_type(name: str, schema: type[ma.Schema], version: int = 1):
    """Declare a dataclass as the event type `name`, version `version`, whose data is `schema`."""
    if not TYPE_PATTERN.match(name):
        raise ValueError(f"event type {name!r} is not <service>.<aggregate>.<verb-past>")

    def declare(cls):
        cls.TYPE, cls.VERSION, cls.SCHEMA = name, version, schema
        return cls

    return declare


def dump_data(evt) -> dict:
    """The event's `data`: its type's schema applied to the dataclass's fields."""
    return _dumper_of(type(evt))(evt)


# Values that dataclasses.asdict passes through unchanged (a deep copy of them is an equal value).
_SCALARS = frozenset({str, int, float, bool, type(None), decimal.Decimal, datetime.date, datetime.datetime, uuid.UUID})


def _is_flat(value) -> bool:
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is list or kind is tuple:
        return all(type(item) in _SCALARS for item in value)
    if kind is dict:
        return all(type(k) in _SCALARS and type(v) in _SCALARS for k, v in value.items())
    return False


@functools.cache
def _dumper_of(event_class):
    """The function that dumps one event type's data, built once per type.

    Every write dumps its events, and `schema.dump(dataclasses.asdict(evt))` spends most of its time
    outside the fields' own serializers (asdict's deep copy, the per-field attribute lookup). When the
    schema has no dump hooks and reads each field from the attribute of the same name, the dumper calls
    each field's serializer on the dataclass's attribute directly: the same function marshmallow calls,
    in the same order, so the data is the same value, byte for byte once encoded
    (tests/unit/test_event_dump.py compares both over every declared type). An event whose values are
    nested (a dataclass, a list of them) takes marshmallow's own path.
    """
    schema = event_class.SCHEMA()  # one instance per type: a marshmallow 4 schema keeps no state between dumps

    def by_marshmallow(evt) -> dict:
        return schema.dump(dataclasses.asdict(evt))

    fields = list(schema.dump_fields.items())
    names = {f.name for f in dataclasses.fields(event_class)}
    hooks = getattr(schema, "_hooks", None)
    direct = (hooks is not None and not hooks["pre_dump"] and not hooks["post_dump"]
              and all(field._CHECK_ATTRIBUTE and field.attribute is None and name in names for name, field in fields))
    if not direct:
        return by_marshmallow
    plan = [(name, field.data_key if field.data_key is not None else name, field._serialize) for name, field in fields]

    def by_field(evt) -> dict:
        values = [getattr(evt, name) for name, _, _ in plan]
        if not all(map(_is_flat, values)):
            return by_marshmallow(evt)
        return {key: serialize(value, name, evt) for (name, key, serialize), value in zip(plan, values)}

    return by_field


def service_of(type_name: str) -> str:
    return type_name.split(".", 1)[0]


@dataclass(frozen=True)
class Recorded:
    """An event as its aggregate recorded it: the event, and the aggregate's id and version after it."""

    event: object
    aggregate_id: str
    aggregate_version: int

    @property
    def type(self) -> str:
        return self.event.TYPE

    @property
    def version(self) -> int:
        return self.event.VERSION

    def data(self) -> dict:
        return dump_data(self.event)


@dataclass
class Aggregate:
    """Base for entities that record the events they cause. Each event bumps `version`."""

    version: int = field(default=0, kw_only=True)
    _pending: list = field(default_factory=list, init=False, repr=False, compare=False)

    id: ClassVar  # provided by the subclass as a dataclass field

    def _record(self, evt) -> None:
        self.version += 1
        self._pending.append(Recorded(evt, str(self.id), self.version))

    def pop_events(self) -> list[Recorded]:
        pending, self._pending = self._pending, []
        return pending
