"""The origin site's side of a cross-border order: what the hub's consortium snapshots mean here. No I/O.

The site asked the hub for a consortium (crossborder.handlers.request_consortium); the hub answers with
snapshots of the whole order (`hub.consortium.updated` / `.agreed`, version 1 or 2). From them:

- `upgrade` reads a snapshot of either version in the version 2 shape, so one picture serves the API,
  the pages and the lifecycle. A version 1 reason stays the English string it was (shown as it is);
  its EUR prices are worked out at the federation's rates.
- `stage` and `steps` say how far the snapshot takes the enquiry: agreed, in production, delivered, one
  state at a time and only forward, so a replayed or late snapshot moves nothing.
- `ClientAgreement` is what the origin's broker agrees with the client: one line per part, in the part's
  currency and in EUR, and the total in EUR and in the site's currency. It follows the parts' later
  status and deliveries; a re-allocation after a failure adds lines, a failed line stays, marked.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

from services.common.db import plain
from services.enquiries.lifecycle.transitions import AGREED, DELIVERED, IN_PRODUCTION, OPEN

CENT = Decimal("0.01")
UNIT_PRICE = Decimal("0.0001")  # the precision of prices in events and tables (ExactDecimal(18, 4))

# The hub's order and part states (services.contracts.events.hub, version 2).
ORDER_AGREED, ORDER_IN_PRODUCTION, ORDER_DELIVERED = "agreed", "in_production", "delivered"
PART_FAILED = "failed"
# Parts that ended before delivering all they were agreed for: failed, or withdrawn with their cancelled order.
ENDED_EARLY = (PART_FAILED, "withdrawn")
STARTED_PARTS = ("in_production", "delivered")
# Parts the client has agreed to: accepted at some point. A part declined or withdrawn before that never is.
AGREED_PARTS = ("accepted", "in_production", "delivered", PART_FAILED)

# The forward path of a consortium enquiry, and the audit trail's reason for each step (a fixed key the
# pages translate, never a sentence written at runtime).
FORWARD = (AGREED, IN_PRODUCTION, DELIVERED)
AUDIT_REASONS = {AGREED: "consortium_agreed", IN_PRODUCTION: "consortium_part_started",
                 DELIVERED: "consortium_delivered"}
NO_IMPACT = {"parts": 0, "value_paid_eur": "0", "material_diverted_kg": "0", "integration_hours": "0",
             "distance_km": None, "regional_share": None}


# --- the snapshot ------------------------------------------------------------------------------------

def upgrade(data: Mapping, version: int, rates_to_eur: Mapping[str, Decimal]) -> dict:
    """The snapshot in the version 2 shape. Version 1 had no prices in EUR, names, deliveries nor impact;
    its reasons were English sentences, kept as they are. A shortfall's `reason` was already a code."""
    if version >= 2:
        return {**data, "version": version}
    parts = [{**p, "organisation_name": None, "unit_price_eur": _in_eur(p["unit_price"], p["currency"], rates_to_eur),
              "note": None, "delivered": 0, "deliveries": [], "impact": None} for p in data["parts"]]
    shortfalls = [{"code": s["reason"], "quantity": s["quantity"], "params": {"quantity": s["quantity"]}}
                  for s in data["shortfalls"]]
    return {**data, "parts": parts, "shortfalls": shortfalls, "delivered": 0, "deadline": None,
            "impact": dict(NO_IMPACT), "version": version}


def _in_eur(amount, currency: str, rates_to_eur: Mapping[str, Decimal]) -> str:
    # Every currency of the federation has a rate (deploy/federation.yaml); the hub priced the part with it.
    return str(plain((Decimal(str(amount)) * rates_to_eur[currency]).quantize(UNIT_PRICE, ROUND_HALF_UP)))


def stage(snapshot: Mapping, agreed_before: bool) -> str | None:
    """The furthest enquiry state the snapshot justifies, or None. Before the consortium was agreed nothing
    moves (a short or cancelled order is the broker's to handle); once agreed, the first part started means
    production, and the hub's `delivered` means every part is delivered."""
    status = snapshot["status"]
    if status == ORDER_DELIVERED:
        return DELIVERED
    if not (agreed_before or status in (ORDER_AGREED, ORDER_IN_PRODUCTION)):
        return None
    started = status == ORDER_IN_PRODUCTION or any(p["status"] in STARTED_PARTS for p in snapshot["parts"])
    return IN_PRODUCTION if started else AGREED


def steps(state: str, target: str | None) -> list[str]:
    """The moves from `state` to `target` through every state between (so the audit trail has no jump),
    none if the enquiry is there already or beyond, or has ended (closed, cancelled, expired)."""
    if target is None:
        return []
    if state in OPEN:
        start = 0
    elif state in FORWARD:
        start = FORWARD.index(state) + 1
    else:
        return []
    return list(FORWARD[start:FORWARD.index(target) + 1])


# --- the client-facing agreement ---------------------------------------------------------------------

@dataclass(frozen=True)
class AgreementLine:
    """One part of the consortium as the client agreed to it."""

    part_id: str
    site: str
    organisation_id: str
    organisation_name: str | None
    offer_id: str
    quantity: int
    unit_price: Decimal
    currency: str
    unit_price_eur: Decimal
    status: str
    delivered: int
    added_at: datetime

    @property
    def price(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT, ROUND_HALF_UP)

    @property
    def price_eur(self) -> Decimal:
        return (self.unit_price_eur * self.quantity).quantize(CENT, ROUND_HALF_UP)

    @property
    def failed(self) -> bool:
        return self.status == PART_FAILED

    @property
    def payable_eur(self) -> Decimal:
        """What the line adds to the total: its price, or for a line that ended early what it delivered."""
        units = self.delivered if self.status in ENDED_EARLY else self.quantity
        return (self.unit_price_eur * units).quantize(CENT, ROUND_HALF_UP)


@dataclass
class ClientAgreement:
    """The origin's agreement with its client about a consortium order (one per order)."""

    order_id: str
    enquiry_id: str
    made_at: datetime
    unit: str | None
    currency: str  # the site's
    rate_to_eur: Decimal  # of the site's currency, fixed when the agreement was made
    lines: list[AgreementLine] = field(default_factory=list)

    @property
    def total_eur(self) -> Decimal:
        return sum((line.payable_eur for line in self.lines), Decimal(0)).quantize(CENT)

    @property
    def total(self) -> Decimal:
        """The total in the site's currency."""
        return (self.total_eur / self.rate_to_eur).quantize(CENT, ROUND_HALF_UP)

    @classmethod
    def make(cls, snapshot: Mapping, unit: str | None, currency: str, rates_to_eur: Mapping[str, Decimal],
             now: datetime) -> "ClientAgreement":
        agreement = cls(str(snapshot["order_id"]), str(snapshot["enquiry_id"]), now, unit, currency,
                        rates_to_eur[currency])
        agreement.follow(snapshot, now)
        return agreement

    def follow(self, snapshot: Mapping, now: datetime) -> list[AgreementLine]:
        """Bring the lines up to the snapshot: a part agreed since (a re-allocation) becomes a new line, a
        known part takes its new status and delivered quantity. The lines that changed."""
        known = {line.part_id: i for i, line in enumerate(self.lines)}
        changed = []
        for part in snapshot["parts"]:
            i = known.get(str(part["part_id"]))
            if i is None:
                if part["status"] in AGREED_PARTS:
                    self.lines.append(_line(part, now))
                    changed.append(self.lines[-1])
                continue
            line = self.lines[i]
            updated = replace(line, status=part["status"], delivered=part.get("delivered", 0),
                              organisation_name=part.get("organisation_name") or line.organisation_name)
            if updated != line:
                self.lines[i] = updated
                changed.append(updated)
        return changed


def _line(part: Mapping, now: datetime) -> AgreementLine:
    return AgreementLine(
        part_id=str(part["part_id"]), site=part["site"], organisation_id=str(part["organisation_id"]),
        organisation_name=part.get("organisation_name"), offer_id=str(part["offer_id"]), quantity=part["quantity"],
        unit_price=Decimal(str(part["unit_price"])), currency=part["currency"],
        unit_price_eur=Decimal(str(part["unit_price_eur"])), status=part["status"],
        delivered=part.get("delivered", 0), added_at=now)
