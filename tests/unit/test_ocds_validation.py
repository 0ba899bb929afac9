"""The hub's OCDS export validates against the official OCDS 1.1.5 schema (copied to tests/data, resolved
locally: no network) and uses codelist values as the copied codelists define them."""
from __future__ import annotations

import csv
import json
from functools import cache

import pytest

from tests.support.ocds import OCDS, errors, ocds_schema, validator
from tests.support.ocds_orders import agreed, declined_and_reallocated, order, package, part, short
from tests.unit.ocds_deliveries import delivered, failed_and_reallocated

# values of open codelists this export adds on purpose (see services/hub/ocds/release.py)
OWN_CODES = {("itemClassificationScheme.csv", "SOPRO-LABEL"), ("relatedProcessScheme.csv", "SOPRO-PART")}


@cache
def codelist(name: str) -> dict[str, dict]:
    with (OCDS / "codelists" / name).open(encoding="utf-8", newline="") as f:
        return {row["Code"]: row for row in csv.DictReader(f)}


def codelist_values(instance, schema: dict | None = None, root: dict | None = None):
    """(codelist, value) for every value in `instance` whose field names a codelist in the release schema."""
    root = root or ocds_schema("release-schema.json")
    schema = schema if schema is not None else root
    if "$ref" in schema:
        schema = root["definitions"][schema["$ref"].rsplit("/", 1)[-1]]
    if "codelist" in schema and instance is not None:
        for value in instance if isinstance(instance, list) else [instance]:
            yield schema["codelist"], value
    elif isinstance(instance, dict):
        for key, value in instance.items():
            if key in schema.get("properties", {}):
                yield from codelist_values(value, schema["properties"][key], root)
    elif isinstance(instance, list) and "items" in schema:
        for value in instance:
            yield from codelist_values(value, schema["items"], root)


@pytest.mark.parametrize("orders", [
    pytest.param([agreed()], id="agreed-consortium-EUR-and-HUF"),
    pytest.param([declined_and_reallocated()], id="declined-and-reallocated"),
    pytest.param([short()], id="short"),
    pytest.param([order(4, "allocating", ())], id="allocating-no-parts"),
    pytest.param([order(5, "cancelled", (part(11, "AT12", "superseded", 5000, "2.35"),), unit=None, cpv_codes=[])],
                 id="cancelled-superseded"),
    pytest.param([agreed(), declined_and_reallocated(), short()], id="three-orders"),
    pytest.param([delivered()], id="delivered-contracts-and-implementation"),
    pytest.param([failed_and_reallocated()], id="failed-after-acceptance-and-reallocated"),
])
def test_the_package_validates_against_the_official_schema(orders):
    built = package(*orders)
    assert errors(built) == []
    assert len(built["releases"]) == len(orders)
    # what validation saw is what a client receives: the package survives a JSON round trip unchanged
    assert json.loads(json.dumps(built)) == built


def test_a_package_of_no_orders_breaks_only_the_schemas_one_or_more_releases_rule():
    built = package()
    assert built["releases"] == []
    found = [(list(e.absolute_path), e.validator) for e in validator().iter_errors(built)]
    assert found == [(["releases"], "minItems")]


@pytest.mark.parametrize("mutate, expected", [
    (lambda p: p["releases"][0].pop("ocid"), "'ocid' is a required property"),
    (lambda p: p["releases"][0]["tender"].update(status="short"), "is not one of"),
    (lambda p: p["releases"][0]["awards"][0]["value"].update(amount="4700.00"), "is not of type"),
    (lambda p: p["releases"][0]["awards"][0]["value"].update(currency="EURO"), "is not one of"),
    (lambda p: p["releases"][0].update(date="2026-11-05 09:00:00"), "is not a 'date-time'"),
    (lambda p: p.update(uri="not a uri"), "is not a 'uri'"),
    (lambda p: p.update(version="1.1.5"), "does not match"),
])
def test_validation_fails_for_an_invalid_package(mutate, expected):
    built = package(agreed())
    assert errors(built) == []
    mutate(built)
    found = errors(built)
    assert found and any(expected in e for e in found), found


def test_every_codelist_value_is_in_the_copied_codelists_and_none_is_deprecated():
    built = package(agreed(), declined_and_reallocated(), short(), delivered(), failed_and_reallocated(),
                    order(5, "cancelled", (part(11, "AT12", "superseded", 5000, "2.35"),)))
    used = {pair for release in built["releases"] for pair in codelist_values(release)}
    assert {name for name, _ in used} >= {"partyRole.csv", "awardCriteria.csv", "awardStatus.csv", "currency.csv",
                                          "relatedProcess.csv", "relatedProcessScheme.csv", "tenderStatus.csv",
                                          "itemClassificationScheme.csv", "method.csv", "releaseTag.csv",
                                          "contractStatus.csv", "milestoneStatus.csv", "milestoneType.csv"}
    unknown = {(name, value) for name, value in used if value not in codelist(name)} - OWN_CODES
    assert unknown == set()
    assert OWN_CODES <= used
    assert [(n, v) for n, v in used if codelist(n).get(v, {}).get("Deprecated")] == []
