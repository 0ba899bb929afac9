"""The site's matching projection on PostgreSQL: built from its registry events, newest version wins.

The helpers here (envelopes, snapshots, `runtime`) are shared with the other test_matching_* modules.
"""
from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import select

from services.bootstrap import bootstrap
from services.common.envelope import Envelope
from services.common.migrate import KERNEL, upgrade
from services.common.signing import sign
from services.enquiries.matching import store
from services.enquiries.matching.consumers import HANDLERS, binding_keys
from services.workers import site_members

pytestmark = pytest.mark.services

SITE = "AT12"
_seq = itertools.count(1)


def envelope(type_name: str, aggregate_id: str, version: int, data: dict, site: str = SITE) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()), type=type_name, version=1, site=site, stream=f"{site}/registry", seq=next(_seq),
        aggregate_id=aggregate_id, aggregate_version=version, occurred_at="2026-03-01T10:00:00+00:00",
        correlation_id=None, causation_id=None, data=data,
    )


def organisation(org_id: str, **changes) -> dict:
    return {
        "organisation_id": org_id, "reference": "AT12-O-2026-0001", "kind": "social_enterprise",
        "name": "Werkstatt Nord", "town": "St. Pölten", "postcode": "3100", "country": "AT", "nuts3": "AT123",
        "lat": 48.204, "lon": 15.626, "labour_market_segment": "second_labour_market", "workers_in_integration": 12,
        "website": None, "status": "active", **changes,
    }


def offer(offer_id: str, org_id: str, **changes) -> dict:
    return {
        "offer_id": offer_id, "organisation_id": org_id, "title": "Wooden chairs", "description": "Solid oak",
        "cpv_codes": ["39111000"], "capacity_per_week": "70", "unit": "piece", "lead_time_days": 0,
        "price_min": "40.00", "price_max": "60.00", "currency": "EUR", "delivery_radius_km": None,
        "cross_border": False, "status": "published", **changes,
    }


def withdrawal(aggregate_id: str) -> dict:
    return {"id": aggregate_id, "reason": None}


@pytest.fixture
def runtime(make_settings, pg_url):
    # Only the kernel's and matching's tables: these tests do not depend on the other parts' migrations.
    rt = bootstrap(make_settings(SITE, db_url=pg_url), migrate_db=False)
    upgrade(rt.engine, [KERNEL, store.COMPONENT])
    yield rt
    rt.engine.dispose()


def apply(runtime, *envelopes: Envelope) -> None:
    for env in envelopes:
        with runtime.engine.begin() as conn:
            HANDLERS[env.type](conn, env)


def publish_se(runtime, capacity: str = "70", org_changes: dict | None = None, **offer_changes) -> tuple[str, str]:
    """A social enterprise with one offer in the projection; returns (organisation id, offer id)."""
    org_id, offer_id = str(uuid.uuid4()), str(uuid.uuid4())
    apply(runtime,
          envelope("registry.organisation.registered", org_id, 1, organisation(org_id, **(org_changes or {}))),
          envelope("registry.offer.published", offer_id, 1, offer(offer_id, org_id, capacity_per_week=capacity,
                                                                   **offer_changes)))
    return org_id, offer_id


def row(runtime, table, aggregate_id: str):
    with runtime.engine.connect() as conn:
        return conn.execute(select(table).where(table.c.id == aggregate_id)).mappings().first()


def divisions(runtime, offer_id: str) -> list[str]:
    t = store.matching_offer_division
    with runtime.engine.connect() as conn:
        return conn.execute(select(t.c.division).where(t.c.offer_id == offer_id).order_by(t.c.division)).scalars().all()


# --- tests -------------------------------------------------------------------------------------------

def test_binds_only_the_sites_own_organisation_offer_and_label_events():
    assert binding_keys("AT12") == ["AT12.registry.organisation.*", "AT12.registry.offer.*", "AT12.label.label.*"]
    assert set(HANDLERS) == {
        "registry.organisation.registered", "registry.organisation.updated", "registry.organisation.withdrawn",
        "registry.offer.published", "registry.offer.updated", "registry.offer.withdrawn",
        "label.label.granted", "label.label.renewed", "label.label.suspended", "label.label.reinstated",
        "label.label.revoked", "label.label.expired"}


def test_organisation_and_offer_snapshots_are_projected(runtime):
    org_id, offer_id = publish_se(runtime)
    org = row(runtime, store.matching_organisation, org_id)
    assert (org["kind"], org["name"], org["nuts3"], org["lat"], org["labour_market_segment"],
            org["workers_in_integration"], org["status"]) == (
        "social_enterprise", "Werkstatt Nord", "AT123", 48.204, "second_labour_market", 12, "active")
    stored = row(runtime, store.matching_offer, offer_id)
    assert (stored["organisation_id"], stored["cpv_codes"], stored["capacity_per_week"], stored["unit"],
            stored["price_min"], stored["currency"], stored["status"]) == (
        org_id, ["39111000"], 70, "piece", 40, "EUR", "published")
    assert divisions(runtime, offer_id) == ["39"]


def test_stale_versions_are_ignored_whatever_the_arrival_order(runtime):
    org_id, offer_id = str(uuid.uuid4()), str(uuid.uuid4())
    apply(runtime,
          envelope("registry.organisation.updated", org_id, 3, organisation(org_id, name="v3")),
          envelope("registry.organisation.registered", org_id, 1, organisation(org_id, name="v1")),
          envelope("registry.organisation.updated", org_id, 2, organisation(org_id, name="v2")),
          envelope("registry.offer.updated", offer_id, 2, offer(offer_id, org_id, cpv_codes=["45000000", "45200000"])),
          envelope("registry.offer.published", offer_id, 1, offer(offer_id, org_id)))
    assert (row(runtime, store.matching_organisation, org_id)["name"]) == "v3"
    assert row(runtime, store.matching_offer, offer_id)["aggregate_version"] == 2
    assert divisions(runtime, offer_id) == ["45"]


def test_a_replayed_version_changes_nothing(runtime):
    org_id = str(uuid.uuid4())
    first = envelope("registry.organisation.registered", org_id, 1, organisation(org_id, name="original"))
    apply(runtime, first, envelope("registry.organisation.registered", org_id, 1, organisation(org_id, name="again")))
    kept = row(runtime, store.matching_organisation, org_id)
    assert (kept["name"], kept["last_event_id"]) == ("original", first.id)


def test_withdrawal_before_the_snapshot_leaves_a_tombstone(runtime):
    org_id, offer_id = str(uuid.uuid4()), str(uuid.uuid4())
    apply(runtime, envelope("registry.offer.withdrawn", offer_id, 2, withdrawal(offer_id)),
          envelope("registry.offer.published", offer_id, 1, offer(offer_id, org_id)))
    tombstone = row(runtime, store.matching_offer, offer_id)
    assert (tombstone["status"], tombstone["capacity_per_week"]) == ("withdrawn", None)
    assert divisions(runtime, offer_id) == []


def test_withdrawal_after_the_snapshot_keeps_it_but_changes_the_status(runtime):
    org_id, offer_id = publish_se(runtime)
    apply(runtime, envelope("registry.organisation.withdrawn", org_id, 2, withdrawal(org_id)),
          envelope("registry.offer.withdrawn", offer_id, 2, withdrawal(offer_id)))
    assert row(runtime, store.matching_organisation, org_id)["status"] == "withdrawn"
    withdrawn = row(runtime, store.matching_offer, offer_id)
    assert (withdrawn["status"], withdrawn["title"]) == ("withdrawn", "Wooden chairs")


def test_the_site_consumer_applies_signed_events_once_and_refuses_other_sites(runtime):
    spec, processor = site_members(runtime)
    assert spec.name == "AT12.enquiries.members"
    org_id = str(uuid.uuid4())
    env = envelope("registry.organisation.registered", org_id, 1, organisation(org_id))
    body = Envelope(**{**env.__dict__, "signature": sign(env.unsigned_fields(), runtime.signing_key, SITE)}).to_json()
    assert len(processor.process([body]).applied) == 1
    assert processor.process([body]).duplicates == 1
    assert row(runtime, store.matching_organisation, org_id)["name"] == "Werkstatt Nord"

    foreign = envelope("registry.organisation.registered", str(uuid.uuid4()), 1, organisation(str(uuid.uuid4())),
                       site="AT13")
    outcome = processor.process([foreign.to_json()])
    assert outcome.applied == [] and "not accepted" in outcome.dead[0].reason
