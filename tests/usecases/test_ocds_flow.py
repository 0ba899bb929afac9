"""The OCDS export of an order the hub's flow took from request to delivery (SQLite and PostgreSQL):
answers, production, partial deliveries and a failure re-allocated, reported through the hub's
handlers, become the contract and implementation stages. The open package holds the order only once it
is delivered, validates against the official 1.1.5 schema, and ocdskit compiles it with the agency's
earlier export into one record."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from services.bootstrap import create_app
from services.contracts.events import enquiries as ev
from tests.support.hub import runtime  # noqa: F401 - fixture
from tests.support.ocds import OCDS, errors
from tests.support.tokens import bearer
# the hub's handlers driven with a clock under the test's control, as the flow's own use-case tests drive them
from tests.usecases.test_hub_crossborder_progress import NOW, Hub, agreed_order, impact

OPEN, AGENCY = "/api/v1/ocds/completed/release-package", "/api/v1/ocds/release-package"


@pytest.fixture
def hub(runtime):  # noqa: F811 - the fixture imported above
    return Hub(runtime)


def by_site(package: dict) -> dict[str, dict]:
    [release] = package["releases"]
    sites = {p["id"]: p["details"]["site"] for p in release["parties"] if "details" in p and "site" in p["details"]}
    return {sites[c["awardID"]]: c for c in release.get("contracts", [])}


def test_a_delivered_order_is_published_with_its_contracts_deliveries_and_failure(hub):
    client = create_app(hub.runtime).test_client()
    agency = bearer(hub.runtime, ["agency_viewer"])
    enquiry_id, parts = agreed_order(hub)  # HU22 2,400 bags in forints, AT12 600 in euros
    hub.now = NOW + timedelta(days=7)
    hub.report(ev.PartFailed, parts["AT12"], "failed", deliveries=[200], failure={"code": "se_withdrew", "params": {}})
    _, now = hub.order(enquiry_id)
    (at11,) = [p for p in now if p["status"] == "forwarded"]  # the 400 missing bags, re-allocated
    hub.answer(at11, "accepted")
    hub.report(ev.PartDeliveryRecorded, parts["HU22"], "in_production", deliveries=[1000], version=3)

    under_way = client.get(AGENCY, headers=agency).get_json()
    assert errors(under_way) == [] and by_site(under_way)["HU22"]["status"] == "active"
    assert client.get(OPEN).get_json()["releases"] == [], "in production: not public yet"

    hub.report(ev.PartDeliveryRecorded, parts["HU22"], "delivered", deliveries=[1000, 1400], version=4,
               impact=impact("6000.00", "480.5", "900", "120", "0.5"))
    hub.report(ev.PartDeliveryRecorded, at11, "delivered", deliveries=[400])
    order, _ = hub.order(enquiry_id)
    assert order["status"] == "delivered"

    published = client.get(OPEN).get_json()
    assert errors(published) == []
    contracts = by_site(published)
    assert {site: c["status"] for site, c in contracts.items()} == {
        "HU22": "terminated", "AT12": "terminated", "AT11": "terminated"}
    assert contracts["HU22"]["value"] == {"amount": 2400000, "currency": "HUF"}  # 2,400 x 1,000 HUF
    hu22 = contracts["HU22"]["implementation"]
    assert [t["value"]["amount"] for t in hu22["transactions"]] == [1000000, 1400000]
    assert [m["status"] for m in hu22["milestones"]] == ["met", "met", "met"]
    *_, whole = contracts["AT12"]["implementation"]["milestones"]
    assert (whole["status"], whole["code"]) == ("notMet", "se_withdrew")
    assert "200 of 600 bags delivered, 400 missing" in whole["description"]

    ocdskit = Path(sys.executable).with_name("ocdskit")
    compiled = subprocess.run(
        [str(ocdskit), "compile", "--package", "--schema", str(OCDS / "release-schema.json"),
         "--uri", "http://localhost:8000/records", "--published-date", "2026-12-20T12:00:00Z"],
        input=json.dumps(under_way) + "\n" + json.dumps(published), capture_output=True, text=True, timeout=60,
        check=True)
    records = json.loads(compiled.stdout)
    assert errors(records, "record-package-schema.json") == []
    [record] = records["records"]
    assert len(record["releases"]) == 2
    assert {c["status"] for c in record["compiledRelease"]["contracts"]} == {"terminated"}
