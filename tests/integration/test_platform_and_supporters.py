"""The stakeholder platform and the supporters' priority through the API on PostgreSQL (issue 19, items 5
and 6): members join, leave and rejoin with their events in the outbox (the organisation's id, never a
person); an organisation's statement names the organisation that supports the platform, which ranks higher
in the shortlist once the statement is confirmed, and no longer once it is withdrawn."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.support.lifecycle import LifecycleSite, enquiry_body

pytestmark = pytest.mark.services


@pytest.fixture
def site(make_settings, pg_url):
    s = LifecycleSite(make_settings, pg_url)
    yield s
    s.runtime.engine.dispose()


def test_members_join_leave_and_rejoin_and_each_change_is_an_event_without_a_person(site):
    company = site.company("Bau AG")
    se, _ = site.social_enterprise("Werkstatt Nord")
    joined = site.ok("POST", "/platform-members", "broker", 201, json={"organisation_id": company, "role": "company"})
    assert joined["name"] == "Bau AG" and joined["country"] == "AT" and joined["status"] == "active"
    site.ok("POST", "/platform-members", "admin", 201, json={"organisation_id": se, "role": "social_enterprise"})
    assert [m["name"] for m in site.ok("GET", "/platform-members", None)["items"]] == ["Bau AG", "Werkstatt Nord"]

    twice = site.call("POST", "/platform-members", "broker", json={"organisation_id": company, "role": "funder"})
    assert twice.status_code == 409
    assert twice.json["errors"] == {"organisation_id": ["already a member of the platform"]}
    left = site.ok("POST", f"/platform-members/{company}/leave", "broker")
    assert left["status"] == "left"
    assert site.call("POST", f"/platform-members/{company}/leave", "broker").status_code == 409
    assert [m["name"] for m in site.ok("GET", "/platform-members", None)["items"]] == ["Werkstatt Nord"]
    assert [m["name"] for m in site.ok("GET", "/platform-members?status=left", None)["items"]] == ["Bau AG"]
    rejoined = site.ok("POST", "/platform-members", "broker", 201, json={"organisation_id": company, "role": "funder"})
    assert rejoined["role"] == "funder" and rejoined["left_on"] is None

    events = site.outbox_rows("community.platform_member.")
    assert [(e.type, e.aggregate_id, e.aggregate_version) for e in events] == [
        ("community.platform_member.joined", company, 1), ("community.platform_member.joined", se, 1),
        ("community.platform_member.left", company, 2), ("community.platform_member.joined", company, 3)]
    for event in events:
        assert set(event.data) == {"organisation_id", "country", "role", "joined_on", "status"}
        assert "Bau AG" not in json.dumps(event.data) and "@" not in json.dumps(event.data)
    assert events[-1].data == {"organisation_id": company, "country": "AT", "role": "funder",
                               "joined_on": rejoined["joined_on"], "status": "active"}


def test_unknown_organisations_and_roles_are_invalid_and_only_staff_write(site):
    company = site.company("Bau AG")
    unknown = site.call("POST", "/platform-members", "broker", json={"organisation_id": str(uuid.uuid4()),
                                                                     "role": "company"})
    assert unknown.status_code == 422 and list(unknown.json["errors"]) == ["organisation_id"]
    role = site.call("POST", "/platform-members", "broker", json={"organisation_id": company, "role": "person"})
    assert role.status_code == 422 and list(role.json["errors"]) == ["role"]
    assert site.call("POST", "/platform-members", "client", json={"organisation_id": company,
                                                                  "role": "company"}).status_code == 403
    assert site.call("POST", "/platform-members", None, json={"organisation_id": company,
                                                              "role": "company"}).status_code == 401
    assert site.call("POST", f"/platform-members/{company}/leave", "broker").status_code == 404
    site.ok("POST", f"/organisations/{company}/withdraw", "admin", json={"reason": "closed"})
    withdrawn = site.call("POST", "/platform-members", "broker", json={"organisation_id": company, "role": "company"})
    assert withdrawn.status_code == 422 and list(withdrawn.json["errors"]) == ["organisation_id"]
    assert site.outbox_rows("community.") == []


def _shortlist(site, enquiry_id: str) -> list[dict]:
    return site.ok("GET", f"/enquiries/{enquiry_id}/shortlist")["shortlist"]["candidates"]


def test_a_confirmed_statement_gives_priority_and_a_withdrawn_or_unconfirmed_one_none(site):
    site.company()
    first, _ = site.social_enterprise("Alpha Werkstatt")
    second, _ = site.social_enterprise("Beta Werkstatt")
    eid = site.ok("POST", "/enquiries", "client", 201, json=enquiry_body(submit=True))["id"]
    for state in ("in_consultation", "matching"):
        site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": state, "reason": "next"})
    baseline = _shortlist(site, eid)
    assert baseline[0]["score"] == baseline[1]["score"]
    behind = baseline[1]["organisation_id"]  # equal in every criterion: behind on the tie-break only

    statement = site.ok("POST", "/support-statements", None, 201, json={
        "kind": "organisation", "organisation_name": "Beta", "organisation_kind": "social_enterprise",
        "nuts3": "AT123", "consent": True})
    person = site.ok("POST", "/support-statements", None, 201, json={
        "kind": "person", "first_name": "Eva", "last_name": "Muster", "nuts3": "AT123", "consent": True})
    refused = site.call("PUT", f"/support-statements/{person['id']}/organisation", json={"organisation_id": behind})
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["organisation_id"]
    gone = site.call("PUT", f"/support-statements/{statement['id']}/organisation",
                     json={"organisation_id": str(uuid.uuid4())})
    assert gone.status_code == 422 and list(gone.json["errors"]) == ["organisation_id"]
    linked = site.ok("PUT", f"/support-statements/{statement['id']}/organisation", json={"organisation_id": behind})
    assert linked["organisation_id"] == behind

    unconfirmed = _shortlist(site, eid)  # linked, not yet confirmed: no priority
    assert unconfirmed[1]["organisation_id"] == behind and not unconfirmed[1]["supporter"]
    site.ok("POST", f"/support-statements/{statement['id']}/confirm")
    confirmed = _shortlist(site, eid)
    assert confirmed[0]["organisation_id"] == behind and confirmed[0]["supporter"]
    assert confirmed[0]["score"] == confirmed[1]["score"] + 5
    assert "supports the platform: +5" in confirmed[0]["reasons"]
    assert "not a supporter of the platform: +0" in confirmed[1]["reasons"]
    assert {first, second} == {c["organisation_id"] for c in confirmed}

    site.ok("POST", f"/support-statements/{statement['id']}/withdraw", json={"reason": "asked by phone"})
    withdrawn = _shortlist(site, eid)
    assert withdrawn[1]["organisation_id"] == behind and not withdrawn[1]["supporter"]
    assert site.call("PUT", f"/support-statements/{statement['id']}/organisation",
                     json={"organisation_id": first}).status_code == 409
    # the statement's events never name the organisation
    for row in site.outbox_rows("registry.support_statement."):
        assert behind not in json.dumps(row.data)
