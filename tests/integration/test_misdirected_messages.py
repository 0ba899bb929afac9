"""A site applies only the hub's messages addressed to it: one whose `to` names another site (or none)
is dead-lettered with the reason, and changes nothing at the site. On PostgreSQL, with the site's own
inbox processor (services/workers.py) and messages signed with the hub's key."""
from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from services.common import inbox
from services.common.envelope import Envelope
from services.common.errors import NotFound
from services.common.runtime import build_runtime
from services.common.signing import sign
from services.enquiries.crossborder import store
from services.workers import site_inbox
from tests.support.migrated import bootstrap

pytestmark = pytest.mark.services


def forwarded_part(hub, to: str | None, seq: int) -> tuple[str, str]:
    """A `hub.part.forwarded` signed by the hub, addressed to `to`: (part id, the message as sent)."""
    part_id = str(uuid.uuid4())
    data = {"part_id": part_id, "order_id": str(uuid.uuid4()), "origin_site": "AT13",
            "enquiry_reference": "AT13-E-2026-0007", "title": "Tote bags", "type": "csr_product",
            "cpv_codes": ["39100000"], "offer_id": str(uuid.uuid4()), "organisation_id": str(uuid.uuid4()),
            "quantity": 10, "unit": "pieces", "unit_price": "3.00", "currency": "EUR",
            "deadline": (date.today() + timedelta(days=30)).isoformat(), "delivery_nuts3": "AT130",
            "label_required": False, "reason": "cheapest in time"}
    env = Envelope(id=str(uuid.uuid4()), type="hub.part.forwarded", version=1, site="EU", stream="EU/crossborder",
                   seq=seq, aggregate_id=part_id, aggregate_version=1, occurred_at="2026-11-01T10:00:00Z",
                   correlation_id="corr-1", causation_id=None, data=data, to=to)
    fields = env.unsigned_fields()
    return part_id, json.dumps({**fields, "signature": sign(fields, hub.signing_key, "EU")})


def has_part(site, part_id: str) -> bool:
    with site.engine.connect() as conn:
        try:
            store.load_part(conn, part_id)
        except NotFound:
            return False
    return True


def test_a_message_addressed_to_another_site_is_dead_lettered_not_applied(make_settings, pg_url):
    site = bootstrap(make_settings("AT12", db_url=pg_url))
    hub = build_runtime(make_settings("EU"))
    _, processor = site_inbox(site)
    mine, for_me = forwarded_part(hub, "AT12", 1)
    theirs, for_hu22 = forwarded_part(hub, "HU22", 2)
    nobodys, for_none = forwarded_part(hub, None, 3)

    outcome = processor.process([for_me, for_hu22, for_none])

    assert [str(e.id) for e in outcome.applied] == [json.loads(for_me)["id"]]
    assert has_part(site, mine) and not has_part(site, theirs) and not has_part(site, nobodys)
    assert sorted(d.reason for d in outcome.dead) == ["misdirected: addressed to HU22, not to AT12",
                                                      "misdirected: addressed to no site, not to AT12"]
    with site.engine.connect() as conn:
        letters = conn.execute(select(inbox.dead_letter.c.consumer, inbox.dead_letter.c.seq)
                               .order_by(inbox.dead_letter.c.seq)).all()
        claimed = conn.execute(select(inbox.inbox.c.seq).where(inbox.inbox.c.consumer == "AT12.inbox")).scalars()
        assert [tuple(r) for r in letters] == [("AT12.inbox", 2), ("AT12.inbox", 3)]
        assert list(claimed) == [1], "another site's message takes no place in this site's tracking"
    site.engine.dispose()
