"""HTTP API of the label service: /api/v1/label-applications, /labels, /label-complaints.

Access (default deny; every method declares its rule):
- Public: verifying a label (`GET /labels/<number>`), the register (`GET /labels`), filing a complaint.
- member: applies for, edits, submits and withdraws its own organisation's applications (the token's organisation).
- member: also renews its organisation's labels (`POST /labels/<number>/renewal` opens a renewal application).
- assessor: scores submitted applications. approver: decides them (never one it assessed: four eyes),
  and suspends, reinstates and revokes labels, and reviews complaints, as site_admin may too.
- Staff (site_admin, assessor, approver): read every application, complaint and audit trail.
"""
from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import acting_for, current_principal, public, roles
from services.common.clock import utc_today, utcnow
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.label import complaint_tracking, handlers, model as m, network, notices
from services.label.schemas import (
    ApplicationPage, ApplicationPatch, ComplaintPage, LabelApplicationQuery, LabelApplicationSchema,
    LabelAssessmentSchema, LabelAuditEntrySchema, LabelComplaintQuery, LabelComplaintReviewSchema,
    LabelComplaintSchema, LabelDecisionSchema, LabelOptionalReasonSchema, LabelPage, LabelQuery,
    LabelReasonSchema, LabelSchema, LabelStaffComplaintSchema, LabelSuspensionSchema,
)

blp = Blueprint("label", __name__, url_prefix="/api/v1",
                description='The quality label "socio-ecologically produced": applications, decisions, register')

STAFF = ("site_admin", "assessor", "approver")
DECIDERS = ("approver", "site_admin")



def _actor() -> str:
    return current_principal().subject


def _present(label: m.Label) -> dict:
    site = m.LABEL_NUMBER.match(label.number)
    return {**label.__dict__, "deciding_site": site.group(1) if site else current_runtime().site_id}


# --- applications ------------------------------------------------------------------------------------

@blp.route("/label-applications")
class Applications(MethodView):
    @roles("member", *STAFF)
    @blp.arguments(LabelApplicationQuery, location="query")
    @blp.response(200, ApplicationPage)
    def get(self, query):
        """Applications: a member's own organisation's, or all of them for staff."""
        organisation_id = acting_for(STAFF) or query.get("organisation_id")
        return handlers.list_applications(current_runtime().engine, organisation_id, query.get("status"),
                                          query["page"], query["per_page"]).as_dict()

    @roles("member", "site_admin")
    @blp.arguments(LabelApplicationSchema)
    @blp.response(201, LabelApplicationSchema)
    def post(self, fields):
        """Apply for the label for a product or service of a member organisation (a draft)."""
        return handlers.create_application(current_runtime().uow(), fields, _actor(), acting_for(STAFF))


@blp.route("/label-applications/<uuid:application_id>")
class ApplicationById(MethodView):
    @roles("member", *STAFF)
    @blp.response(200, LabelApplicationSchema)
    def get(self, application_id):
        return handlers.get_application(current_runtime().engine, str(application_id), acting_for(STAFF))

    @roles("member", "site_admin")
    @blp.arguments(ApplicationPatch)
    @blp.response(200, LabelApplicationSchema)
    def patch(self, changes, application_id):
        """Edit a draft (or an application returned for more evidence); submitted ones are frozen (409)."""
        return handlers.update_application(current_runtime().uow(), str(application_id), changes, _actor(),
                                           acting_for(STAFF))


@blp.route("/label-applications/<uuid:application_id>/submit")
class Submission(MethodView):
    @roles("member", "site_admin")
    @blp.response(200, LabelApplicationSchema)
    def post(self, application_id):
        """Submit the application for assessment; its evidence is frozen from now on."""
        runtime = current_runtime()
        return handlers.submit_application(runtime.uow(), str(application_id), _actor(), acting_for(STAFF),
                                           notices.mail_site(runtime))


@blp.route("/label-applications/<uuid:application_id>/withdraw")
class Withdrawal(MethodView):
    @roles("member", "site_admin")
    @blp.response(200, LabelApplicationSchema)
    def post(self, application_id):
        """Withdraw a draft (or an application returned for more evidence); submitted ones are the assessors' (409)."""
        return handlers.withdraw_application(current_runtime().uow(), str(application_id), _actor(), acting_for(STAFF))


@blp.route("/label-applications/<uuid:application_id>/assessment")
class Assessment(MethodView):
    @roles("assessor")
    @blp.arguments(LabelAssessmentSchema)
    @blp.response(200, LabelApplicationSchema)
    def post(self, body, application_id):
        """Score each criterion of the application's catalogue version, with reasons."""
        return handlers.assess_application(current_runtime().uow(), str(application_id), _actor(), body["scores"],
                                           utcnow())


@blp.route("/label-applications/<uuid:application_id>/decision")
class Decision(MethodView):
    @roles("approver")
    @blp.arguments(LabelDecisionSchema)
    @blp.response(200, LabelApplicationSchema)
    def post(self, body, application_id):
        """Decide an assessed application: granted, refused or returned. Never by its assessor."""
        now = utcnow()
        app, _ = handlers.decide_application(current_runtime().uow(), str(application_id), _actor(), body["outcome"],
                                             body["reason"], now.date(), now)
        return app


@blp.route("/label-applications/<uuid:application_id>/audit")
class ApplicationAudit(MethodView):
    @roles(*STAFF)
    @blp.response(200, LabelAuditEntrySchema(many=True))
    def get(self, application_id):
        """Every step of the application (and of the label it led to): who, when, what, why."""
        app = handlers.get_application(current_runtime().engine, str(application_id), None)
        subjects = [app.id] + ([app.label_number] if app.label_number else [])
        return handlers.audit_trail(current_runtime().engine, subjects)


# --- labels ------------------------------------------------------------------------------------------

@blp.route("/labels")
class Labels(MethodView):
    @public
    @blp.arguments(LabelQuery, location="query")
    @blp.response(200, LabelPage)
    def get(self, query):
        """The public register of this site's labels, by holder, CPV division and status."""
        page = handlers.search_labels(current_runtime().engine, holder=query.get("holder"),
                                      cpv_division=query.get("cpv"), status=query.get("status"),
                                      page=query["page"], per_page=query["per_page"])
        return page.as_dict(_present)


@blp.route("/labels/<string:number>")
class LabelByNumber(MethodView):
    @public
    @blp.response(200, LabelSchema)
    def get(self, number):
        """Verify a label: its status (valid, suspended, revoked, expired), holder, product and validity.
        A number issued by another site is verified with the hub's network register. A number nobody
        knows answers 404 with errors {"label": ["unknown"]}."""
        runtime = current_runtime()
        label = handlers.find_label(runtime.engine, number)
        if label is not None:
            return _present(label)
        issuer = m.LABEL_NUMBER.match(number)
        if issuer and issuer.group(1) != runtime.site_id:
            elsewhere = network.verify_at_hub(runtime.settings.federation, number)
            if elsewhere is not None:
                return jsonify(elsewhere)  # already the public JSON of a verification
        raise NotFound(f"the label number {number[:60]} is unknown", {"label": ["unknown"]}, code="unknown_label")


def _label_action(name: str, schema, act, doc: str):
    """A POST /labels/<number>/<name> endpoint for approvers and site admins."""

    class Action(MethodView):
        @roles(*DECIDERS)
        @blp.arguments(schema)
        @blp.response(200, LabelSchema)
        def post(self, body, number):
            return _present(act(body, number))

    Action.post.__doc__ = doc
    Action.__name__ = f"Label{name.title()}"
    blp.route(f"/labels/<string:number>/{name}")(Action)


def _mail():
    return notices.mail_site(current_runtime())


_label_action("suspend", LabelSuspensionSchema, lambda b, n: handlers.suspend_label(
    current_runtime().uow(), n, _actor(), b["until"], b["reason"], utc_today(), _mail()),
    "Suspend a valid label for at most 6 months, with a reason.")
_label_action("reinstate", LabelOptionalReasonSchema, lambda b, n: handlers.reinstate_label(
    current_runtime().uow(), n, _actor(), b["reason"], _mail()), "End a suspension: the label is valid again.")
_label_action("revoke", LabelReasonSchema, lambda b, n: handlers.revoke_label(
    current_runtime().uow(), n, _actor(), b["reason"], _mail()), "Revoke a label, with a reason.")


@blp.route("/labels/<string:number>/renewal")
class Renewal(MethodView):
    @roles("member", "site_admin")
    @blp.response(201, LabelApplicationSchema)
    def post(self, number):
        """Renew a label (valid or suspended): a new application under the criteria in force, pre-filled from
        the label's last one, which the holder completes, submits, and an assessor and an approver decide.
        One renewal at a time (409). A member renews its own organisation's labels only."""
        return handlers.start_renewal(current_runtime().uow(), number, _actor(), utc_today(), acting_for(STAFF))


@blp.route("/labels/<string:number>/audit")
class LabelAudit(MethodView):
    @roles(*STAFF)
    @blp.response(200, LabelAuditEntrySchema(many=True))
    def get(self, number):
        label = handlers.find_label(current_runtime().engine, number)
        if label is None:
            raise NotFound(f"the label number {number[:60]} is unknown", {"label": ["unknown"]}, code="unknown_label")
        return handlers.audit_trail(current_runtime().engine, [label.application_id, label.number])


# --- complaints --------------------------------------------------------------------------------------

@blp.route("/label-complaints")
class Complaints(MethodView):
    @public
    @blp.arguments(LabelComplaintSchema)
    @blp.response(201, LabelComplaintSchema)
    def post(self, body):
        """Anyone may complain about a label (or the label scheme); the contact stays with staff."""
        runtime = current_runtime()
        complaint = handlers.file_complaint(runtime.uow(), body["label_number"], body["text"], body["contact"],
                                            notices.mail_site(runtime))
        return {**complaint.__dict__, "tracking_url": complaint_tracking.url(runtime.settings.site.url,
                                                                              complaint.tracking_token)}

    @roles(*STAFF)
    @blp.arguments(LabelComplaintQuery, location="query")
    @blp.response(200, ComplaintPage)
    def get(self, query):
        return handlers.list_complaints(current_runtime().engine, query.get("status"), query["page"],
                                        query["per_page"]).as_dict()


@blp.route("/label-complaints/<uuid:complaint_id>")
class ComplaintById(MethodView):
    @roles(*STAFF)
    @blp.response(200, LabelStaffComplaintSchema)
    def get(self, complaint_id):
        return handlers.get_complaint(current_runtime().engine, str(complaint_id))


@blp.route("/label-complaints/<uuid:complaint_id>/review")
class ComplaintReview(MethodView):
    @roles(*DECIDERS)
    @blp.arguments(LabelComplaintReviewSchema)
    @blp.response(200, LabelStaffComplaintSchema)
    def post(self, body, complaint_id):
        """Move a complaint on; an upheld one may suspend or revoke its label."""
        runtime = current_runtime()
        return handlers.review_complaint(runtime.uow(), str(complaint_id), body["status"], body["resolution"],
                                         _actor(), utc_today(), body["action"], body["suspend_until"],
                                         notices.mail_site(runtime))


@blp.route("/label-complaints/<uuid:complaint_id>/audit")
class ComplaintAudit(MethodView):
    @roles(*STAFF)
    @blp.response(200, LabelAuditEntrySchema(many=True))
    def get(self, complaint_id):
        handlers.get_complaint(current_runtime().engine, str(complaint_id))
        return handlers.audit_trail(current_runtime().engine, [str(complaint_id)])
