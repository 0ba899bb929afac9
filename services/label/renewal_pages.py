"""A member renews its organisation's label (/office/member/labels/number/<number>/renew): a new
application under the criteria in force, pre-filled with the figures of the label's last one, which the
member completes with current documents and submits on its application page; an assessor and an approver
decide it like a first application (services/label/handlers.py `decide_application`).

The policy is the API's `POST /api/v1/labels/<number>/renewal`: the member's own organisation's labels only
(another's is unknown here), one renewal at a time; a refusal is said on the labels page.
"""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from services.common.auth import acting_for, current_principal, roles
from services.common.clock import utc_today
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.runtime import current_runtime
from services.label import handlers
from services.web import page_blueprint

blp = page_blueprint("label_renewal_pages", __name__)


@blp.route("/office/member/labels/number/<number>/renew", methods=["POST"])
@roles("member")
def renew(number):
    try:
        app = handlers.start_renewal(current_runtime().uow(), number, current_principal().subject, utc_today(),
                                     acting_for(()))
    except (Forbidden, NotFound):
        raise NotFound(f"the label number {number[:60]} is unknown", {"label": ["unknown"]}, code="unknown_label")
    except Conflict as exc:
        if exc.code == "already_under_way":
            flash(_("A renewal of this label is under way already."), "error")
        else:
            flash(_("Only a valid or suspended label can be renewed."), "error")
        return redirect(url_for("label_member_pages.applications"))
    flash(_("The renewal is open under the criteria in force, with the figures of the last assessment. "
            "Please check them, add current documents and submit it."), "success")
    return redirect(url_for("label_member_pages.application", application_id=app.id))
