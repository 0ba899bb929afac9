"""A client's impact over a period: its agreements delivered in the period, each with the impact record
made at its delivery, and their totals.

- value paid: summed per currency (an amount in HUF and one in EUR are not added up), and in EUR as
  each record converted it when the delivery was recorded, at the federation's configured rate
  (`rates_to_eur` in federation.yaml; the record keeps the rate in its `basis`);
- hours of people in integration and material kept from waste (kg): sums;
- regional share and distance: means weighted by the quantity each agreement delivered, over the
  records that state them, as the cross-border consortium's roll-up weights its parts
  (`services.hub.crossborder.snapshot.impact`).

`delivered_to` reads; `totals` is pure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, select

from services.enquiries.lifecycle import deals_store
from services.enquiries.lifecycle.deals import DELIVERED, Agreement
from services.enquiries.lifecycle.impact import ImpactRecord
from services.enquiries.lifecycle.tables import agreement as agreement_table, enquiry as enquiry_table

ZERO = Decimal(0)
FOURTH = Decimal("0.0001")
MAX_ROWS = 500  # a client's deliveries of one period; more than a page can show sensibly


@dataclass(frozen=True)
class DeliveredRow:
    enquiry_id: str
    reference: str
    title: str
    agreement: Agreement
    impact: ImpactRecord | None  # every delivery records one; None only for data older than impact records


def delivered_to(conn: Connection, organisation_id: str, start: date, end: date) -> list[DeliveredRow]:
    """The client organisation's agreements delivered from `start` to `end` (both included), oldest first."""
    e, a = enquiry_table, agreement_table
    enquiries = conn.execute(
        select(e.c.id, e.c.reference, e.c.title).where(
            e.c.client_organisation_id == organisation_id,
            e.c.id.in_(select(a.c.enquiry_id).where(a.c.status == DELIVERED)))
        .order_by(e.c.id).limit(MAX_ROWS)).all()
    found = []
    for enquiry in enquiries:
        impacts = {i.agreement_id: i for i in deals_store.impacts_of(conn, enquiry.id)}
        found += [DeliveredRow(enquiry.id, enquiry.reference, enquiry.title, agreement, impacts.get(agreement.id))
                  for agreement in deals_store.agreements_of(conn, enquiry.id)
                  if agreement.status == DELIVERED and agreement.delivered_at is not None
                  and start <= agreement.delivered_at.date() <= end]
    return sorted(found, key=lambda row: (row.agreement.delivered_at, row.agreement.id))


@dataclass(frozen=True)
class Totals:
    deliveries: int
    recorded: int
    value_paid: dict[str, Decimal]  # by currency
    value_paid_eur: Decimal
    integration_hours: Decimal
    material_diverted_kg: Decimal
    regional_share: Decimal | None  # weighted mean, 0..1
    distance_km: Decimal | None  # weighted mean


def totals(rows: list[DeliveredRow]) -> Totals:
    records = [(row.agreement, row.impact) for row in rows if row.impact is not None]
    paid: dict[str, Decimal] = {}
    for _agreement, record in records:
        paid[record.currency] = paid.get(record.currency, ZERO) + record.value_paid
    return Totals(
        deliveries=len(rows), recorded=len(records), value_paid=dict(sorted(paid.items())),
        value_paid_eur=sum((r.value_paid_eur for _a, r in records), ZERO),
        integration_hours=sum((r.integration_hours for _a, r in records if r.integration_hours is not None), ZERO),
        material_diverted_kg=sum((r.material_diverted_kg for _a, r in records if r.material_diverted_kg is not None),
                                 ZERO),
        regional_share=weighted_mean(records, "regional_share"),
        distance_km=weighted_mean(records, "distance_km"))


def weighted_mean(records: list[tuple[Agreement, ImpactRecord]], name: str) -> Decimal | None:
    """The mean of a figure weighted by the quantity each agreement delivered, over the records stating it."""
    weighted = [(Decimal(a.terms.quantity), getattr(r, name)) for a, r in records if getattr(r, name) is not None]
    units = sum((w for w, _v in weighted), ZERO)
    return (sum(w * v for w, v in weighted) / units).quantize(FOURTH) if units else None
