"""HTTP API of offers: /api/v1/offers (access rules in `api`)."""
from __future__ import annotations

from flask.views import MethodView

from services.common.auth import acting_for, public, roles
from services.common.clock import utc_today
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.registry import handlers
from services.registry.api_blueprint import (
    STAFF, blp, is_member_of, is_staff, listed_statuses, read,
)
from services.registry.offer_store import load_offer, search_offers
from services.registry.rules import PUBLISHED
from services.registry.schemas import OfferPage, OfferPatch, OfferQuery, OfferSchema, Reason


@blp.route("/offers")
class Offers(MethodView):
    @public
    @blp.arguments(OfferQuery, location="query")
    @blp.response(200, OfferPage)
    def get(self, query):
        """List and search published offers (by CPV code or prefix, region, text, organisation)."""
        statuses = listed_statuses(query, PUBLISHED)
        return read(search_offers, statuses=statuses, **query).as_dict()

    @roles(*STAFF, "member")
    @blp.arguments(OfferSchema)
    @blp.response(201, OfferSchema)
    def post(self, fields):
        """Publish an offer of an active social enterprise (a member: of its own organisation)."""
        fields.setdefault("currency", current_runtime().settings.site.currency)
        return handlers.publish_offer(current_runtime().uow(), fields, utc_today(), acting_for=acting_for(STAFF))


@blp.route("/offers/<uuid:offer_id>")
class OfferById(MethodView):
    @public
    @blp.response(200, OfferSchema)
    def get(self, offer_id):
        """A published offer; a withdrawn one only for staff and its organisation's members."""
        offer = read(load_offer, str(offer_id))
        if offer.status != PUBLISHED and not (is_staff() or is_member_of(offer.organisation_id)):
            raise NotFound(f"no offer {offer_id}")
        return offer

    @roles(*STAFF, "member")
    @blp.arguments(OfferPatch)
    @blp.response(200, OfferSchema)
    def patch(self, changes, offer_id):
        """Change a published offer; only the fields given change."""
        return handlers.update_offer(current_runtime().uow(), str(offer_id), changes, acting_for=acting_for(STAFF))


@blp.route("/offers/<uuid:offer_id>/withdraw")
class OfferWithdrawal(MethodView):
    @roles(*STAFF, "member")
    @blp.arguments(Reason)
    @blp.response(200, OfferSchema)
    def post(self, body, offer_id):
        """Withdraw an offer."""
        return handlers.withdraw_offer(current_runtime().uow(), str(offer_id), body["reason"],
                                       acting_for=acting_for(STAFF))
