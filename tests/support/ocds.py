"""The official OCDS 1.1.5 schema, resolved locally (tests/data/ocds-1.1.5): a validator of release
packages that never goes online and checks the two formats OCDS uses."""
from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource

OCDS = Path(__file__).resolve().parents[1] / "data" / "ocds-1.1.5"


def ocds_schema(name: str) -> dict:
    return json.loads((OCDS / name).read_text(encoding="utf-8"))


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# jsonschema checks the formats only with optional packages that are not installed; these two are the ones
# OCDS uses, checked here so that a malformed date or URI fails validation.
FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    return not isinstance(value, str) or (RFC3339.match(value) is not None
                                          and datetime.fromisoformat(value) is not None)


@FORMATS.checks("uri", raises=ValueError)
def _is_uri(value) -> bool:
    return not isinstance(value, str) or (bool(urlsplit(value).scheme) and not re.search(r"\s", value))


@cache
def validator(package_schema: str = "release-package-schema.json") -> Draft4Validator:
    release_schema = ocds_schema("release-schema.json")
    # a registry without `retrieve`: a $ref to anything not registered here fails instead of going online
    registry = Registry().with_resource(release_schema["id"], Resource.from_contents(release_schema))
    return Draft4Validator(ocds_schema(package_schema), registry=registry, format_checker=FORMATS)


def errors(package: dict, package_schema: str = "release-package-schema.json") -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator(package_schema).iter_errors(package)]
