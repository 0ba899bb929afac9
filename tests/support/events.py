"""Events for a projection without a bus: envelopes fed through its handlers (as a consumer applies them
after its checks: signature, order, duplicates), or signed wire bodies for its real ingest processor."""
from __future__ import annotations

import itertools
import uuid

from services.common.envelope import Envelope, dumps, unsigned_fields
from services.common.events import dump_data
from services.common.signing import sign

OCCURRED_AT = "2026-03-01T10:00:00+00:00"
_seq = itertools.count(1)


def envelope(type_name: str, aggregate_id: str, version: int, data: dict, site: str = "AT12",
             occurred_at: str = OCCURRED_AT) -> Envelope:
    """An unsigned envelope of `site`'s stream of the event's service (`registry.offer.published` ->
    `AT12/registry`); seqs only grow, as a relay's do."""
    return Envelope(
        id=str(uuid.uuid4()), type=type_name, version=1, site=site, stream=f"{site}/{type_name.split('.')[0]}",
        seq=next(_seq), aggregate_id=aggregate_id, aggregate_version=version, occurred_at=occurred_at,
        correlation_id=None, causation_id=None, data=data,
    )


def apply(handlers: dict, runtime, *envelopes: Envelope) -> None:
    """Each envelope through its handler in `handlers` (type -> handler), one transaction each."""
    for env in envelopes:
        with runtime.engine.begin() as conn:
            handlers[env.type](conn, env)


def signed(event, aggregate_id: str, version: int, seq: int, site: str, key, signer: str | None = None,
           occurred_at: str = OCCURRED_AT, correlation_id: str | None = None) -> str:
    """The body of typed `event` as `site`'s relay sends it on its stream at `seq`, signed with `key` as
    `signer` (the site itself unless a test forges another's signature)."""
    fields = unsigned_fields(
        id=str(uuid.uuid4()), type=event.TYPE, version=event.VERSION, site=site,
        stream=f"{site}/{event.TYPE.split('.')[0]}", seq=seq, aggregate_id=aggregate_id, aggregate_version=version,
        occurred_at=occurred_at, correlation_id=correlation_id, causation_id=None, data=dump_data(event))
    fields["signature"] = sign(fields, key, signer or site)
    return dumps(fields)
