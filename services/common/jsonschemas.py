"""JSON Schemas of the envelope and of every event type: generated from the code, read by consumers.

`generate()` turns the marshmallow schemas into JSON Schema (via apispec's converter). The files are
committed under `schemas/`; a test regenerates them and fails when they differ from the code.
Consumers validate incoming `data` against the committed files with `EventValidator`, compiled to
Python by fastjsonschema (a validation costs microseconds, where an interpreting validator took a
tenth of a millisecond per event).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import fastjsonschema

from services.common.envelope import EnvelopeSchema
from services.common.schema_json import FORMATS, schema_to_json


def event_file_name(type_name: str, version: int) -> str:
    return f"{type_name}.v{version}.json"


def generate(event_types: dict[tuple[str, int], type]) -> dict[str, dict]:
    """All schema documents, keyed by their path relative to `schemas/`."""
    docs = {"envelope.schema.json": schema_to_json(EnvelopeSchema, "SoPro event envelope", "envelope.schema.json")}
    for (name, version), cls in sorted(event_types.items()):
        rel = f"events/{event_file_name(name, version)}"
        doc = schema_to_json(cls.SCHEMA, f"{name} v{version}", rel)
        if cls.__doc__:
            doc["description"] = " ".join(cls.__doc__.split())
        docs[rel] = doc
    return docs


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(schemas_dir: Path, docs: dict[str, dict]) -> list[Path]:
    written = []
    for rel, doc in docs.items():
        path = schemas_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(doc), encoding="utf-8")
        written.append(path)
    return written


class InvalidEventData(Exception):
    """The event's data does not match the schema of its type and version."""


class EventValidator:
    """Validates `data` against `schemas/events/<type>.v<version>.json`, compiled once per type."""

    def __init__(self, schemas_dir: Path):
        self.schemas_dir = Path(schemas_dir)

    @lru_cache(maxsize=None)
    def _validator(self, type_name: str, version: int):
        path = self.schemas_dir / "events" / event_file_name(type_name, version)
        if not path.is_file():
            return None
        return fastjsonschema.compile(json.loads(path.read_text(encoding="utf-8")), formats=FORMATS)

    def validate(self, type_name: str, version: int, data: dict) -> None:
        validator = self._validator(type_name, version)
        if validator is None:
            raise InvalidEventData(f"unknown event type {type_name} v{version}")
        try:
            validator(data)
        except fastjsonschema.JsonSchemaValueException as exc:
            raise InvalidEventData(f"data does not match {type_name} v{version}: {exc.message}") from None
