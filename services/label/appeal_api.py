"""HTTP API of appeals against a label application's refusal, a label's suspension or its revocation.

Access (default deny; every method declares its rule):
- member: files an appeal for its own organisation (the token's organisation) and reads its organisation's
  appeals; another organisation's appeal is a 404. A site admin files on a holder's behalf.
- approver: decides an appeal, unless it decided before (409 `four_eyes`). Site admins do not decide
  appeals: they file them on a holder's behalf, and the second look is the approvers' work.
- Staff (site_admin, assessor, approver): read every appeal, with who may not decide it (`excluded`).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import acting_for, current_principal, roles
from services.common.clock import utcnow
from services.common.runtime import current_runtime
from services.label import appeals, notices
from services.label.appeal_model import Appeal
from services.label.appeal_schemas import (
    AppealPage, LabelAppealDecisionSchema, LabelAppealQuery, LabelAppealSchema, LabelStaffAppealSchema,
)

blp = Blueprint("label_appeals", __name__, url_prefix="/api/v1",
                description="Appeals against label refusals, suspensions and revocations")

STAFF = ("site_admin", "assessor", "approver")


def _present(appeal: Appeal, staff: bool) -> dict:
    """Members do not see the names of the staff who decided before."""
    shown = dict(appeal.__dict__)
    if not staff:
        shown.pop("excluded")
    return shown


@blp.route("/label-appeals")
class Appeals(MethodView):
    @roles("member", "site_admin")
    @blp.arguments(LabelAppealSchema)
    @blp.response(201, LabelAppealSchema)
    def post(self, body):
        """Appeal a refusal (`application_id`), a suspension or a revocation (`label_number`), with grounds,
        within 30 days of the decision. One appeal per decision."""
        runtime = current_runtime()
        return appeals.file_appeal(runtime.uow(), body["against"], body["application_id"], body["label_number"],
                                   body["grounds"], current_principal().subject, acting_for(("site_admin",)),
                                   utcnow(), notices.mail_site(runtime))

    @roles("member", *STAFF)
    @blp.arguments(LabelAppealQuery, location="query")
    @blp.response(200, AppealPage)
    def get(self, query):
        """Appeals: a member's own organisation's, or all of them for staff; `?status=open`."""
        organisation_id = acting_for(STAFF)
        page = appeals.list_appeals(current_runtime().engine, organisation_id, query.get("status"), query["page"],
                                    query["per_page"])
        return page.as_dict(lambda a: _present(a, organisation_id is None))


@blp.route("/label-appeals/<uuid:appeal_id>")
class AppealById(MethodView):
    @roles("member", *STAFF)
    @blp.response(200, LabelStaffAppealSchema)
    def get(self, appeal_id):
        organisation_id = acting_for(STAFF)
        return _present(appeals.get_appeal(current_runtime().engine, str(appeal_id), organisation_id),
                        organisation_id is None)


@blp.route("/label-appeals/<uuid:appeal_id>/decision")
class AppealDecision(MethodView):
    @roles("approver")
    @blp.arguments(LabelAppealDecisionSchema)
    @blp.response(200, LabelStaffAppealSchema)
    def post(self, body, appeal_id):
        """Uphold or dismiss an open appeal, with the reason; never by a person who decided before."""
        runtime = current_runtime()
        return appeals.decide_appeal(runtime.uow(), str(appeal_id), current_principal().subject, body["outcome"],
                                     body["reason"], utcnow(), notices.mail_site(runtime))
