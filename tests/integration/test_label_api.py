"""The label API at HU22 on PostgreSQL: apply, assess, decide (four eyes), verify, register, suspend,
complaints, audit; 401/403/404/409/422 and never a 500."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from services.bootstrap import create_app
from services.common.outbox import outbox
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES
from tests.support.migrated import bootstrap
from tests.support.sites import API, Site

pytestmark = pytest.mark.services

ORG = str(uuid.uuid4())
OTHER_ORG = str(uuid.uuid4())


class LabelSite(Site):
    acting_as = "admin"

    def __init__(self, make_settings, pg_url):
        super().__init__(make_settings("HU22", db_url=pg_url), (
            ("admin", ["site_admin"], None), ("anna", ["assessor"], None), ("bela", ["approver"], None),
            ("both", ["assessor", "approver"], None), ("member", ["member"], ORG), ("stranger", ["member"], OTHER_ORG)))

    def submitted(self, evidence=GOOD_EVIDENCE) -> str:
        body = {"holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Tote bag",
                "cpv_codes": ["18930000"], "evidence": evidence}
        app = self.call("POST", "/label-applications", "member", 201, json=body).json
        self.call("POST", f"/label-applications/{app['id']}/submit", "member", 200)
        return app["id"]

    def granted(self) -> str:
        app_id = self.submitted()
        self.call("POST", f"/label-applications/{app_id}/assessment", "anna", 200, json={"scores": GOOD_SCORES})
        return self.call("POST", f"/label-applications/{app_id}/decision", "bela", 200,
                         json={"outcome": "granted", "reason": "meets every criterion"}).json["label_number"]


@pytest.fixture
def site(make_settings, pg_url):
    s = LabelSite(make_settings, pg_url)
    yield s
    s.runtime.engine.dispose()


def test_apply_assess_approve_verify(site):
    number = site.granted()
    assert number.startswith("SOPRO-HU22-") and number.endswith("-0001")
    label = site.call("GET", f"/labels/{number}", None, 200).json
    assert label["status"] == "valid" and label["deciding_site"] == "HU22" and label["catalogue_version"] == 1
    assert label["holder_name"] == "Textil Kft" and label["product"] == "Tote bag"
    register = site.call("GET", "/labels?cpv=18&status=valid&holder=textil", None, 200).json
    assert register["total"] == 1 and register["items"][0]["number"] == number
    assert site.call("GET", "/labels?cpv=45", None, 200).json["total"] == 0
    with site.runtime.engine.connect() as conn:
        assert [r.type for r in conn.execute(select(outbox.c.type))] == ["label.label.granted"]


def test_submission_freezes_and_members_see_only_their_own(site):
    app_id = site.submitted()
    site.call("PATCH", f"/label-applications/{app_id}", "member", 409, json={"product": "Other"})
    site.call("GET", f"/label-applications/{app_id}", "stranger", 403)
    assert site.call("GET", "/label-applications", "stranger", 200).json["total"] == 0
    assert site.call("GET", "/label-applications", "member", 200).json["total"] == 1


def test_four_eyes_the_same_person_cannot_assess_and_decide(site):
    app_id = site.submitted()
    site.call("POST", f"/label-applications/{app_id}/assessment", "both", 200, json={"scores": GOOD_SCORES})
    resp = site.call("POST", f"/label-applications/{app_id}/decision", "both", 409,
                     json={"outcome": "granted", "reason": "ok"})
    assert resp.json["code"] == "four_eyes"
    site.call("POST", f"/label-applications/{app_id}/decision", "anna", 403, json={"outcome": "granted", "reason": "x"})


def test_deciding_an_unassessed_application_is_409(site):
    app_id = site.submitted()
    resp = site.call("POST", f"/label-applications/{app_id}/decision", "bela", 409,
                     json={"outcome": "granted", "reason": "ok"})
    assert resp.json["code"] == "not_assessed"


def test_a_missing_mandatory_criterion_blocks_the_grant(site):
    app_id = site.submitted({k: v for k, v in GOOD_EVIDENCE.items() if k != "se_share"})
    assessed = site.call("POST", f"/label-applications/{app_id}/assessment", "anna", 200,
                         json={"scores": GOOD_SCORES}).json
    assert assessed["assessment"]["passed"] is False
    resp = site.call("POST", f"/label-applications/{app_id}/decision", "bela", 409,
                     json={"outcome": "granted", "reason": "ok"})
    assert "se_share" in resp.json["errors"]["criteria"]


def test_unknown_label_is_a_clear_404(site):
    resp = site.call("GET", "/labels/SOPRO-HU22-2026-9999", None, 404)
    assert resp.json["errors"] == {"label": ["unknown"]} and "unknown" in resp.json["message"]
    assert resp.json["code"] == "unknown_label"


def test_suspend_reinstate_revoke_with_limits_and_audit(site):
    number = site.granted()
    site.call("POST", f"/labels/{number}/suspend", "member", 403, json={"until": "2026-12-01", "reason": "x"})
    site.call("POST", f"/labels/{number}/suspend", None, 401, json={"until": "2026-12-01", "reason": "x"})
    site.call("POST", f"/labels/{number}/suspend", "bela", 422, json={"until": "2099-01-01", "reason": "x"})
    from datetime import date, timedelta
    until = (date.today() + timedelta(days=90)).isoformat()
    site.call("POST", f"/labels/{number}/suspend", "bela", 200, json={"until": until, "reason": "complaint"})
    assert site.call("GET", f"/labels/{number}", None, 200).json["status"] == "suspended"
    site.call("POST", f"/labels/{number}/reinstate", "bela", 200, json={})
    site.call("POST", f"/labels/{number}/revoke", "admin", 200, json={"reason": "fraud"})
    site.call("POST", f"/labels/{number}/renewal", "admin", 409, json={})  # a revoked label is not renewed
    actions = [a["action"] for a in site.call("GET", f"/labels/{number}/audit", "admin", 200).json]
    assert actions[-3:] == ["suspended", "reinstated", "revoked"] and "decided_granted" in actions
    site.call("GET", f"/labels/{number}/audit", None, 401)


def test_public_complaint_upheld_suspends(site):
    number = site.granted()
    c = site.call("POST", "/label-complaints", None, 201,
                  json={"label_number": number, "text": "not regional", "contact": "x@example.org"}).json
    assert c["status"] == "open" and "contact" not in c
    from datetime import date, timedelta
    site.call("POST", f"/label-complaints/{c['id']}/review", "bela", 200,
              json={"status": "upheld", "action": "suspend",
                    "suspend_until": (date.today() + timedelta(days=30)).isoformat()})
    assert site.call("GET", f"/labels/{number}", None, 200).json["status"] == "suspended"
    assert site.call("GET", f"/label-complaints/{c['id']}", "admin", 200).json["contact"] == "x@example.org"
    site.call("POST", "/label-complaints", None, 404, json={"label_number": "SOPRO-HU22-2026-7777", "text": "x"})


@pytest.mark.parametrize("body", [
    {"evidence": {"se_share": {"figure": "101"}}},
    {"evidence": {"se_share": {"figure": -5}}},
    {"evidence": {"se_share": {"figure": "NaN"}}},
    {"evidence": {"se_share": {"documents": [{"sha256": "xyz", "size": 1}]}}},
    {"evidence": {"se_share": {"documents": [{"sha256": "a" * 64, "size": -1}]}}},
    {"evidence": {"nonsense": {"figure": "1"}}},
    {"evidence": []},
    {"cpv_codes": ["99999999"]},
    {"cpv_codes": "18930000"},
    {"holder_organisation_id": "not-a-uuid"},
    {"surprise": 1},
    {"product": "\x00"},
])
def test_hostile_application_bodies_are_422(site, body):
    base = {"holder_organisation_id": ORG, "holder_name": "Textil Kft", "product": "Tote bag",
            "cpv_codes": ["18930000"]}
    resp = site.call("POST", "/label-applications", "member", 422, json={**base, **body})
    assert resp.json["errors"]


def test_percentage_out_of_range_names_the_criterion(site):
    body = {"holder_organisation_id": ORG, "holder_name": "T", "product": "P", "cpv_codes": ["18930000"],
            "evidence": {"se_share": {"figure": "150"}}}
    resp = site.call("POST", "/label-applications", "member", 422, json=body)
    assert "se_share" in resp.json["errors"]["evidence"]


def test_other_hostile_requests_never_500(site):
    app_id = site.submitted()
    assert site.call("POST", f"/label-applications/{app_id}/assessment", "anna", data="not json",
                     content_type="application/json").status_code in (400, 422)
    site.call("POST", f"/label-applications/{app_id}/assessment", "anna", 422,
              json={"scores": {"quality_innovation": {"score": 9, "reason": "r"}}})
    site.call("POST", f"/label-applications/{app_id}/decision", "bela", 422, json={"outcome": "maybe", "reason": "r"})
    site.call("POST", f"/label-applications/{uuid.uuid4()}/submit", "member", 404)
    site.call("GET", "/labels?per_page=100000", None, 422)
    site.call("GET", "/labels?cpv=abc", None, 422)
    site.call("GET", "/labels/" + "x" * 5000, None, 404)
    site.call("POST", "/label-complaints", None, 422, json={"text": ""})
    site.call("POST", "/label-applications", "member", 403,
              json={"holder_organisation_id": OTHER_ORG, "holder_name": "T", "product": "P", "cpv_codes": ["18930000"]})


def test_every_step_of_an_application_is_audited_for_staff_only(site):
    app_id = site.submitted()
    site.call("POST", f"/label-applications/{app_id}/assessment", "anna", 200, json={"scores": GOOD_SCORES})
    site.call("POST", f"/label-applications/{app_id}/decision", "bela", 200,
              json={"outcome": "returned", "reason": "more invoices"})
    trail = site.call("GET", f"/label-applications/{app_id}/audit", "bela", 200).json
    assert [(a["action"], a["actor"]) for a in trail] == [
        ("created", "member"), ("submitted", "member"), ("assessed", "anna"), ("decided_returned", "bela")]
    assert trail[-1]["reason"] == "more invoices"
    site.call("GET", f"/label-applications/{app_id}/audit", "member", 403)
    site.call("PATCH", f"/label-applications/{app_id}", "member", 200, json={"product": "Tote bag v2"})


def test_concurrent_grants_through_the_api_get_distinct_numbers(site):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    ids = []
    for _ in range(8):
        app_id = site.submitted()
        site.call("POST", f"/label-applications/{app_id}/assessment", "anna", 200, json={"scores": GOOD_SCORES})
        ids.append(app_id)
    barrier = threading.Barrier(len(ids))
    app = site.client.application

    def grant(app_id):
        client = app.test_client()
        barrier.wait(timeout=60)
        return client.post(f"{API}/label-applications/{app_id}/decision", headers=site.headers["bela"],
                           json={"outcome": "granted", "reason": "ok"})

    with ThreadPoolExecutor(len(ids)) as pool:
        responses = list(pool.map(grant, ids))
    assert [r.status_code for r in responses] == [200] * len(ids)
    numbers = sorted(r.json["label_number"] for r in responses)
    year = numbers[0].split("-")[2]
    assert numbers == [f"SOPRO-HU22-{year}-{n:04d}" for n in range(1, len(ids) + 1)]


def test_the_openapi_document_lists_the_label_paths(site):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. two schemas resolving to one name
        doc = create_app(site.runtime).test_client().get(f"{API}/openapi.json").json
    assert {"/api/v1/labels/{number}", "/api/v1/label-applications/{application_id}/decision",
            "/api/v1/labels/{number}/suspend", "/api/v1/label-complaints"} <= set(doc["paths"])


def test_another_sites_label_with_the_hub_unreachable_is_a_clear_503(make_settings, pg_url, federation):
    """HU22 asks the hub about an AT12 number; the hub is down (a closed port): 503 in the error shape."""
    from dataclasses import replace

    hub = replace(federation.hub, url="http://127.0.0.1:1")
    offline = replace(federation, sites={**federation.sites, hub.id: hub})
    runtime = bootstrap(make_settings("HU22", db_url=pg_url).with_(federation=offline))
    client = create_app(runtime).test_client()
    resp = client.get(f"{API}/labels/SOPRO-AT12-2026-0001")
    assert resp.status_code == 503
    assert resp.json["code"] == "unavailable" and "hub" in resp.json["message"]
    own = client.get(f"{API}/labels/SOPRO-HU22-2026-0001")  # its own numbers never need the hub
    assert own.status_code == 404 and own.json["errors"] == {"label": ["unknown"]}
    runtime.engine.dispose()
