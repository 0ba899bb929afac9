"""The hub's ingest writes a batch's events together (one upsert per table, payload_rows.write_snapshots):
the rows must be those of applying the events one by one, a poison event must still be isolated, and of
several versions of one aggregate in a batch the newest must win, whatever their order. SQLite and PostgreSQL."""
from __future__ import annotations

import random
import uuid
from dataclasses import replace

from sqlalchemy import delete, select

from services.common import inbox
from services.hub.consumers import HANDLERS
from services.hub.register import store
from services.sync.processing import EventProcessor
from tests.integration.test_hub_store import offer, organisation, statement, withdrawal
from tests.support.events import envelope
from tests.support.hub import apply, runtime  # noqa: F401 - the fixture, on both databases

TABLES = (store.hub_organisation, store.hub_offer, store.hub_offer_cpv, store.hub_support_statement,
          store.hub_organisation_profile)


class AcceptAll:
    """The checks are not what these tests are about: every envelope passes."""

    def verify(self, fields, signature, site):
        return None

    def validate(self, type_name, version, data):
        return None


def processor(runtime) -> EventProcessor:
    return EventProcessor("hub.ingest", runtime.engine, AcceptAll(), AcceptAll(), HANDLERS)


def bodies(*envelopes) -> list[str]:
    return [env.to_json() for env in envelopes]


def rows_of(runtime) -> dict[str, list[dict]]:
    with runtime.engine.connect() as conn:
        return {t.name: sorted((dict(r) for r in conn.execute(select(t)).mappings()),
                               key=lambda r: (r["site"], str(r.get("id")), repr(r))) for t in TABLES}


def org_row(runtime, org_id: str) -> dict:
    with runtime.engine.connect() as conn:
        return dict(conn.execute(select(store.hub_organisation).where(store.hub_organisation.c.id == org_id))
                    .mappings().one())


def test_of_several_versions_of_an_aggregate_in_one_batch_the_newest_wins_in_any_order(runtime):  # noqa: F811
    org_id, offer_id = str(uuid.uuid4()), str(uuid.uuid4())
    # Created (and so sequenced) in another order than their versions: the batch is in seq order.
    events = [
        envelope("registry.organisation.updated", org_id, 3, organisation(org_id, name="Third")),
        envelope("registry.offer.updated", offer_id, 2, offer(offer_id, org_id, cpv_codes=["45000000"])),
        envelope("registry.organisation.registered", org_id, 1, organisation(org_id, name="First")),
        envelope("registry.organisation.withdrawn", org_id, 4, withdrawal(org_id)),
        envelope("registry.offer.published", offer_id, 1, offer(offer_id, org_id, cpv_codes=["18930000"])),
        envelope("registry.organisation.updated", org_id, 2, organisation(org_id, name="Second")),
    ]
    outcome = processor(runtime).process(bodies(*events))

    assert len(outcome.applied) == 6 and not outcome.dead
    kept = org_row(runtime, org_id)
    # v4 is a withdrawal (the status only): it keeps v3's snapshot, whose name it does not carry.
    assert (kept["aggregate_version"], kept["name"], kept["status"]) == (4, "Third", "withdrawn")
    with runtime.engine.connect() as conn:
        the_offer = conn.execute(select(store.hub_offer).where(store.hub_offer.c.id == offer_id)).mappings().one()
        codes = conn.execute(select(store.hub_offer_cpv.c.cpv_code)
                             .where(store.hub_offer_cpv.c.offer_id == offer_id)).scalars().all()
    assert (the_offer["aggregate_version"], the_offer["cpv_codes"], codes) == (2, ["45000000"], ["45000000"])


def test_a_poison_event_in_a_batch_is_quarantined_and_the_good_ones_applied(runtime):  # noqa: F811
    good = [str(uuid.uuid4()) for _ in range(3)]
    victim = str(uuid.uuid4())
    events = [envelope("registry.organisation.registered", g, 1, organisation(g)) for g in good[:2]]
    # A profile naming another organisation than its envelope: its handler raises (ForeignProfile).
    events.append(envelope("registry.organisation.profile_changed", victim, 1,
                           {"organisation_id": str(uuid.uuid4()), "texts": [{"language": "de", "text": "Hallo"}]}))
    events.append(envelope("registry.organisation.registered", good[2], 1, organisation(good[2])))

    outcome = processor(runtime).process(bodies(*events))

    assert sorted(env.aggregate_id for env in outcome.applied) == sorted(good)
    [dead] = outcome.dead
    assert dead.event_id == str(events[2].id) and "ForeignProfile" in dead.reason
    assert all(org_row(runtime, g)["aggregate_version"] == 1 for g in good)
    with runtime.engine.connect() as conn:
        assert conn.execute(select(store.hub_organisation_profile)).first() is None
    with runtime.engine.connect() as conn:  # every seq is claimed, the poison's as quarantined: the stream goes on
        tracked = dict(conn.execute(select(inbox.inbox.c.seq, inbox.inbox.c.status)
                                    .where(inbox.inbox.c.stream == events[0].stream)).all())
    assert tracked == {e.seq: (inbox.QUARANTINED if e is events[2] else inbox.APPLIED) for e in events}
    assert outcome.positions[events[0].stream][1] == max(e.seq for e in events)


def first_difference(batched: dict, one_by_one: dict) -> str:
    for name, rows in one_by_one.items():
        for a, b in zip(batched[name], rows):
            if a != b:
                return f"{name} {a.get('id')} v{a.get('aggregate_version')}: {({k: (a[k], b[k]) for k in a if a[k] != b[k]})}"
        if len(batched[name]) != len(rows):
            return f"{name}: {len(batched[name])} rows, not {len(rows)}"
    return "none"


def mixed_events(rng: random.Random) -> list:
    """Organisations, offers and statements, each in several versions, with withdrawals, erasures,
    stale versions and equal versions (a replay), in a shuffled order."""
    events = []
    for i in range(12):
        org_id, offer_id, statement_id = (str(uuid.uuid4()) for _ in range(3))
        for v in rng.sample(range(1, 5), rng.randint(1, 4)):
            events.append(envelope("registry.organisation.updated", org_id, v,
                                   organisation(org_id, name=f"Org {i} v{v}", workers_in_integration=v)))
        if rng.random() < 0.5:
            events.append(envelope("registry.organisation.withdrawn", org_id, rng.randint(1, 5), withdrawal(org_id)))
        for v in rng.sample(range(1, 4), rng.randint(1, 3)):
            codes = rng.sample(["18930000", "39500000", "45000000", "79000000"], rng.randint(1, 3))
            events.append(envelope("registry.offer.updated", offer_id, v, offer(offer_id, org_id, cpv_codes=codes,
                                                                                 title=f"Offer {i} v{v}")))
        if rng.random() < 0.5:
            events.append(envelope("registry.offer.withdrawn", offer_id, rng.randint(1, 4), withdrawal(offer_id)))
        events.append(envelope("registry.support_statement.recorded", statement_id, 1, statement(statement_id)))
        if rng.random() < 0.5:
            events.append(envelope("registry.support_statement.erased", statement_id, 2, withdrawal(statement_id)))
        events.append(envelope("registry.organisation.updated", org_id, 2,  # the same version again, other data
                               organisation(org_id, name=f"Org {i} replayed v2")))
    seqs = sorted(env.seq for env in events)  # fresh seqs of the stream, dealt out in the shuffled order
    rng.shuffle(events)
    return [replace(env, seq=seq) for seq, env in zip(seqs, events)]


def test_the_batched_path_writes_the_rows_of_applying_events_one_by_one(runtime):  # noqa: F811
    for seed in (1, 2, 3):
        events = mixed_events(random.Random(seed))
        apply(runtime, *events)  # each through its handler, one transaction each, in seq order
        one_by_one = rows_of(runtime)
        with runtime.engine.begin() as conn:
            for table in TABLES:
                conn.execute(delete(table))

        outcome = processor(runtime).process(bodies(*events))

        assert not outcome.dead and len(outcome.applied) == len(events)
        batched = rows_of(runtime)
        assert batched == one_by_one, f"seed {seed}: {first_difference(batched, one_by_one)}"
        with runtime.engine.begin() as conn:
            for table in TABLES:
                conn.execute(delete(table))
