"""The hub's consolidated store on PostgreSQL: upserts, stale versions, withdrawals before snapshots."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.hub.register import store
from tests.support.events import envelope
from tests.support.hub import apply
from tests.support.migrated import bootstrap

pytestmark = pytest.mark.services


def organisation(org_id: str, **changes) -> dict:
    return {
        "organisation_id": org_id, "reference": "AT12-O-0001", "kind": "social_enterprise", "name": "Werkstatt Nord",
        "town": "St. Pölten", "postcode": "3100", "country": "AT", "nuts3": "AT123", "lat": 48.2, "lon": 15.6,
        "labour_market_segment": "second_labour_market", "workers_in_integration": 12, "website": None,
        "status": "active", **changes,
    }


def offer(offer_id: str, org_id: str, **changes) -> dict:
    return {
        "offer_id": offer_id, "organisation_id": org_id, "title": "Textile upcycling", "description": "Bags from banners",
        "cpv_codes": ["18930000", "39500000"], "capacity_per_week": "250", "unit": "piece", "lead_time_days": 14,
        "price_min": "4.50", "price_max": "9.00", "currency": "EUR", "delivery_radius_km": None, "cross_border": True,
        "status": "published", **changes,
    }


def statement(statement_id: str, **changes) -> dict:
    return {"statement_id": statement_id, "kind": "person", "organisation_kind": None, "nuts3": "AT123",
            "given_on": "2026-02-14", **changes}


def withdrawal(aggregate_id: str) -> dict:
    return {"id": aggregate_id, "reason": None}


@pytest.fixture
def runtime(make_settings, pg_url):
    rt = bootstrap(make_settings("EU", db_url=pg_url))
    yield rt
    rt.engine.dispose()


def row(runtime, table, aggregate_id: str, site: str = "AT12"):
    with runtime.engine.connect() as conn:
        return conn.execute(select(table).where(table.c.site == site, table.c.id == aggregate_id)).mappings().first()


def test_registered_then_updated_organisation_is_upserted(runtime):
    org_id = str(uuid.uuid4())
    apply(runtime, envelope("registry.organisation.registered", org_id, 1, organisation(org_id)))
    first = row(runtime, store.hub_organisation, org_id)
    assert (first["name"], first["aggregate_version"], first["status"]) == ("Werkstatt Nord", 1, "active")

    update = envelope("registry.organisation.updated", org_id, 2, organisation(org_id, name="Werkstatt Nord-Ost"),
                      occurred_at="2026-03-01T11:00:00+01:00")
    apply(runtime, update)
    second = row(runtime, store.hub_organisation, org_id)
    assert (second["name"], second["aggregate_version"]) == ("Werkstatt Nord-Ost", 2)
    assert second["last_event_id"] == update.id
    assert second["last_occurred_at"] == datetime(2026, 3, 1, 10, tzinfo=timezone.utc)


def test_stale_version_is_ignored(runtime):
    org_id = str(uuid.uuid4())
    apply(runtime,
          envelope("registry.organisation.updated", org_id, 3, organisation(org_id, name="v3")),
          envelope("registry.organisation.updated", org_id, 2, organisation(org_id, name="v2")),
          envelope("registry.organisation.registered", org_id, 1, organisation(org_id, name="v1")))
    kept = row(runtime, store.hub_organisation, org_id)
    assert (kept["name"], kept["aggregate_version"]) == ("v3", 3)


def test_same_version_replayed_changes_nothing(runtime):
    org_id = str(uuid.uuid4())
    original = envelope("registry.organisation.registered", org_id, 1, organisation(org_id, name="original"))
    apply(runtime, original,
          envelope("registry.organisation.registered", org_id, 1, organisation(org_id, name="impostor")))
    kept = row(runtime, store.hub_organisation, org_id)
    assert (kept["name"], kept["last_event_id"]) == ("original", original.id)


def test_withdrawal_before_snapshot_leaves_a_tombstone_that_older_snapshots_cannot_resurrect(runtime):
    offer_id, org_id = str(uuid.uuid4()), str(uuid.uuid4())
    apply(runtime, envelope("registry.offer.withdrawn", offer_id, 3, withdrawal(offer_id)))
    tombstone = row(runtime, store.hub_offer, offer_id)
    assert (tombstone["status"], tombstone["aggregate_version"], tombstone["title"]) == ("withdrawn", 3, None)

    apply(runtime,
          envelope("registry.offer.published", offer_id, 1, offer(offer_id, org_id)),
          envelope("registry.offer.updated", offer_id, 2, offer(offer_id, org_id, title="newer")))
    assert row(runtime, store.hub_offer, offer_id)["status"] == "withdrawn"


def test_withdrawal_after_snapshot_keeps_the_snapshot_but_changes_status(runtime):
    org_id = str(uuid.uuid4())
    apply(runtime,
          envelope("registry.organisation.registered", org_id, 1, organisation(org_id)),
          envelope("registry.organisation.withdrawn", org_id, 2, withdrawal(org_id)))
    withdrawn = row(runtime, store.hub_organisation, org_id)
    assert (withdrawn["status"], withdrawn["name"], withdrawn["aggregate_version"]) == ("withdrawn", "Werkstatt Nord", 2)


def test_offer_keeps_decimals_and_its_cpv_codes_follow_the_newest_snapshot(runtime):
    offer_id, org_id = str(uuid.uuid4()), str(uuid.uuid4())
    apply(runtime, envelope("registry.offer.published", offer_id, 1, offer(offer_id, org_id)))
    stored = row(runtime, store.hub_offer, offer_id)
    assert stored["price_min"] == Decimal("4.50") and stored["capacity_per_week"] == Decimal("250")

    apply(runtime,
          envelope("registry.offer.updated", offer_id, 3, offer(offer_id, org_id, cpv_codes=["45000000"])),
          envelope("registry.offer.updated", offer_id, 2, offer(offer_id, org_id, cpv_codes=["90000000"])))
    with runtime.engine.connect() as conn:
        codes = conn.execute(select(store.hub_offer_cpv.c.cpv_code)
                             .where(store.hub_offer_cpv.c.offer_id == offer_id)).scalars().all()
    assert codes == ["45000000"]


def test_support_statement_keeps_no_personal_data_and_erasure_stops_it_counting(runtime):
    st_id = str(uuid.uuid4())
    apply(runtime, envelope("registry.support_statement.recorded", st_id, 1, statement(st_id)))
    assert set(store.hub_support_statement.c.keys()) == {
        "site", "id", "aggregate_version", "last_event_id", "last_occurred_at",
        "status", "kind", "organisation_kind", "nuts3", "given_on"}
    assert row(runtime, store.hub_support_statement, st_id)["status"] == "unconfirmed"  # counts once confirmed
    apply(runtime, envelope("registry.support_statement.confirmed", st_id, 2, statement(st_id)))
    assert row(runtime, store.hub_support_statement, st_id)["status"] == "active"

    apply(runtime, envelope("registry.support_statement.erased", st_id, 3, withdrawal(st_id)))
    assert row(runtime, store.hub_support_statement, st_id)["status"] == "erased"


def test_the_same_id_at_two_sites_stays_two_rows(runtime):
    # A site can only write its own rows: the key is (site, id).
    org_id = str(uuid.uuid4())
    apply(runtime,
          envelope("registry.organisation.registered", org_id, 1, organisation(org_id, name="Vienna"), site="AT13"),
          envelope("registry.organisation.registered", org_id, 5, organisation(org_id, name="Győr"), site="HU22"))
    assert row(runtime, store.hub_organisation, org_id, site="AT13")["name"] == "Vienna"
    assert row(runtime, store.hub_organisation, org_id, site="HU22")["name"] == "Győr"


def test_case_study_snapshot_and_withdrawal(runtime):
    cs_id = str(uuid.uuid4())
    data = {"case_study_id": cs_id, "title": "Banners to bags", "summary": "A festival's banners became bags.",
            "client_organisation_id": None, "social_enterprise_id": str(uuid.uuid4()), "cpv_codes": ["18930000"],
            "year": 2025, "value_paid_eur": "12000.00", "material_diverted_kg": "800", "integration_hours": "1200",
            "status": "published"}
    apply(runtime, envelope("registry.case_study.published", cs_id, 1, data))
    assert row(runtime, store.hub_case_study, cs_id)["value_paid_eur"] == Decimal("12000.00")
    apply(runtime, envelope("registry.case_study.withdrawn", cs_id, 2, withdrawal(cs_id)))
    assert row(runtime, store.hub_case_study, cs_id)["status"] == "withdrawn"


def test_applying_an_event_logs_site_type_aggregate_and_seq(runtime, caplog):
    org_id = str(uuid.uuid4())
    env = envelope("registry.organisation.registered", org_id, 1, organisation(org_id))
    with caplog.at_level(logging.INFO, logger="sopro.hub"):
        apply(runtime, env)
    [line] = [r.getMessage() for r in caplog.records if r.name == "sopro.hub"]
    assert line.startswith("hub applied") and "AT12" in line and env.type in line and org_id in line and f"seq={env.seq}" in line
