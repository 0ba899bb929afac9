"""How the hub maps its cross-border orders to OCDS releases: parties, awards and related processes,
declined and short orders, release ids, money as JSON numbers and times in UTC."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.hub.ocds.release import json_number
from tests.support.ocds_orders import T0, agreed, by_id, declined_and_reallocated, order, package, short


def test_the_agreed_consortium_maps_to_parties_awards_and_related_processes():
    built = package(agreed())
    release = built["releases"][0]
    assert release["ocid"] == "ocds-sopro1-30000000-0000-4000-8000-000000000001"
    assert release["tag"] == ["tender", "award", "contract"]  # every part accepted: a contract each
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
