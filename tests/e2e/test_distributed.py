"""End to end, distributed: every site and the hub in its own `sopro serve` process, on PostgreSQL
(a schema each) and RabbitMQ (a vhost of the test's own)."""
from __future__ import annotations

import pytest
import requests

from tests.support.distributed import federation, organisation, session_for  # noqa: F401 - fixture
from tests.support.polling import eventually
from tests.support.labels import GOOD_EVIDENCE, GOOD_SCORES

pytestmark = pytest.mark.services


def test_organisation_registered_at_at12_appears_at_the_hub(federation):
    urls = federation["urls"]
    at12 = session_for(urls["AT12"])
    r = at12.post(f"{urls['AT12']}/api/v1/organisations",
                  json=organisation("Traisentaler Werkstatt", "ZVR 77", "AT123", "AT"))
    assert r.status_code == 201, r.text
    org_id = r.json()["id"]
    hub_org = eventually(lambda: requests.get(f"{urls['EU']}/api/v1/organisations/{org_id}").ok)
    assert hub_org, "the organisation reached the hub"
    body = requests.get(f"{urls['EU']}/api/v1/organisations/{org_id}").json()
    assert body["site"] == "AT12" and body["name"] == "Traisentaler Werkstatt"


def test_support_statement_filed_at_hu22_is_counted_at_the_hub(federation):
    urls = federation["urls"]
    r = requests.post(f"{urls['HU22']}/api/v1/support-statements", json={
        "kind": "person", "first_name": "Katalin", "last_name": "Nagy", "phone": "+36 30 123 4567",
        "phone_kind": "mobile", "email": "nagy.katalin@example.hu", "consent": True, "nuts3": "HU221"})
    assert r.status_code == 201, r.text
    # It counts once confirmed; no mail is sent here, so a broker confirms it.
    confirmed = session_for(urls["HU22"]).post(f"{urls['HU22']}/api/v1/support-statements/{r.json()['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    hub = session_for(urls["EU"])

    def counted():
        stats = hub.get(f"{urls['EU']}/api/v1/statistics", params={"site": "HU22"}).json()
        site = next(s for s in stats["sites"] if s["site"] == "HU22")
        return site if site["support_statements"]["total"] >= 1 else None

    site = eventually(counted)
    assert site, "the statement was counted at the hub"
    assert "Nagy" not in hub.get(f"{urls['EU']}/api/v1/statistics").text


def test_offer_withdrawn_at_at13_is_withdrawn_at_the_hub(federation):
    urls = federation["urls"]
    at13 = session_for(urls["AT13"])
    org = at13.post(f"{urls['AT13']}/api/v1/organisations",
                    json=organisation("Wiener Nähwerkstatt", "FN 9", "AT130", "AT")).json()
    offer = at13.post(f"{urls['AT13']}/api/v1/offers", json={
        "organisation_id": org["id"], "title": "Taschen", "description": "Upcycling", "cpv_codes": ["18930000"],
        "capacity_per_week": "500", "unit": "bags", "lead_time_days": 14, "cross_border": True})
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]

    def hub_offer_ids():
        items = requests.get(f"{urls['EU']}/api/v1/offers", params={"site": "AT13", "per_page": 200}).json()["items"]
        return {o["id"] for o in items}

    assert eventually(lambda: offer_id in hub_offer_ids()), "the offer reached the hub"
    r = at13.post(f"{urls['AT13']}/api/v1/offers/{offer_id}/withdraw", json={"reason": "capacity taken"})
    assert r.status_code == 200, r.text
    assert eventually(lambda: offer_id not in hub_offer_ids()), "the withdrawal reached the hub"


def test_label_granted_at_hu22_is_verified_at_the_hub_and_at_at12_then_suspended(federation):
    import datetime
    import uuid

    urls = federation["urls"]
    hu22 = urls["HU22"]
    admin, assessor, approver = (session_for(hu22, u) for u in ("e2e", "e2e-assessor", "e2e-approver"))
    application = admin.post(f"{hu22}/api/v1/label-applications", json={
        "holder_organisation_id": str(uuid.uuid4()), "holder_name": "Soproni Textil Szövetkezet",
        "product": "Újrahasznosított vászontáska", "cpv_codes": ["18930000"],
        "evidence": GOOD_EVIDENCE})
    assert application.status_code == 201, application.text
    app_id = application.json()["id"]
    assert admin.post(f"{hu22}/api/v1/label-applications/{app_id}/submit").status_code == 200
    assert assessor.post(f"{hu22}/api/v1/label-applications/{app_id}/assessment",
                         json={"scores": GOOD_SCORES}).status_code == 200
    same_person = assessor.post(f"{hu22}/api/v1/label-applications/{app_id}/decision",
                                json={"outcome": "granted", "reason": "ok"})
    assert same_person.status_code in (403, 409), "the assessor cannot also decide"
    decided = approver.post(f"{hu22}/api/v1/label-applications/{app_id}/decision",
                            json={"outcome": "granted", "reason": "meets every criterion"})
    assert decided.status_code == 200, decided.text
    number = decided.json()["label_number"]
    assert number.startswith("SOPRO-HU22-")

    def status_at(url):
        r = requests.get(f"{url}/api/v1/labels/{number}")
        return r.json()["status"] if r.status_code == 200 else None

    assert eventually(lambda: status_at(urls["EU"]) == "valid"), "verified at the hub"
    at12 = requests.get(f"{urls['AT12']}/api/v1/labels/{number}")
    assert at12.status_code == 200 and at12.json()["deciding_site"] == "HU22", at12.text

    until = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    suspended = approver.post(f"{hu22}/api/v1/labels/{number}/suspend",
                              json={"until": until, "reason": "complaint under review"})
    assert suspended.status_code == 200, suspended.text
    assert eventually(lambda: status_at(urls["EU"]) == "suspended"), "the suspension is visible at the hub"
    assert status_at(urls["AT12"]) == "suspended"
    assert requests.get(f"{urls['AT12']}/api/v1/labels/SOPRO-HU22-2026-9999").status_code == 404
