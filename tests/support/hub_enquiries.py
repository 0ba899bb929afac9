"""The hub fed the enquiries service's events (tests/integration/test_hub_enquiries_*.py): event data, the
`Sites` that feed them, the hub's runtime on SQLite and on PostgreSQL, its client, a stored row, and the
`data` of enquiries, an agreement and impact records at AT12 and HU22."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tests.support import hub
from tests.support.hub import client, runtime  # noqa: F401 - fixture
from tests.support.events import envelope


def enquiry_data(enquiry_id: str, site: str = "AT12", **changes) -> dict:
    return {
        "enquiry_id": enquiry_id, "reference": f"{site}-E-2026-0001", "type": "production_step", "state": "submitted",
        "client_kind": "economic_enterprise", "client_organisation_id": str(uuid.uuid4()),
        "title": "Sewing 500 tote bags", "cpv_codes": ["18930000"], "quantity": "500", "unit": "piece",
        "deadline": "2026-09-30", "delivery_nuts3": "AT123", "budget": "4500.00",
        "currency": "HUF" if site == "HU22" else "EUR", "label_required": False, "cross_border_allowed": True,
        "cross_border_flagged": False, "submitted_at": "2026-03-01T09:00:00+00:00", **changes,
    }


def agreement_data(agreement_id: str, enquiry_id: str, status: str = "active", **changes) -> dict:
    return {
        "agreement_id": agreement_id, "enquiry_id": enquiry_id, "organisation_id": str(uuid.uuid4()),
        "offer_id": None, "quantity": "500", "unit": "piece", "price": "4200.00", "currency": "EUR",
        "delivery_date": "2026-09-15", "status": status, **changes,
    }


def impact_data(agreement_id: str, enquiry_id: str, year: int = 2026, **changes) -> dict:
    return {
        "agreement_id": agreement_id, "enquiry_id": enquiry_id, "year": year, "value_paid": "4200.00",
        "currency": "EUR", "value_paid_eur": "4200.00", "material_diverted_kg": "120.5", "regional_share": "0.8",
        "distance_km": "35", "production_nuts3": "AT123", "integration_hours": "310", **changes,
    }


class Sites:
    """Feeds the hub the enquiries service's events, as the consumer runner would after its checks."""

    def __init__(self, runtime):
        self.runtime = runtime

    def apply(self, *envelopes) -> None:
        hub.apply(self.runtime, *envelopes)

    def enquiry(self, site: str, version: int = 1, enquiry_id: str | None = None, **changes) -> str:
        enquiry_id = enquiry_id or str(uuid.uuid4())
        kind = "enquiries.enquiry.submitted" if version == 1 else "enquiries.enquiry.changed"
        self.apply(envelope(kind, enquiry_id, version, enquiry_data(enquiry_id, site, **changes), site))
        return enquiry_id

    def agreement(self, site: str, enquiry_id: str, verb: str = "made", version: int = 1,
                  agreement_id: str | None = None, **changes) -> str:
        agreement_id = agreement_id or str(uuid.uuid4())
        status = {"made": "active", "cancelled": "cancelled", "delivered": "delivered"}[verb]
        self.apply(envelope(f"enquiries.agreement.{verb}", agreement_id, version,
                            agreement_data(agreement_id, enquiry_id, status, **changes), site))
        return agreement_id

    def impact(self, site: str, enquiry_id: str, version: int = 1, impact_id: str | None = None, **changes) -> str:
        # Keyed by the envelope's aggregate, whatever the site uses as one (here: a record of its own).
        impact_id = impact_id or str(uuid.uuid4())
        agreement_id = changes.pop("agreement_id", str(uuid.uuid4()))
        self.apply(envelope("enquiries.impact.recorded", impact_id, version,
                            impact_data(agreement_id, enquiry_id, **changes), site))
        return impact_id


@pytest.fixture
def sites(runtime):
    return Sites(runtime)


def row(runtime, table, aggregate_id: str, site: str = "AT12"):
    with runtime.engine.connect() as conn:
        return conn.execute(select(table).where(table.c.site == site, table.c.id == aggregate_id)).mappings().first()


@pytest.fixture
def data(sites):
    ids = {}
    ids["bags"] = sites.enquiry("AT12", reference="AT12-E-2026-0001", title="Tote bags",
                                submitted_at="2026-03-01T09:00:00+00:00")
    ids["catering"] = sites.enquiry("AT12", reference="AT12-E-2026-0002", title="Catering", type="service",
                                    cpv_codes=["55520000"], client_kind="anonymous", client_organisation_id=None,
                                    submitted_at="2026-04-01T09:00:00+00:00")
    sites.enquiry("AT12", version=5, enquiry_id=ids["catering"], reference="AT12-E-2026-0002", title="Catering",
                  type="service", cpv_codes=["55520000"], state="delivered", client_kind="anonymous",
                  client_organisation_id=None, submitted_at="2026-04-01T09:00:00+00:00")
    ids["old"] = sites.enquiry("AT12", reference="AT12-E-2025-0009", title="Old demolition", cpv_codes=["45110000"],
                               state="cancelled", submitted_at="2025-11-20T09:00:00+00:00")
    ids["toys"] = sites.enquiry("HU22", reference="HU22-E-2026-0001", title="Wooden toys", type="give_away",
                                cpv_codes=["37520000"], cross_border_flagged=True,
                                submitted_at="2026-02-01T09:00:00+00:00")

    ids["agreement"] = sites.agreement("AT12", ids["catering"], "delivered", version=2)
    sites.impact("AT12", ids["catering"], agreement_id=ids["agreement"], year=2026, value_paid_eur="4200.00",
                 material_diverted_kg="120.5", regional_share="0.8", distance_km="35", integration_hours="310")
    sites.impact("AT12", ids["old"], year=2025, value_paid_eur="1000.005", material_diverted_kg=None,
                 regional_share=None, distance_km="10", production_nuts3="AT127", integration_hours="40.5")
    sites.impact("HU22", ids["toys"], year=2026, value_paid="400000", currency="HUF", value_paid_eur="1000.00",
                 material_diverted_kg="30", regional_share="0.5", distance_km="5", production_nuts3="HU221",
                 integration_hours="80")
    return ids
