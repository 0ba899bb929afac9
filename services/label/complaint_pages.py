"""Complaints about a label in the browser (issue 17, item 4).

- Public: filing one (/labels/complaints/new, prefilled with ?number=), and following it with the secret link
  the filing gives (/labels/complaints/track/<token>): its status, the label and, once decided, the
  resolution; never who on the staff handled it. Public writes are CSRF-protected and count against the
  address's public-write allowance like every `@public` form (services/web, services/common/ratelimit).
- Back office: the complaints by status, and one complaint with its text, the complainant's contact (staff
  only), the audit trail, and the review form for approvers and site admins (as the API's roles).

Forms are loaded with the API's schemas (`LabelComplaintSchema`, `LabelComplaintReviewSchema`) and call the
API's handlers.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import current_principal, public, roles
from services.common.clock import utc_today
from services.common.errors import NotFound, SoproError
from services.common.runtime import current_runtime
from services.label import complaint_tracking, handlers, model as m, notices
from services.label.schemas import LabelComplaintReviewSchema, LabelComplaintSchema
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.i18n import language
from services.web.vocabulary import term

STAFF = ("site_admin", "assessor", "approver")
DECIDERS = ("approver", "site_admin")
STATUSES = ("open", "under_review", "upheld", "dismissed")

blp = page_blueprint("label_complaint_pages", __name__)
nav_link(blp, "complaints", _l("Label complaints"), roles=STAFF, area=OFFICE_AREA, order=32)


# --- public: filing and following a complaint --------------------------------------------------------

@blp.route("/labels/complaints/new", methods=["GET", "POST"])
@public
def new():
    if request.method == "GET":
        number = request.args.get("number", "").strip().upper()[:40]
        return render_template("label/complaint_new.html", form=forms.FormState(values={"label_number": number}))
    body, values = forms.body_from(request.form, ("label_number", "text", "contact"))
    state = forms.FormState(values=values)
    if "label_number" in body:
        body["label_number"] = body["label_number"].strip().upper()
        if not m.LABEL_NUMBER.match(body["label_number"]):
            state.errors["label_number"] = [_("Please enter a label number like SOPRO-AT12-2026-0001.")]
    loaded = forms.load(LabelComplaintSchema(), body, state)
    if loaded is not None and state.valid:
        runtime = current_runtime()
        try:
            complaint = handlers.file_complaint(runtime.uow(), loaded["label_number"], loaded["text"],
                                                loaded["contact"], notices.mail_site(runtime), language())
        except SoproError as exc:
            if exc.status == 404:  # a number this site never issued
                state.errors["label_number"] = [_("This site has not awarded a label with this number.")]
            else:
                forms.apply_domain_error(exc, state)
        else:  # the tracking page itself says that the complaint was filed, and to keep its address
            mailed = {"mailed": 1} if notices.complainant_address(complaint.contact) else {}
            return redirect(url_for(".track", token=complaint.tracking_token, filed=1, **mailed))
    return render_template("label/complaint_new.html", form=state), 422


@blp.route("/labels/complaints/track/<token>")
@public
def track(token):
    with current_runtime().engine.connect() as conn:
        tracked = complaint_tracking.find(conn, token)
    if tracked is None:  # unknown, mistyped or cut off: the same answer, so a guess learns nothing
        raise NotFound("no complaint is followed with this link", code="unknown_complaint_link")
    return render_template("label/complaint_track.html", tracked=tracked, complaint=tracked.complaint,
                           link=url_for(".track", token=token, _external=True),
                           filed=request.args.get("filed") == "1", mailed=request.args.get("mailed") == "1")


# --- back office: the complaints and their review ----------------------------------------------------

@blp.route("/office/labels/complaints")
@roles(*STAFF)
def complaints():
    status = request.args.get("status", "open")
    status = status if status in STATUSES else "open"
    page = handlers.list_complaints(current_runtime().engine, status, 1, 200)
    return render_template("label/complaint_list.html", page=page, status=status, statuses=STATUSES)


def complaint_page(complaint_id: str, review_form=None, status: int = 200):
    engine = current_runtime().engine
    complaint = handlers.get_complaint(engine, complaint_id)
    return render_template("label/complaint_staff.html", complaint=complaint,
                           audit=handlers.audit_trail(engine, [complaint.id]),
                           form=review_form or forms.FormState(),
                           may_review=bool(current_principal().roles & set(DECIDERS))
                           and complaint.status in m.COMPLAINT_MOVES,
                           moves_shown=[(to, term(to)) for to in m.COMPLAINT_MOVES.get(complaint.status, ())]), status


@blp.route("/office/labels/complaints/<uuid:complaint_id>")
@roles(*STAFF)
def complaint(complaint_id):
    return complaint_page(str(complaint_id))


@blp.route("/office/labels/complaints/<uuid:complaint_id>/review", methods=["POST"])
@roles(*DECIDERS)
def review(complaint_id):
    handlers.get_complaint(current_runtime().engine, str(complaint_id))  # 404 first
    body, values = forms.body_from(request.form, ("status", "resolution", "action", "suspend_until"))
    state = forms.FormState(values=values)
    loaded = forms.load(LabelComplaintReviewSchema(), body, state)
    if loaded is None:
        return complaint_page(str(complaint_id), state, 422)
    try:
        handlers.review_complaint(current_runtime().uow(), str(complaint_id), loaded["status"], loaded["resolution"],
                                  current_principal().subject, utc_today(), loaded["action"],
                                  loaded["suspend_until"], notices.mail_site(current_runtime()))
    except SoproError as exc:
        if exc.status == 422 and "until" in (exc.errors or {}):  # the suspension's end date is this form's field
            exc.errors = {"suspend_until": exc.errors.pop("until"), **exc.errors}
        if exc.status == 409:  # the complaint was moved on meanwhile, or its label's state forbids the action
            state.message = _("This is not possible now: the complaint or its label is no longer in a state "
                              "that allows this step.")
        else:
            forms.apply_domain_error(exc, state)
        return complaint_page(str(complaint_id), state, exc.status)
    flash(_("The complaint has been updated."), "success")
    return redirect(url_for(".complaint", complaint_id=complaint_id))
