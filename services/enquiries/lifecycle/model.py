"""The enquiry: its fields, its rules, and the moves of its lifecycle. No I/O.

The lifecycle's states, parties and table of allowed moves are in transitions.py; `Enquiry.move`
makes one move of that table, or refuses it.

Drafts are the client's own: they publish nothing. Submission publishes `EnquirySubmitted`, and every
later change an `EnquiryChanged` snapshot, without personal data (the contact person stays here).
Title and description are free text that may name a person: events carry only their public version
(`PublicText`), which staff type or a broker approves, and until then a neutral placeholder.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from services.common.changes import refuse_unknown
from services.common.errors import Conflict, Forbidden, Invalid, invalid
from services.common.events import Aggregate
from services.contracts.events.enquiries import CrossBorderRequested, EnquiryChanged, EnquirySubmitted
from services.enquiries.lifecycle.rules import enquiry_problems
from services.enquiries.lifecycle.transitions import (
    BROKER, CLIENT, DRAFT, PARTIES, REFINABLE, SUBMITTED, TABLE, TERMINAL, Actor, AuditEntry, Facts, allowed_next,
)
from services.enquiries.lifecycle.values import Client, Delivery, PublicText, ResidualMaterial

FREQUENCIES = ("once", "weekly", "monthly", "quarterly", "yearly")
PLACEHOLDER_CODES = 5  # CPV codes in the placeholder title of an enquiry without a public text


def reference(site_id: str, year: int, number: int) -> str:
    return f"{site_id}-E-{year}-{number:04d}"


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
            raise invalid("deadline", "must not be in the past")
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
            raise Conflict(f"cannot edit an enquiry that is {self.state}; "
                           f"editable while draft or {', '.join(REFINABLE)}",
                           {"state": [self.state]}, code="not_editable")
        refuse_unknown(changes, self.EDITABLE)
        if "client" in changes:
            if BROKER not in parties:  # e.g. taking over an anonymous first contact for a member
                raise Forbidden("only a broker changes an enquiry's client")
            if isinstance(changes["client"], dict):
                changes = {**changes, "client": replace(self.client, **changes["client"])}
        if "deadline" in changes and changes["deadline"] is not None and changes["deadline"] < today:
            raise invalid("deadline", "must not be in the past")
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
            nexts = allowed_next(self.state, actor.parties(self, social_enterprise_id) or PARTIES)
            raise Conflict(f"cannot move an enquiry that is {self.state} to {target}; "
                           f"allowed next: {', '.join(nexts) or 'none (it is final)'}",
                           {"state": [self.state], "allowed_next": nexts}, code="illegal_transition")
        acting = actor.parties(self, social_enterprise_id) & transition.parties
        if not acting:
            raise Forbidden(f"moving a {self.state} enquiry to {target} is for: "
                            f"{', '.join(sorted(transition.parties))}")
        if transition.precondition is not None:
            failed = transition.precondition(self, facts)
            if failed:
                raise Conflict(f"cannot move the enquiry from {self.state} to {target}: {failed}",
                               {"state": [self.state], "precondition": [failed]}, code="precondition_failed")
        entry = AuditEntry(self.id, self.state, target, actor.subject, _first(acting), now, reason)
        self.state = target
        if target == SUBMITTED:
            self.submitted_at = now
            self._record(EnquirySubmitted(**self.snapshot()))
        else:
            self._publish_change()
        return entry

    def flag_cross_border(self, request: dict | None = None) -> bool:
        """The site alone cannot cover the order: the hub's cross-border matching should look at it.
        With `request` (see crossborder.model.request_terms) the hub is asked to compose a consortium."""
        if not self.cross_border_allowed or self.cross_border_flagged or self.state in TERMINAL or self.state == DRAFT:
            return False  # a client who did not allow cross-border work is never flagged for it
        self.cross_border_flagged = True
        self._publish_change()
        if request is not None and self.published:
            self._record(CrossBorderRequested(**request))
        return True

    def publish_shared_text(self) -> None:
        """Publish the enquiry as it may leave the site now (`republish`), whether or not it changed."""
        self._publish_change()

    def _publish_change(self) -> None:
        if self.published:
            self._record(EnquiryChanged(**self.snapshot()))

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
