"""Pages of the label: the public register and verification, and the back office of applications
(assessment and the four-eyes decision).

Forms are loaded with the API's schemas (`LabelQuery`, `LabelAssessmentSchema`, `LabelDecisionSchema`)
and call the API's handlers. The four-eyes rule is the domain's: the page shows who assessed, and
tells an approver who assessed the application that someone else must decide it.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import current_principal, public, roles
from services.common.clock import utc_today, utcnow
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.label import appeals, catalogues, document_api, documents, handlers, model as m, network
from services.contracts.events.label import LABEL_STATUSES
from services.label.schemas import LabelAssessmentSchema, LabelDecisionSchema, LabelQuery
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.numbers import in_api_form
from services.web.vocabulary import choices

blp = page_blueprint("label_pages", __name__)
nav_link(blp, "register", _l("Label register"), order=50)
STAFF = ("site_admin", "assessor", "approver")
nav_link(blp, "applications", _l("Label applications"), roles=STAFF, area=OFFICE_AREA, order=30)
APPLICATION_STATUSES = ("submitted", "assessed", "returned", "granted", "refused", "draft")



# --- public: the register and verification -----------------------------------------------------------

@blp.route("/labels")
@public
def register():
    state = forms.FormState(values=request.args.to_dict())
    criteria = {k: v for k in ("holder", "cpv", "status") if (v := request.args.get(k, "").strip())}
    query = forms.load(LabelQuery(), {**criteria, "page": request.args.get("page", "1")}, state)
    page = None
    if query is not None:
        page = handlers.search_labels(current_runtime().engine, holder=query.get("holder"),
                                      cpv_division=query.get("cpv"), status=query.get("status"),
                                      page=query["page"], per_page=query["per_page"])
    return render_template("label/register.html", form=state, page=page, status_choices=choices(LABEL_STATUSES))


@blp.route("/labels/verify")
@public
def verify():
    """Check a label number: this site's own, or another site's through the hub's network register."""
    number = request.args.get("number", "").strip().upper()
    state = forms.FormState(values={"number": number})
    label, unknown, unreachable = None, False, False
    if "number" in request.args:
        if not m.LABEL_NUMBER.match(number):
            state.errors["number"] = [_("Please enter a label number like SOPRO-AT12-2026-0001.")]
        else:
            label = handlers.find_label(current_runtime().engine, number)
            issuer = m.LABEL_NUMBER.match(number).group(1)
            if label is None and issuer != current_runtime().site_id:
                try:
                    label = network.verify_at_hub(current_runtime().settings.federation, number)
                except SoproError:
                    unreachable = True
            unknown = label is None and not unreachable
    return render_template("label/verify.html", form=state, label=label, unknown=unknown, unreachable=unreachable,
                           today=utc_today()), 503 if unreachable else 200


# --- back office: applications, assessment, decision -------------------------------------------------

@blp.route("/office/labels")
@roles(*STAFF)
def applications():
    status = request.args.get("status", "submitted")
    status = status if status in APPLICATION_STATUSES else "submitted"
    page = handlers.list_applications(current_runtime().engine, None, status, 1, 200)
    return render_template("label/applications.html", page=page, status=status, statuses=APPLICATION_STATUSES)


def application_page(application_id: str, assessment_form=None, decision_form=None, status: int = 200):
    engine = current_runtime().engine
    application = handlers.get_application(engine, application_id, None)
    audit = handlers.audit_trail(engine, [application.id] + ([application.label_number]
                                                               if application.label_number else []))
    me = current_principal()
    assessor = (application.assessment or {}).get("assessor")
    return render_template(
        "label/application.html", app=application, audit=audit, criteria=catalogues.version_of(current_runtime().engine, application.catalogue_version),
        assessment_form=assessment_form or recorded_assessment(application),
        decision_form=decision_form or forms.FormState(),
        may_assess="assessor" in me.roles and application.status in ("submitted", "assessed"),
        may_decide="approver" in me.roles and application.status == "assessed",
        i_assessed=assessor is not None and assessor == me.subject,
        appeals=[a for a in appeals.of_organisation(engine, application.holder_organisation_id)
                 if a.application_id == application.id],
    ), status


def recorded_assessment(application) -> forms.FormState:
    """The assessment form as the last assessment left it: an assessor who saved (or comes back to
    revise) sees the scores and reasons on record, not an empty form."""
    scores = (application.assessment or {}).get("scores") or {}
    values = {}
    for criterion, scored in scores.items():
        if scored.get("score") is not None:
            values[f"scores.{criterion}.score"] = str(scored["score"])
        values[f"scores.{criterion}.reason"] = scored.get("reason") or ""
    return forms.FormState(values=values)


@blp.route("/office/labels/<uuid:application_id>")
@roles(*STAFF, "broker")  # a broker reads it (their mail links here); acting stays with the label staff
def application(application_id):
    return application_page(str(application_id))


@blp.route("/office/labels/<uuid:application_id>/documents/<uuid:document_id>")
@roles(*document_api.READERS)  # assessors and approvers alone open evidence documents
def application_document(application_id, document_id):
    return document_api.attachment(*documents.read(current_runtime().engine, str(application_id), str(document_id)))


@blp.route("/office/labels/<uuid:application_id>/assessment", methods=["POST"])
@roles("assessor")
def assess(application_id):
    """Scores and reasons per criterion of the application's catalogue version."""
    app = handlers.get_application(current_runtime().engine, str(application_id), None)
    criteria = catalogues.version_of(current_runtime().engine, app.catalogue_version).criteria
    names = [f"scores.{c.id}.{part}" for c in criteria for part in ("score", "reason")]
    body, values = forms.body_from(request.form, names)
    state = forms.FormState(values=values)
    loaded = forms.load(LabelAssessmentSchema(), _integers(body, criteria, state), state)
    if loaded is not None and state.valid:
        try:
            handlers.assess_application(current_runtime().uow(), str(application_id), current_principal().subject,
                                        loaded["scores"], utcnow())
        except SoproError as exc:
            forms.apply_domain_error(exc, state)
            for name in [n for n in state.errors if n.count(".") == 1]:  # a criterion's score is the field
                state.errors[f"{name}.score"] = state.errors.pop(name)
            return application_page(str(application_id), assessment_form=state, status=exc.status)
        flash(_("The assessment has been recorded."), "success")
        return redirect(url_for(".application", application_id=application_id))
    return application_page(str(application_id), assessment_form=state, status=422)


def _integers(body: dict, criteria, state: forms.FormState) -> dict:
    """Every criterion is assessed (so an empty reason is a message next to it); the API takes scores
    as JSON integers and a form posts text, so a whole number (typed the page's way) is passed as one.
    A whole number outside the criterion's scale is said with the catalogue's words (0 to 5, not the
    schema's 0 to 100), in the same round as the other messages."""
    scores = body.setdefault("scores", {})
    for criterion in criteria:
        item = scores.setdefault(criterion.id, {})
        whole = in_api_form(item["score"], whole=True) if isinstance(item.get("score"), str) else None
        if whole is None:
            continue  # no score, or no whole number: the schema's message
        item["score"] = whole
        if criterion.kind == "scored" and not 0 <= whole <= criterion.max_score:
            state.add_errors({f"scores.{criterion.id}.score": [f"a score from 0 to {criterion.max_score} is needed"]})
            del item["score"]
    return body


@blp.route("/office/labels/<uuid:application_id>/decision", methods=["POST"])
@roles("approver")
def decide(application_id):
    body, values = forms.body_from(request.form, ("outcome", "reason"))
    state = forms.FormState(values=values)
    loaded = forms.load(LabelDecisionSchema(), body, state)
    if loaded is not None:
        try:
            now = utcnow()
            handlers.decide_application(current_runtime().uow(), str(application_id), current_principal().subject,
                                        loaded["outcome"], loaded["reason"], now.date(), now)
        except SoproError as exc:
            forms.apply_domain_error(exc, state)
            return application_page(str(application_id), decision_form=state, status=exc.status)
        flash(_("The decision has been recorded."), "success")
        return redirect(url_for(".application", application_id=application_id))
    return application_page(str(application_id), decision_form=state, status=422)
