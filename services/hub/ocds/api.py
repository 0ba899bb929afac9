"""The open OCDS export: the cross-border orders the hub brokered that are completed (every part
delivered), as an OCDS 1.1 release package, for anyone, without a token.

Where the line is drawn: an order is published openly once it is delivered. Until then its prices,
quantities and capacities are the network's commercial pipeline (they would let competitors undercut
the social enterprises while the order is open, and a half-finished order would mislead), so in-flight
orders stay in the agency's export (`GET /api/v1/ocds/release-package`, agency roles). A completed
order is a public contract, which is what open contracting asks to be published. The buyer appears
only by its kind, as in the agency's export: the hub never holds a client's name or id in an order.
"""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import public
from services.common.clock import utcnow
from services.common.runtime import current_runtime
from services.hub.ocds import orders as ocds_orders

blp = Blueprint("hub_ocds_open", __name__, url_prefix="/api/v1",
                description="Completed cross-border orders as open OCDS data (public)")


@blp.route("/ocds/completed/release-package")
class CompletedReleasePackage(MethodView):
    @public
    @blp.response(200, description="an OCDS 1.1 release package (release-package-schema.json), one release per "
                                   "completed order")
    def get(self):
        """The completed cross-border orders as an OCDS 1.1 release package: contracts, deliveries and
        milestones, the buyer only by its kind."""
        return completed_package()


def completed_package() -> dict:
    published = utcnow()
    runtime = current_runtime()
    with runtime.engine.connect() as conn:
        orders = ocds_orders.load(conn, completed_only=True)
    names = {s.id: s.name for s in runtime.settings.federation.sites.values()}
    # The package's uri names this export (ocdskit needs distinct ones to compile packages together).
    uri = f"{request.base_url}?published={published.strftime('%Y%m%dT%H%M%S%fZ')}"
    return ocds_orders.package(orders, published, uri, names)
