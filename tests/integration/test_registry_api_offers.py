"""The registry's offers over HTTP on real PostgreSQL: their lifecycle, search and events, their rules
and validation, and who may manage them."""
from __future__ import annotations

import uuid

import pytest

from tests.support.registry_api import company, offer, se, site  # noqa: F401 - fixture

pytestmark = pytest.mark.services


def test_offer_lifecycle_and_search(site):
    org = site.create("/organisations", se())
    created = site.create("/offers", offer(org["id"]))
    assert created["currency"] == "EUR" and created["capacity_per_week"] == "12.5"
    assert created["reference"].startswith("AT12-F-")
    site.create("/offers", offer(org["id"], title="Bags from banners", cpv_codes=["18900000"], cross_border=False))

    updated = site.call("PATCH", f"/offers/{created['id']}", json={"capacity_per_week": "20", "price_max": 25.5},
                        expect=200).json
    assert (updated["capacity_per_week"], updated["price_max"], updated["version"]) == ("20", "25.5", 2)

    assert site.call("GET", "/offers?cpv=39000000", as_=None).json["total"] == 1
    assert site.call("GET", "/offers?cpv=1", as_=None).json["total"] == 1
    assert site.call("GET", "/offers?nuts=AT12&q=BANNER", as_=None).json["total"] == 1
    assert site.call("GET", "/offers?nuts=HU", as_=None).json["total"] == 0
    assert site.call("GET", "/offers?cross_border=true", as_=None).json["total"] == 1
    assert site.call("GET", f"/organisations?cpv=18900000", as_=None).json["total"] == 1

    site.call("POST", f"/offers/{created['id']}/withdraw", json={}, expect=200)
    assert "withdrawn" in site.call("POST", f"/offers/{created['id']}/withdraw", expect=409).json["message"]
    site.call("PATCH", f"/offers/{created['id']}", json={"title": "x"}, expect=409)
    site.call("GET", f"/offers/{created['id']}", as_=None, expect=404)
    assert site.call("GET", "/offers", as_=None).json["total"] == 1
    assert site.call("GET", "/offers?status=withdrawn", as_="broker").json["total"] == 1

    types = [t for t, *_ in site.outbox_rows() if t.startswith("registry.offer")]
    assert types == ["registry.offer.published", "registry.offer.published", "registry.offer.updated",
                     "registry.offer.withdrawn"]


def test_offer_rules_and_validation(site):
    org = site.create("/organisations", se())
    client = site.create("/organisations", company())
    unknown = site.call("POST", "/offers", json=offer(org["id"], cpv_codes=["39100000", "99999999"]),
                        expect=422).json
    assert unknown["errors"] == {"cpv_codes": {"1": ["99999999 is not a CPV 2008 code"]}}
    assert "organisation_id" in site.call("POST", "/offers", json=offer(client["id"]), expect=422).json["errors"]
    assert "organisation_id" in site.call("POST", "/offers", json=offer(str(uuid.uuid4())), expect=422).json[
        "errors"]
    assert "price_max" in site.call("POST", "/offers", json=offer(org["id"], price_min="30"), expect=422).json[
        "errors"]
    bad = offer(org["id"], capacity_per_week="1e999", lead_time_days=10 ** 40, price_min=-1, currency="euro",
                title="\x00", cpv_codes="39100000")
    errors = site.call("POST", "/offers", json=bad, expect=422).json["errors"]
    assert {"capacity_per_week", "lead_time_days", "price_min", "currency", "title", "cpv_codes"} <= set(errors)
    site.call("POST", f"/organisations/{org['id']}/withdraw", expect=200)
    site.call("POST", "/offers", json=offer(org["id"]), expect=422)


def test_withdrawing_an_organisation_withdraws_its_offers(site):
    org = site.create("/organisations", se())
    o = site.create("/offers", offer(org["id"]))
    site.call("POST", f"/organisations/{org['id']}/withdraw", expect=200)
    assert site.call("GET", f"/offers/{o['id']}", as_="admin").json["status"] == "withdrawn"


def test_a_member_manages_only_its_own_organisations_offers(site):
    own = site.create("/organisations", se())
    other = site.create("/organisations", se(name="Other SE", registration_number="FN 777"))
    site.add_user("member", ["member"], organisation_id=own["id"])
    mine = site.create("/offers", offer(own["id"]), as_="member")
    theirs = site.create("/offers", offer(other["id"]))
    patched = site.call("PATCH", f"/offers/{mine['id']}", as_="member", json={"title": "Mine"}, expect=200)
    assert patched.json["title"] == "Mine"
    site.call("PATCH", f"/offers/{theirs['id']}", as_="member", json={"title": "Hijack"}, expect=403)
    site.call("POST", "/offers", as_="member", json=offer(other["id"]), expect=403)
    site.call("POST", f"/offers/{theirs['id']}/withdraw", as_="member", expect=403)
    site.call("POST", f"/offers/{mine['id']}/withdraw", as_="member", expect=200)
    assert site.call("GET", f"/offers/{mine['id']}", as_="member", expect=200).json["status"] == "withdrawn"
    site.call("PATCH", f"/organisations/{own['id']}", as_="member", json={"name": "x"}, expect=403)
    assert site.call("GET", f"/offers/{theirs['id']}").json["title"] != "Hijack"
