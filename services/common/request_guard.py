"""What a request must be before any view sees it: one before_request hook of every app.

- Text in the path, the query string and posted form fields (pages' too) that a database can store:
  no NUL, no lone surrogate (PostgreSQL answered those with a 500).
- Integers in the path, and in the query where the operation's schema reads an Integer, within a
  BIGINT (a larger one overflowed the database driver).
- A JSON body wherever an operation declares one (flask-smorest's `@blp.arguments`, location json):
  sent as JSON (415), not empty where a body is needed (422, see `body_required`), and readable by
  services.common.jsonbody (bounded depth and numbers, storable text). webargs reads a body that is
  not JSON, or none at all, as "missing", so a form post or an empty body was loaded as {}.

Every refusal is a SoproError, so it leaves in the one error shape, with the fields named.
"""
from __future__ import annotations

import re

import marshmallow as ma
from apispec import BasePlugin
from flask import current_app, request

from services.common.auth import view_of
from services.common.errors import Invalid, UnsupportedMediaType
from services.common.fields import NOT_STORABLE, is_storable
from services.common.jsonbody import KEY_NOT_STORABLE, MAX_INTEGER, MIN_INTEGER, OUT_OF_RANGE, REFUSED_VALUES, read

_INTEGER = re.compile(r"\s*[-+]?\d+\s*")  # as marshmallow's Integer reads it


def guard_request() -> None:
    if request.endpoint is None or request.method == "OPTIONS":
        return
    declared = declared_arguments()
    body = declared.get("json")
    if body is not None:
        check_json_body(body)
    refused = {**refused_values(request.view_args or {}), **refused_pairs(request.args),
               **refused_pairs(request.form), **out_of_range_query(declared.get("query"))}
    if refused:
        raise Invalid(REFUSED_VALUES, refused)


def declared_arguments() -> dict[str, dict]:
    """The operation's `@blp.arguments` by location, as flask-smorest records them for its document."""
    method = "GET" if request.method == "HEAD" else request.method
    view = view_of(current_app, request.endpoint, method)
    documented = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return {argument["in"]: argument for argument in documented}


def body_required(argument: dict) -> bool:
    """Whether an empty body is refused. It stands for {} only in a POST whose schema requires no
    field (an action such as a withdrawal, its reason optional), or where the operation declared its
    body optional; a PATCH without a body changes nothing, and must not read as a success."""
    if not argument.get("required", True):
        return False
    schema = _instance(argument["schema"])
    return request.method != "POST" or any(field.required for field in schema.load_fields.values())


def check_json_body(argument: dict) -> None:
    data = request.get_data(cache=True)
    if not data:
        if body_required(argument):
            raise Invalid("a JSON body is required", {"_schema": ["a JSON body is required"]})
        return
    if not request.is_json:
        raise UnsupportedMediaType(f"send the body as application/json, not {request.mimetype or 'untyped'}")
    value, refused = read(data)  # webargs reads the body again once nothing in it is refused
    if refused:
        # With the schema's own messages, so that every field wrong is named in one round.
        raise Invalid(REFUSED_VALUES, merged(schema_messages(argument, value), refused))


def schema_messages(argument: dict, value) -> dict:
    try:
        return _instance(argument["schema"]).validate(value) if isinstance(value, dict) else {}
    except Exception:  # noqa: BLE001 - a validator tripping over a refused value: the refusal says enough
        return {}


def merged(messages: dict, more: dict) -> dict:
    """Two sets of marshmallow-shaped messages as one (nested fields merged, lists joined)."""
    result = dict(messages)
    for key, value in more.items():
        known = result.get(key)
        if isinstance(known, dict) and isinstance(value, dict):
            result[key] = merged(known, value)
        elif isinstance(known, list) and isinstance(value, list):
            result[key] = [*known, *(m for m in value if m not in known)]
        else:
            result[key] = value
    return result


def refused_values(values: dict) -> dict[str, list[str]]:
    refused = {}
    for name, value in values.items():
        if isinstance(value, str) and not is_storable(value):
            refused[name] = [NOT_STORABLE]
        elif isinstance(value, int) and not MIN_INTEGER <= value <= MAX_INTEGER:
            refused[name] = [OUT_OF_RANGE]
    return refused


def refused_pairs(multi) -> dict[str, list[str]]:
    """Storable names and values of a query string or form (werkzeug decodes them with replacement,
    so only NUL can be in them; the check is the same as for JSON text)."""
    refused = {}
    for name, value in multi.items(multi=True):
        if not is_storable(name):
            refused["_schema"] = [KEY_NOT_STORABLE]
        elif not is_storable(value):
            refused[name] = [NOT_STORABLE]
    return refused


def out_of_range_query(argument: dict | None) -> dict[str, list[str]]:
    """Integers the operation's query schema would read, and a database could not hold."""
    if argument is None:
        return {}
    schema = _instance(argument["schema"])
    refused = {}
    for name, field in schema.load_fields.items():
        inner = field.inner if isinstance(field, ma.fields.List) else field
        if not isinstance(inner, ma.fields.Integer):
            continue
        key = field.data_key or name
        for raw in request.args.getlist(key):
            if not _INTEGER.fullmatch(raw):
                continue  # not an integer: the schema says so
            if len(raw.strip()) > 20 or not MIN_INTEGER <= int(raw) <= MAX_INTEGER:
                refused[key] = [OUT_OF_RANGE]
    return refused


def _instance(schema) -> ma.Schema:
    return schema() if isinstance(schema, type) else schema


class RequestGuardPlugin(BasePlugin):
    """apispec plugin: documents the guard's answers in every operation of the app's document."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("422", "UNPROCESSABLE_ENTITY")  # any path or query may hold a NUL
            if "requestBody" in operation:
                responses.setdefault("400", "BAD_REQUEST")
                responses.setdefault("415", "UNSUPPORTED_MEDIA_TYPE")
