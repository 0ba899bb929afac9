"""HTTP API of an enquiry's public text: /api/v1/enquiries/<id>/public-text (staff only).

Title and description typed by a client (the public form, a member) may name a person, so they never
leave the site as typed: events, the hub and the other sites see the version a broker approves here,
and until then a neutral placeholder (the enquiry's reference and CPV codes). Staff's own text is
public as typed (`handlers.create_enquiry`).
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from services.common.auth import roles
from services.common.clock import utcnow
from services.common.runtime import current_runtime
from services.enquiries.lifecycle import handlers, store
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.web import STAFF, actor, blp, read
from services.contracts.fields import Line, Prose, Strict


class PublicTextRequest(Strict):
    title = Line(200, required=True, metadata={"description": "the title as it may leave the site"})
    description = Prose(20_000, allow_none=True, load_default=None)


class PublicTextSchema(ma.Schema):
    shared_title = ma.fields.String(metadata={"description": "what events carry: the public title or the placeholder"})
    approved = ma.fields.Boolean()
    title = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    approved_by = ma.fields.String(allow_none=True)
    approved_at = ma.fields.DateTime(allow_none=True)


def public_text_of(enquiry: Enquiry) -> dict:
    public = enquiry.public_text
    return {"shared_title": enquiry.shareable_title, "approved": public is not None,
            **{name: getattr(public, name, None) for name in ("title", "description", "approved_by", "approved_at")}}


@blp.route("/enquiries/<uuid:enquiry_id>/public-text")
class EnquiryPublicText(MethodView):
    @roles(*STAFF)
    @blp.response(200, PublicTextSchema)
    def get(self, enquiry_id):
        """The public version of the enquiry's title and description, if approved, and what events carry."""
        return public_text_of(read(store.load_enquiry, str(enquiry_id)))

    @roles(*STAFF)
    @blp.arguments(PublicTextRequest)
    @blp.response(200, PublicTextSchema)
    def put(self, body, enquiry_id):
        """A broker approves the version of title and description that may leave the site; a submitted
        enquiry publishes it at once."""
        return public_text_of(handlers.approve_public_text(current_runtime().uow(), actor(), str(enquiry_id),
                                                           body["title"], body["description"], utcnow()))
