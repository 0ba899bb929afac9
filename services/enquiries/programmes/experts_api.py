"""The site's public expert API, `GET /api/v1/experts` (no token): the consultants of the directory who
consented to a public professional profile, as the contract (services/contracts/experts.py) describes them.
The hub asks it at request time for its network-wide search and keeps nothing.

Only the public profile's fields leave: no consent record, no hours, no inactive consultant.
"""
from __future__ import annotations

import logging

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import public
from services.common.runtime import current_runtime
from services.contracts.experts import ExpertAnswerSchema, ExpertQuery
from services.enquiries.programmes import consultants_store
from services.enquiries.programmes.consultants import Consultant

log = logging.getLogger("sopro.experts")

blp = Blueprint("experts", __name__, url_prefix="/api/v1",
                description="The public profiles of the site's experts and consultants who consented to one")


def present(c: Consultant) -> dict:
    """What a public profile shows (and nothing else of the directory)."""
    return {"id": c.id, "name": c.name, "expertise": list(c.expertise), "languages": list(c.languages),
            "region": c.region, "summaries": dict(c.summaries), "publications": list(c.publications)}


def find_experts(query: dict) -> dict:
    """The answer to a (validated) query: at most `limit` experts by name, and how many match."""
    query = dict(query)
    limit = query.pop("limit", None) or ExpertQuery().fields["limit"].load_default
    with current_runtime().engine.connect() as conn:
        page = consultants_store.public_experts(conn, limit=limit, **query)
    log.info("expert search: %d of %d public profiles", len(page.items), page.total)  # counts only, no names
    return {"items": [present(c) for c in page.items], "total": page.total}


@blp.route("/experts")
class Experts(MethodView):
    @public
    @blp.arguments(ExpertQuery, location="query", unknown=ma.RAISE)
    @blp.response(200, ExpertAnswerSchema)
    def get(self, query):
        """Experts with a public profile, by CPV division, language, NUTS region and words (name, summary,
        publication titles); at most `limit` (50) of them, by name, with the number of all that match."""
        return find_experts(query)
