"""Use cases of negotiation: proposals and their revisions, messages, agreements, delivery and impact.

Only an active social enterprise proposes (the matching projection says which organisations are), and
only with a published offer of its own, checked when the proposal is filed. In the negotiation write
its parties only: the client, the broker, and the social enterprises that proposed.

Capacity moves with agreements in the same transaction: accepting reserves the SE's offer through the
matching part (over capacity: 409 and nothing is saved); cancelling or delivering releases it.
"""
from __future__ import annotations

from datetime import datetime

from services.common.clock import utcnow
from services.common.errors import Conflict, Forbidden, Invalid
from services.common.uow import UnitOfWork
from services.enquiries.lifecycle import deals, deals_store, matching_port, notices, store
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.transitions import (
    AGREED, BROKER, CLIENT, DELIVERED, DRAFT, IN_PRODUCTION, NEGOTIATING, SOCIAL_ENTERPRISE, Actor,
)
from services.enquiries.lifecycle.handlers import SiteRules, facts, new_id, save
from services.enquiries.lifecycle.impact import DeliveryReport, ImpactRecord, record_impact


def propose(uow: UnitOfWork, actor: Actor, enquiry_id: str, organisation_id: str | None, offer_id: str,
            terms: deals.Terms, site: SiteRules, now: datetime) -> deals.Proposal:
    """A member proposes for its own organisation; the broker names the social enterprise."""
    organisation_id = organisation_id or actor.organisation_id
    if organisation_id is None:
        raise Invalid("organisation_id: the broker names the social enterprise it proposes for",
                      {"organisation_id": ["required when the broker proposes"]})
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        terms.check(enquiry, site.currency, now.date())
        proposal, entry = deals.propose(actor, enquiry, id=new_id(), organisation_id=organisation_id, offer_id=offer_id,
                                        terms=terms, facts=facts(uow.conn, enquiry.id, now), now=now)
        _require_own_offer(uow, actor, organisation_id, offer_id)
        deals_store.save_proposal(uow.conn, proposal, actor.subject, new=True)
        if entry is not None:
            save(uow, enquiry, entry)
        notices.proposal_received(uow.conn, site, enquiry, proposal, actor.subject, now)
        uow.commit()
    return proposal


def _require_own_offer(uow: UnitOfWork, actor: Actor, organisation_id: str, offer_id: str) -> None:
    """403 for a member whose organisation is no active social enterprise; 422 (at the field) for an offer
    that is not a published one of the proposing organisation, the same whether it is another's or
    none at all, so that offers' existence does not leak."""
    if matching_port.social_enterprise(uow.conn, organisation_id) is None:
        if not actor.staff:
            raise Forbidden("only a member of an active social enterprise proposes")
        raise Invalid("organisation_id: not an active social enterprise of this site",
                      {"organisation_id": ["is not an active social enterprise of this site"]})
    if not matching_port.offers_own(uow.conn, organisation_id, offer_id):
        raise Invalid("offer_id: not a published offer of the proposing social enterprise",
                      {"offer_id": ["is not a published offer of the proposing social enterprise"]})


def _change_proposal(uow: UnitOfWork, enquiry_id: str, proposal_id: str, change) -> deals.Proposal:
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        proposal = deals_store.load_proposal(uow.conn, enquiry_id, proposal_id, lock=True)
        change(enquiry, proposal)
        uow.commit()
    return proposal


def revise(uow: UnitOfWork, actor: Actor, enquiry_id: str, proposal_id: str, terms: deals.Terms, site: SiteRules,
           now: datetime) -> deals.Proposal:
    def change(enquiry, proposal):
        terms.check(enquiry, site.currency, now.date())
        proposal.revise(actor, enquiry, terms)
        revised = proposal.revised
        deals_store.save_proposal(uow.conn, proposal, actor.subject)
        if revised:  # new terms reach the client; the same terms again are no revision
            notices.proposal_received(uow.conn, site, enquiry, proposal, actor.subject, now)

    return _change_proposal(uow, enquiry_id, proposal_id, change)


def withdraw(uow: UnitOfWork, actor: Actor, enquiry_id: str, proposal_id: str) -> deals.Proposal:
    def change(enquiry, proposal):
        proposal.withdraw(actor, enquiry)
        deals_store.save_proposal(uow.conn, proposal, actor.subject)

    return _change_proposal(uow, enquiry_id, proposal_id, change)


def decline(uow: UnitOfWork, actor: Actor, enquiry_id: str, proposal_id: str, site: SiteRules | None = None,
            now: datetime | None = None) -> deals.Proposal:
    """The client (or the broker) declines; with `site`, the proposing social enterprise is told."""
    def change(enquiry, proposal):
        proposal.decline(actor, enquiry)
        deals_store.save_proposal(uow.conn, proposal, actor.subject)
        if site is not None:
            notices.proposal_decided(uow.conn, site, enquiry, proposal, False, actor.subject, now or utcnow())

    return _change_proposal(uow, enquiry_id, proposal_id, change)


def accept(uow: UnitOfWork, actor: Actor, enquiry_id: str, proposal_id: str, now: datetime,
           site: SiteRules | None = None) -> deals.Agreement:
    """With `site`, the proposing social enterprise is told, and the client when the broker's acceptance
    agreed the enquiry."""
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        proposal = deals_store.load_proposal(uow.conn, enquiry_id, proposal_id, lock=True)
        agreements = deals_store.agreements_of(uow.conn, enquiry_id)
        agreement, entry = deals.accept(actor, enquiry, proposal, agreements, id=new_id(),
                                        facts=facts(uow.conn, enquiry.id, now), now=now)
        # Production can start today at the earliest; the capacity is taken until the delivery date.
        matching_port.reserve(uow.conn, agreement.id, agreement.organisation_id, agreement.offer_id,
                              agreement.terms.quantity, now.date(), agreement.terms.delivery_date)
        deals_store.save_proposal(uow.conn, proposal, actor.subject)
        deals_store.save_agreement(uow.conn, agreement, new=True)
        uow.record(agreement)
        if entry is not None:
            save(uow, enquiry, entry)
        notices.proposal_decided(uow.conn, site, enquiry, proposal, True, actor.subject, now)
        notices.state_changed(uow.conn, site, enquiry, entry, now)
        uow.commit()
    return agreement


def cancel_agreement(uow: UnitOfWork, actor: Actor, enquiry_id: str, agreement_id: str, reason: str | None,
                     now: datetime, site: SiteRules | None = None) -> deals.Agreement:
    """Cancel an agreement and release its capacity; an agreed enquiry goes back to negotiating (with
    `site`, the client is told when the broker did it)."""
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        agreement = deals_store.load_agreement(uow.conn, enquiry_id, agreement_id, lock=True)
        agreement.cancel(actor, enquiry)
        matching_port.release(uow.conn, agreement.id)
        deals_store.save_agreement(uow.conn, agreement)
        uow.record(agreement)
        if enquiry.state == AGREED:
            entry = enquiry.move(NEGOTIATING, actor, facts(uow.conn, enquiry.id, now), now,
                                 reason or "an agreement was cancelled")
            save(uow, enquiry, entry)
            notices.state_changed(uow.conn, site, enquiry, entry, now, show_reason=reason is not None)
        uow.commit()
    return agreement


def deliver(uow: UnitOfWork, actor: Actor, enquiry_id: str, agreement_id: str, report: DeliveryReport,
            site: SiteRules, now: datetime) -> tuple[deals.Agreement, ImpactRecord]:
    """The broker marks an agreement delivered: its impact is recorded, its capacity released, and
    when it was the last one the enquiry moves to delivered."""
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id, lock=True)
        if BROKER not in actor.parties(enquiry):
            raise Forbidden("the broker marks an agreement delivered")
        if enquiry.state != IN_PRODUCTION:
            raise Conflict(f"the enquiry is {enquiry.state}; agreements are delivered while it is in_production",
                           {"state": [enquiry.state]}, code="not_in_production")
        agreement = deals_store.load_agreement(uow.conn, enquiry_id, agreement_id, lock=True)
        agreement.deliver(now)
        record = record_impact(id=new_id(), agreement=agreement, delivery=enquiry.delivery, report=report,
                               rates_to_eur=site.rates_to_eur, now=now)
        matching_port.release(uow.conn, agreement.id)
        deals_store.save_agreement(uow.conn, agreement)
        deals_store.save_impact(uow.conn, record, actor.subject)
        uow.record(agreement, record)
        now_facts = facts(uow.conn, enquiry.id, now)
        if now_facts.undelivered_agreements == 0:
            entry = enquiry.move(DELIVERED, actor, now_facts, now, "every agreement was delivered")
            save(uow, enquiry, entry)
            notices.state_changed(uow.conn, site, enquiry, entry, now)
        uow.commit()
    return agreement, record


def post_message(uow: UnitOfWork, actor: Actor, enquiry_id: str, body: str, organisation_id: str | None,
                 ) -> deals_store.Message:
    """A message in the negotiation. A social enterprise writes in its own thread; the client and the
    broker write to one SE's thread (`organisation_id`) or to everybody involved (none)."""
    with uow:
        enquiry = store.load_enquiry(uow.conn, enquiry_id)
        parties = actor.parties(enquiry)
        if parties & {BROKER, CLIENT}:
            party = BROKER if BROKER in parties else CLIENT
        elif _involved(uow, enquiry, actor) and matching_port.social_enterprise(uow.conn, actor.organisation_id):
            party, organisation_id = SOCIAL_ENTERPRISE, actor.organisation_id
        else:
            raise Forbidden("only the client, the broker and social enterprises that proposed may write here")
        if enquiry.state == DRAFT:
            raise Conflict("a draft has no negotiation yet; submit it first", {"state": [enquiry.state]},
                           code="draft")
        message = deals_store.add_message(uow.conn, enquiry.id, organisation_id, actor.subject, party, body)
        uow.commit()
    return message


def _involved(uow: UnitOfWork, enquiry: Enquiry, actor: Actor) -> bool:
    return bool(actor.organisation_id) and bool(deals_store.proposals_of(uow.conn, enquiry.id, actor.organisation_id))
