"""Public label verification at the hub, and the network-wide label register.

Access: public, no token (a label exists to be checked by anyone). A label carries no personal data:
its holder is an organisation.

The status answered is the one of today (UTC), see `label_store.public_status`: a label past its last
valid day is expired even if its site has not yet published the expiry. An unknown number is a 404
whose errors say `{"label": ["unknown"]}`; a malformed number, unknown query parameters, an unknown
site or status and a CPV filter that is neither a division nor a code are 422 with field messages.
"""
from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.api import KeysetPageQuery, keyset_page_schema
from services.common.auth import public
from services.common.clock import utc_today
from services.common.errors import Invalid, NotFound
from services.common.runtime import current_runtime
from services.hub.labels import store as label_store
from services.hub.query import STRICT_QUERY, SiteQuery, UtcDateTime, search_text
from services.contracts.events.label import LABEL_NUMBER, LABEL_STATUSES
from services.contracts.label_policy import LabelPolicy

blp = Blueprint("hub_labels", __name__, url_prefix="/api/v1",
                description="Verify a label and search the network-wide label register (public)")

# The same query and answer as a site's own verification and register (services/label), so that a client
# asks the hub and a site alike.
CPV_DIVISION_OR_CODE = validate.Regexp(r"^[0-9]{2}([0-9]{6})?$", error="a CPV division (two digits) or a full code")


# --- query schemas -----------------------------------------------------------------------------------

class LabelQuery(KeysetPageQuery, SiteQuery):
    holder = search_text("an organisation id or a part of the holder's name")
    cpv = ma.fields.String(validate=CPV_DIVISION_OR_CODE,
                           metadata={"description": "labels with a code in this CPV division (or this code)"})
    status = ma.fields.String(validate=validate.OneOf(LABEL_STATUSES), metadata={"description": "status today"})


# --- response schemas --------------------------------------------------------------------------------

class LabelSchema(ma.Schema):
    number = ma.fields.String()
    status = ma.fields.String(metadata={"enum": list(LABEL_STATUSES)})
    product = ma.fields.String()
    cpv_codes = ma.fields.List(ma.fields.String())
    holder_organisation_id = ma.fields.String()
    holder_name = ma.fields.String()
    deciding_site = ma.fields.String(attribute="site", metadata={"description": "the site that decided"})
    valid_from = ma.fields.Date()
    valid_until = ma.fields.Date()
    suspended_until = ma.fields.Date(allow_none=True)
    reason = ma.fields.String(allow_none=True, metadata={"description": "why it is suspended or revoked"})
    catalogue_version = ma.fields.Integer()
    updated_at = UtcDateTime(attribute="last_occurred_at")


LABEL_TOTAL = ("how many labels the whole register has (kept as rows are written when only `site` narrows it; "
               "counted afresh, by reading the matching rows, under a holder, CPV or status filter)")
LabelPage = keyset_page_schema(LabelSchema, "HubLabelPage", LABEL_TOTAL)


def grace_days() -> int:
    """The network's renewal grace (deploy/federation.yaml `label.renewal_grace_days`)."""
    return LabelPolicy.of(current_runtime().settings.federation).renewal_grace_days


def as_of(row, today: date) -> dict:
    """The row as a verifier sees it today."""
    return {**row, "status": label_store.public_status(row["status"], row["valid_until"], today, grace_days())}


# --- views -------------------------------------------------------------------------------------------

@blp.route("/labels")
class Labels(MethodView):
    @public
    @blp.arguments(LabelQuery, **STRICT_QUERY)
    @blp.response(200, LabelPage)
    def get(self, args):
        """The network-wide label register, by number; filter by holder, CPV division, site and status.
        Follow `next` (as `after`) for the next page."""
        today = utc_today()
        filters = label_store.LabelFilters(holder=args.get("holder"), cpv=args.get("cpv"),
                                           site=args.get("site"), status=args.get("status"))
        with current_runtime().engine.connect() as conn:
            found = label_store.list_labels(conn, filters, today, args["page"], args["per_page"], grace_days(),
                                           args.get("after"))
        return found.as_dict(lambda row: as_of(row, today))


@blp.route("/labels/<string:number>")
class LabelVerification(MethodView):
    @public
    @blp.response(200, LabelSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, number):
        """Verify a label number: its status today, product, holder, deciding site, validity, catalogue."""
        try:
            LABEL_NUMBER(number)
        except ma.ValidationError as exc:
            raise Invalid("malformed label number", {"number": exc.messages}) from None
        with current_runtime().engine.connect() as conn:
            row = label_store.find_label(conn, number)
        if row is None:
            raise NotFound(f"label {number} is unknown", {"label": ["unknown"]}, code="unknown_label")
        return as_of(row, utc_today())
