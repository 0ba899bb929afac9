"""Only an active social enterprise acts as one (issue 11, section 3, item 2), through the real API on
PostgreSQL and SQLite: members of an economic enterprise, a public institution, a withdrawn social
enterprise, and of a social enterprise whose offers don't fit, neither see another client's open
enquiry nor propose on it nor write in its negotiation; a proposal names a published offer of the
proposer's own, else a 422 at `offer_id` and the enquiry stays where it was."""
from __future__ import annotations

import pytest

from tests.support.databases import BACKENDS, pg_url_if
from tests.support.lifecycle import ADDRESS, LifecycleSite, enquiry_body, terms

NO_SUCH_OFFER = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(params=BACKENDS)
def site(request, make_settings):
    s = LifecycleSite(make_settings, pg_url_if(request, request.param))
    s.client_id = s.company("Bau AG", username="client")
    s.company("Handel GmbH", username="firm")
    town = s.ok("POST", "/organisations", "admin", 201, json={
        "kind": "public_institution", "name": "Stadtgemeinde", "registration_number": "GKZ 30201", "address": ADDRESS,
        "nuts3": "AT123"})
    s.add_user("town", ["member"], town["id"])
    s.se_id, s.offer_id = s.social_enterprise("Werkstatt Nord", username="se")
    s.other_se_id, s.other_offer_id = s.social_enterprise("Werkstatt Süd", username="se_other")
    s.social_enterprise("Näherei", cpv="18930000", username="sewing")  # its offers don't fit the enquiry
    gone_id, _ = s.social_enterprise("Werkstatt Alt", username="gone")
    s.ok("POST", f"/organisations/{gone_id}/withdraw", "admin", json={"reason": "closed down"})
    s.project_registry()
    s.enquiry_id = s.ok("POST", "/enquiries", expect=201, json=enquiry_body(
        submit=True, client_organisation_id=s.client_id))["id"]
    s.ok("POST", f"/enquiries/{s.enquiry_id}/transitions", json={"to": "matching"})
    yield s
    s.runtime.engine.dispose()


def _listed(site, as_: str) -> list[str]:
    return [e["id"] for e in site.ok("GET", "/enquiries?state=matching", as_)["items"]]


@pytest.mark.parametrize("outsider", ["firm", "town", "gone", "sewing"])
def test_an_outsider_neither_sees_nor_proposes_nor_writes(site, outsider):
    eid = site.enquiry_id
    assert eid not in _listed(site, outsider)
    site.call("GET", f"/enquiries/{eid}", outsider, expect=404)
    proposal = {"offer_id": site.offer_id, **terms()}
    assert site.call("POST", f"/enquiries/{eid}/proposals", outsider, json=proposal, expect=404).json["status"] == 404
    site.call("POST", f"/enquiries/{eid}/messages", outsider, json={"body": "We can do it cheaper."}, expect=404)
    assert site.ok("GET", f"/enquiries/{eid}")["state"] == "matching"
    assert site.ok("GET", f"/enquiries/{eid}/proposals") == [] and site.ok("GET", f"/enquiries/{eid}/messages") == []


def test_a_proposal_names_a_published_offer_of_the_proposer_else_422_and_nothing_moves(site):
    eid = site.enquiry_id
    assert _listed(site, "se") == [eid]
    for offer_id in (NO_SUCH_OFFER, site.other_offer_id):
        refused = site.call("POST", f"/enquiries/{eid}/proposals", "se", json={"offer_id": offer_id, **terms()},
                            expect=422).json
        assert refused["errors"] == {"offer_id": ["is not a published offer of the proposing social enterprise"]}
    # the broker, too, names a social enterprise and one of its own offers
    refused = site.call("POST", f"/enquiries/{eid}/proposals", json={
        "organisation_id": site.other_se_id, "offer_id": site.offer_id, **terms()}, expect=422).json
    assert list(refused["errors"]) == ["offer_id"]
    refused = site.call("POST", f"/enquiries/{eid}/proposals", json={
        "organisation_id": site.client_id, "offer_id": site.offer_id, **terms()}, expect=422).json
    assert refused["errors"] == {"organisation_id": ["is not an active social enterprise of this site"]}
    assert site.ok("GET", f"/enquiries/{eid}")["state"] == "matching"
    assert site.ok("GET", f"/enquiries/{eid}/proposals") == []

    proposal = site.ok("POST", f"/enquiries/{eid}/proposals", "se", 201, json={"offer_id": site.offer_id, **terms()})
    assert proposal["organisation_id"] == site.se_id
    assert site.ok("GET", f"/enquiries/{eid}")["state"] == "negotiating"


def test_only_the_parties_write_in_the_negotiation(site):
    eid = site.enquiry_id
    site.ok("POST", f"/enquiries/{eid}/proposals", "se", 201, json={"offer_id": site.offer_id, **terms()})
    site.ok("POST", f"/enquiries/{eid}/messages", "se", 201, json={"body": "Delivery in two parts?"})
    site.ok("POST", f"/enquiries/{eid}/messages", "client", 201, json={"body": "Fine with us."})
    site.ok("POST", f"/enquiries/{eid}/messages", "broker", 201, json={"body": "Noted."})
    # another social enterprise may still look (the enquiry is open and fits) but has not proposed
    assert eid in [e["id"] for e in site.ok("GET", "/enquiries", "se_other")["items"]]
    site.call("POST", f"/enquiries/{eid}/messages", "se_other", json={"body": "Us too!"}, expect=403)
    assert site.ok("GET", f"/enquiries/{eid}/messages", "se_other") == []
    assert [m["party"] for m in site.ok("GET", f"/enquiries/{eid}/messages", "se")] == [
        "social_enterprise", "client", "broker"]
