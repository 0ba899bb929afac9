"""A corpus of hostile requests for every operation of an OpenAPI document (no I/O: requests only).

For an operation it yields `Probe`s, each one thing a hostile client might send, the rest of the
request being plausible (seeded ids in the path, a body with the required fields):
- path parameters: a seeded id, a random one, NUL, a huge number, a huge string, an encoded surrogate;
- query parameters: the same hostile values, wrong types, an unknown parameter;
- body fields, at every leaf of the documented body (nested ones too): NUL, a lone surrogate, a huge
  string, huge numbers, the wrong type; at every object and array: the wrong type, 1,000-deep nesting;
  an unknown field; a body holding a single nested field (a partial update must not reach nested schemas);
- the whole body: none, malformed JSON, form-encoded, text/plain, not an object, 1,000-deep nesting.
"""
from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import quote, urlencode

DEEP = "[" * 1000 + "]" * 1000
HUGE_STRING = "x" * 100_000
NUL = "nul\x00byte"
SURROGATE = "\ud800"  # json.dumps writes it as the escape \ud800, as a hostile client would
ENCODED_SURROGATE = "%ED%A0%80"  # not UTF-8: werkzeug decodes it with a replacement character
# Written into the JSON text verbatim, where json.dumps cannot write them.
RAW = {"__raw_deep__": DEEP, "__raw_infinite__": "1e400", "__raw_past_bigint__": "9223372036854775808",
       "__raw_5000_digits__": "1" * 5000}
WRONG_TYPE = {"string": 12345, "integer": "twelve", "number": "twelve", "boolean": "yes"}


@dataclass(frozen=True)
class Probe:
    kind: str  # what the corpus sends, e.g. "NUL"
    where: str  # where, e.g. "body.evidence.c1.documents.0.sha256"
    path: str  # the URL path, percent-encoded
    query: str = ""
    body: bytes | None = None
    content_type: str | None = None


class Operation:
    """One operation of an OpenAPI document, with what is needed to build requests for it."""

    def __init__(self, doc: dict, path: str, method: str, ids: dict[str, str]):
        self.doc, self.template, self.method, self.ids = doc, path, method.upper(), ids
        item = doc["paths"][path]
        self.spec = item[method]
        parameters = [self.resolve(p) for p in item.get("parameters", []) + self.spec.get("parameters", [])]
        self.path_params = [p for p in parameters if p["in"] == "path"]
        self.query_params = [p for p in parameters if p["in"] == "query"]
        content = self.spec.get("requestBody", {}).get("content", {})
        self.body_schema = self.resolve(content["application/json"]["schema"]) if "application/json" in content else None
        self.roles = self.spec.get("x-sopro-roles")

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            node = self.doc
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        for combined in ("allOf", "oneOf", "anyOf"):
            if combined in schema:
                return self.resolve(schema[combined][0])
        return schema

    # --- plausible values --------------------------------------------------------------------

    def sample(self, schema: dict, name: str = "", every_field: bool = False, depth: int = 0):
        schema = self.resolve(schema)
        if schema.get("enum"):
            return next((v for v in schema["enum"] if v is not None), None)
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if kind == "object":
            properties = {n: s for n, s in schema.get("properties", {}).items() if not self.resolve(s).get("readOnly")}
            names = properties if every_field else [n for n in schema.get("required", []) if n in properties]
            value = {n: self.sample(properties[n], n, every_field, depth + 1) for n in names}
            extra = schema.get("additionalProperties")
            if not properties and isinstance(extra, dict) and extra and depth < 6:
                value["c1"] = self.sample(extra, "c1", every_field, depth + 1)  # c1: a criterion id's form
            return value
        if kind == "array":
            return [self.sample(schema.get("items", {}), name, every_field, depth + 1)] if depth < 6 else []
        if kind == "integer":
            return max(int(schema.get("minimum", 1)), 1)
        if kind == "number":
            return 1
        if kind == "boolean":
            return False
        return self.text(schema, name)

    def text(self, schema: dict, name: str) -> str:
        fmt = schema.get("format")
        if fmt == "uuid":
            return self.ids.get(name) or str(uuid.uuid4())
        return {"date": "2027-01-15", "date-time": "2027-01-15T10:00:00+00:00", "email": "hostile@example.org",
                "decimal": "1", "url": "https://example.org", "uri": "https://example.org"}.get(
            fmt, "x" * max(int(schema.get("minLength", 1)), 1))

    def path_value(self, param: dict) -> str:
        return self.ids.get(param["name"]) or str(self.sample(param.get("schema", {}), param["name"]))

    # --- probes ------------------------------------------------------------------------------

    def url(self, **values: str) -> str:
        url = self.template
        for param in self.path_params:
            url = url.replace("{" + param["name"] + "}", values.get(param["name"]) or quote(self.path_value(param), safe=""))
        return url

    def probes(self) -> Iterator[Probe]:
        base = self.encoded(self.sample(self.body_schema)) if self.body_schema is not None else None
        content_type = "application/json" if base is not None else None
        yield Probe("plausible", "-", self.url(), body=base, content_type=content_type)
        for param in self.path_params:
            for kind, value in self.hostile_path_values(param):
                yield Probe(kind, f"path.{param['name']}", self.url(**{param["name"]: value}), body=base,
                            content_type=content_type)
        for kind, where, query in self.hostile_queries():
            yield Probe(kind, where, self.url(), query=query, body=base, content_type=content_type)
        if self.body_schema is not None:
            for kind, where, body, content_type in self.hostile_bodies():
                yield Probe(kind, where, self.url(), body=body, content_type=content_type)

    def hostile_path_values(self, param: dict) -> Iterator[tuple[str, str]]:
        yield "random id", str(uuid.uuid4())
        yield "NUL", quote(self.path_value(param) + "\x00", safe="")
        yield "huge number", "9" * 30
        yield "huge string", "x" * 3000
        yield "lone surrogate", ENCODED_SURROGATE

    def hostile_queries(self) -> Iterator[tuple[str, str, str]]:
        yield "unknown field", "query.unexpected", "unexpected_parameter=1"
        for param in self.query_params:
            name = param["name"]
            for kind, value in (("NUL", quote(NUL)), ("lone surrogate", ENCODED_SURROGATE),
                                ("huge string", "x" * 5000), ("huge number", "9223372036854775808"),
                                ("huge number", "1e400"), ("wrong type", "not-a-number")):
                yield kind, f"query.{name}", f"{quote(name)}={value}"

    def hostile_bodies(self) -> Iterator[tuple[str, str, bytes | None, str | None]]:
        required = self.sample(self.body_schema)
        full = self.sample(self.body_schema, every_field=True)
        json_type = "application/json"
        yield "no body", "body", None, None
        yield "no body", "body", b"", json_type
        yield "malformed JSON", "body", b'{"unterminated": ', json_type
        yield "malformed JSON", "body", b"\xff\xfe not UTF-8", json_type
        yield "wrong content type", "body", urlencode(flat_scalars(required)).encode(), "application/x-www-form-urlencoded"
        yield "wrong content type", "body", self.encoded(required), "text/plain"
        yield "wrong type", "body", b"[]", json_type
        yield "wrong type", "body", b"null", json_type
        yield "deep nesting", "body", DEEP.encode(), json_type
        yield "every field", "body", self.encoded(full), json_type
        yield "unknown field", "body.unexpected", self.encoded({**required, "unexpected_field": "x"}) \
            if isinstance(required, dict) else b"{}", json_type
        for number, (path, value) in enumerate(leaves(full)):
            where = "body." + ".".join(map(str, path))
            hostile = [("NUL", NUL), ("lone surrogate", SURROGATE), ("huge string", HUGE_STRING),
                       ("huge number", "__raw_past_bigint__"), ("huge number", "__raw_infinite__")]
            if number == 0:  # more than Python converts to an int: once per body is enough
                hostile.append(("huge number", "__raw_5000_digits__"))
            wrong = WRONG_TYPE.get({str: "string", bool: "boolean", int: "integer", float: "number"}.get(type(value), ""))
            if wrong is not None:
                hostile.append(("wrong type", wrong))
            for kind, bad in hostile:
                yield kind, where, self.encoded(replaced(full, path, bad)), json_type
            if len(path) > 1:  # only this nested field: a partial update must still load whole objects
                yield "single nested field", where, self.encoded(only(full, path)), json_type
        for path, value in containers(full):
            where = "body." + ".".join(map(str, path))
            yield "wrong type", where, self.encoded(replaced(full, path, "x")), json_type
            yield "deep nesting", where, self.encoded(replaced(full, path, "__raw_deep__")), json_type
            if isinstance(value, dict):
                yield "unknown field", where, self.encoded(replaced(full, path, {**value, "unexpected_field": 1})), json_type

    @staticmethod
    def encoded(value) -> bytes:
        text = json.dumps(value)  # ensure_ascii: NUL and surrogates as \u escapes
        for marker, raw in RAW.items():
            text = text.replace(json.dumps(marker), raw)
        return text.encode()


def leaves(value, path=()) -> Iterator[tuple[tuple, object]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def containers(value, path=()) -> Iterator[tuple[tuple, object]]:
    if isinstance(value, (dict, list)):
        if path:
            yield path, value
        for key, item in (value.items() if isinstance(value, dict) else enumerate(value)):
            yield from containers(item, (*path, key))


def replaced(value, path: tuple, new):
    copied = copy.deepcopy(value)
    node = copied
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return copied


def only(value, path: tuple):
    """`value` pruned to the one field at `path` (with the objects and lists that lead to it)."""
    if not path:
        return copy.deepcopy(value)
    key = path[0]
    inner = only(value[key], path[1:])
    return [inner] if isinstance(value, list) else {key: inner}


def flat_scalars(value) -> dict:
    return {k: v for k, v in value.items() if isinstance(v, (str, int, float))} if isinstance(value, dict) else {}
