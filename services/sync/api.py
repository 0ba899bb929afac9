"""The sync service's operations API (the pull feed is `feed`): the dead letters (read-only), and, at
the hub, the streams it ingests with their moderation (pause and resume).

Re-driving dead letters is an operator's command (`sopro deadletters redrive`), not an endpoint: it
runs handlers on demand, which belongs beside the database, not on the public network.
"""
from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.api import PageQuery, page_schema
from services.common.auth import current_principal, roles
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.sync import deadletters, moderation
from services.sync.reconcile import make_reconciler

blp = Blueprint("operations", __name__, url_prefix="/api/v1/federation",
                description="Dead letters, and the hub's moderation of the streams it ingests")

HUB_INGEST = "sopro.hub_ingest"


def provide_hub_ingest(app, ingest) -> None:
    """The composition root gives the hub's app its ingest: () -> (QueueSpec, EventProcessor, streams)."""
    app.extensions[HUB_INGEST] = ingest


def _hub_ingest():
    """The hub's ingest: (consumer name, expected streams, reconciler). 404 at a site."""
    runtime = current_runtime()
    if not runtime.settings.is_hub:
        raise NotFound("streams are moderated at the hub")
    spec, processor, streams = current_app.extensions[HUB_INGEST]()
    return spec.name, streams, lambda: make_reconciler(runtime, processor, streams)


def _known_stream(site: str, service: str) -> tuple[str, str, object]:
    consumer, streams, reconciler = _hub_ingest()
    stream = f"{site}/{service}"
    if stream not in streams:
        raise NotFound(f"the hub ingests no stream {stream}", {"stream": [f"one of {', '.join(streams)}"]})
    return consumer, stream, reconciler


# --- dead letters --------------------------------------------------------------------------------------

class DeadLetterQuery(PageQuery):
    consumer = ma.fields.String(validate=ma.validate.Length(min=1, max=100), metadata={"description": "queue name"})
    state = ma.fields.String(load_default="dead", validate=ma.validate.OneOf(deadletters.STATES),
                             metadata={"description": "dead (default): still to handle; redriven; all"})


class DeadLetterSummary(ma.Schema):
    id = ma.fields.Integer()
    consumer = ma.fields.String()
    received_at = ma.fields.DateTime()
    reason = ma.fields.String()
    stream = ma.fields.String(allow_none=True)
    seq = ma.fields.Integer(allow_none=True)
    event_id = ma.fields.String(allow_none=True)
    redriven_at = ma.fields.DateTime(allow_none=True)
    redriven_by = ma.fields.String(allow_none=True)


class DeadLetterDetail(DeadLetterSummary):
    # Never the message itself: a site's bug could put personal data in it (services.common.inbox).
    envelope = ma.fields.Dict(allow_none=True, metadata={"description": "the envelope's fields without `data` "
                                                         "(null: the message was not a JSON object)"})
    data_sha256 = ma.fields.String(allow_none=True, metadata={"description": "SHA-256 of `data` as canonical JSON"})
    body_sha256 = ma.fields.String(metadata={"description": "SHA-256 of the message as received"})
    body_length = ma.fields.Integer(metadata={"description": "the message's length in bytes"})


@blp.route("/dead-letters")
class DeadLetters(MethodView):
    @roles("site_admin", "agency_admin")
    @blp.arguments(DeadLetterQuery, location="query")
    @blp.response(200, page_schema(DeadLetterSummary, "DeadLetterPage"))
    def get(self, query):
        """Dead-lettered messages of this site's (or the hub's) consumers, oldest first."""
        with current_runtime().engine.connect() as conn:
            return deadletters.list_letters(conn, query.get("consumer"), query["state"], query["page"],
                                            query["per_page"]).as_dict()


@blp.route("/dead-letters/<letter_id>")
class DeadLetter(MethodView):
    @roles("site_admin", "agency_admin")
    @blp.response(200, DeadLetterDetail)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, letter_id):
        """One dead letter with its envelope and hashes (`letter_id`: its number in the listing)."""
        # A plain path segment, not <int:>, so that the access check answers before routing does.
        if not letter_id.isdigit() or len(letter_id) > 18:
            raise NotFound(f"no dead letter {letter_id}")
        with current_runtime().engine.connect() as conn:
            return deadletters.get_letter(conn, int(letter_id))


# --- the hub's streams and their moderation ----------------------------------------------------------

class StreamSchema(ma.Schema):
    stream = ma.fields.String()
    contiguous_seq = ma.fields.Integer(metadata={"description": "every seq up to here is applied"})
    max_seen_seq = ma.fields.Integer()
    origin_last_seq = ma.fields.Integer(allow_none=True, metadata={"description": "the site's last seq, as its "
                                                                   "feed last said (null: not read yet)"})
    paused = ma.fields.Boolean()
    paused_at = ma.fields.DateTime(allow_none=True)
    paused_by = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)


class StreamList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(StreamSchema))


class PauseRequest(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500),
                              metadata={"description": "why, for the record"})


class PauseSchema(ma.Schema):
    stream = ma.fields.String()
    paused_at = ma.fields.DateTime()
    paused_by = ma.fields.String()
    reason = ma.fields.String()
    resumed_at = ma.fields.DateTime(allow_none=True)
    resumed_by = ma.fields.String(allow_none=True)
    applied = ma.fields.Integer(metadata={"description": "held-back events applied on resume"})


@blp.route("/streams")
class Streams(MethodView):
    @roles("agency_admin", "agency_viewer")
    @blp.response(200, StreamList)
    @blp.alt_response(404, response="NOT_FOUND", description="at a site: streams are moderated at the hub")
    def get(self):
        """Every stream the hub ingests: its position, the site's last seq, and whether it is paused."""
        consumer, streams, _ = _hub_ingest()
        return {"items": moderation.streams(current_runtime().engine, consumer, streams)}


@blp.route("/streams/<site>/<service>/pause")
class Pause(MethodView):
    @roles("agency_admin")
    @blp.arguments(PauseRequest)
    @blp.response(200, PauseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT", description="already paused")
    def post(self, body, site, service):
        """Stop applying a site's stream at the hub. Its events are neither applied nor lost."""
        consumer, stream, _ = _known_stream(site, service)
        return moderation.pause(current_runtime().engine, consumer, stream, current_principal().subject, body["reason"])


@blp.route("/streams/<site>/<service>/resume")
class Resume(MethodView):
    @roles("agency_admin")
    @blp.response(200, PauseSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT", description="not paused")
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE",
                      description="the site's feed is unreachable; the stream stays paused")
    def post(self, site, service):
        """Apply what the site published meanwhile (from its feed, in order), then ingest live again."""
        _, stream, reconciler = _known_stream(site, service)
        return moderation.resume(reconciler(), stream, current_principal().subject)
