"""What an impact report holds (no I/O): the party it is for, the period, the deals delivered in it with
the figures recorded at each delivery, their totals, and the social value put beside them.

A deal is one delivery of work by a social enterprise to a client: an agreement made at this site, or a
part of a cross-border order the client placed here and a social enterprise of another site delivered.
Every total is the sum of the deal rows' figures (Decimal, exact), so each figure is traceable to its
deals; `report.py` computes them, `csv_export.py` and `pdf.py` write them, the pages show them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.contracts.impact_policy import ValuedLine

CLIENT = "client"  # a company or public institution: the deals delivered to it
SOCIAL_ENTERPRISE = "social_enterprise"  # the deals it delivered

AGREEMENT = "agreement"
CROSSBORDER_PART = "crossborder_part"


@dataclass(frozen=True)
class Party:
    organisation_id: str
    name: str
    role: str  # CLIENT or SOCIAL_ENTERPRISE


@dataclass(frozen=True)
class DealRow:
    kind: str  # AGREEMENT or CROSSBORDER_PART
    deal_id: str  # the agreement's id, or the hub's part id
    enquiry_id: str
    reference: str  # the enquiry's reference
    title: str
    counterpart_id: str  # the social enterprise in a client's report; the client in a social enterprise's
    counterpart_name: str | None
    site: str  # the site of the social enterprise that did the work
    country: str  # that site's country: it chooses the social-value proxy
    delivered_on: date
    quantity: Decimal
    unit: str | None
    recorded: bool  # False for a delivery without an impact record (data older than impact records)
    value_paid: Decimal | None = None  # in `currency`
    currency: str | None = None
    value_paid_eur: Decimal | None = None  # as converted when the delivery was recorded
    integration_hours: Decimal | None = None
    material_diverted_kg: Decimal | None = None
    regional_share: Decimal | None = None  # 0..1
    distance_km: Decimal | None = None


@dataclass(frozen=True)
class Totals:
    deals: int
    recorded: int
    value_paid: dict[str, Decimal]  # per currency: HUF and EUR are not added up
    value_paid_eur: Decimal
    integration_hours: Decimal
    material_diverted_kg: Decimal
    regional_share: Decimal | None  # mean weighted by the quantity delivered, over the rows stating it
    distance_km: Decimal | None  # likewise
    # per (country, figure): the quantities the social-value proxies value
    by_country: dict[tuple[str, str], Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    party: Party
    start: date
    end: date
    totals: Totals
    rows: list[DealRow]  # the page's rows (all of them for the CSV and the PDF)
    social_value: list[ValuedLine]
    rates_to_eur: dict[str, Decimal]
    page: int = 1
    pages: int = 1

    @property
    def empty(self) -> bool:
        return self.totals.deals == 0
