"""GET /api/v1/library-items at the hub: every site's published library items (metadata, the document's
fingerprint, the link to the item's page at its site), searched in each text's own language. Public."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.api import page_schema
from services.common.auth import public
from services.common.runtime import current_runtime
from services.contracts.library import LibraryQuery
from services.hub.library import queries
from services.hub.query import member_site_ids

blp = Blueprint("hub_library", __name__, url_prefix="/api/v1", description="The network library")


def known_site(value: str) -> None:
    known = member_site_ids()
    if value not in known:
        raise ma.ValidationError(f"unknown site; one of {', '.join(known)}")


class NetworkLibraryQuery(LibraryQuery):
    """A site's filters (services.contracts.library), and the site."""
    site = ma.fields.String(load_default=None, validate=known_site)


class NetworkItemSchema(ma.Schema):
    site = ma.fields.String()
    id = ma.fields.String()
    reference = ma.fields.String()
    kind = ma.fields.String()
    year = ma.fields.Integer()
    texts = ma.fields.List(ma.fields.Dict())
    document = ma.fields.Dict(allow_none=True)
    matched = ma.fields.List(ma.fields.String())
    url = ma.fields.String(metadata={"description": "the item's page at its site"})


NetworkItemPage = page_schema(NetworkItemSchema, "NetworkLibraryItemPage")


def item_url(item) -> str:
    site = current_runtime().settings.federation.site(item.site)
    return f"{site.url.rstrip('/')}/library/{item.id}"


@blp.route("/library-items")
class NetworkLibrary(MethodView):
    @public
    @blp.arguments(NetworkLibraryQuery, location="query")
    @blp.response(200, NetworkItemPage)
    def get(self, query):
        """Search every site's library."""
        found = queries.search(current_runtime().engine, query["q"], query["site"], query["kind"], query["language"],
                               query["year"], query["page"], query["per_page"])
        return found.as_dict(lambda item: {**item.__dict__, "url": item_url(item)})
