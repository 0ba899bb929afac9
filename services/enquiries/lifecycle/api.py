"""HTTP API of enquiries and their lifecycle: /api/v1/enquiries (proposals etc. in `deals_api`).

Access (default deny; every method declares its rule, and `web` says who sees which enquiry):
- Public: `POST /enquiries` without a token is the enquiry form of an anonymous first contact (a
  company or public institution); it is submitted at once, its contact person stays at the site.
- broker, site_admin: everything; members (`member`, acting for the token's organisation): their own
  enquiries as client (drafts, submit, cancel, accept), and, when the organisation is an active social
  enterprise, the open enquiries fitting its offers and proposals with its own offers.
- The shortlist and the case study are for staff.
"""
from __future__ import annotations

from flask.views import MethodView

from services.common.auth import public, roles
from services.common.clock import utcnow
from services.common.ports import port
from services.common.runtime import current_runtime
from services.contracts.ports import CaseStudyPublisher
from services.enquiries.lifecycle import case_studies, handlers, matching_port, store
from services.enquiries.lifecycle.rules import ANONYMOUS
from services.enquiries.lifecycle.transitions import CLIENT, Actor
from services.enquiries.lifecycle.values import Client
from services.enquiries.lifecycle import deals_api  # noqa: F401 - registers the proposal and agreement views
from services.enquiries.lifecycle import public_text_api  # noqa: F401 - registers the public text's view
from services.enquiries.lifecycle.schemas import (
    TransitionAuditSchema, CaseStudyDraftSchema, CaseStudyRequest, EnquiryPage, EnquiryPatch, EnquiryQuery,
    EnquiryRecordSchema, NewEnquirySchema, ShortlistResponse, TransitionRequest,
)
from services.enquiries.lifecycle.web import (
    STAFF, STAFF_AND_MEMBERS, actor, blp, read, require_full_view, site_rules, visible_enquiry,
)

__all__ = ["blp"]

DEFAULT_CLIENT_KIND = "economic_enterprise"


def _client_for(who: Actor, given: dict) -> Client:
    """Whose enquiry this is: the first contact's (anonymous), a member's organisation, or whom the broker names."""
    if who.first_contact:
        return Client(ANONYMOUS, None, given.get("contact"))
    organisation_id = given.get("organisation_id") or (None if who.staff else who.organisation_id)
    kind = given.get("kind") or (DEFAULT_CLIENT_KIND if organisation_id else ANONYMOUS)
    return Client(kind, organisation_id, given.get("contact"))


@blp.route("/enquiries")
class Enquiries(MethodView):
    @public
    @blp.arguments(NewEnquirySchema)
    @blp.response(201, EnquiryRecordSchema)
    def post(self, fields):
        """File an enquiry. Without a token: the public form of a first contact, submitted at once (contact
        name and e-mail or phone required). With a token: a draft, or submitted with `submit: true`."""
        who = actor()
        submit = fields.pop("submit") or who.first_contact
        fields["client"] = _client_for(who, fields.pop("client", {}))
        fields.setdefault("currency", current_runtime().settings.site.currency)
        return handlers.create_enquiry(current_runtime().uow(), who, fields, site_rules(), utcnow(), submit=submit)

    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(EnquiryQuery, location="query")
    @blp.response(200, EnquiryPage)
    def get(self, query):
        """List enquiries, filtered by state, type, CPV code or prefix, client, cross-border flag. A member
        sees its own, and, for an active social enterprise, those open for proposals in the CPV divisions
        of its published offers (without contact persons)."""
        who = actor()
        if who.staff:
            return read(store.search_enquiries, **query).as_dict()
        se = read(matching_port.social_enterprise, who.organisation_id)
        page = read(store.search_enquiries, member_of=who.organisation_id,
                    open_in_divisions=se.divisions if se else frozenset(), **query)
        return page.as_dict(lambda e: e if CLIENT in who.parties(e) else e.without_contact())


@blp.route("/enquiries/<uuid:enquiry_id>")
class EnquiryById(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, EnquiryRecordSchema)
    def get(self, enquiry_id):
        """An enquiry, with `allowed_next` states."""
        return read(visible_enquiry, str(enquiry_id))[0]

    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(EnquiryPatch)
    @blp.response(200, EnquiryRecordSchema)
    def patch(self, changes, enquiry_id):
        """Edit a draft (client or broker), or refine a submitted enquiry during consultation and
        matching (broker). Changes of a submitted enquiry are published."""
        read(visible_enquiry, str(enquiry_id))
        return handlers.edit_enquiry(current_runtime().uow(), actor(), str(enquiry_id), changes, site_rules(), utcnow())


@blp.route("/enquiries/<uuid:enquiry_id>/transitions")
class EnquiryTransitions(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(TransitionRequest)
    @blp.response(200, EnquiryRecordSchema)
    def post(self, body, enquiry_id):
        """Move the enquiry to another state (`to`), with a reason. Illegal moves are 409s naming the
        current state and the allowed next ones; moves not for the caller's party are 403s."""
        read(visible_enquiry, str(enquiry_id))
        return handlers.move_enquiry(current_runtime().uow(), actor(), str(enquiry_id), body["to"], body["reason"],
                                     utcnow(), site=site_rules())


@blp.route("/enquiries/<uuid:enquiry_id>/audit")
class EnquiryAudit(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, TransitionAuditSchema(many=True))
    def get(self, enquiry_id):
        """Every transition: who (and as which party), when, from, to, why. Staff and the client."""
        read(require_full_view, str(enquiry_id))
        return read(store.audit_trail, str(enquiry_id))


@blp.route("/enquiries/<uuid:enquiry_id>/shortlist")
class EnquiryShortlist(MethodView):
    @roles(*STAFF)
    @blp.response(200, ShortlistResponse)
    def get(self, enquiry_id):
        """The site's ranked social enterprises for this enquiry. When the site alone cannot cover the
        order, the enquiry is flagged for cross-border matching (and the flag is published)."""
        enquiry, result = handlers.shortlist(current_runtime().uow(), str(enquiry_id), utcnow())
        return {"enquiry_id": enquiry.id, "reference": enquiry.reference,
                "cross_border_flagged": enquiry.cross_border_flagged, "shortlist": result.to_dict()}


@blp.route("/enquiries/<uuid:enquiry_id>/case-study")
class EnquiryCaseStudy(MethodView):
    @roles(*STAFF)
    @blp.response(200, CaseStudyDraftSchema)
    def get(self, enquiry_id):
        """The case study a closed enquiry would make, with its impact totals (a draft to review)."""
        return read(case_studies.load_draft, str(enquiry_id))

    @roles(*STAFF)
    @blp.arguments(CaseStudyRequest)
    @blp.response(201, CaseStudyDraftSchema)
    def post(self, overrides, enquiry_id):
        """Publish the closed enquiry as a case study in the registry (title and summary may be given)."""
        return case_studies.publish(current_runtime().uow, port(CaseStudyPublisher), str(enquiry_id), overrides,
                                    utcnow())
