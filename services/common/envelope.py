"""The event envelope (DESIGN.md section 3): what travels on the bus and in the feeds."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import fastjsonschema
import marshmallow as ma
from fastjsonschema import JsonSchemaValueException

from services.common.events import TYPE_PATTERN
from services.common.schema_json import FORMATS, schema_to_json

SITE_PATTERN = r"^[A-Z]{2}[0-9A-Z]{0,3}$"
STREAM_PATTERN = r"^[A-Z]{2}[0-9A-Z]{0,3}/[a-z][a-z0-9_]*$"


class MalformedEnvelope(Exception):
    """The message is not a well-formed envelope; `reason` says why."""


class EnvelopeSchema(ma.Schema):
    """The envelope's fields. `data` is validated separately, against its type's schema."""

    class Meta:
        unknown = ma.RAISE

    id = ma.fields.UUID(required=True)
    type = ma.fields.String(required=True, validate=ma.validate.Regexp(TYPE_PATTERN.pattern))
    version = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1))
    site = ma.fields.String(required=True, validate=ma.validate.Regexp(SITE_PATTERN))
    stream = ma.fields.String(required=True, validate=ma.validate.Regexp(STREAM_PATTERN))
    seq = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1))
    aggregate_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    aggregate_version = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1))
    occurred_at = ma.fields.AwareDateTime(required=True, format="iso")
    correlation_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    causation_id = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    to = ma.fields.String(validate=ma.validate.Regexp(SITE_PATTERN))
    data = ma.fields.Dict(required=True, keys=ma.fields.String())
    signature = ma.fields.String(required=True)


def unsigned_fields(*, to: str | None = None, **fields) -> dict:
    """The envelope's fields as they are signed and sent: `to` only when the message is directed."""
    if to is not None:
        fields["to"] = to
    return fields


def dumps(fields: dict) -> str:
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    version: int
    site: str
    stream: str
    seq: int
    aggregate_id: str
    aggregate_version: int
    occurred_at: str
    correlation_id: str | None
    causation_id: str | None
    data: dict
    to: str | None = None
    signature: str = ""

    def unsigned_fields(self) -> dict:
        """Every field but the signature, as signed. `to` is left out when absent."""
        return unsigned_fields(
            id=self.id, type=self.type, version=self.version, site=self.site, stream=self.stream, seq=self.seq,
            aggregate_id=self.aggregate_id, aggregate_version=self.aggregate_version,
            occurred_at=self.occurred_at, correlation_id=self.correlation_id, causation_id=self.causation_id,
            data=self.data, to=self.to,
        )

    def to_dict(self) -> dict:
        return {**self.unsigned_fields(), "signature": self.signature}

    def to_json(self) -> str:
        return dumps(self.to_dict())

    @classmethod
    def parse(cls, raw: bytes | str | dict) -> "Envelope":
        """Parse and check the envelope's shape; raise MalformedEnvelope with the reason."""
        if isinstance(raw, (bytes, str)):
            try:
                raw = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                raise MalformedEnvelope(f"not JSON: {exc}") from None
        if not isinstance(raw, dict):
            raise MalformedEnvelope("the envelope is not a JSON object")
        try:
            envelope_validator()(raw)
        except JsonSchemaValueException as exc:
            raise MalformedEnvelope(f"invalid envelope: {exc.message}") from None
        if not raw["stream"].startswith(raw["site"] + "/"):
            raise MalformedEnvelope(f"stream {raw['stream']!r} does not belong to site {raw['site']!r}")
        return cls(
            id=raw["id"], type=raw["type"], version=raw["version"], site=raw["site"], stream=raw["stream"],
            seq=raw["seq"], aggregate_id=raw["aggregate_id"], aggregate_version=raw["aggregate_version"],
            occurred_at=raw["occurred_at"], correlation_id=raw.get("correlation_id"),
            causation_id=raw.get("causation_id"), data=raw["data"], to=raw.get("to"),
            signature=raw["signature"],
        )

    @property
    def routing_key(self) -> str:
        return routing_key(self.site, self.type, self.to)


@lru_cache(maxsize=1)
def envelope_validator():
    """The envelope's JSON Schema, generated from EnvelopeSchema and compiled."""
    return fastjsonschema.compile(schema_to_json(EnvelopeSchema, "SoPro event envelope", "envelope.schema.json"),
                                  formats=FORMATS)


def routing_key(site: str, type_name: str, to: str | None = None) -> str:
    """`<site>.<type>` for facts; `to.<site>.<type>` for messages directed at one site."""
    return f"to.{to}.{type_name}" if to else f"{site}.{type_name}"
