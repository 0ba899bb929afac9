"""The site's side of a cross-border order (pure domain, no I/O).

- `request_terms` checks a broker's request for a consortium against the enquiry and the federation.
- `ForwardedPart` is a part of another site's (or this site's) order that the hub forwarded here. The
  site's broker accepts or declines it on behalf of the social enterprise. Answering twice the same way
  is absorbed (nothing new happens); answering the other way, or answering a withdrawn part, is a 409.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from services.common.errors import Conflict, Invalid
from services.common.events import Aggregate
from services.contracts.events.enquiries import PartAccepted, PartDeclined
from services.enquiries.lifecycle.transitions import OPEN

PENDING, ACCEPTED, DECLINED, WITHDRAWN = "pending", "accepted", "declined", "withdrawn"
PART_STATES = (PENDING, ACCEPTED, DECLINED, WITHDRAWN)
DEFAULT_MAX_PARTNERS = 5


@dataclass(frozen=True)
class RequestTerms:
    """What a broker may set when asking for a consortium; the rest comes from the enquiry."""

    quantity: int | None = None  # the part of the enquiry's quantity to source across borders; default all of it
    max_partners: int = DEFAULT_MAX_PARTNERS
    min_lot: int = 1
    sites: tuple[str, ...] = ()  # only these sites' social enterprises; empty: every site


def whole_units(quantity: Decimal) -> int:
    """The consortium allocates whole units: a fractional quantity is rounded up, so nothing is short."""
    return math.ceil(quantity)


def request_terms(enquiry, terms: RequestTerms, member_sites: set[str], requested_by: str = "broker") -> dict:
    """The data of `enquiries.enquiry.cross_border_requested` for this enquiry, or why it cannot be asked.

    409: the client did not allow cross-border work, the enquiry is not open, or it lacks what a consortium
    needs (a quantity, a deadline, a CPV code). 422: terms that contradict the enquiry or the federation.
    """
    if not enquiry.cross_border_allowed:
        raise Conflict(f"enquiry {enquiry.reference} does not allow cross-border work; edit it first",
                       {"cross_border_allowed": ["is false"]}, code="cross_border_not_allowed")
    if enquiry.state not in OPEN:
        raise Conflict(f"enquiry {enquiry.reference} is {enquiry.state}; a consortium is asked for while it is "
                       f"{', '.join(OPEN)}", {"state": [enquiry.state]}, code="not_open")
    if enquiry.cross_border_flagged:
        raise Conflict(f"enquiry {enquiry.reference} has already been passed to the hub",
                       code="already_requested")
    missing = [name for name in ("quantity", "deadline") if getattr(enquiry, name) is None]
    if not enquiry.cpv_codes:
        missing.append("cpv_codes")
    if missing:
        raise Conflict(f"enquiry {enquiry.reference} needs {', '.join(missing)} before the hub can source it",
                       {name: ["is required for a cross-border order"] for name in missing}, code="incomplete")
    total = whole_units(enquiry.quantity)
    errors = {}
    if terms.quantity is not None and not 1 <= terms.quantity <= total:
        errors["quantity"] = [f"must be between 1 and the enquiry's quantity ({total})"]
    unknown = [s for s in terms.sites if s not in member_sites]
    if unknown:
        errors["sites"] = [f"unknown site {s}; the sites are {', '.join(sorted(member_sites))}" for s in unknown]
    if errors:
        raise Invalid("the cross-border request is invalid; see errors", errors)
    return dict(
        requested_by=requested_by, enquiry_id=enquiry.id, reference=enquiry.reference, title=enquiry.shareable_title,
        type=enquiry.type,
        client_kind=enquiry.client.kind, cpv_codes=list(enquiry.cpv_codes),
        quantity=terms.quantity if terms.quantity is not None else total, unit=enquiry.unit,
        deadline=enquiry.deadline, delivery_nuts3=enquiry.delivery.nuts3, budget=enquiry.budget,
        currency=enquiry.currency, label_required=enquiry.label_required, max_partners=terms.max_partners,
        min_lot=terms.min_lot, sites=sorted(set(terms.sites)),
    )


@dataclass
class ForwardedPart(Aggregate):
    id: str
    order_id: str
    origin_site: str
    correlation_id: str
    forwarded_event_id: str
    enquiry_reference: str
    title: str
    type: str
    cpv_codes: list[str]
    offer_id: str
    organisation_id: str
    quantity: int
    unit: str | None
    unit_price: Decimal
    currency: str
    deadline: date
    delivery_nuts3: str | None
    label_required: bool
    reason: str
    received_at: datetime
    status: str = PENDING
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None

    def accept(self, by: str, now: datetime, note: str | None = None) -> bool:
        """True if accepted now; False if it was accepted before (a repeated answer is absorbed)."""
        if self._answered(ACCEPTED):
            return False
        self._answer(ACCEPTED, by, now, note)
        self._record(PartAccepted(**self._answer_data(note)))
        return True

    def decline(self, by: str, now: datetime, reason: str) -> bool:
        if self._answered(DECLINED):
            return False
        self._answer(DECLINED, by, now, reason)
        self._record(PartDeclined(**self._answer_data(reason)))
        return True

    def withdraw(self, reason: str, now: datetime) -> bool:
        """The hub withdrew the part (its order was cancelled). False if it was declined or withdrawn already."""
        if self.status in (DECLINED, WITHDRAWN):
            return False
        self.status, self.answer, self.answered_at = WITHDRAWN, reason, now
        return True

    def _answered(self, wanted: str) -> bool:
        if self.status == wanted:
            return True
        if self.status != PENDING:
            raise Conflict(f"part {self.id} is {self.status}; it cannot be {wanted} now",
                           {"status": [self.status]}, code="already_answered")
        return False

    def _answer(self, status: str, by: str, now: datetime, text: str | None) -> None:
        self.status, self.answered_by, self.answered_at, self.answer = status, by, now, text

    def _answer_data(self, reason: str | None) -> dict:
        return dict(part_id=self.id, order_id=self.order_id, offer_id=self.offer_id,
                    organisation_id=self.organisation_id, quantity=self.quantity, status=self.status, reason=reason)


def automatic_request(enquiry) -> dict | None:
    """The site's own request when its shortlist cannot cover the order: default terms, or None when the
    enquiry cannot go to the hub (the client did not allow it, or it lacks a quantity or a deadline)."""
    try:
        return request_terms(enquiry, RequestTerms(), set(), requested_by="site")
    except (Conflict, Invalid):
        return None
