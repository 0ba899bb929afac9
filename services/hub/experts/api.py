"""The hub's `GET /api/v1/experts` (public): the network-wide expert search, asked of every member site at
request time (`federated.search`). The answer names the sites that answered and those missing, with the
reason; nothing of it is stored at the hub.
"""
from __future__ import annotations

import dataclasses

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import public
from services.common.runtime import current_runtime
from services.contracts.experts import ExpertQuery, ExpertSchema
from services.hub.experts import federated

blp = Blueprint("hub_experts", __name__, url_prefix="/api/v1",
                description="The network's experts with a public profile, asked of every site at request time")


class NetworkExpertSchema(ExpertSchema):
    site = ma.fields.String(required=True, metadata={"description": "the site whose expert this is"})


class MissingSiteSchema(ma.Schema):
    site = ma.fields.String()
    reason = ma.fields.String(metadata={"description": "timeout, unreachable, error or invalid"})
    detail = ma.fields.String()


class NetworkExpertAnswerSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NetworkExpertSchema))
    total = ma.fields.Integer(metadata={"description": "how many match at the sites that answered"})
    sites_answered = ma.fields.List(ma.fields.String())
    sites_missing = ma.fields.List(ma.fields.Nested(MissingSiteSchema))


def network_search(query: dict) -> federated.Result:
    """Every member site asked with `query` (already validated), within the configured deadline."""
    settings = current_runtime().settings
    sites = [(s.id, s.url) for s in settings.federation.member_sites]
    return federated.search(sites, query, federated.deadline_seconds(settings))


@blp.route("/experts")
class NetworkExperts(MethodView):
    @public
    @blp.arguments(ExpertQuery, location="query", unknown=ma.RAISE)
    @blp.response(200, NetworkExpertAnswerSchema)
    def get(self, query):
        """Experts of every site (by CPV division, language, NUTS region, words), each naming its site;
        a site that did not answer in time or properly is listed in `sites_missing` with the reason."""
        result = network_search(query)
        return {**dataclasses.asdict(result), "sites_missing": [dataclasses.asdict(m) for m in result.sites_missing]}
