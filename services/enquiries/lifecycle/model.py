"""The enquiry: its fields, its rules, and the transition table of its lifecycle. No I/O.

    draft -> submitted -> in_consultation -> matching -> negotiating -> agreed -> in_production
          -> delivered -> closed, plus cancelled and expired.

`TRANSITIONS` is the whole lifecycle: every allowed move, who may make it (a *party*: the client, the
social enterprise, the broker, or the system's scheduled `sopro tick`) and its precondition. Moves not
in the table are 409s naming the current state and the allowed next ones. Each move returns an audit
entry (who, when, from, to, why) that the handler stores.

Drafts are the client's own: they publish nothing. Submission publishes `EnquirySubmitted`, and every
later change an `EnquiryChanged` snapshot, without personal data (the contact person stays here).
Title and description are free text that may name a person: events carry only their public version
(`PublicText`), which staff type or a broker approves, and until then a neutral placeholder.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Callable

from services.common.errors import Conflict, Forbidden, Invalid
from services.common.events import Aggregate
from services.contracts.events import enquiries as ev
from services.contracts.events.enquiries import ENQUIRY_STATES
from services.enquiries.lifecycle.rules import ANONYMOUS, RECYCLING, enquiry_problems  # noqa: F401 - part of the model
from services.enquiries.lifecycle.values import (  # noqa: F401 - part of the model
    Client, Contact, Delivery, PublicText, ResidualMaterial,
)

(DRAFT, SUBMITTED, IN_CONSULTATION, MATCHING, NEGOTIATING, AGREED, IN_PRODUCTION, DELIVERED, CLOSED, CANCELLED,
 EXPIRED) = ENQUIRY_STATES
TERMINAL = (CLOSED, CANCELLED, EXPIRED)
# The states in which an enquiry is still looking for a supplier, and so can expire.
OPEN = (SUBMITTED, IN_CONSULTATION, MATCHING, NEGOTIATING)
# The states in which the broker refines an enquiry's fields (during consultation and matching).
REFINABLE = (SUBMITTED, IN_CONSULTATION, MATCHING)

CLIENT, SOCIAL_ENTERPRISE, BROKER, SYSTEM = "client", "social_enterprise", "broker", "system"
PARTIES = (CLIENT, SOCIAL_ENTERPRISE, BROKER, SYSTEM)
FREQUENCIES = ("once", "weekly", "monthly", "quarterly", "yearly")
PLACEHOLDER_CODES = 5  # CPV codes in the placeholder title of an enquiry without a public text


def reference(site_id: str, year: int, number: int) -> str:
    return f"{site_id}-E-{year}-{number:04d}"


# --- facts the preconditions look at, and the table --------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What a precondition needs to know beyond the enquiry: its proposals and agreements, and the date."""

    today: date
    open_proposals: int = 0
    active_agreements: int = 0
    undelivered_agreements: int = 0


Precondition = Callable[["Enquiry", Facts], "str | None"]


def _can_match(e: "Enquiry", _f: Facts) -> str | None:
    missing = [name for name in ("cpv_codes", "quantity", "unit") if not getattr(e, name)]
    return f"matching needs {', '.join(missing)}" if missing else None


def _before_deadline(e: "Enquiry", f: Facts) -> str | None:
    return "the deadline has passed" if e.deadline is not None and e.deadline < f.today else None


def _past_deadline(e: "Enquiry", f: Facts) -> str | None:
    return None if e.deadline is not None and e.deadline < f.today else "the deadline has not passed"


def _has_proposal(_e: "Enquiry", f: Facts) -> str | None:
    return None if f.open_proposals or f.active_agreements else "negotiation needs a proposal"


def _has_agreement(_e: "Enquiry", f: Facts) -> str | None:
    return None if f.active_agreements else "needs an accepted proposal (an active agreement)"


def _all_delivered(_e: "Enquiry", f: Facts) -> str | None:
    if not f.active_agreements:
        return "there is no agreement to deliver"
    return f"{f.undelivered_agreements} agreement(s) not delivered yet" if f.undelivered_agreements else None


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
    + _t(NEGOTIATING, AGREED, (CLIENT, BROKER), _has_agreement,
         "when accepted proposals cover the quantity, or explicitly for a partial cover")
    + _t(AGREED, NEGOTIATING, (CLIENT, BROKER), note="when an agreement is cancelled")
    + _t(AGREED, IN_PRODUCTION, (BROKER,), _has_agreement, "the broker reports production started")
    + _t(IN_PRODUCTION, DELIVERED, (BROKER,), _all_delivered, "when every agreement is delivered")
    + _t(DELIVERED, CLOSED, (BROKER,), note="the broker closes the case")
    + _t((DRAFT,) + OPEN, CANCELLED, (CLIENT, BROKER), note="before an agreement, client or broker")
    + _t(AGREED, CANCELLED, (BROKER,), note="the broker, cancelling its agreements")
    + _t(OPEN, EXPIRED, (SYSTEM,), _past_deadline, "sopro tick, past the deadline")
)
TABLE: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}


def allowed_next(state: str) -> list[str]:
    return [t.target for t in TRANSITIONS if t.source == state]


# --- who acts ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    """Who makes a request: staff (broker, site admin), a member acting for its organisation, or the system."""

    subject: str
    staff: bool = False
    organisation_id: str | None = None
    system: bool = False
    first_contact: bool = False  # the anonymous person filing the public enquiry form

    def parties(self, enquiry: "Enquiry", social_enterprise_id: str | None = None) -> set[str]:
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


def _invalid(name: str, message: str) -> Invalid:
    return Invalid(f"{name}: {message}", {name: [message]})


# --- the aggregate -----------------------------------------------------------------------------------

@dataclass
class Enquiry(Aggregate):
    id: str
    reference: str
    type: str
    title: str
    client: Client
    created_at: datetime
    description: str | None = None
    cpv_codes: list[str] = field(default_factory=list)
    quantity: Decimal | None = None
    unit: str | None = None
    deadline: date | None = None
    delivery: Delivery = field(default_factory=Delivery)
    budget: Decimal | None = None
    currency: str = "EUR"
    label_required: bool = False
    cross_border_allowed: bool = False
    cross_border_flagged: bool = False
    residual_material: ResidualMaterial | None = None
    state: str = DRAFT
    submitted_at: datetime | None = None
    case_study_id: str | None = None
    public_text: PublicText | None = None

    EDITABLE = ("type", "title", "description", "cpv_codes", "quantity", "unit", "deadline", "delivery", "budget",
                "currency", "label_required", "cross_border_allowed", "residual_material", "client")

    @classmethod
    def create(cls, today: date, site_currency: str, **fields) -> "Enquiry":
        enquiry = cls(**fields)
        enquiry._check(site_currency)
        if enquiry.deadline is not None and enquiry.deadline < today:
            raise _invalid("deadline", "must not be in the past")
        return enquiry

    @property
    def published(self) -> bool:
        return self.submitted_at is not None

    @property
    def shareable_title(self) -> str:
        """The title as it may leave the site: the public one, else its reference and CPV codes."""
        if self.public_text is not None:
            return self.public_text.title
        codes = " ".join(self.cpv_codes[:PLACEHOLDER_CODES])
        return f"{self.reference} (CPV {codes})" if codes else self.reference

    def approve_public_text(self, actor: Actor, title: str, description: str | None, now: datetime) -> None:
        """A broker sets the version of title and description that may leave the site; publishing it
        is a change of a submitted enquiry."""
        if BROKER not in actor.parties(self):
            raise Forbidden("a broker approves the public version of an enquiry's text")
        before = self.shareable_title
        self.public_text = PublicText(title, description, actor.subject, now)
        if self.shareable_title != before:
            self._publish_change()

    def _check(self, site_currency: str) -> None:
        self.cpv_codes = list(dict.fromkeys(self.cpv_codes))
        problems = enquiry_problems(
            site_currency, type=self.type, client=self.client, cpv_codes=self.cpv_codes, quantity=self.quantity,
            unit=self.unit, budget=self.budget, currency=self.currency, residual_material=self.residual_material)
        if problems:
            name, messages = problems[0]
            raise Invalid(f"{name}: {'unknown CPV codes' if name == 'cpv_codes' else messages[0]}", {name: messages})

    # -- changes --

    def edit(self, actor: Actor, changes: dict, today: date, site_currency: str) -> None:
        """Drafts are edited by their client (or the broker); during consultation and matching the broker
        refines them. Nothing else changes an enquiry's fields."""
        parties = actor.parties(self)
        if self.state == DRAFT:
            if not parties & {CLIENT, BROKER}:
                raise Forbidden("only the client or a broker may edit a draft")
        elif self.state in REFINABLE:
            if BROKER not in parties:
                raise Forbidden(f"a {self.state} enquiry is refined by the broker")
        else:
            raise Conflict(f"cannot edit an enquiry that is {self.state}; editable while draft or {', '.join(REFINABLE)}",
                           {"state": [self.state]}, code="not_editable")
        unknown = set(changes) - set(self.EDITABLE)
        if unknown:
            raise Invalid("these fields cannot be changed", {n: ["cannot be changed"] for n in sorted(unknown)})
        if "client" in changes:
            if BROKER not in parties:  # e.g. taking over an anonymous first contact for a member
                raise Forbidden("only a broker changes an enquiry's client")
            if isinstance(changes["client"], dict):
                changes = {**changes, "client": replace(self.client, **changes["client"])}
        if "deadline" in changes and changes["deadline"] is not None and changes["deadline"] < today:
            raise _invalid("deadline", "must not be in the past")
        before = {name: getattr(self, name) for name in changes}
        public_before = self.public_text
        self._follow_staff_text(parties, changes)
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            self._check(site_currency)
        except Invalid:
            for name, value in before.items():
                setattr(self, name, value)
            self.public_text = public_before
            raise
        if any(before[n] != getattr(self, n) for n in changes):
            self._publish_change()

    def _follow_staff_text(self, parties: set[str], changes: dict) -> None:
        """Text a broker types is public as typed: a public version that was the text itself follows
        the broker's edit of it. The client's edits wait for a broker's approval."""
        public = self.public_text
        if BROKER not in parties or public is None:
            return
        title = changes["title"] if "title" in changes and public.title == self.title else public.title
        description = (changes["description"] if "description" in changes and public.description == self.description
                       else public.description)
        if (title, description) != (public.title, public.description):
            self.public_text = replace(public, title=title, description=description)

    def move(self, target: str, actor: Actor, facts: Facts, now: datetime, reason: str | None = None,
             social_enterprise_id: str | None = None) -> AuditEntry:
        """Make one transition of the table, or refuse: 409 if not allowed from here or its precondition
        fails, 403 if the actor is not a party that may make it."""
        transition = TABLE.get((self.state, target))
        if transition is None:
            nexts = allowed_next(self.state)
            raise Conflict(f"cannot move an enquiry that is {self.state} to {target}; "
                           f"allowed next: {', '.join(nexts) or 'none (it is final)'}",
                           {"state": [self.state], "allowed_next": nexts}, code="illegal_transition")
        acting = actor.parties(self, social_enterprise_id) & transition.parties
        if not acting:
            raise Forbidden(f"moving a {self.state} enquiry to {target} is for: {', '.join(sorted(transition.parties))}")
        if transition.precondition is not None:
            failed = transition.precondition(self, facts)
            if failed:
                raise Conflict(f"cannot move the enquiry from {self.state} to {target}: {failed}",
                               {"state": [self.state], "precondition": [failed]}, code="precondition_failed")
        entry = AuditEntry(self.id, self.state, target, actor.subject, _first(acting), now, reason)
        self.state = target
        if target == SUBMITTED:
            self.submitted_at = now
            self._record(ev.EnquirySubmitted(**self.snapshot()))
        else:
            self._publish_change()
        return entry

    def flag_cross_border(self, request: dict | None = None) -> bool:
        """The site alone cannot cover the order: the hub's cross-border matching should look at it.
        With `request` (see crossborder.model.request_terms) the hub is asked to compose a consortium."""
        if self.cross_border_flagged or self.state in TERMINAL or self.state == DRAFT:
            return False
        self.cross_border_flagged = True
        self._publish_change()
        if request is not None and self.published:
            self._record(ev.CrossBorderRequested(**request))
        return True

    def publish_shared_text(self) -> None:
        """Publish the enquiry as it may leave the site now (`republish`), whether or not it changed."""
        self._publish_change()

    def _publish_change(self) -> None:
        if self.published:
            self._record(ev.EnquiryChanged(**self.snapshot()))

    def snapshot(self) -> dict:
        """The enquiry as its events carry it: the client as organisation id and kind, never a person."""
        return dict(
            enquiry_id=self.id, reference=self.reference, type=self.type, state=self.state,
            client_kind=self.client.kind, client_organisation_id=self.client.organisation_id,
            title=self.shareable_title,
            cpv_codes=list(self.cpv_codes), quantity=self.quantity, unit=self.unit, deadline=self.deadline,
            delivery_nuts3=self.delivery.nuts3, budget=self.budget, currency=self.currency,
            label_required=self.label_required, cross_border_allowed=self.cross_border_allowed,
            cross_border_flagged=self.cross_border_flagged, submitted_at=self.submitted_at,
        )

    def without_contact(self) -> "Enquiry":
        """The enquiry as a social enterprise sees it: the client's contact person stays hidden."""
        return replace(self, client=replace(self.client, contact=None))


def _first(parties: set[str]) -> str:
    return next(p for p in PARTIES if p in parties)
