"""The hub's statistics per site on PostgreSQL: only what is active counts, and only the agency may see
them."""
from __future__ import annotations

import pytest

from tests.support.hub_api import client, data, runtime  # noqa: F401 - fixture
from tests.support.tokens import bearer

pytestmark = pytest.mark.services


def test_statistics_need_a_token(client, data):
    response = client.get("/api/v1/statistics")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"


def test_statistics_refuse_other_roles(client, runtime, data):
    response = client.get("/api/v1/statistics", headers=bearer(runtime, ["broker", "site_admin"]))
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["agency_viewer", "agency_admin"])
def test_statistics_per_site_count_only_what_is_active(client, runtime, data, role):
    response = client.get("/api/v1/statistics", headers=bearer(runtime, [role]))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    sites = {s["site"]: s for s in body["sites"]}
    assert set(sites) == {"AT11", "AT12", "AT13", "AT22", "HU22"}  # every member site, even an empty one

    at12 = sites["AT12"]
    assert at12["members"]["total"] == 3
    assert at12["members"]["by_kind"] == {"social_enterprise": 2, "public_institution": 1,
                                          "economic_enterprise": 0, "consulting_institution": 0}
    assert at12["offers_published"] == 3
    assert at12["support_statements"]["total"] == 3  # the erased and the unconfirmed ones do not count
    assert at12["support_statements"]["by_kind"] == {"person": 2, "organisation": 1}
    assert at12["support_statements"]["by_region"] == {"AT123": 2, "AT127": 1}
    assert at12["support_statements"]["by_kind_and_region"] == [
        {"nuts3": "AT123", "kind": "person", "count": 2}, {"nuts3": "AT127", "kind": "organisation", "count": 1}]

    hu22 = sites["HU22"]
    assert (hu22["members"]["total"], hu22["offers_published"], hu22["support_statements"]["total"]) == (1, 1, 1)
    assert sites["AT11"]["members"]["total"] == 0
    assert body["totals"] == {"members": 4, "offers_published": 4, "support_statements": 4, "enquiries": 0}


def test_statistics_of_one_site(client, runtime, data):
    body = client.get("/api/v1/statistics?site=HU22", headers=bearer(runtime, ["agency_viewer"])).get_json()
    assert [s["site"] for s in body["sites"]] == ["HU22"]
    assert body["totals"]["members"] == 1
