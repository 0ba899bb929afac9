"""A closed enquiry's case study is published once, even when the site crashes between the registry's
transaction and the enquiry's: the retry links the case study the first attempt published. On SQLite
and on PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from services.common.ports import port
from services.contracts.ports import CaseStudyPublisher, LabelRegister
from services.enquiries.lifecycle import case_studies, store as enquiry_store
from services.registry.tables import case_study
from tests.support.databases import pg_url_if
from tests.support.lifecycle import LifecycleSite, enquiry_body, terms


class Crash(Exception):
    """The process dying between the registry's commit and the enquiry's."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def site(request, make_settings):
    s = LifecycleSite(make_settings, pg_url_if(request, request.param))
    yield s
    s.runtime.engine.dispose()


def _closed_enquiry(site) -> str:
    company_id = site.company()
    _, offer_id = site.social_enterprise(username="se")
    eid = site.ok("POST", "/enquiries", expect=201, json=enquiry_body(
        submit=True, client_organisation_id=company_id))["id"]
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "matching"})
    proposal = site.ok("POST", f"/enquiries/{eid}/proposals", "se", 201, json={"offer_id": offer_id, **terms()})
    agreement = site.ok("POST", f"/enquiries/{eid}/proposals/{proposal['id']}/accept", "client", 201)
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "in_production"})
    site.ok("POST", f"/enquiries/{eid}/agreements/{agreement['id']}/deliver", json={"integration_hours": "320"})
    site.ok("POST", f"/enquiries/{eid}/transitions", json={"to": "closed", "reason": "invoice paid"})
    return eid


def _published(site) -> tuple[int, list]:
    with site.runtime.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(case_study)).scalar_one()
    return rows, site.outbox_rows("registry.case_study.")


def test_a_retry_after_a_crash_between_the_two_transactions_links_the_same_case_study(site, monkeypatch):
    eid = _closed_enquiry(site)
    save_enquiry = enquiry_store.save_enquiry
    crashes = []

    def crash_once(conn, enquiry):
        if not crashes:
            crashes.append(enquiry.id)
            raise Crash()
        save_enquiry(conn, enquiry)

    monkeypatch.setattr(enquiry_store, "save_enquiry", crash_once)
    with site.app.app_context(), pytest.raises(Crash):
        case_studies.publish(site.runtime.uow, port(CaseStudyPublisher), eid, {"title": "First attempt"},
                             datetime.now(timezone.utc))
    rows, events = _published(site)
    assert crashes == [eid] and rows == 1 and len(events) == 1  # the registry committed, the enquiry did not
    assert site.ok("GET", f"/enquiries/{eid}/case-study")["case_study_id"] is None

    retried = site.ok("POST", f"/enquiries/{eid}/case-study", expect=201, json={"title": "Second attempt"})
    study_id = retried["case_study_id"]
    assert study_id == events[0].aggregate_id == case_studies.case_study_id(site.site_id, eid)
    assert retried["title"] == "First attempt"  # the case study as published, unchanged by the retry
    assert _published(site) == (1, events)  # no second row, no second event
    study = site.ok("GET", f"/case-studies/{study_id}", "admin")
    assert study["reference"].endswith("-0001") and study["title"] == "First attempt"
    assert site.ok("GET", f"/enquiries/{eid}/case-study")["case_study_id"] == study_id

    again = site.call("POST", f"/enquiries/{eid}/case-study", expect=409, json={})
    assert again.json["code"] == "case_study_exists"
    assert _published(site) == (1, events)


def test_the_case_study_id_is_the_same_for_an_enquiry_and_differs_between_sites_and_enquiries():
    first = case_studies.case_study_id("AT12", "e1")
    assert first == case_studies.case_study_id("AT12", "e1")
    assert len({first, case_studies.case_study_id("AT12", "e2"), case_studies.case_study_id("HU11", "e1")}) == 3


def test_a_site_provides_the_ports_its_services_ask_for(site):
    with site.app.app_context():
        assert isinstance(port(LabelRegister), LabelRegister)
        assert isinstance(port(CaseStudyPublisher), CaseStudyPublisher)
