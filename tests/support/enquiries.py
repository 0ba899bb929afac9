"""An enquiry in the lifecycle model, and the parties acting on it, for the model's unit tests."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from services.enquiries.lifecycle import model as m

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
CLIENT_ORG = "11111111-1111-4111-8111-111111111111"
SE_ORG = "22222222-2222-4222-8222-222222222222"
ACTORS = {
    m.CLIENT: m.Actor("client-user", organisation_id=CLIENT_ORG),
    m.SOCIAL_ENTERPRISE: m.Actor("se-user", organisation_id=SE_ORG),
    m.BROKER: m.Actor("broker-user", staff=True),
    m.SYSTEM: m.Actor("sopro tick", system=True),
}


def enquiry(state: str = m.DRAFT, deadline: date | None = TODAY + timedelta(days=30), **overrides) -> m.Enquiry:
    fields = dict(id="e1", reference="AT12-E-2026-0001", type="production_step", title="Pallet furniture",
                  client=m.Client("economic_enterprise", CLIENT_ORG, m.Contact("Maria Huber", "m@example.org")),
                  created_at=NOW, cpv_codes=["39100000"], quantity=Decimal("100"), unit="pieces", deadline=deadline,
                  currency="EUR")
    fields.update(overrides)
    e = m.Enquiry(**fields)
    e.state = state
    if state != m.DRAFT:
        e.submitted_at = NOW
    return e
