"""The library's search filters (issue 19), one schema for a site's library (`GET /api/v1/library-items` and
its `/library` page) and the hub's network library, which adds the site: words (searched in each text's own
language), kind, language and year, each optional. Alike, so that a search refused at one is refused at both."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.common.api import PageQuery
from services.common.fulltext import MAX_QUERY_CHARS
from services.contracts.events.community import ITEM_KINDS, LANGUAGE


class LibraryQuery(PageQuery):
    q = ma.fields.String(load_default=None, validate=validate.Length(max=MAX_QUERY_CHARS),
                         metadata={"description": "words, searched in each text's own language"})
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(ITEM_KINDS))
    language = ma.fields.String(load_default=None, validate=LANGUAGE)
    year = ma.fields.Integer(load_default=None, validate=validate.Range(min=1900, max=2100))
