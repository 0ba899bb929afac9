"""The hub's brokerage view on PostgreSQL (and SQLite, for the embedded mode): enquiry, agreement and
impact events applied in transactions, stale versions ignored, and through the hub's ingest pipeline."""
from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from services.common.signing import load_private_key
from services.contracts.events import enquiries as ev
from services.hub.enquiries import store as enquiry_store
from services.workers import hub_ingest
from tests.support.events import signed
from tests.support.hub_enquiries import enquiry_data, row, runtime, sites  # noqa: F401 - fixture


def test_newest_enquiry_snapshot_wins_whatever_the_arrival_order(runtime, sites):
    enquiry_id = str(uuid.uuid4())
    sites.enquiry("AT12", version=3, enquiry_id=enquiry_id, state="negotiating", cpv_codes=["18930000", "39500000"])
    sites.enquiry("AT12", version=2, enquiry_id=enquiry_id, state="matching", cpv_codes=["45000000"])
    sites.enquiry("AT12", version=1, enquiry_id=enquiry_id, state="submitted")
    kept = row(runtime, enquiry_store.hub_enquiries, enquiry_id)
    assert (kept["state"], kept["aggregate_version"]) == ("negotiating", 3)
    assert (kept["quantity"], kept["budget"], kept["submitted_year"]) == (Decimal("500"), Decimal("4500.00"), 2026)
    with runtime.engine.connect() as conn:
        codes = conn.execute(select(enquiry_store.hub_enquiry_cpv.c.cpv_code)
                             .where(enquiry_store.hub_enquiry_cpv.c.enquiry_id == enquiry_id)
                             .order_by(enquiry_store.hub_enquiry_cpv.c.cpv_code)).scalars().all()
    assert codes == ["18930000", "39500000"]  # the stale snapshots' codes were not written either


def test_a_replayed_version_changes_nothing(runtime, sites):
    enquiry_id = sites.enquiry("AT12", title="original")
    first = row(runtime, enquiry_store.hub_enquiries, enquiry_id)
    sites.enquiry("AT12", version=1, enquiry_id=enquiry_id, title="impostor")
    again = row(runtime, enquiry_store.hub_enquiries, enquiry_id)
    assert (again["title"], again["last_event_id"]) == ("original", first["last_event_id"])


def test_agreement_follows_its_newest_event_and_ignores_a_late_older_one(runtime, sites):
    enquiry_id = sites.enquiry("AT12")
    agreement_id = sites.agreement("AT12", enquiry_id, "made")
    sites.agreement("AT12", enquiry_id, "delivered", version=3, agreement_id=agreement_id)
    sites.agreement("AT12", enquiry_id, "cancelled", version=2, agreement_id=agreement_id)
    kept = row(runtime, enquiry_store.hub_agreements, agreement_id)
    assert (kept["status"], kept["aggregate_version"], kept["price"]) == ("delivered", 3, Decimal("4200.00"))


def test_an_agreement_before_its_enquiry_is_kept(runtime, sites):
    # A gap being healed may deliver the agreement first; nothing may fail or be lost.
    enquiry_id = str(uuid.uuid4())
    agreement_id = sites.agreement("HU22", enquiry_id)
    assert row(runtime, enquiry_store.hub_agreements, agreement_id, site="HU22")["enquiry_id"] == enquiry_id


def test_impact_record_corrected_by_a_newer_version(runtime, sites):
    enquiry_id = sites.enquiry("AT12")
    impact_id = sites.impact("AT12", enquiry_id, value_paid_eur="100.00")
    sites.impact("AT12", enquiry_id, version=2, impact_id=impact_id, value_paid_eur="150.00", regional_share=None)
    sites.impact("AT12", enquiry_id, version=1, impact_id=impact_id, value_paid_eur="999.00")
    kept = row(runtime, enquiry_store.hub_impact, impact_id)
    assert (kept["value_paid_eur"], kept["regional_share"], kept["aggregate_version"]) == (Decimal("150.00"), None, 2)


def test_the_same_enquiry_id_at_two_sites_stays_two_rows(runtime, sites):
    enquiry_id = str(uuid.uuid4())
    sites.enquiry("AT13", enquiry_id=enquiry_id, title="Vienna")
    sites.enquiry("HU22", version=4, enquiry_id=enquiry_id, title="Győr")
    assert row(runtime, enquiry_store.hub_enquiries, enquiry_id, site="AT13")["title"] == "Vienna"
    assert row(runtime, enquiry_store.hub_enquiries, enquiry_id, site="HU22")["title"] == "Győr"


def test_the_hub_ingest_pipeline_checks_and_applies_signed_enquiry_events(runtime, federation_files):
    # Through services.workers.hub_ingest: the signature, the event's JSON Schema, the tracking row, the handler.
    spec, processor, streams = hub_ingest(runtime)
    assert "*.enquiries.#" in spec.binding_keys
    assert {"AT12/enquiries", "HU22/enquiries", "AT12/registry"} <= set(streams)

    key = load_private_key(federation_files[1] / "AT12.pem")
    enquiry_id = str(uuid.uuid4())
    submitted = ev.EnquiryData().load(enquiry_data(enquiry_id))  # typed, as the site's domain holds it
    changed = {**submitted, "state": "matching", "cross_border_flagged": True}
    bodies = [signed(ev.EnquirySubmitted(**submitted), enquiry_id, 1, 1, "AT12", key),
              signed(ev.EnquiryChanged(**changed), enquiry_id, 2, 2, "AT12", key)]

    outcome = processor.process(list(reversed(bodies)))  # order within the batch does not matter
    assert (len(outcome.applied), outcome.dead) == (2, [])
    kept = row(runtime, enquiry_store.hub_enquiries, enquiry_id)
    assert (kept["state"], kept["cross_border_flagged"], kept["aggregate_version"]) == ("matching", True, 2)
    assert processor.process(bodies).duplicates == 2  # redelivered: applied once only
