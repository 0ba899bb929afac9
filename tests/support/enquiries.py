"""An enquiry in the lifecycle model, and the parties acting on it, for the model's unit tests."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.transitions import BROKER, CLIENT, DRAFT, SOCIAL_ENTERPRISE, SYSTEM, Actor
from services.enquiries.lifecycle.values import Client, Contact

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
CLIENT_ORG = "11111111-1111-4111-8111-111111111111"
SE_ORG = "22222222-2222-4222-8222-222222222222"
ACTORS = {
    CLIENT: Actor("client-user", organisation_id=CLIENT_ORG),
    SOCIAL_ENTERPRISE: Actor("se-user", organisation_id=SE_ORG),
    BROKER: Actor("broker-user", staff=True),
    SYSTEM: Actor("sopro tick", system=True),
}


def enquiry(state: str = DRAFT, deadline: date | None = TODAY + timedelta(days=30), **overrides) -> Enquiry:
    fields = dict(id="e1", reference="AT12-E-2026-0001", type="production_step", title="Pallet furniture",
                  client=Client("economic_enterprise", CLIENT_ORG, Contact("Maria Huber", "m@example.org")),
                  created_at=NOW, cpv_codes=["39100000"], quantity=Decimal("100"), unit="pieces", deadline=deadline,
                  currency="EUR")
    fields.update(overrides)
    e = Enquiry(**fields)
    e.state = state
    if state != DRAFT:
        e.submitted_at = NOW
    return e
