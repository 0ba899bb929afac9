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
import functools
import re
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
    return _schema_of(type(evt)).dump(dataclasses.asdict(evt))


@functools.cache
def _schema_of(event_class) -> ma.Schema:
    """One schema instance per event type: building one costs twice what dumping with it does, and a
    marshmallow 4 schema keeps no state between dumps."""
    return event_class.SCHEMA()


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
