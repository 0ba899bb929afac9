"""The site's matching projection on PostgreSQL: built from its registry events, newest version wins."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from services.common.envelope import Envelope
from services.common.signing import sign
from services.enquiries.matching import store
from services.enquiries.matching.consumers import HANDLERS, binding_keys
from services.workers import site_members
from tests.support.matching import (  # noqa: F401 - `runtime` is a fixture
    SITE, apply, offer, organisation, publish_se, runtime, withdrawal,
)
from tests.support.events import envelope

pytestmark = pytest.mark.services

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
