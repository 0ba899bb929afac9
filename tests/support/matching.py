"""The site's matching projection fed through its handlers (envelopes from tests/support/events.py):
registry event data, a runtime with only the kernel's and matching's tables, and shortlist requests.
For the test_matching_* modules."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from services.bootstrap import bootstrap
from services.common.envelope import Envelope
from services.common.migrate import KERNEL, upgrade
from services.enquiries.matching import service, store
from services.enquiries.matching.consumers import HANDLERS
from services.enquiries.matching.service import MatchRequest
from tests.support import events
from tests.support.events import envelope

SITE = "AT12"


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


def matching_runtime(make_settings, db_url: str):
    """A site with only the kernel's and matching's tables (these tests do not depend on the other parts'
    migrations), disposed of when the fixture that yields from it ends."""
    rt = bootstrap(make_settings(SITE, db_url=db_url), migrate_db=False)
    upgrade(rt.engine, [KERNEL, store.COMPONENT])
    yield rt
    rt.engine.dispose()


def kernel_only_runtime(make_settings, db_url: str):
    """A site with only the kernel's tables, for a test that migrates matching itself; disposed of as above."""
    rt = bootstrap(make_settings(SITE, db_url=db_url), migrate_db=False)
    upgrade(rt.engine, [KERNEL])
    yield rt
    rt.engine.dispose()


@pytest.fixture
def runtime(make_settings, pg_url):
    yield from matching_runtime(make_settings, pg_url)


def apply(runtime, *envelopes: Envelope) -> None:
    """Apply `envelopes` to the site's matching projection in order, one transaction each."""
    events.apply(HANDLERS, runtime, *envelopes)


def publish_se(runtime, capacity: str = "70", org_changes: dict | None = None, **offer_changes) -> tuple[str, str]:
    """A social enterprise with one offer in the projection; returns (organisation id, offer id)."""
    org_id, offer_id = str(uuid.uuid4()), str(uuid.uuid4())
    apply(runtime,
          envelope("registry.organisation.registered", org_id, 1, organisation(org_id, **(org_changes or {}))),
          envelope("registry.offer.published", offer_id, 1, offer(offer_id, org_id, capacity_per_week=capacity,
                                                                   **offer_changes)))
    return org_id, offer_id


TODAY = date(2026, 3, 2)
IN_4_WEEKS = date(2026, 3, 30)  # 70 a week -> 280 before the deadline
ST_POELTEN = dict(delivery_lat=48.204, delivery_lon=15.626)


def request(quantity, **changes) -> MatchRequest:
    return MatchRequest(**{**dict(cpv_codes=("39111000",), today=TODAY, quantity=Decimal(quantity), unit="piece",
                                  deadline=IN_4_WEEKS, **ST_POELTEN), **changes})


def shortlist(runtime, req: MatchRequest, limit: int = 10):
    with runtime.engine.connect() as conn:
        return service.shortlist(conn, req, limit)
