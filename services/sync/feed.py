"""The pull feed: `GET /federation/feed/<stream>?after=N`, the site's notification log in pages.

It serves the signed envelopes exactly as they were published, in `seq` order. The hub reads it to
heal gaps and to rebuild its store; only the hub's federation token (or a site admin) may read it.
A page also says how far the stream is on the bus (`published_seq`): what lies beyond it is the relay's
to deliver, so the hub's reconciler leaves it to the bus (services/sync/reconcile.py).
"""
from __future__ import annotations

import json
import re

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import Connection, func, select

from services.common.auth import roles
from services.common.envelope import STREAM_PATTERN
from services.common.errors import Invalid, NotFound
from services.common.jsonbody import MAX_INTEGER
from services.common.outbox import outbox
from services.common.runtime import current_runtime

blp = Blueprint("federation", __name__, url_prefix="/federation", description="The site's event feed")

MAX_LIMIT = 1000


class FeedQuery(ma.Schema):
    # A seq is a BIGINT: beyond it the kernel's guard answers 422 before this schema (a driver overflow was a 500).
    after = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=MAX_INTEGER))
    limit = ma.fields.Integer(load_default=500, validate=ma.validate.Range(min=1, max=MAX_LIMIT))


class FeedPage(ma.Schema):
    stream = ma.fields.String()
    after = ma.fields.Integer()
    last_seq = ma.fields.Integer(metadata={"description": "the newest seq of the stream"})
    next_after = ma.fields.Integer(metadata={"description": "pass as `after` for the next page"})
    published_seq = ma.fields.Integer(metadata={"description": "the stream is on the bus through this seq: "
                                                "later ones wait for the site's relay"})
    events = ma.fields.List(ma.fields.Raw(), metadata={"description": "signed envelopes in seq order"})


def read_page(conn: Connection, stream: str, after: int, limit: int) -> dict:
    rows = conn.execute(
        select(outbox.c.seq, outbox.c.envelope)
        .where(outbox.c.stream == stream, outbox.c.seq > after, outbox.c.seq.is_not(None))
        .order_by(outbox.c.seq).limit(limit)
    ).all()
    last = conn.execute(select(func.max(outbox.c.seq)).where(outbox.c.stream == stream)).scalar() or 0
    events = [json.loads(r.envelope) for r in rows]
    return {"stream": stream, "after": after, "last_seq": last, "published_seq": published_seq(conn, stream, last),
            "next_after": rows[-1].seq if rows else after, "events": events}


def published_seq(conn: Connection, stream: str, last_seq: int) -> int:
    """The end of the stream's published prefix: the relay publishes in seq order, so every seq up to the
    first sequenced row still unpublished is on the bus (ix_outbox_pending serves the lookup)."""
    first_unpublished = conn.execute(
        select(func.min(outbox.c.seq))
        .where(outbox.c.stream == stream, outbox.c.published_at.is_(None), outbox.c.seq.is_not(None))
    ).scalar()
    return last_seq if first_unpublished is None else first_unpublished - 1


@blp.route("/feed/<path:stream>")
class Feed(MethodView):
    @roles("federation", "site_admin")
    @blp.arguments(FeedQuery, location="query")
    @blp.response(200, FeedPage)
    def get(self, query, stream):
        """The events of one of this site's streams after `after`, oldest first."""
        runtime = current_runtime()
        if not re.match(STREAM_PATTERN, stream):
            raise Invalid("not a stream name", {"stream": ["expected <site>/<service>, e.g. AT12/registry"]})
        if not stream.startswith(runtime.site_id + "/"):
            raise NotFound(f"stream {stream} is not served by site {runtime.site_id}")
        with runtime.engine.connect() as conn:
            return read_page(conn, stream, query["after"], query["limit"])
