"""The registry's organisations over HTTP on real PostgreSQL: their lifecycle and its events, unique
registration numbers (also under concurrent registrations), validation, search and paging."""
from __future__ import annotations

import uuid

import pytest

from tests.support.registry_api import ADDRESS, CONTACT, company, se, site  # noqa: F401 - fixture
from tests.support.sites import API

pytestmark = pytest.mark.services


def test_organisation_lifecycle(site):
    org = site.create("/organisations", se())
    assert org["reference"].startswith("AT12-O-") and org["reference"].endswith("-0001")
    assert org["status"] == "active" and org["version"] == 1 and org["contact"] == CONTACT

    public = site.call("GET", f"/organisations/{org['id']}", as_=None, expect=200).json
    assert public["contact"] is None and public["name"] == "Werkstatt Nord"

    updated = site.call("PATCH", f"/organisations/{org['id']}", json={"name": "Werkstatt Süd"}, expect=200).json
    assert updated["name"] == "Werkstatt Süd" and updated["version"] == 2
    site.call("PATCH", f"/organisations/{org['id']}", json={"name": "Werkstatt Süd"}, expect=200)  # no change
    assert site.call("GET", "/organisations?q=SÜD", as_=None).json["total"] == 1

    withdrawn = site.call("POST", f"/organisations/{org['id']}/withdraw", json={"reason": "left"}, expect=200).json
    assert withdrawn["status"] == "withdrawn" and withdrawn["version"] == 3
    conflict = site.call("POST", f"/organisations/{org['id']}/withdraw", expect=409).json
    assert "withdrawn" in conflict["message"]
    assert "withdrawn" in site.call("PATCH", f"/organisations/{org['id']}", json={"name": "x"}, expect=409).json[
        "message"]
    site.call("GET", f"/organisations/{org['id']}", as_=None, expect=404)
    site.call("GET", f"/organisations/{org['id']}", as_="broker", expect=200)

    assert [(t, v) for t, _, v, _ in site.outbox_rows()] == [
        ("registry.organisation.registered", 1), ("registry.organisation.updated", 2),
        ("registry.organisation.withdrawn", 3)]


def test_duplicate_registration_number_is_a_conflict(site):
    site.create("/organisations", se())
    dup = site.call("POST", "/organisations", json=se(registration_number="fn1234A", name="Other"), expect=409).json
    assert dup["errors"] == {"registration_number": ["already registered at this site"]}
    other = site.create("/organisations", company())
    site.call("PATCH", f"/organisations/{other['id']}", json={"registration_number": "FN 1234 a"}, expect=409)


def test_concurrent_registrations_of_one_number_give_one_organisation(site):
    from concurrent.futures import ThreadPoolExecutor

    def register(i):
        client = site.client.application.test_client()
        return client.post(f"{API}/organisations", json=se(name=f"Racer {i}"), headers=site.headers["admin"])

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(r.status_code for r in pool.map(register, range(6)))
    assert statuses == [201] + [409] * 5
    references = [i["reference"] for i in site.call("GET", "/organisations", as_=None).json["items"]]
    assert len(references) == 1


def test_organisation_validation_messages(site):
    errors = site.call("POST", "/organisations", json=se(labour_market_segment=None), expect=422).json["errors"]
    assert "labour_market_segment" in errors
    errors = site.call("POST", "/organisations", json=company(labour_market_segment="third_labour_market"),
                       expect=422).json["errors"]
    assert "labour_market_segment" in errors
    body = se(nuts3="XX", kind="charity", address={**ADDRESS, "country": "Austria"}, surprise=1)
    body.pop("name")
    errors = site.call("POST", "/organisations", json=body, expect=422).json["errors"]
    assert {"nuts3", "kind", "address", "name", "surprise"} <= set(errors)
    assert errors["name"] == ["Missing data for required field."]
    site.call("PATCH", f"/organisations/{uuid.uuid4()}", json={"name": "x"}, expect=404)
    site.call("PATCH", f"/organisations/{uuid.uuid4()}", json={"kind": "public_institution"}, expect=422)


def test_organisation_search_and_paging(site):
    for i in range(5):
        site.create("/organisations", se(name=f"Werkstatt {i}", registration_number=f"FN {i}", nuts3="AT123"))
    site.create("/organisations", company(nuts3="AT130"))
    page = site.call("GET", "/organisations?kind=social_enterprise&per_page=2&page=3", as_=None, expect=200).json
    assert (page["total"], len(page["items"]), page["page"]) == (5, 1, 3)
    assert all(item["contact"] is None for item in page["items"])
    assert site.call("GET", "/organisations?nuts=at13", as_=None).json["total"] == 1
    assert site.call("GET", "/organisations?q=werkSTATT%203", as_=None).json["total"] == 1
    assert site.call("GET", "/organisations?q=100%25", as_=None).json["total"] == 0  # % matches literally
    staff_view = site.call("GET", "/organisations?q=Werkstatt%200", as_="broker").json["items"][0]
    assert staff_view["contact"] == CONTACT
    site.call("GET", "/organisations?status=withdrawn", as_=None, expect=403)
    assert site.call("GET", "/organisations?status=all", as_="admin").json["total"] == 6
