"""The committed JSON Schemas in schemas/ are what the code generates; the envelope schema holds."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from services.common import jsonschemas
from services.contracts.events import declared_types

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def generated() -> dict[str, dict]:
    return jsonschemas.generate(declared_types())


def test_committed_schemas_match_the_code():
    docs = generated()
    stale = [rel for rel, doc in docs.items()
             if not (SCHEMAS / rel).is_file() or (SCHEMAS / rel).read_text() != jsonschemas.render(doc)]
    assert not stale, f"run `sopro schemas generate`: out of date {stale}"


def test_no_schema_file_without_an_event_type():
    docs = generated()
    on_disk = {str(p.relative_to(SCHEMAS)) for p in SCHEMAS.rglob("*.json")}
    assert on_disk - set(docs) == set()


def test_every_event_schema_is_valid_json_schema():
    paths = list(SCHEMAS.rglob("*.json"))
    assert len(paths) == len(generated())
    for path in paths:
        jsonschema.Draft7Validator.check_schema(json.loads(path.read_text()))  # raises when invalid


def test_money_is_a_decimal_string_in_the_schema():
    offer = json.loads((SCHEMAS / "events" / "registry.offer.published.v1.json").read_text())
    assert offer["properties"]["capacity_per_week"]["type"] == "string"
    validator = jsonschema.Draft7Validator(offer["properties"]["capacity_per_week"])
    assert validator.is_valid("12.50")
    assert not validator.is_valid(12.5)


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "phone"])
def test_no_event_schema_has_a_personal_field(field):
    for path in (SCHEMAS / "events").glob("*.json"):
        assert field not in json.loads(path.read_text()).get("properties", {}), path.name
