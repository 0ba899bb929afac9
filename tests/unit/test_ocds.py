"""The hub's OCDS export validates against the official OCDS 1.1.5 schema (copied to tests/data, resolved
locally: no network), uses codelist values as the copied codelists define them, and works with ocdskit."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ocdskit.combine import combine_release_packages, merge

from services.hub.ocds.release import OcdsOrder, OcdsPart, json_number, release_package
from tests.support.ocds import OCDS, errors, ocds_schema, validator

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PUBLISHED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SITE_NAMES = {"AT12": "Niederösterreich", "AT13": "Wien", "AT22": "Steiermark", "HU22": "Nyugat-Dunántúl"}
# values of open codelists this export adds on purpose (see services/hub/ocds.py)
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


# --- orders ---------------------------------------------------------------------------------------------

def part(n: int, site: str, status: str, quantity: int, price: str, *, currency: str = "EUR",
         labelled: bool = False, hours: int = 0) -> OcdsPart:
    forwarded = T0 + timedelta(hours=hours)
    return OcdsPart(
        part_id=f"00000000-0000-4000-8000-{n:012d}", site=site, organisation_id=f"10000000-0000-4000-8000-{n:012d}",
        organisation_name=f"Werkstatt {n}", organisation_nuts3={"AT12": "AT125", "AT22": "AT221",
                                                                "HU22": "HU221", "AT11": "AT112"}[site],
        offer_id=f"20000000-0000-4000-8000-{n:012d}", quantity=quantity, unit_price=Decimal(price),
        currency=currency, status=status, forwarded_at=forwarded,
        answered_at=None if status == "forwarded" else forwarded + timedelta(days=1), labelled=labelled,
        label_number=f"SOPRO-{site}-2026-{n:04d}" if labelled else None, workers_in_integration=10 + n,
        uri=f"http://127.0.0.1:8{n:03d}/api/v1/forwarded-parts/00000000-0000-4000-8000-{n:012d}")


def order(n: int, status: str, parts: tuple[OcdsPart, ...], *, quantity: int = 5000,
          updated: datetime = T0 + timedelta(days=3), **changes) -> OcdsOrder:
    fields = dict(
        order_id=f"30000000-0000-4000-8000-{n:012d}", origin_site="AT13",
        enquiry_id=f"40000000-0000-4000-8000-{n:012d}",
        enquiry_reference=f"AT13-E-2026-{n:04d}", title="Upcycled tote bags", enquiry_type="recycling_upcycling",
        cpv_codes=["18930000", "39560000"], quantity=quantity, unit="piece", deadline=date(2026, 12, 15),
        delivery_nuts3="AT130", budget=Decimal("15000.00"), currency="EUR", label_required=False, status=status,
        created_at=T0 - timedelta(hours=1), updated_at=updated, parts=parts, client_kind="economic_enterprise")
    return OcdsOrder(**{**fields, **changes})


def agreed() -> OcdsOrder:
    """5,000 bags at AT13 from AT12, AT22 (EUR) and HU22 (HUF), every part accepted."""
    return order(1, "agreed", (part(1, "AT12", "accepted", 2000, "2.35", labelled=True),
                               part(2, "AT22", "accepted", 1500, "2.40"),
                               part(3, "HU22", "accepted", 1500, "910.50", currency="HUF", labelled=True)),
                 label_required=True)


def declined_and_reallocated(status: str = "forwarded") -> OcdsOrder:
    """HU22 declined its part; the hub re-allocated it to AT11, whose answer is awaited."""
    return order(2, status, (part(4, "AT12", "accepted", 2000, "2.35"), part(5, "AT22", "accepted", 1500, "2.40"),
                             part(6, "HU22", "declined", 1500, "905", currency="HUF"),
                             part(7, "AT11", "accepted" if status == "agreed" else "forwarded", 1500, "2.55",
                                  hours=30)),
                 updated=T0 + timedelta(days=2 if status == "forwarded" else 3))


def short() -> OcdsOrder:
    """No SE is left for the part HU22 declined: 1,500 of 5,000 bags are missing."""
    return order(3, "short", (part(8, "AT12", "accepted", 2000, "2.35"), part(9, "AT22", "accepted", 1500, "2.40"),
                              part(10, "HU22", "declined", 1500, "905", currency="HUF")),
                 budget=None, deadline=None, client_kind=None)


def package(*orders: OcdsOrder, **options) -> dict:
    return release_package(orders, published_date=PUBLISHED, site_names=SITE_NAMES, **options)


def by_id(items: list[dict]) -> dict[str, dict]:
    return {item["id"]: item for item in items}


# --- validation -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("orders", [
    pytest.param([agreed()], id="agreed-consortium-EUR-and-HUF"),
    pytest.param([declined_and_reallocated()], id="declined-and-reallocated"),
    pytest.param([short()], id="short"),
    pytest.param([order(4, "allocating", ())], id="allocating-no-parts"),
    pytest.param([order(5, "cancelled", (part(11, "AT12", "superseded", 5000, "2.35"),), unit=None, cpv_codes=[])],
                 id="cancelled-superseded"),
    pytest.param([agreed(), declined_and_reallocated(), short()], id="three-orders"),
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
    built = package(agreed(), declined_and_reallocated(), short(),
                    order(5, "cancelled", (part(11, "AT12", "superseded", 5000, "2.35"),)))
    used = {pair for release in built["releases"] for pair in codelist_values(release)}
    assert {name for name, _ in used} >= {"partyRole.csv", "awardCriteria.csv", "awardStatus.csv", "currency.csv",
                                          "relatedProcess.csv", "relatedProcessScheme.csv", "tenderStatus.csv",
                                          "itemClassificationScheme.csv", "method.csv", "releaseTag.csv"}
    unknown = {(name, value) for name, value in used if value not in codelist(name)} - OWN_CODES
    assert unknown == set()
    assert OWN_CODES <= used
    assert [(n, v) for n, v in used if codelist(n).get(v, {}).get("Deprecated")] == []


# --- the mapping ---------------------------------------------------------------------------------------------

def test_the_agreed_consortium_maps_to_parties_awards_and_related_processes():
    built = package(agreed())
    release = built["releases"][0]
    assert release["ocid"] == "ocds-sopro1-30000000-0000-4000-8000-000000000001"
    assert release["tag"] == ["tender", "award"]
    parties = by_id(release["parties"])
    assert parties["AT13"] == {"id": "AT13", "name": "SoPro service site Wien (AT13)", "roles": ["procuringEntity"]}
    assert parties["client"] == {"id": "client", "roles": ["buyer"], "details": {"kind": "economic_enterprise"}}
    hu = parties["HU22-10000000-0000-4000-8000-000000000003"]
    assert hu["roles"] == ["supplier"] and hu["address"] == {"region": "HU221"}
    assert hu["details"]["label"]["id"] == "SOPRO-HU22-2026-0003" and hu["details"]["workersInIntegration"] == 13

    tender = release["tender"]
    assert (tender["id"], tender["status"], tender["mainProcurementCategory"]) == ("AT13-E-2026-0001", "complete",
                                                                                   "goods")
    assert tender["procuringEntity"]["id"] == "AT13"
    assert tender["items"][0]["classification"] == {"scheme": "CPV", "id": "18930000",
                                                    "description": "Sacks and bags"}
    assert tender["items"][0]["additionalClassifications"][0]["id"] == "39560000"
    assert (tender["items"][0]["quantity"], tender["items"][0]["unit"]) == (5000, {"name": "piece"})
    assert tender["value"] == {"amount": 15000, "currency": "EUR"}
    assert tender["contractPeriod"] == {"endDate": "2026-12-15T23:59:59Z"}
    assert tender["tenderPeriod"] == {"startDate": "2026-11-02T08:00:00Z", "endDate": "2026-11-05T09:00:00Z"}
    assert "socio-ecologically produced" in tender["eligibilityCriteria"]

    awards = by_id(release["awards"])
    assert {a["status"] for a in awards.values()} == {"active"}
    at12 = awards["AT12-10000000-0000-4000-8000-000000000001"]
    assert at12["value"] == {"amount": 4700, "currency": "EUR"}
    assert at12["suppliers"] == [{"id": "AT12-10000000-0000-4000-8000-000000000001", "name": "Werkstatt 1"}]
    assert at12["items"][0]["additionalClassifications"][-1] == {
        "scheme": "SOPRO-LABEL", "id": "SOPRO-AT12-2026-0001",
        "description": 'Quality label "socio-ecologically produced"'}
    hu_award = awards["HU22-10000000-0000-4000-8000-000000000003"]
    assert hu_award["value"] == {"amount": 1365750, "currency": "HUF"}  # 1,500 x 910.50 HUF, not converted
    assert hu_award["items"][0]["unit"]["value"] == {"amount": 910.5, "currency": "HUF"}
    unlabelled = awards["AT22-10000000-0000-4000-8000-000000000002"]["items"][0]["additionalClassifications"]
    assert [c["scheme"] for c in unlabelled] == ["CPV"]  # no label for an SE without one

    related = release["relatedProcesses"]
    assert [r["identifier"] for r in related] == [p.part_id for p in agreed().parts]
    assert related[2] == {"id": agreed().parts[2].part_id, "relationship": ["subContract"],
                          "title": "Part forwarded to site HU22: 1500 piece, accepted", "scheme": "SOPRO-PART",
                          "identifier": agreed().parts[2].part_id, "uri": agreed().parts[2].uri}


def test_a_declined_part_makes_its_se_a_tenderer_and_the_reallocated_part_a_pending_award():
    release = package(declined_and_reallocated())["releases"][0]
    parties, awards = by_id(release["parties"]), by_id(release["awards"])
    hu, at11 = "HU22-10000000-0000-4000-8000-000000000006", "AT11-10000000-0000-4000-8000-000000000007"
    assert parties[hu]["roles"] == ["tenderer"] and parties[at11]["roles"] == ["supplier"]
    assert (awards[hu]["status"], awards[at11]["status"]) == ("unsuccessful", "pending")
    assert awards[hu]["value"] == {"amount": 1357500, "currency": "HUF"}
    assert release["tender"]["status"] == "active" and "endDate" not in release["tender"]["tenderPeriod"]
    assert [r["title"].rsplit(", ", 1)[1] for r in release["relatedProcesses"]] == [
        "accepted", "accepted", "declined", "forwarded"]


def test_a_short_order_says_how_much_is_missing_and_names_no_client():
    release = package(short())["releases"][0]
    assert release["tender"]["status"] == "unsuccessful"
    assert "1500 of 5000 units could not be allocated" in release["tender"]["description"]
    assert "buyer" not in release and all("buyer" not in p["roles"] for p in release["parties"])
    assert [a["status"] for a in release["awards"]] == ["active", "active", "unsuccessful"]


def test_release_ids_are_stable_per_state_and_change_with_it():
    first = package(declined_and_reallocated())["releases"][0]
    again = package(declined_and_reallocated())["releases"][0]
    later = package(declined_and_reallocated("agreed"))["releases"][0]
    same_time = package(order(2, "forwarded", declined_and_reallocated().parts[:3],
                              updated=T0 + timedelta(days=2)))["releases"][0]
    assert first["id"] == again["id"] and first["id"].startswith("20261104T090000000000Z-")
    assert len({first["id"], later["id"], same_time["id"]}) == 3
    assert first["ocid"] == later["ocid"] == same_time["ocid"]
    assert "#" not in first["id"]


@pytest.mark.parametrize("amount, number", [("4700.00", 4700), ("910.50", 910.5), ("0.1", 0.1),
                                            ("1365750", 1365750), ("123456789012.34", 123456789012.34)])
def test_decimal_money_becomes_the_json_number_with_the_same_digits(amount, number):
    assert json_number(Decimal(amount)) == number
    assert Decimal(json.dumps(json_number(Decimal(amount)))) == Decimal(amount)


def test_a_decimal_with_more_digits_than_a_json_number_keeps_is_refused():
    with pytest.raises(ValueError):
        json_number(Decimal("12345678901234567.89"))


def test_times_are_rfc3339_utc_whatever_the_input_zone():
    vienna = datetime(2026, 11, 5, 11, 0, tzinfo=ZoneInfo("Europe/Vienna"))  # 10:00 UTC
    naive = datetime(2026, 11, 5, 9, 0, 0, 250000)  # as SQLite gives it back: UTC without a zone
    dates = [package(order(6, "allocating", (), updated=updated))["releases"][0]["date"] for updated in (vienna, naive)]
    assert dates == ["2026-11-05T10:00:00Z", "2026-11-05T09:00:00.250000Z"]
    assert package()["publishedDate"] == "2026-11-22T12:00:00Z"


# --- ocdskit ------------------------------------------------------------------------------------------------

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
