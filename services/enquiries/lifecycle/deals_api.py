"""HTTP API of negotiation: proposals (with revisions), messages, agreements, delivery and impact,
under /api/v1/enquiries/<id>/...

Who may do what is the domain's rule (`deals`): a social enterprise (a member whose token names it)
proposes, revises and withdraws its own proposals, the broker for any; the client or the broker
accepts and declines, and cancels agreements; the broker marks agreements delivered. A social
enterprise sees its own proposals, agreements and messages; staff and the client see all.
"""
from __future__ import annotations

from flask.views import MethodView

from services.common.auth import roles
from services.common.clock import utcnow
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.enquiries.lifecycle import deals_handlers, deals_store
from services.enquiries.lifecycle.schemas import (
    AgreementSchema, DeliveredSchema, DeliveryReportSchema, ImpactRecordSchema, MessageSchema, NewMessageSchema,
    NewProposalSchema, ProposalSummarySchema, ProposalTermsSchema, CancellationReason, RevisionSchema, TermsSchema,
)
from services.enquiries.lifecycle.web import STAFF, STAFF_AND_MEMBERS, actor, blp, read, site_rules, visible_enquiry


def _own_only(conn, enquiry_id: str):
    """None if the caller sees everything on the enquiry (staff, client), else its SE organisation."""
    who = actor()
    _, full = visible_enquiry(conn, enquiry_id, who)
    return None if full else who.organisation_id


def _proposal_view(conn, enquiry_id: str, proposal_id: str):
    own = _own_only(conn, enquiry_id)
    proposal = deals_store.load_proposal(conn, enquiry_id, proposal_id)
    if own is not None and proposal.organisation_id != own:
        raise NotFound(f"no proposal {proposal_id} on enquiry {enquiry_id}")
    proposal.revisions = deals_store.revisions_of(conn, proposal_id)
    return proposal


@blp.route("/enquiries/<uuid:enquiry_id>/proposals")
class Proposals(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, ProposalSummarySchema(many=True))
    def get(self, enquiry_id):
        """The proposals on the enquiry (a social enterprise: its own)."""
        def load(conn):
            return deals_store.proposals_of(conn, str(enquiry_id), _own_only(conn, str(enquiry_id)))
        return read(load)

    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(NewProposalSchema)
    @blp.response(201, ProposalSummarySchema)
    def post(self, body, enquiry_id):
        """Propose quantity, total price, currency, delivery date and conditions for an offer of the SE.
        The first proposal moves a matching enquiry to negotiating."""
        read(visible_enquiry, str(enquiry_id))
        return deals_handlers.propose(current_runtime().uow(), actor(), str(enquiry_id), body["organisation_id"],
                                      body["offer_id"], body["terms"], site_rules(), utcnow())


@blp.route("/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>")
class ProposalById(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, ProposalTermsSchema)
    def get(self, enquiry_id, proposal_id):
        """A proposal with every revision of its terms."""
        return read(_proposal_view, str(enquiry_id), str(proposal_id))


@blp.route("/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/revisions")
class ProposalRevisions(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, RevisionSchema(many=True))
    def get(self, enquiry_id, proposal_id):
        """The revisions of a proposal, first to last."""
        return read(_proposal_view, str(enquiry_id), str(proposal_id)).revisions

    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(TermsSchema)
    @blp.response(201, ProposalSummarySchema)
    def post(self, terms, enquiry_id, proposal_id):
        """Revise an open proposal: its new terms become the next revision."""
        read(visible_enquiry, str(enquiry_id))
        return deals_handlers.revise(current_runtime().uow(), actor(), str(enquiry_id), str(proposal_id), terms,
                                     site_rules(), utcnow())


def _proposal_action(name: str, doc: str, handler):
    @blp.route(f"/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/{name}", endpoint=f"proposal_{name}")
    class Action(MethodView):
        @roles(*STAFF_AND_MEMBERS)
        @blp.response(200, ProposalSummarySchema)
        def post(self, enquiry_id, proposal_id):
            read(visible_enquiry, str(enquiry_id))
            return handler(current_runtime().uow(), actor(), str(enquiry_id), str(proposal_id))

    Action.post.__doc__ = doc
    return Action


_proposal_action("withdraw", "The social enterprise (or the broker) withdraws an open proposal.",
                 deals_handlers.withdraw)
_proposal_action("decline", "The client (or the broker) declines an open proposal.",
                 lambda uow, who, e, p: deals_handlers.decline(uow, who, e, p, site_rules(), utcnow()))


@blp.route("/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/accept")
class ProposalAcceptance(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(201, AgreementSchema)
    def post(self, enquiry_id, proposal_id):
        """The client (or the broker) accepts a proposal: an agreement that reserves the SE's capacity
        (409 if it has not that much free). When agreements cover the quantity, the enquiry is agreed."""
        read(visible_enquiry, str(enquiry_id))
        return deals_handlers.accept(current_runtime().uow(), actor(), str(enquiry_id), str(proposal_id), utcnow(),
                                     site=site_rules())


@blp.route("/enquiries/<uuid:enquiry_id>/agreements")
class Agreements(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, AgreementSchema(many=True))
    def get(self, enquiry_id):
        """The agreements of the enquiry (a social enterprise: its own)."""
        def load(conn):
            own = _own_only(conn, str(enquiry_id))
            return [a for a in deals_store.agreements_of(conn, str(enquiry_id))
                    if own is None or a.organisation_id == own]
        return read(load)


@blp.route("/enquiries/<uuid:enquiry_id>/agreements/<uuid:agreement_id>/cancel")
class AgreementCancellation(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(CancellationReason)
    @blp.response(200, AgreementSchema)
    def post(self, body, enquiry_id, agreement_id):
        """Cancel an agreement before production (client or broker); its capacity is released."""
        read(visible_enquiry, str(enquiry_id))
        return deals_handlers.cancel_agreement(current_runtime().uow(), actor(), str(enquiry_id), str(agreement_id),
                                               body["reason"], utcnow(), site=site_rules())


@blp.route("/enquiries/<uuid:enquiry_id>/agreements/<uuid:agreement_id>/deliver")
class AgreementDelivery(MethodView):
    @roles(*STAFF)
    @blp.arguments(DeliveryReportSchema)
    @blp.response(200, DeliveredSchema)
    def post(self, report, enquiry_id, agreement_id):
        """The broker marks an agreement delivered, reporting the figures of its impact record."""
        agreement, impact = deals_handlers.deliver(current_runtime().uow(), actor(), str(enquiry_id), str(agreement_id),
                                                   report, site_rules(), utcnow())
        return {"agreement": agreement, "impact": impact}


@blp.route("/enquiries/<uuid:enquiry_id>/impact")
class EnquiryImpact(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, ImpactRecordSchema(many=True))
    def get(self, enquiry_id):
        """The impact records of the enquiry's delivered agreements, with the figures behind them."""
        def load(conn):
            own = _own_only(conn, str(enquiry_id))
            mine = {a.id for a in deals_store.agreements_of(conn, str(enquiry_id)) if a.organisation_id == own}
            return [i for i in deals_store.impacts_of(conn, str(enquiry_id)) if own is None or i.agreement_id in mine]
        return read(load)


@blp.route("/enquiries/<uuid:enquiry_id>/messages")
class Messages(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, MessageSchema(many=True))
    def get(self, enquiry_id):
        """The negotiation's messages (a social enterprise that proposed: its thread and the notes to everybody)."""
        def load(conn):
            own = _own_only(conn, str(enquiry_id))
            if own is not None and not deals_store.proposals_of(conn, str(enquiry_id), own):
                return []  # not negotiating (yet): the notes to everybody involved are not for it
            return deals_store.messages_of(conn, str(enquiry_id), thread_of=own)
        return read(load)

    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(NewMessageSchema)
    @blp.response(201, MessageSchema)
    def post(self, body, enquiry_id):
        """Write in the negotiation."""
        read(visible_enquiry, str(enquiry_id))
        return deals_handlers.post_message(current_runtime().uow(), actor(), str(enquiry_id), body["body"],
                                           body["organisation_id"])
