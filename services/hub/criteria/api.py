"""The network's label criteria at the hub: every published version (public), and publishing a new one
(`agency_admin` only).

A catalogue is public: anyone may read what a label stands for. Publishing checks the whole catalogue
and answers 422 with field messages (`publishing.check`); a version published meanwhile by someone else
is a 409. A published version goes to every member site as the hub's signed directed message.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import current_principal, public, roles
from services.common.clock import utc_today
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.contracts.events.criteria import CatalogueData
from services.hub.criteria import publishing, store
from services.hub.query import UtcDateTime, member_site_ids

blp = Blueprint("hub_criteria", __name__, url_prefix="/api/v1",
                description="The label's criteria catalogues the agency publishes for the whole network")


class VersionSummarySchema(ma.Schema):
    version = ma.fields.Integer()
    applies_from = ma.fields.Date()
    published_at = UtcDateTime(allow_none=True, metadata={"description": "None for the bundled first version"})
    title = ma.fields.Dict(attribute="body.title", metadata={"description": "{de, hu, en}"})
    criteria_count = ma.fields.Integer()
    in_force = ma.fields.Boolean(metadata={"description": "the version new applications use today"})


class VersionListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(VersionSummarySchema))


class VersionSchema(VersionSummarySchema):
    catalogue = ma.fields.Dict(attribute="body", metadata={
        "description": "the data of hub.criteria.published (schemas/events/hub.criteria.published.v1.json)"})


def _shown(version: store.Version, current: int) -> dict:
    return {"version": version.version, "applies_from": version.applies_from, "published_at": version.published_at,
            "body": version.body, "criteria_count": len(version.criteria), "in_force": version.version == current}


@blp.route("/criteria")
class Criteria(MethodView):
    @public
    @blp.response(200, VersionListSchema)
    def get(self):
        """Every published version of the criteria catalogue, oldest first."""
        with current_runtime().engine.connect() as conn:
            versions = store.all_versions(conn)
        current = store.in_force(versions, utc_today()).version
        return {"items": [_shown(v, current) for v in versions]}

    @roles("agency_admin")
    @blp.arguments(CatalogueData)
    @blp.response(201, VersionSchema)
    def post(self, catalogue):
        """Publish the next version: stored at the hub and sent to every member site, applying from
        `applies_from` (not in the past)."""
        runtime = current_runtime()
        published = publishing.publish(runtime.uow(), CatalogueData().dump(catalogue), member_site_ids(),
                                       current_principal().subject, utc_today())
        with runtime.engine.connect() as conn:
            current = store.in_force(store.all_versions(conn), utc_today()).version
        return _shown(published, current)


@blp.route("/criteria/<int:number>")
class CriteriaVersion(MethodView):
    @public
    @blp.response(200, VersionSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, number):
        """One version with every criterion in de, hu and en."""
        with current_runtime().engine.connect() as conn:
            versions = store.all_versions(conn)
        found = next((v for v in versions if v.version == number), None)
        if found is None:
            raise NotFound(f"no criteria catalogue version {number}", {"version": ["unknown"]})
        return _shown(found, store.in_force(versions, utc_today()).version)
