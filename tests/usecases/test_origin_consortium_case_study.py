"""The case study of a delivered cross-border order credits every social enterprise of the consortium, of
every site, each with its site, name, quantity and its part's impact, and takes the consortium's impact
as its own; it is published once, also when the site crashes between the registry's transaction and the
enquiry's. On SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from services.common.ports import port
from services.contracts.ports import CaseStudyPublisher
from services.enquiries.lifecycle import case_studies, store as enquiry_store
from services.registry.tables import case_study
from tests.support.consortium_snapshots import Order, part, part_impact
from tests.support.databases import pg_url_if
from tests.support.lifecycle import LifecycleSite


class Crash(Exception):
    """The process dying between the registry's commit and the enquiry's."""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def site(request, make_settings):
    s = LifecycleSite(make_settings, pg_url_if(request, request.param))
    yield s
    s.runtime.engine.dispose()


IMPACT = {"parts": 3, "value_paid_eur": "1118.00", "material_diverted_kg": "140.5", "integration_hours": "210",
          "distance_km": "80.0", "regional_share": None}


def delivered_and_closed(site: LifecycleSite) -> tuple[Order, list[dict]]:
    local_se, _ = site.social_enterprise(name="Werkstatt Nord")
    parts = [
        part("HU22", 200, "delivered", delivered=200, unit_price="1000", currency="HUF", name="Soproni Textil",
             impact=part_impact("508.00", "90.5", "120")),
        part("AT11", 100, "delivered", delivered=100, name="Oberwarter Werk", impact=part_impact("300.00", "50", "40")),
        part("AT12", 100, "delivered", delivered=100, name="Werkstatt Nord", organisation_id=local_se,
             impact=part_impact("310.00", None, "50")),
        part("AT22", 100, "declined"),  # never delivered anything: not credited
    ]
    order = Order(site, client_organisation_id=site.company())
    order.report("delivered", *parts, impact=IMPACT, quantity=400)
    assert order.state == "delivered"
    site.ok("POST", f"/enquiries/{order.enquiry_id}/transitions", json={"to": "closed", "reason": "invoice paid"})
    return order, parts[:3]


def case_study_rows(site: LifecycleSite) -> int:
    with site.runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(case_study)).scalar_one()


def credited(partners: list[dict]) -> set[tuple]:
    return {(p["site"], p["organisation_id"], p["organisation_name"], p["quantity"]) for p in partners}


def test_the_case_study_of_a_consortium_order_credits_every_social_enterprise_with_its_impact(site):
    order, parts = delivered_and_closed(site)
    expected = {(p["site"], p["organisation_id"], p["organisation_name"], p["delivered"]) for p in parts}

    draft = site.ok("GET", f"/enquiries/{order.enquiry_id}/case-study")
    assert credited(draft["partners"]) == expected
    assert "400 pieces delivered by 3 social enterprises" in draft["summary"]
    published = site.ok("POST", f"/enquiries/{order.enquiry_id}/case-study", expect=201, json={})
    assert credited(published["partners"]) == expected

    study = site.ok("GET", f"/case-studies/{published['case_study_id']}", None)  # public
    assert credited(study["partners"]) == expected
    impacts = {p["site"]: p["impact"] for p in study["partners"]}
    assert impacts["HU22"] == {"value_paid_eur": "508", "material_diverted_kg": "90.5", "integration_hours": "120"}
    assert impacts["AT12"]["material_diverted_kg"] is None
    assert study["impact"] == {"value_paid_eur": "1118", "material_diverted_kg": "140.5",
                               "integration_hours": "210"}  # the consortium's totals
    assert study["social_enterprise_id"] is None  # no local agreement; every SE is a partner
    assert case_study_rows(site) == 1 and len(site.outbox_rows("registry.case_study.published")) == 1


def test_a_retry_after_a_crash_publishes_one_case_study_with_every_partner(site, monkeypatch):
    order, parts = delivered_and_closed(site)
    save_enquiry = enquiry_store.save_enquiry
    crashes = []

    def crash_once(conn, enquiry):
        if not crashes:
            crashes.append(enquiry.id)
            raise Crash()
        save_enquiry(conn, enquiry)

    monkeypatch.setattr(enquiry_store, "save_enquiry", crash_once)
    with site.app.app_context(), pytest.raises(Crash):
        case_studies.publish(site.runtime.uow, port(CaseStudyPublisher), order.enquiry_id, {},
                             datetime.now(timezone.utc))
    retried = site.ok("POST", f"/enquiries/{order.enquiry_id}/case-study", expect=201, json={})
    assert len(retried["partners"]) == len(parts)
    again = site.call("POST", f"/enquiries/{order.enquiry_id}/case-study", expect=409, json={})
    assert again.json["code"] == "case_study_exists"
    assert case_study_rows(site) == 1 and len(site.outbox_rows("registry.case_study.published")) == 1
