"""The registry's HTTP API on real PostgreSQL: writes, reads, search, access rules, erasure, the outbox."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from services.registry.statement_store import audit_trail
from services.registry.tables import support_statement
from tests.support.sites import API, STAFF, Site

pytestmark = pytest.mark.services

ADDRESS = {"street": "Hauptstraße 1", "postcode": "3100", "town": "St. Pölten", "country": "AT"}
CONTACT = {"name": "Maria Huber", "email": "maria.huber@example.org", "phone": "+43 2742 555111"}
PERSON = {"first_name": "Hansjörg", "last_name": "Zaunmaier", "phone": "+43 664 9876543", "phone_kind": "mobile",
          "email": "hansjoerg.zaunmaier@example.org"}


def se(**overrides) -> dict:
    return {"kind": "social_enterprise", "name": "Werkstatt Nord", "registration_number": "FN 1234 a",
            "address": ADDRESS, "nuts3": "AT123", "coordinates": {"lat": 48.2, "lon": 15.62},
            "labour_market_segment": "second_labour_market", "workers_in_integration": 12,
            "website": "https://werkstatt.example.org", "contact": CONTACT, **overrides}


def company(**overrides) -> dict:
    return {"kind": "economic_enterprise", "name": "Bau AG", "registration_number": "FN 9999 z",
            "address": {**ADDRESS, "town": "Krems"}, "nuts3": "AT124", **overrides}


def offer(organisation_id: str, **overrides) -> dict:
    return {"organisation_id": organisation_id, "title": "Pallet furniture", "description": "Upcycled pallets",
            "cpv_codes": ["39100000"], "capacity_per_week": "12.5", "unit": "pieces", "lead_time_days": 14,
            "price_min": "10.00", "price_max": "20.00", "delivery_radius_km": 150, "cross_border": True, **overrides}


class RegistrySite(Site):
    """A running AT12 site with a client, and tokens for users of each role."""

    acting_as = "admin"

    def __init__(self, make_settings, pg_url):
        super().__init__(make_settings("AT12", db_url=pg_url), STAFF + (("assessor", ["assessor"], None),))

    def create(self, path: str, body: dict, as_: str = "admin") -> dict:
        return self.call("POST", path, as_, expect=201, json=body).json


@pytest.fixture
def site(make_settings, pg_url):
    s = RegistrySite(make_settings, pg_url)
    yield s
    s.runtime.engine.dispose()


# --- organisations -----------------------------------------------------------------------------------

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


# --- offers ------------------------------------------------------------------------------------------

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


# --- support statements ------------------------------------------------------------------------------

def test_support_statements_erasure_and_the_outbox_holds_no_personal_data(site):
    org = site.create("/organisations", se())
    receipt = site.create("/support-statements", {"kind": "person", **PERSON, "consent": True, "nuts3": "AT123"},
                          as_=None)
    assert set(receipt) == {"id", "reference", "kind", "organisation_kind", "nuts3", "given_on", "status", "confirmed"}
    on_behalf = site.create("/support-statements", {"kind": "organisation", "organisation_name": "Gemeinde Melk",
                                                    "organisation_kind": "public_institution", "consent": True,
                                                    "nuts3": "AT121", "given_on": "2026-01-15"}, as_=None)
    assert on_behalf["given_on"] == "2026-01-15"

    full = site.call("GET", f"/support-statements/{receipt['id']}", as_="broker", expect=200).json
    assert full["last_name"] == "Zaunmaier" and full["phone_kind"] == "mobile"
    listing = site.call("GET", "/support-statements?q=zaunm", as_="broker", expect=200).json
    assert listing["total"] == 1
    assert site.call("GET", "/support-statements?kind=organisation&nuts=AT121").json["total"] == 1

    site.call("POST", f"/support-statements/{receipt['id']}/withdraw", json={"reason": "by letter"}, expect=200)
    site.call("POST", f"/support-statements/{receipt['id']}/withdraw", expect=409)
    erased = site.call("POST", f"/support-statements/{receipt['id']}/erase", as_="broker", json={}, expect=200).json
    assert erased["status"] == "erased" and erased["first_name"] is None and erased["email"] is None
    assert "erased" in site.call("POST", f"/support-statements/{receipt['id']}/erase", expect=409).json["message"]

    with site.runtime.engine.connect() as conn:
        row = conn.execute(select(support_statement).where(support_statement.c.id == receipt["id"])).one()
        trail = audit_trail(conn, receipt["id"])
    assert (row.first_name, row.last_name, row.phone, row.phone_kind, row.email) == (None,) * 5
    assert row.search_text == ""  # the search index forgot the person too
    assert site.call("GET", "/support-statements?q=zaunm", as_="broker").json["total"] == 0
    assert [(e["action"], e["actor"]) for e in trail] == [("withdrawn", "admin"), ("erased", "broker")]
    assert trail[1]["fields"] == ["first_name", "last_name", "phone", "phone_kind", "email"]
    assert not any(value in json.dumps(trail, default=str) for value in PERSON.values() if value != "mobile")
    audit = site.call("GET", f"/support-statements/{receipt['id']}/audit", expect=200).json
    assert [e["action"] for e in audit] == ["withdrawn", "erased"]

    rows = site.outbox_rows()
    assert [t for t, *_ in rows if "support_statement" in t] == [
        "registry.support_statement.recorded", "registry.support_statement.recorded",
        "registry.support_statement.withdrawn", "registry.support_statement.erased"]
    for type_name, _, _, data in rows:
        site.runtime.validator.validate(type_name, 1, data)  # the committed JSON Schemas accept every event
    everything = json.dumps([data for *_, data in rows], ensure_ascii=False).lower()
    for value in [*PERSON.values(), *CONTACT.values()]:
        if value != "mobile":
            assert value.lower() not in everything, value
    assert org["name"].lower() in everything  # organisations' public data does travel


def test_support_statement_validation_and_access(site):
    form = {"kind": "person", **PERSON, "consent": False, "nuts3": "AT123"}
    assert site.call("POST", "/support-statements", as_=None, json=form, expect=422).json["errors"] == {
        "consent": ["consent is required to record a statement of support"]}
    no_consent = dict(form)
    no_consent.pop("consent")
    assert "consent" in site.call("POST", "/support-statements", as_=None, json=no_consent, expect=422).json["errors"]
    assert "phone_kind" in site.call("POST", "/support-statements", as_=None,
                                     json={**form, "consent": True, "phone_kind": "pager"}, expect=422).json["errors"]
    receipt = site.create("/support-statements", {**form, "consent": True}, as_=None)
    site.call("GET", "/support-statements", as_=None, expect=401)
    site.call("GET", f"/support-statements/{receipt['id']}", as_=None, expect=401)
    site.call("GET", f"/support-statements/{receipt['id']}", as_="assessor", expect=403)
    site.call("POST", f"/support-statements/{receipt['id']}/erase", as_="assessor", expect=403)
    site.call("POST", f"/support-statements/{uuid.uuid4()}/erase", expect=404)


# --- case studies ------------------------------------------------------------------------------------

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


# --- auth and hostile input --------------------------------------------------------------------------

def test_writes_need_a_valid_token_and_the_right_role(site):
    site.call("POST", "/organisations", as_=None, json=se(), expect=401)
    resp = site.client.post(f"{API}/organisations", json=se(), headers={"Authorization": "Bearer garbage"})
    assert resp.status_code == 401 and resp.json["code"] == "unauthorized"
    resp = site.client.post(f"{API}/organisations", json=se(), headers={"Authorization": "Basic abc"})
    assert resp.status_code == 401
    site.call("POST", "/organisations", as_="assessor", json=se(), expect=403)
    site.call("POST", "/offers", as_="assessor", json=offer(str(uuid.uuid4())), expect=403)
    site.call("POST", "/organisations", as_="broker", json=se(), expect=201)


def test_nothing_a_client_sends_produces_a_500(site):
    org = site.create("/organisations", se())
    garbage = ['{"kind": ', "[]", "null", "42", '"text"', "\xff\xfe", '{"a": NaN}']
    for path in ("/organisations", "/offers", "/support-statements", "/case-studies",
                 f"/organisations/{org['id']}/withdraw"):
        for body in garbage:
            resp = site.call("POST", path, data=body, content_type="application/json")
            assert resp.status_code in (400, 422), (path, body, resp.status_code)
            assert set(resp.json) == {"code", "status", "message", "errors"}
    for body in ({"name": 10 ** 400}, {"coordinates": {"lat": 1e308, "lon": "x"}}, {"contact": "Maria"},
                 {"website": "javascript:alert(1)"}, {"workers_in_integration": -1}, {"address": None}):
        site.call("PATCH", f"/organisations/{org['id']}", json=body, expect=422)
    for path in ("/organisations/not-a-uuid", "/offers/123", "/case-studies/%00", "/support-statements/x/erase"):
        site.call("GET" if "erase" not in path else "POST", path, expect=404)
    for query in ("page=0", "per_page=100000", "page=99999999999999999999", "cpv=abc", "nuts=%00", "q=%00",
                  "cross_border=perhaps", "organisation_id=nope"):
        site.call("GET", f"/offers?{query}", as_=None, expect=422)
    site.call("GET", "/offers?page=100000", as_=None, expect=200)
    site.call("GET", f"/offers/{uuid.uuid4()}", as_=None, expect=404)


def test_the_openapi_document_lists_the_registry(site):
    paths = site.client.get(f"{API}/openapi.json").json["paths"]
    assert {"/api/v1/offers", "/api/v1/support-statements/{statement_id}/erase"} <= set(paths)
