"""The registry's case studies over HTTP on real PostgreSQL: their lifecycle, search, rules and events."""
from __future__ import annotations

import pytest

from tests.support.registry_api import company, se, site  # noqa: F401 - fixture

pytestmark = pytest.mark.services


def test_case_study_lifecycle_and_search(site):
    org = site.create("/organisations", se())
    client = site.create("/organisations", company())
    body = {"title": "Give-aways from banners", "summary": "Bags sewn from old banners", "year": 2025,
            "cpv_codes": ["18900000"], "client_organisation_id": client["id"], "social_enterprise_id": org["id"],
            "impact": {"value_paid_eur": "15000.50", "material_diverted_kg": "800", "integration_hours": "1200"}}
    study = site.create("/case-studies", body)
    assert study["impact"]["value_paid_eur"] == "15000.50" and study["reference"].startswith("AT12-C-")
    site.create("/case-studies", {**body, "title": "Pallet chairs", "cpv_codes": ["39100000"], "year": 2024})

    assert site.call("GET", "/case-studies?cpv=18", as_=None).json["total"] == 1
    assert site.call("GET", "/case-studies?year=2024&q=pallet", as_=None).json["total"] == 1
    assert site.call("GET", "/case-studies?nuts=AT123", as_=None).json["total"] == 2
    assert site.call("GET", f"/case-studies?organisation_id={client['id']}&per_page=1", as_=None).json[
        "total"] == 2

    updated = site.call("PATCH", f"/case-studies/{study['id']}", json={"summary": "New"}, expect=200).json
    assert updated["version"] == 2
    swapped = {**body, "social_enterprise_id": client["id"]}
    assert "social_enterprise_id" in site.call("POST", "/case-studies", json=swapped, expect=422).json["errors"]
    assert "cpv_codes" in site.call("POST", "/case-studies", json={**body, "cpv_codes": ["12345678"]},
                                    expect=422).json["errors"]
    site.call("POST", f"/case-studies/{study['id']}/withdraw", expect=200)
    site.call("POST", f"/case-studies/{study['id']}/withdraw", expect=409)
    site.call("GET", f"/case-studies/{study['id']}", as_=None, expect=404)
    site.call("POST", "/case-studies", as_="assessor", json=body, expect=403)
    assert [t for t, *_ in site.outbox_rows() if "case_study" in t] == [
        "registry.case_study.published", "registry.case_study.published", "registry.case_study.updated",
        "registry.case_study.withdrawn"]
