"""HTTP API of the site's own cross-border orders (staff: broker, site_admin).

- `POST /enquiries/{id}/cross-border`: ask the hub for a consortium (202: the hub answers by message).
- `GET /enquiries/{id}/consortium`: the status of every part of this site's own order, as the hub reports it.
- `GET /enquiries/{id}/consortium/agreement`: the client-facing agreement, once the consortium is agreed.

The parts other sites' orders (or this site's) forward here are in `parts_api`.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.auth import roles
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.enquiries.crossborder import handlers, origin_read
from services.enquiries.crossborder.model import DEFAULT_MAX_PARTNERS, RequestTerms
from services.enquiries.crossborder.origin_schemas import ClientAgreementSchema, ConsortiumSchema
from services.contracts.events.enquiries import SITE_ID
from services.enquiries.lifecycle import store as enquiry_store
from services.enquiries.lifecycle.web import STAFF
from services.contracts.fields import Strict

blp = Blueprint("enquiries_crossborder", __name__, url_prefix="/api/v1",
                description="Cross-border orders: consortia composed by the hub, and parts forwarded to this site")


# --- schemas -----------------------------------------------------------------------------------------

class CrossBorderRequestSchema(Strict):
    quantity = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=10**9), load_default=None,
                                 metadata={"description": "units to source across borders; default: the enquiry's"})
    max_partners = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=20),
                                     load_default=DEFAULT_MAX_PARTNERS)
    min_lot = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=10**9), load_default=1,
                                metadata={"description": "a partner delivers at least this many units"})
    sites = ma.fields.List(ma.fields.String(validate=SITE_ID), validate=validate.Length(max=50), load_default=list,
                           metadata={"description": "only these sites' social enterprises; empty: every site"})


class CrossBorderRequestedSchema(ma.Schema):
    enquiry_id = ma.fields.String()
    reference = ma.fields.String()
    quantity = ma.fields.Integer()
    max_partners = ma.fields.Integer()
    min_lot = ma.fields.Integer()
    sites = ma.fields.List(ma.fields.String())
    status = ma.fields.Constant("requested")


# --- views -------------------------------------------------------------------------------------------

@blp.route("/enquiries/<uuid:enquiry_id>/cross-border")
class CrossBorderRequest(MethodView):
    @roles(*STAFF)
    @blp.arguments(CrossBorderRequestSchema)
    @blp.response(202, CrossBorderRequestedSchema)
    def post(self, fields, enquiry_id):
        """Ask the hub to compose a consortium of social enterprises across the sites for this enquiry."""
        members = {s.id for s in current_runtime().settings.federation.member_sites}
        terms = RequestTerms(fields["quantity"], fields["max_partners"], fields["min_lot"], tuple(fields["sites"]))
        return handlers.request_consortium(current_runtime().uow(), str(enquiry_id), terms, members)


@blp.route("/enquiries/<uuid:enquiry_id>/consortium")
class Consortium(MethodView):
    @roles(*STAFF)
    @blp.response(200, ConsortiumSchema)
    def get(self, enquiry_id):
        """The consortium of this site's cross-border order, as the hub last reported it: every part with
        its site, social enterprise, prices (in its currency and in EUR), status, reason, deliveries and
        impact; the shortfalls; the impact of the whole order."""
        rates = current_runtime().settings.federation.rates_to_eur
        with current_runtime().engine.connect() as conn:
            enquiry = enquiry_store.load_enquiry(conn, str(enquiry_id))
            picture = origin_read.consortium_picture(conn, enquiry.id, rates)
        if picture is not None:
            return picture
        if enquiry.cross_border_flagged:
            return {"enquiry_id": enquiry.id, "order_id": None, "status": "requested", "parts": [], "shortfalls": []}
        raise NotFound(f"enquiry {enquiry.reference} has no cross-border order")


@blp.route("/enquiries/<uuid:enquiry_id>/consortium/agreement")
class ConsortiumAgreement(MethodView):
    @roles(*STAFF)
    @blp.response(200, ClientAgreementSchema)
    def get(self, enquiry_id):
        """The client-facing agreement of the consortium: a line per part, in the part's currency and in
        EUR, and the total in EUR and in the site's currency. 404 until the consortium is agreed."""
        with current_runtime().engine.connect() as conn:
            enquiry = enquiry_store.load_enquiry(conn, str(enquiry_id))
            agreement = origin_read.client_agreement(conn, enquiry.id)
        if agreement is None:
            raise NotFound(f"enquiry {enquiry.reference} has no agreed consortium")
        return agreement
