"""The site's side of a cross-border order (pure domain, no I/O).

- `request_terms` checks a broker's request for a consortium against the enquiry and the federation.
- `ForwardedPart` is a part of another site's (or this site's) order that the hub forwarded here. The
  site's broker, or a member of the social enterprise, accepts or declines it (a decline names a code of
  `services.contracts.reasons.DECLINE_REASONS`). Answering twice the same way is absorbed (nothing new
  happens); answering the other way, or answering a withdrawn part, is a 409.

  An accepted part is the SE-side agreement for the part, and lives like a local agreement:

      pending -> accepted -> in_production -> delivered
         |          |             |
         |          +-------------+--> failed (se_withdrew, delivered_short, deadline_missed)
         +--> declined;   pending, accepted, in_production --> withdrawn (by the hub)

  Deliveries may be partial (the first one starts production if nobody did); the one that completes
  the quantity makes the part delivered and records its impact. A failure records the impact of what
  was delivered, if anything, and says how many units are missing. Every move publishes version 2 of
  the answers or a `PartProgressData` snapshot; any other move is a 409, bad figures a 422.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Mapping

from services.common.errors import Conflict, Invalid, invalid
from services.common.events import Aggregate
from services.contracts.events.enquiries import (
    PartAcceptedV2, PartDeclinedV2, PartDeliveryRecorded, PartFailed, PartProductionStarted,
)
from services.contracts.reasons import DECLINE_REASONS, reason
from services.enquiries.crossborder import production
from services.enquiries.crossborder.production import (
    Delivery, DeliveryLine, ImpactFigures, check_delivery, check_figures, merge_figures,
)
from services.enquiries.lifecycle.transitions import OPEN

PENDING, ACCEPTED, DECLINED, WITHDRAWN = "pending", "accepted", "declined", "withdrawn"
IN_PRODUCTION, DELIVERED, FAILED = "in_production", "delivered", "failed"
PART_STATES = (PENDING, ACCEPTED, DECLINED, WITHDRAWN, IN_PRODUCTION, DELIVERED, FAILED)
RUNNING = (ACCEPTED, IN_PRODUCTION)  # the SE-side agreement holds the SE's capacity
SE_WITHDREW, DELIVERED_SHORT, DEADLINE_MISSED = "se_withdrew", "delivered_short", "deadline_missed"
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
    """A part forwarded to this site. Once accepted it is the SE-side agreement for the part: its capacity
    is held while it is accepted or in production, and it ends delivered or failed (see the module)."""

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
    reason: dict | str  # why the hub chose this SE and quantity: {code, params}; a v1 message's English text
    received_at: datetime
    status: str = PENDING
    note: str | None = None  # typed with the answer
    answered_by: str | None = None
    answered_at: datetime | None = None
    decline_reason: dict | str | None = None  # {code, params}; a part declined before codes: its text
    withdrawal_reason: dict | str | None = None  # the hub's
    started_at: datetime | None = None
    closed_at: datetime | None = None  # delivered or failed
    deliveries: list[DeliveryLine] = field(default_factory=list)
    figures: ImpactFigures = field(default_factory=ImpactFigures)  # the impact figures reported so far
    impact: dict | None = None
    failure: dict | None = None  # {code: se_withdrew | delivered_short | deadline_missed, params}
    failure_note: str | None = None

    @property
    def delivered(self) -> int:
        return sum(d.quantity for d in self.deliveries)

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.delivered

    @property
    def holds_capacity(self) -> bool:
        return self.status in RUNNING

    # --- the answer ---

    def accept(self, by: str, now: datetime, note: str | None = None) -> bool:
        """True if accepted now; False if it was accepted before (a repeated answer is absorbed)."""
        if self.status in (ACCEPTED, IN_PRODUCTION, DELIVERED):
            return False
        self._require_pending(ACCEPTED)
        self._answer(ACCEPTED, by, now, note)
        self._record(PartAcceptedV2(**self._answer_data(None, note)))
        return True

    def decline(self, by: str, now: datetime, reason_code: str, note: str | None = None) -> bool:
        if reason_code not in DECLINE_REASONS:
            raise invalid("reason", f"must be one of {', '.join(DECLINE_REASONS)}")
        if self.status == DECLINED:
            return False
        self._require_pending(DECLINED)
        self._answer(DECLINED, by, now, note)
        self.decline_reason = reason(reason_code)
        self._record(PartDeclinedV2(**self._answer_data(self.decline_reason, note)))
        return True

    def withdraw(self, reason_given: dict | str, now: datetime) -> bool:
        """The hub no longer wants the part. False if it had ended already (declined, withdrawn, delivered,
        failed): nothing to withdraw."""
        if self.status not in (PENDING, *RUNNING):
            return False
        self.status, self.withdrawal_reason, self.closed_at = WITHDRAWN, reason_given, now
        return True

    # --- production and delivery ---

    def start_production(self, now: datetime) -> None:
        self._require(ACCEPTED, "start production on")
        self._start(now)

    def record_delivery(self, delivery: Delivery, *, id: str, by: str, now: datetime,
                        rates_to_eur: Mapping[str, Decimal]) -> bool:
        """A delivery (partial or the last); production starts with it if it had not. The last one makes
        the part delivered and records its impact. False for a delivery recorded before under the same
        id (a retried report is absorbed, whatever the part's state is now)."""
        if self._recorded_before(id, delivery):
            return False
        self._require(RUNNING, "record a delivery on")
        check_delivery(delivery, self.open_quantity, now.date())
        if self.status == ACCEPTED:
            self._start(now)
        self.deliveries.append(DeliveryLine(id, delivery.quantity, delivery.delivered_on, by, now))
        self.figures = merge_figures(self.figures, delivery.figures)
        if self.open_quantity == 0:
            self.status, self.closed_at = DELIVERED, now
            self.impact = production.impact(self.delivered, self.unit_price, self.currency, self.figures,
                                            rates_to_eur, now)
        self._record(PartDeliveryRecorded(**self._progress()))
        return True

    def withdraw_by_se(self, now: datetime, rates_to_eur: Mapping[str, Decimal], note: str | None = None) -> None:
        """The social enterprise gives the part up after accepting it."""
        self._require(RUNNING, "withdraw")
        self._fail(SE_WITHDREW, now, rates_to_eur, note)

    def close_short(self, now: datetime, rates_to_eur: Mapping[str, Decimal], note: str | None = None,
                    figures: ImpactFigures | None = None) -> None:
        """The SE delivered some units and will deliver no more."""
        self._require((IN_PRODUCTION,), "close short")
        if self.delivered == 0:
            raise Conflict(f"nothing of part {self.id} was delivered; withdraw it instead",
                           {"delivered": ["is 0"]}, code="nothing_delivered")
        if figures is not None:
            check_figures(figures)
        self.figures = merge_figures(self.figures, figures)
        self._fail(DELIVERED_SHORT, now, rates_to_eur, note)

    def miss_deadline(self, now: datetime, rates_to_eur: Mapping[str, Decimal]) -> bool:
        """The tick's check: a running part whose deadline has passed with units missing fails. False
        (nothing happens) for any other part, so the tick may run any number of times."""
        if self.status not in RUNNING or self.deadline >= now.date():
            return False
        self._fail(DEADLINE_MISSED, now, rates_to_eur)
        return True

    # --- helpers ---

    def _recorded_before(self, delivery_id: str, delivery: Delivery) -> bool:
        known = next((d for d in self.deliveries if d.id == delivery_id), None)
        if known is None:
            return False
        if (known.quantity, known.delivered_on) != (delivery.quantity, delivery.delivered_on):
            raise Conflict(f"delivery {delivery_id} was recorded with {known.quantity} units on {known.delivered_on}",
                           {"delivery_id": ["names another delivery"]}, code="delivery_id_taken")
        return True

    def _require_pending(self, wanted: str) -> None:
        if self.status != PENDING:
            raise Conflict(f"part {self.id} is {self.status}; it cannot be {wanted} now",
                           {"status": [self.status]}, code="already_answered")

    def _require(self, states: tuple[str, ...] | str, action: str) -> None:
        states = (states,) if isinstance(states, str) else states
        if self.status not in states:
            raise Conflict(f"cannot {action} part {self.id}: it is {self.status}, and must be {' or '.join(states)}",
                           {"status": [self.status]}, code=f"part_{self.status}")

    def _answer(self, status: str, by: str, now: datetime, note: str | None) -> None:
        self.status, self.answered_by, self.answered_at, self.note = status, by, now, note

    def _start(self, now: datetime) -> None:
        self.status, self.started_at = IN_PRODUCTION, now
        self._record(PartProductionStarted(**self._progress()))

    def _fail(self, cause: str, now: datetime, rates_to_eur: Mapping[str, Decimal], note: str | None = None) -> None:
        self.status, self.closed_at, self.failure_note = FAILED, now, note
        self.failure = production.failure(cause, self.quantity, self.delivered)
        if self.delivered:  # what was delivered is paid for and counts
            self.impact = production.impact(self.delivered, self.unit_price, self.currency, self.figures,
                                            rates_to_eur, now)
        self._record(PartFailed(**self._progress()))

    def _answer_data(self, reason_given: dict | None, note: str | None) -> dict:
        return dict(part_id=self.id, order_id=self.order_id, offer_id=self.offer_id,
                    organisation_id=self.organisation_id, quantity=self.quantity, status=self.status,
                    reason=reason_given, note=note)

    def _progress(self) -> dict:
        return dict(part_id=self.id, order_id=self.order_id, offer_id=self.offer_id,
                    organisation_id=self.organisation_id, quantity=self.quantity, status=self.status,
                    delivered=self.delivered, deliveries=[d.event_data() for d in self.deliveries],
                    failure=self.failure, impact=self.impact)


def automatic_request(enquiry) -> dict | None:
    """The site's own request when its shortlist cannot cover the order: default terms, or None when the
    enquiry cannot go to the hub (the client did not allow it, or it lacks a quantity or a deadline)."""
    try:
        return request_terms(enquiry, RequestTerms(), set(), requested_by="site")
    except (Conflict, Invalid):
        return None
