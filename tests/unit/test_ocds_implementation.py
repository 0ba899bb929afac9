"""The contract and implementation stages of the hub's OCDS releases: a contract per accepted part,
linked to its award, valued in the part's currency; transactions and delivery milestones per delivery;
a failure as a milestone not met, with its cause; and the records ocdskit compiles from the stages."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from tests.support.ocds import errors
from tests.support.ocds_orders import agreed, by_id, package
from tests.unit.ocds_deliveries import WITHDREW_AT, delivered, failed_and_reallocated, failed_and_reallocated_delivered

AT12, HU22 = "AT12-10000000-0000-4000-8000-000000000021", "HU22-10000000-0000-4000-8000-000000000023"


def test_a_delivered_order_has_a_contract_per_part_linked_to_its_award_in_the_parts_currency():
    release = package(delivered())["releases"][0]
    assert release["tag"] == ["tender", "award", "contract", "implementation"]
    assert release["tender"]["status"] == "complete"
    awards = {a["id"] for a in release["awards"]}
    contracts = by_id(release["contracts"])
    assert [c["id"] for c in release["contracts"]] == [p.part_id for p in delivered().parts]
    assert {c["awardID"] for c in contracts.values()} == awards
    hu = contracts["00000000-0000-4000-8000-000000000023"]
    assert hu["awardID"] == HU22 and hu["status"] == "terminated"
    assert hu["value"] == {"amount": 1365750, "currency": "HUF"}  # 1,500 x 910.50 HUF, not converted
    assert hu["period"] == {"startDate": "2026-11-03T09:00:00Z", "endDate": "2026-12-15T23:59:59Z"}
    assert hu["dateSigned"] == "2026-11-03T09:00:00Z" and hu["items"][0]["quantity"] == 1500


def test_every_delivery_is_a_transaction_and_a_met_milestone_and_the_whole_part_is_met_on_the_last():
    contract = by_id(package(delivered())["releases"][0]["contracts"])["00000000-0000-4000-8000-000000000021"]
    implementation = contract["implementation"]
    assert implementation["transactions"] == [
        {"id": "50000000-0000-4000-8000-000000000001", "date": "2026-11-20T23:59:59Z",
         "value": {"amount": 2820, "currency": "EUR"}, "payer": {"id": "client"},
         "payee": {"id": AT12, "name": "Werkstatt 21"}},
        {"id": "50000000-0000-4000-8000-000000000002", "date": "2026-11-27T23:59:59Z",
         "value": {"amount": 1880, "currency": "EUR"}, "payer": {"id": "client"},
         "payee": {"id": AT12, "name": "Werkstatt 21"}}]
    milestones = implementation["milestones"]
    assert [(m["type"], m["status"], m.get("dateMet")) for m in milestones] == [
        ("delivery", "met", "2026-11-20T23:59:59Z"), ("delivery", "met", "2026-11-27T23:59:59Z"),
        ("delivery", "met", "2026-11-27T23:59:59Z")]
    assert milestones[-1]["id"] == "00000000-0000-4000-8000-000000000021-whole"
    assert milestones[-1]["dueDate"] == "2026-12-15T23:59:59Z"


def test_the_buyer_pays_and_the_suppliers_are_paid_once_deliveries_are_recorded():
    parties = by_id(package(delivered())["releases"][0]["parties"])
    assert parties["client"] == {"id": "client", "roles": ["buyer", "payer"], "details": {"kind": "economic_enterprise"}}
    assert parties[HU22]["roles"] == ["supplier", "payee"]
    nameless = package(replace(delivered(), client_kind=None))["releases"][0]
    assert "client" not in by_id(nameless["parties"])
    assert all("payer" not in t for c in nameless["contracts"] for t in c["implementation"]["transactions"])


def test_a_failure_is_a_milestone_not_met_with_its_cause_and_the_reallocated_part_a_new_contract():
    release = package(failed_and_reallocated())["releases"][0]
    contracts = by_id(release["contracts"])
    failed = contracts["00000000-0000-4000-8000-000000000026"]
    assert failed["status"] == "terminated"
    assert [t["value"] for t in failed["implementation"]["transactions"]] == [{"amount": 452500, "currency": "HUF"}]
    *deliveries, whole = failed["implementation"]["milestones"]
    assert [m["status"] for m in deliveries] == ["met"]
    assert whole["status"] == "notMet" and whole["code"] == "se_withdrew"
    assert whole["dateModified"] == WITHDREW_AT.isoformat().replace("+00:00", "Z")
    assert "500 of 1500 piece delivered, 1000 missing" in whole["description"]

    in_production = contracts["00000000-0000-4000-8000-000000000024"]
    assert in_production["status"] == "active"
    assert in_production["implementation"]["milestones"][-1]["status"] == "scheduled"
    reallocated = contracts["00000000-0000-4000-8000-000000000027"]
    assert (reallocated["status"], reallocated["value"]) == ("active", {"amount": 2550, "currency": "EUR"})
    assert "implementation" not in reallocated, "accepted, not yet started"
    assert by_id(release["awards"])["HU22-10000000-0000-4000-8000-000000000026"]["status"] == "active"
    assert release["tender"]["status"] == "complete"


def test_an_agreed_order_has_active_contracts_and_no_implementation_yet():
    release = package(agreed())["releases"][0]
    assert [c["status"] for c in release["contracts"]] == ["active"] * 3
    assert all("implementation" not in c for c in release["contracts"])
    assert "implementation" not in release["tag"]


def test_the_stages_validate_against_the_official_schema():
    built = package(delivered(), failed_and_reallocated())
    assert errors(built) == []
    assert json.loads(json.dumps(built)) == built


def test_a_wrong_contract_or_milestone_status_fails_validation():
    for mutate in (lambda c: c.update(status="delivered"),
                   lambda c: c["implementation"]["milestones"][0].update(status="done"),
                   lambda c: c["implementation"]["transactions"][0]["value"].update(amount="2820")):
        built = package(delivered())
        mutate(built["releases"][0]["contracts"][0])
        assert errors(built), "the schema must refuse it"


def test_ocdskit_compiles_production_and_delivery_into_a_record_that_follows_contracts_and_milestones():
    ocdskit = Path(sys.executable).with_name("ocdskit")
    schema = Path(__file__).parents[1] / "data" / "ocds-1.1.5" / "release-schema.json"
    # a package's uri identifies it uniquely (the record package lists them, unique)
    before = package(failed_and_reallocated(), uri="http://localhost:8000/api/v1/ocds/release-package?v=1")
    after = package(failed_and_reallocated_delivered(), uri="http://localhost:8000/api/v1/ocds/release-package?v=2")
    compiled = subprocess.run(
        [str(ocdskit), "compile", "--package", "--schema", str(schema), "--uri", "http://localhost:8000/records",
         "--published-date", "2026-12-20T12:00:00Z"],
        input=json.dumps(before) + "\n" + json.dumps(after), capture_output=True, text=True, timeout=60, check=True)
    record_package = json.loads(compiled.stdout)
    assert errors(record_package, "record-package-schema.json") == []
    [record] = record_package["records"]
    assert [r["id"] for r in record["releases"]] == [before["releases"][0]["id"], after["releases"][0]["id"]]
    contracts = by_id(record["compiledRelease"]["contracts"])
    assert {c["id"][-2:]: c["status"] for c in contracts.values()} == {
        "24": "terminated", "25": "terminated", "26": "terminated", "27": "terminated"}
    at12 = by_id(contracts["00000000-0000-4000-8000-000000000024"]["implementation"]["milestones"])
    assert at12["00000000-0000-4000-8000-000000000024-whole"]["status"] == "met", "scheduled, then met: one id"
    assert len(at12) == 3, "both deliveries and the whole part"
    assert [t["id"][-2:] for t in contracts["00000000-0000-4000-8000-000000000024"]["implementation"]["transactions"]] \
        == ["05", "08"]
    hu22 = by_id(contracts["00000000-0000-4000-8000-000000000026"]["implementation"]["milestones"])
    assert (hu22["00000000-0000-4000-8000-000000000026-whole"]["status"],
            hu22["00000000-0000-4000-8000-000000000026-whole"]["code"]) == ("notMet", "se_withdrew")
    assert record["compiledRelease"]["tag"] == ["compiled"]
