"""Proposals, negotiation and agreements. No I/O.

A social enterprise (or the broker for it) proposes a quantity, a total price, a delivery date and
conditions. A proposal is revised rather than replaced: each revision is kept, numbered 1, 2, 3...
Accepting proposals makes agreements; several together may cover the enquiry's quantity (a split),
but never more than it. The enquiry becomes `agreed` once its agreements cover the quantity.

Capacity is not this module's business: the handler reserves it through the matching part in the
same transaction, so an over-committed SE turns the acceptance into a 409 and nothing is saved.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from services.common.errors import Conflict, Forbidden, invalid
from services.common.events import Aggregate
from services.contracts.events.enquiries import AgreementCancelled, AgreementDelivered, AgreementMade
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.transitions import (
    AGREED, BROKER, CLIENT, MATCHING, NEGOTIATING, SOCIAL_ENTERPRISE, Actor, AuditEntry, Facts,
)

OPEN, ACCEPTED, WITHDRAWN, DECLINED = "open", "accepted", "withdrawn", "declined"
ACTIVE, CANCELLED, DELIVERED = "active", "cancelled", "delivered"
PROPOSING_STATES = (MATCHING, NEGOTIATING)


@dataclass(frozen=True)
class Terms:
    """What a proposal offers. `price` is the total for `quantity`, in `currency`."""

    quantity: Decimal
    unit: str
    price: Decimal
    currency: str
    delivery_date: date
    conditions: str | None = None

    def check(self, enquiry: Enquiry, site_currency: str, today: date) -> None:
        if self.quantity <= 0:
            raise invalid("quantity", "must be more than zero")
        if self.price < 0:
            raise invalid("price", "must not be negative")
        if self.currency not in (site_currency, "EUR"):
            raise invalid("currency", f"must be the site's currency ({site_currency}) or EUR")
        if self.delivery_date < today:
            raise invalid("delivery_date", "must not be in the past")
        if enquiry.unit and self.unit != enquiry.unit:
            raise invalid("unit", f"the enquiry counts in {enquiry.unit}")


@dataclass
class Proposal:
    id: str
    enquiry_id: str
    organisation_id: str
    offer_id: str | None
    terms: Terms
    created_by: str
    created_at: datetime
    revision: int = 1
    status: str = OPEN
    revised: bool = field(default=False, compare=False)  # a new revision to store

    def revise(self, actor: Actor, enquiry: Enquiry, terms: Terms) -> None:
        _require_proposer(actor, enquiry, self.organisation_id)
        _require_open(self, "revise")
        if enquiry.state not in PROPOSING_STATES:
            raise Conflict(f"the enquiry is {enquiry.state}; proposals are revised while negotiating",
                           {"state": [enquiry.state]}, code="not_negotiating")
        if terms != self.terms:
            self.terms, self.revision, self.revised = terms, self.revision + 1, True

    def withdraw(self, actor: Actor, enquiry: Enquiry) -> None:
        _require_proposer(actor, enquiry, self.organisation_id)
        _require_open(self, "withdraw")
        self.status = WITHDRAWN

    def decline(self, actor: Actor, enquiry: Enquiry) -> None:
        if not actor.parties(enquiry) & {CLIENT, BROKER}:
            raise Forbidden("the client or the broker declines a proposal")
        _require_open(self, "decline")
        self.status = DECLINED


def _require_proposer(actor: Actor, enquiry: Enquiry, organisation_id: str) -> None:
    if not actor.parties(enquiry, organisation_id) & {SOCIAL_ENTERPRISE, BROKER}:
        raise Forbidden("a social enterprise proposes for itself; the broker for any")


def _require_open(proposal: Proposal, action: str) -> None:
    if proposal.status != OPEN:
        raise Conflict(f"cannot {action} a proposal that is {proposal.status}", {"status": [proposal.status]},
                       code=f"proposal_{proposal.status}")


def propose(actor: Actor, enquiry: Enquiry, *, id: str, organisation_id: str, offer_id: str | None, terms: Terms,
            facts: Facts, now: datetime) -> tuple[Proposal, AuditEntry | None]:
    """A new proposal; the first one moves a matching enquiry to negotiating."""
    _require_proposer(actor, enquiry, organisation_id)
    if enquiry.state not in PROPOSING_STATES:
        raise Conflict(f"the enquiry is {enquiry.state}; proposals come in while it is matching or negotiating",
                       {"state": [enquiry.state]}, code="not_negotiating")
    proposal = Proposal(id, enquiry.id, organisation_id, offer_id, terms, actor.subject, now)
    entry = None
    if enquiry.state == MATCHING:
        entry = enquiry.move(NEGOTIATING, actor, _with(facts, open_proposals=facts.open_proposals + 1), now,
                             "a proposal came in", social_enterprise_id=organisation_id)
    return proposal, entry


# --- agreements --------------------------------------------------------------------------------------

@dataclass
class Agreement(Aggregate):
    id: str
    enquiry_id: str
    proposal_id: str
    proposal_revision: int
    organisation_id: str
    offer_id: str | None
    terms: Terms
    made_at: datetime
    made_by: str
    status: str = ACTIVE
    delivered_at: datetime | None = None

    def cancel(self, actor: Actor, enquiry: Enquiry) -> None:
        if not actor.parties(enquiry) & {CLIENT, BROKER}:
            raise Forbidden("the client or the broker cancels an agreement")
        if self.status != ACTIVE:
            raise Conflict(f"cannot cancel an agreement that is {self.status}", {"status": [self.status]},
                           code=f"agreement_{self.status}")
        if enquiry.state not in (NEGOTIATING, AGREED):
            raise Conflict(f"the enquiry is {enquiry.state}; agreements are cancelled before production",
                           {"state": [enquiry.state]}, code="agreement_in_production")
        self.status = CANCELLED
        self._record(AgreementCancelled(**self.snapshot()))

    def cancel_with_enquiry(self) -> None:
        """The broker cancelled the whole enquiry after it was agreed."""
        if self.status == ACTIVE:
            self.status = CANCELLED
            self._record(AgreementCancelled(**self.snapshot()))

    def deliver(self, now: datetime) -> None:
        if self.status != ACTIVE:
            raise Conflict(f"cannot deliver an agreement that is {self.status}", {"status": [self.status]},
                           code=f"agreement_{self.status}")
        self.status, self.delivered_at = DELIVERED, now
        self._record(AgreementDelivered(**self.snapshot()))

    def snapshot(self) -> dict:
        t = self.terms
        return dict(agreement_id=self.id, enquiry_id=self.enquiry_id, organisation_id=self.organisation_id,
                    offer_id=self.offer_id, quantity=t.quantity, unit=t.unit, price=t.price, currency=t.currency,
                    delivery_date=t.delivery_date, status=self.status)


def agreed_quantity(agreements: list[Agreement]) -> Decimal:
    return sum((a.terms.quantity for a in agreements if a.status != CANCELLED), Decimal(0))


def accept(actor: Actor, enquiry: Enquiry, proposal: Proposal, agreements: list[Agreement], *, id: str,
           facts: Facts, now: datetime) -> tuple[Agreement, AuditEntry | None]:
    """Accept a proposal: an agreement on its current revision. When the agreements now cover the
    enquiry's quantity, the enquiry moves to agreed."""
    if not actor.parties(enquiry) & {CLIENT, BROKER}:
        raise Forbidden("the client or the broker accepts a proposal")
    _require_open(proposal, "accept")
    if enquiry.state != NEGOTIATING:
        raise Conflict(f"the enquiry is {enquiry.state}; proposals are accepted while negotiating",
                       {"state": [enquiry.state]}, code="not_negotiating")
    covered = agreed_quantity(agreements)
    if enquiry.quantity is not None and covered + proposal.terms.quantity > enquiry.quantity:
        left = enquiry.quantity - covered
        raise Conflict(f"the proposal's {proposal.terms.quantity} {proposal.terms.unit} exceed what is left to "
                       f"cover: {left} of {enquiry.quantity}", {"quantity": [f"{left} left to cover"]},
                       code="over_quantity")
    proposal.status = ACCEPTED
    agreement = Agreement(id, enquiry.id, proposal.id, proposal.revision, proposal.organisation_id,
                          proposal.offer_id, proposal.terms, now, actor.subject)
    agreement._record(AgreementMade(**agreement.snapshot()))
    entry = None
    if enquiry.quantity is not None and covered + proposal.terms.quantity >= enquiry.quantity:
        entry = enquiry.move(AGREED, actor, _with(facts, active_agreements=facts.active_agreements + 1), now,
                             "the accepted proposals cover the quantity")
    return agreement, entry


def _with(facts: Facts, **changes) -> Facts:
    return replace(facts, **changes)
