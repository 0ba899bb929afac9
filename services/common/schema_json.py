"""marshmallow schemas as JSON Schema (draft 07), through apispec's converter: how the envelope and every
event type's data are described in `schemas/` and validated (services.common.jsonschemas, envelope)."""
from __future__ import annotations

import marshmallow as ma
from apispec.ext.marshmallow.openapi import OpenAPIConverter

DIALECT = "http://json-schema.org/draft-07/schema#"
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
# Formats fastjsonschema does not know itself.
FORMATS = {"uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"}


def _decimal_as_string(self, field, **kwargs):
    # Money travels as a decimal string, never as a float.
    if isinstance(field, ma.fields.Decimal) and field.as_string:
        return {"type": ["string", "null"] if field.allow_none else "string", "pattern": DECIMAL_PATTERN}
    return {}


def _converter() -> OpenAPIConverter:
    converter = OpenAPIConverter("3.1.0", lambda schema: None, None)
    converter.add_attribute_function(_decimal_as_string)
    return converter


def schema_to_json(schema: type[ma.Schema], title: str, schema_id: str) -> dict:
    body = _converter().schema2jsonschema(schema)
    _strip_nested_refs(body)
    return {"$schema": DIALECT, "$id": schema_id, "title": title, **body}


def _strip_nested_refs(node) -> None:
    if isinstance(node, dict):
        node.pop("$ref", None)
        for value in node.values():
            _strip_nested_refs(value)
    elif isinstance(node, list):
        for value in node:
            _strip_nested_refs(value)
