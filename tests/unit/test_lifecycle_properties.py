"""Random sequences of commands on one enquiry, its proposals and agreements, with an in-memory
capacity ledger that reserves like the matching part (free capacity from `matching.capacity`).

Whatever the sequence: capacity is never over-committed, reservations are exactly the active
agreements, agreements never exceed the enquiry's quantity, the states agree with the agreements,
final states are final, and the audit trail is an unbroken chain."""
from __future__ import annotations

import copy
from datetime import timedelta
from decimal import Decimal

from hypothesis import event, given, settings, strategies as st

from services.common.errors import SoproError, Conflict
from services.contracts.events.enquiries import ENQUIRY_STATES
from services.enquiries.lifecycle import deals
from services.enquiries.lifecycle.transitions import (
    AGREED, BROKER, CANCELLED, CLIENT, CLOSED, DELIVERED, EXPIRED, IN_PRODUCTION, MATCHING, NEGOTIATING, PARTIES,
    SOCIAL_ENTERPRISE, SUBMITTED, TABLE, TERMINAL, AuditEntry, Facts,
)
from services.contracts import capacity
from tests.support.enquiries import ACTORS, NOW, SE_ORG, enquiry

OFFER_CAPACITY_PER_WEEK = Decimal(10)  # 10 a week: about 28 by the delivery date below


class Ledger:
    """Reserve like `matching.service.reserve`: Conflict beyond the free capacity of the period."""

    def __init__(self):
        self.active: dict[str, capacity.Commitment] = {}

    def reserve(self, agreement_id, quantity, start, until):
        free = capacity.free(OFFER_CAPACITY_PER_WEEK, start, until, self.active.values())
        if quantity > free:
            raise Conflict("capacity exceeded", code="capacity_exceeded")
        self.active[agreement_id] = capacity.Commitment(quantity, start, until)

    def release(self, agreement_id):
        self.active.pop(agreement_id, None)


class World:
    def __init__(self):
        # Submission and consultation are covered transition by transition in test_lifecycle_model.
        self.enquiry = enquiry(MATCHING, quantity=Decimal(20))
        self.proposals: list[deals.Proposal] = []
        self.agreements: list[deals.Agreement] = []
        self.ledger = Ledger()
        self.audit: list[AuditEntry] = [AuditEntry("e1", SUBMITTED, MATCHING, "b", BROKER, NOW, None)]
        self.now = NOW

    def facts(self):
        live = [a for a in self.agreements if a.status != deals.CANCELLED]
        return Facts(self.now.date(), sum(p.status == deals.OPEN for p in self.proposals), len(live),
                     sum(a.status == deals.ACTIVE for a in live))

    def log(self, entry):
        if entry is not None:
            self.audit.append(entry)

    # -- commands, as the handlers run them (each one all or nothing) --

    def move(self, target, party):
        self.log(self.enquiry.move(target, ACTORS[party], self.facts(), self.now, social_enterprise_id=SE_ORG))
        if target in (CANCELLED, EXPIRED):
            for a in self.agreements:
                if a.status == deals.ACTIVE:
                    a.cancel_with_enquiry()
                    self.ledger.release(a.id)

    def propose(self, quantity, days):
        terms = deals.Terms(Decimal(quantity), "pieces", Decimal(100), "EUR", self.now.date() + timedelta(days=days))
        proposal, entry = deals.propose(ACTORS[SOCIAL_ENTERPRISE], self.enquiry, id=f"p{len(self.proposals)}",
                                        organisation_id=SE_ORG, offer_id="o1", terms=terms, facts=self.facts(),
                                        now=self.now)
        self.proposals.append(proposal)
        self.log(entry)

    def accept(self, index, party):
        proposal = self.proposals[index % len(self.proposals)]
        agreement, entry = deals.accept(ACTORS[party], self.enquiry, proposal, self.agreements,
                                        id=f"a{len(self.agreements)}", facts=self.facts(), now=self.now)
        self.ledger.reserve(agreement.id, agreement.terms.quantity, self.now.date(), agreement.terms.delivery_date)
        self.agreements.append(agreement)
        self.log(entry)

    def cancel_agreement(self, index, party):
        agreement = self.agreements[index % len(self.agreements)]
        agreement.cancel(ACTORS[party], self.enquiry)
        self.ledger.release(agreement.id)
        if self.enquiry.state == AGREED:
            self.log(self.enquiry.move(NEGOTIATING, ACTORS[party], self.facts(), self.now))

    def deliver(self, index):
        agreement = self.agreements[index % len(self.agreements)]
        if self.enquiry.state != IN_PRODUCTION:
            raise Conflict("not in production")
        agreement.deliver(self.now)
        self.ledger.release(agreement.id)
        if self.facts().undelivered_agreements == 0:
            self.log(self.enquiry.move(DELIVERED, ACTORS[BROKER], self.facts(), self.now))

    def wait(self, days):
        self.now += timedelta(days=days)


FORWARD = (MATCHING, AGREED, IN_PRODUCTION, CLOSED)
commands = st.one_of(
    # Mostly the broker moving forward (so sequences get far), sometimes anyone anywhere.
    st.tuples(st.just("move"), st.sampled_from(FORWARD), st.just(BROKER)),
    st.tuples(st.just("move"), st.sampled_from(FORWARD), st.just(BROKER)),
    st.tuples(st.just("move"), st.sampled_from(ENQUIRY_STATES), st.sampled_from(PARTIES)),
    st.tuples(st.just("propose"), st.integers(1, 20), st.integers(1, 40)),
    st.tuples(st.just("propose"), st.integers(1, 20), st.integers(1, 40)),
    st.tuples(st.just("accept"), st.integers(0, 9), st.sampled_from((CLIENT, BROKER, SOCIAL_ENTERPRISE))),
    st.tuples(st.just("accept"), st.integers(0, 9), st.sampled_from((CLIENT, BROKER))),
    st.tuples(st.just("cancel_agreement"), st.integers(0, 9), st.sampled_from((CLIENT, BROKER))),
    st.tuples(st.just("deliver"), st.integers(0, 9)),
    st.tuples(st.just("deliver"), st.integers(0, 9)),
    st.tuples(st.just("wait"), st.integers(1, 20)),
)


def check(world: World) -> None:
    e, live = world.enquiry, [a for a in world.agreements if a.status != deals.CANCELLED]
    active = [a for a in world.agreements if a.status == deals.ACTIVE]
    # capacity: the ledger holds exactly the active agreements, and never more than the offer can make
    assert set(world.ledger.active) == {a.id for a in active}
    held = list(world.ledger.active.values())  # in the order they were reserved
    for i, c in enumerate(held):  # each fits the offer's capacity beside the ones reserved before it
        assert capacity.committed(held[:i], c.start, c.until) + c.quantity <= \
            capacity.gross(OFFER_CAPACITY_PER_WEEK, c.start, c.until)
    assert sum((a.terms.quantity for a in live), Decimal(0)) <= e.quantity
    if e.state in (AGREED, IN_PRODUCTION):
        assert live
    if e.state in (DELIVERED, CLOSED):
        assert live and all(a.status == deals.DELIVERED for a in live)
    if e.state in (CANCELLED, EXPIRED):
        assert not active
    for before, after in zip(world.audit, world.audit[1:]):
        assert before.to_state == after.from_state and (before.from_state, before.to_state) != (None, None)
        assert before.to_state not in TERMINAL
        assert (after.from_state, after.to_state) in TABLE
    assert world.audit[-1].to_state == e.state


@settings(max_examples=300, deadline=None)
@given(st.lists(commands, min_size=5, max_size=60))
def test_random_command_sequences_keep_the_invariants(sequence):
    world = World()
    for name, *args in sequence:
        if name in ("accept", "cancel_agreement", "deliver") and not (world.proposals if name == "accept"
                                                                      else world.agreements):
            continue
        saved = copy.deepcopy(world)
        try:
            getattr(world, name)(*args)
        except SoproError:
            world = saved  # the transaction rolls back
        check(world)  # asserts every invariant after every command
    assert world.audit and world.audit[-1].to_state == world.enquiry.state
    event(f"ends {world.enquiry.state} with {len(world.agreements)} agreement(s)")
