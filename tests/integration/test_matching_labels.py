"""The label in matching, on PostgreSQL: the projection of the site's label events (never the label
service's tables), the shortlist's label status, and enquiries that require the label."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from services.common.envelope import Envelope
from services.common.signing import sign
from services.enquiries.matching import store
from services.workers import site_members
from tests.support.matching import (  # noqa: F401 - `runtime` is a fixture
    TODAY, apply, publish_se, request, runtime, shortlist,
)
from tests.support.events import envelope

pytestmark = pytest.mark.services


def label(label_id: str, org_id: str, **changes) -> dict:
    return {
        "label_id": label_id, "number": "SOPRO-AT12-2026-0001", "application_id": str(uuid.uuid4()),
        "holder_organisation_id": org_id, "holder_name": "Werkstatt Nord", "product": "Wooden furniture",
        "cpv_codes": ["39100000"], "catalogue_version": 1, "status": "valid", "valid_from": "2026-01-01",
        "valid_until": "2028-12-31", "suspended_until": None, "reason": None, **changes,
    }


def grant(runtime, org_id: str, **changes) -> str:
    label_id = str(uuid.uuid4())
    apply(runtime, envelope("label.label.granted", label_id, 1, label(label_id, org_id, **changes)))
    return label_id


def stored(runtime, label_id: str):
    with runtime.engine.connect() as conn:
        return conn.execute(select(store.matching_label).where(store.matching_label.c.label_id == label_id)) \
            .mappings().first()


def candidate(result, offer_id: str):
    return next(r for r in result.candidates if r.candidate.offer_id == offer_id)


def test_label_snapshots_are_projected_and_a_stale_one_is_ignored(runtime):
    org, _ = publish_se(runtime)
    label_id = str(uuid.uuid4())
    apply(runtime,
          envelope("label.label.granted", label_id, 1, label(label_id, org)),
          envelope("label.label.suspended", label_id, 3, label(label_id, org, status="suspended",
                                                               suspended_until="2026-06-30", reason="audit")),
          envelope("label.label.reinstated", label_id, 2, label(label_id, org)))  # stale: arrives late
    row = stored(runtime, label_id)
    assert row["status"] == "suspended" and row["aggregate_version"] == 3
    assert row["number"] == "SOPRO-AT12-2026-0001" and row["holder_organisation_id"] == org
    assert row["cpv_codes"] == ["39100000"] and row["valid_until"] == date(2028, 12, 31)


def test_a_valid_label_in_the_offers_division_makes_the_offer_labelled(runtime):
    org, offer = publish_se(runtime)
    _, other = publish_se(runtime)
    grant(runtime, org)
    result = shortlist(runtime, request(100))
    held = candidate(result, offer)
    assert held.candidate.labelled and held.candidate.label_number == "SOPRO-AT12-2026-0001"
    assert "holds the label 'socio-ecologically produced': +10" in held.reasons
    assert not candidate(result, other).candidate.labelled
    as_json = {c["offer_id"]: c for c in result.to_dict()["candidates"]}
    assert as_json[offer]["labelled"] is True and as_json[offer]["label_number"] == "SOPRO-AT12-2026-0001"
    assert as_json[other]["labelled"] is False and as_json[other]["label_number"] is None
    assert result.to_dict()["excluded_unlabelled"] == 0 and result.to_dict()["label_required"] is False


def test_a_label_in_another_division_or_past_its_validity_does_not_count(runtime):
    other_division, offer_a = publish_se(runtime)
    grant(runtime, other_division, cpv_codes=["45000000"])
    past, offer_b = publish_se(runtime)
    grant(runtime, past, valid_until=str(date(TODAY.year, TODAY.month, TODAY.day - 1)))
    result = shortlist(runtime, request(100))
    assert not candidate(result, offer_a).candidate.labelled
    assert not candidate(result, offer_b).candidate.labelled


@pytest.mark.parametrize("event_type, status", [
    ("label.label.suspended", "suspended"), ("label.label.revoked", "revoked"), ("label.label.expired", "expired"),
])
def test_suspension_revocation_or_expiry_unlabels_the_offer(runtime, event_type, status):
    org, offer = publish_se(runtime)
    label_id = grant(runtime, org)
    assert candidate(shortlist(runtime, request(100)), offer).candidate.labelled
    apply(runtime, envelope(event_type, label_id, 2, label(label_id, org, status=status, reason="checked")))
    held = candidate(shortlist(runtime, request(100)), offer)
    assert not held.candidate.labelled and held.candidate.label_number is None


def test_reinstatement_labels_the_offer_again(runtime):
    org, offer = publish_se(runtime)
    label_id = grant(runtime, org)
    apply(runtime,
          envelope("label.label.suspended", label_id, 2, label(label_id, org, status="suspended", reason="audit")),
          envelope("label.label.reinstated", label_id, 3, label(label_id, org)))
    assert candidate(shortlist(runtime, request(100)), offer).candidate.labelled


def test_a_stale_suspension_does_not_unlabel(runtime):
    org, offer = publish_se(runtime)
    label_id = str(uuid.uuid4())
    apply(runtime,
          envelope("label.label.renewed", label_id, 3, label(label_id, org)),
          envelope("label.label.suspended", label_id, 2, label(label_id, org, status="suspended", reason="old")))
    assert candidate(shortlist(runtime, request(100)), offer).candidate.labelled


def test_label_required_excludes_unlabelled_offers_from_candidates_and_split(runtime):
    labelled_org, labelled = publish_se(runtime, capacity="20")  # 80 before the deadline
    grant(runtime, labelled_org)
    _, unlabelled = publish_se(runtime, capacity="20")
    suspended_org, suspended = publish_se(runtime, capacity="20")
    grant(runtime, suspended_org, status="suspended", reason="audit")

    open_result = shortlist(runtime, request(200))
    assert open_result.split is not None and len(open_result.split.parts) == 3

    result = shortlist(runtime, request(200, label_required=True))
    assert [r.candidate.offer_id for r in result.candidates] == [labelled]
    assert result.considered == 1 and result.excluded_unlabelled == 2
    assert [(p.offer_id, p.quantity) for p in result.split.parts] == [(labelled, 80)]
    assert result.missing_quantity == 120 and result.cross_border_needed
    as_json = result.to_dict()
    assert as_json["label_required"] is True and as_json["excluded_unlabelled"] == 2
    assert unlabelled not in {p["offer_id"] for p in as_json["split"]["parts"]}
    assert suspended not in {c["offer_id"] for c in as_json["candidates"]}


def test_the_site_consumer_validates_and_applies_a_signed_label_event(runtime):
    spec, processor = site_members(runtime)
    assert "AT12.label.label.*" in spec.binding_keys
    org, offer = publish_se(runtime)
    label_id = str(uuid.uuid4())
    env = envelope("label.label.granted", label_id, 1, label(label_id, org))
    body = Envelope(**{**env.__dict__, "signature": sign(env.unsigned_fields(), runtime.signing_key, "AT12")}).to_json()
    outcome = processor.process([body])
    assert len(outcome.applied) == 1, outcome
    assert stored(runtime, label_id)["status"] == "valid"
    assert candidate(shortlist(runtime, request(100)), offer).candidate.labelled
