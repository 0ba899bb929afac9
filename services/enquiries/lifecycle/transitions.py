"""The enquiry's lifecycle: its states, the parties who move it, and the table of allowed moves. No I/O.

    draft -> submitted -> in_consultation -> matching -> negotiating -> agreed -> in_production
          -> delivered -> closed, plus cancelled and expired.

`TRANSITIONS` is the whole lifecycle: every allowed move, who may make it (a *party*: the client, the
social enterprise, the broker, or the system: the scheduled `sopro tick`, and the site following the
hub's reports of a cross-border order, crossborder/origin.py) and its precondition. Moves not
in the table are 409s naming the current state and the allowed next ones. Each move returns an audit
entry (who, when, from, to, why) that the handler stores. `Enquiry.move` (model.py) applies the table.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable

from services.contracts.events.enquiries import ENQUIRY_STATES
from services.enquiries.lifecycle.rules import ANONYMOUS

if TYPE_CHECKING:  # annotations only: the model imports this module
    from services.enquiries.lifecycle.model import Enquiry

(DRAFT, SUBMITTED, IN_CONSULTATION, MATCHING, NEGOTIATING, AGREED, IN_PRODUCTION, DELIVERED, CLOSED, CANCELLED,
 EXPIRED) = ENQUIRY_STATES
TERMINAL = (CLOSED, CANCELLED, EXPIRED)
# The states in which an enquiry is still looking for a supplier, and so can expire.
OPEN = (SUBMITTED, IN_CONSULTATION, MATCHING, NEGOTIATING)
# The states in which the broker refines an enquiry's fields (during consultation and matching).
REFINABLE = (SUBMITTED, IN_CONSULTATION, MATCHING)

CLIENT, SOCIAL_ENTERPRISE, BROKER, SYSTEM = "client", "social_enterprise", "broker", "system"
PARTIES = (CLIENT, SOCIAL_ENTERPRISE, BROKER, SYSTEM)
PEOPLE = (CLIENT, SOCIAL_ENTERPRISE, BROKER)  # the parties who move an enquiry in the pages


# --- facts the preconditions look at, and the table --------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What a precondition needs to know beyond the enquiry: its proposals and agreements, and the date."""

    today: date
    open_proposals: int = 0
    active_agreements: int = 0
    undelivered_agreements: int = 0
    # The enquiry's cross-border order, as the hub last reported it (crossborder.origin): agreed, and
    # then every part delivered.
    consortium_agreed: bool = False
    consortium_delivered: bool = False


Precondition = Callable[["Enquiry", Facts], "str | None"]


def _can_match(e: Enquiry, _f: Facts) -> str | None:
    missing = [name for name in ("cpv_codes", "quantity", "unit") if not getattr(e, name)]
    return f"matching needs {', '.join(missing)}" if missing else None


def _before_deadline(e: Enquiry, f: Facts) -> str | None:
    return "the deadline has passed" if e.deadline is not None and e.deadline < f.today else None


def _past_deadline(e: Enquiry, f: Facts) -> str | None:
    return None if e.deadline is not None and e.deadline < f.today else "the deadline has not passed"


def _has_proposal(_e: Enquiry, f: Facts) -> str | None:
    return None if f.open_proposals or f.active_agreements else "negotiation needs a proposal"


def _has_agreement(_e: Enquiry, f: Facts) -> str | None:
    if f.active_agreements or f.consortium_agreed:
        return None
    return "needs an accepted proposal (an active agreement) or an agreed consortium"


def _consortium_agreed(_e: Enquiry, f: Facts) -> str | None:
    return None if f.consortium_agreed else "the hub has not reported the consortium agreed"


def _all_delivered(_e: Enquiry, f: Facts) -> str | None:
    if not f.active_agreements and not f.consortium_agreed:
        return "there is no agreement to deliver"
    if f.undelivered_agreements:
        return f"{f.undelivered_agreements} agreement(s) not delivered yet"
    if f.consortium_agreed and not f.consortium_delivered:
        return "the consortium has not delivered every part yet"
    return None


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    parties: frozenset[str]
    precondition: Precondition | None = None
    note: str = ""


def _t(sources, target, parties, precondition=None, note=""):
    sources = (sources,) if isinstance(sources, str) else sources
    return [Transition(s, target, frozenset(parties), precondition, note) for s in sources]


TRANSITIONS: tuple[Transition, ...] = tuple(
    _t(DRAFT, SUBMITTED, (CLIENT, BROKER), _before_deadline, "the client (or the broker for it) submits a draft")
    + _t(SUBMITTED, IN_CONSULTATION, (BROKER,), note="the broker starts the consultation")
    + _t((SUBMITTED, IN_CONSULTATION), MATCHING, (BROKER,), _can_match, "the broker looks for suppliers")
    + _t(MATCHING, NEGOTIATING, (SOCIAL_ENTERPRISE, BROKER), _has_proposal, "on the first proposal")
    + _t(NEGOTIATING, AGREED, (CLIENT, BROKER, SYSTEM), _has_agreement,
         "when accepted proposals cover the quantity, or explicitly for a partial cover; "
         "the system when the hub reports the consortium agreed")
    + _t((SUBMITTED, IN_CONSULTATION, MATCHING), AGREED, (SYSTEM,), _consortium_agreed,
         "the system, when the hub reports the enquiry's consortium agreed")
    + _t(AGREED, NEGOTIATING, (CLIENT, BROKER), note="when an agreement is cancelled")
    + _t(AGREED, IN_PRODUCTION, (BROKER, SYSTEM), _has_agreement,
         "the broker reports production started; the system when a consortium's first part started")
    + _t(IN_PRODUCTION, DELIVERED, (BROKER, SYSTEM), _all_delivered,
         "when every agreement is delivered; the system when the consortium's every part is delivered")
    + _t(DELIVERED, CLOSED, (BROKER,), note="the broker closes the case")
    + _t((DRAFT,) + OPEN, CANCELLED, (CLIENT, BROKER), note="before an agreement, client or broker")
    + _t(AGREED, CANCELLED, (BROKER,), note="the broker, cancelling its agreements")
    + _t(OPEN, EXPIRED, (SYSTEM,), _past_deadline, "sopro tick, past the deadline")
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}


def allowed_next(state: str, parties=PARTIES) -> list[str]:
    """Where an enquiry in `state` may go next, by a move one of `parties` may make (any party by default)."""
    return [t.target for t in TRANSITIONS if t.source == state and t.parties & set(parties)]


# --- who acts ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    """Who makes a request: staff (broker, site admin), a member acting for its organisation, or the system."""

    subject: str
    staff: bool = False
    organisation_id: str | None = None
    system: bool = False
    first_contact: bool = False  # the anonymous person filing the public enquiry form

    def parties(self, enquiry: Enquiry, social_enterprise_id: str | None = None) -> set[str]:
        found = set()
        if self.first_contact and enquiry.client.kind == ANONYMOUS and enquiry.state == DRAFT:
            found.add(CLIENT)
        if self.staff:
            found.add(BROKER)
        if self.system:
            found.add(SYSTEM)
        if self.organisation_id and self.organisation_id == enquiry.client.organisation_id:
            found.add(CLIENT)
        if self.organisation_id and self.organisation_id == social_enterprise_id:
            found.add(SOCIAL_ENTERPRISE)
        return found


@dataclass(frozen=True)
class AuditEntry:
    enquiry_id: str
    from_state: str | None
    to_state: str
    actor: str
    party: str
    at: datetime
    reason: str | None
