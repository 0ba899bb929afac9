"""The hub's OCDS packages work with ocdskit: combined (library and command line) and compiled into
records that still validate against the official OCDS 1.1.5 schema."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ocdskit.combine import combine_release_packages, merge

from tests.support.ocds import errors, ocds_schema
from tests.support.ocds_orders import agreed, declined_and_reallocated, package, short


def test_ocdskit_combines_two_packages_into_one_that_validates():
    one, two = package(agreed()), package(declined_and_reallocated(), short())
    combined = combine_release_packages([one, two], uri="http://localhost:8000/combined",
                                        published_date="2026-11-22T12:00:00Z")
    assert errors(combined) == []
    assert [r["ocid"] for r in combined["releases"]] == [r["ocid"] for r in one["releases"] + two["releases"]]
    assert combined["publisher"] == {"name": "SoPro Innovation Agency (EEIG)"}


def test_the_ocdskit_cli_combines_packages_too():
    one, two = package(agreed()), package(short())
    ocdskit = Path(sys.executable).with_name("ocdskit")
    done = subprocess.run([str(ocdskit), "combine-release-packages", "--uri", "http://localhost:8000/combined",
                           "--published-date", "2026-11-22T12:00:00Z"],
                          input=json.dumps(one) + "\n" + json.dumps(two), capture_output=True, text=True,
                          timeout=60, check=True)
    combined = json.loads(done.stdout)
    assert errors(combined) == []
    assert len(combined["releases"]) == 2


def test_ocdskit_compiles_two_states_of_an_order_into_a_record_where_the_awards_follow_their_ids():
    # a package's uri identifies it uniquely (the record package lists them, unique)
    before = package(declined_and_reallocated("forwarded"), uri="http://localhost:8000/api/v1/ocds/release-package?v=1")
    after = package(declined_and_reallocated("agreed"), uri="http://localhost:8000/api/v1/ocds/release-package?v=2")
    [record_package] = merge([before, after], schema=ocds_schema("release-schema.json"), return_package=True,
                             uri="http://localhost:8000/records", published_date="2026-11-22T12:00:00Z")
    assert errors(record_package, "record-package-schema.json") == []
    [record] = record_package["records"]
    assert [r["id"] for r in record["releases"]] == [before["releases"][0]["id"], after["releases"][0]["id"]]
    compiled = record["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"
    assert {a["id"]: a["status"] for a in compiled["awards"]} == {
        "AT12-10000000-0000-4000-8000-000000000004": "active", "AT22-10000000-0000-4000-8000-000000000005": "active",
        "HU22-10000000-0000-4000-8000-000000000006": "unsuccessful",
        "AT11-10000000-0000-4000-8000-000000000007": "active"}
