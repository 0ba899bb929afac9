"""matching_division_count (how many eligible offers each CPV division holds, which the shortlist reports
without counting) equals a fresh count of matching_offer_division's eligible rows through every event that
changes them, applied in or out of order, and after matching migration 0004's backfill; the shortlist
reports it. SQLite and PostgreSQL."""
from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import insert, select, text

from services.common.migrate import KERNEL, alembic_config
from services.enquiries.matching import service, store
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.events import envelope
from tests.support.matching import apply, kernel_only_runtime, matching_runtime, offer, organisation, request, withdrawal

BEFORE_COUNTS = "3a8c51d0e9b4"  # matching 0003


def counts(conn) -> dict:
    """(maintained, fresh): the divisions' counts, zeros left out."""
    kept = {d: n for d, n in conn.execute(text("SELECT division, eligible FROM matching_division_count")) if n}
    fresh = dict(conn.execute(text("SELECT division, COUNT(*) FROM matching_offer_division WHERE eligible "
                                   "GROUP BY division")).all())
    return kept, fresh


def assert_counts_hold(runtime) -> dict:
    with runtime.engine.connect() as conn:
        kept, fresh = counts(conn)
    assert kept == fresh
    return kept


@pytest.fixture(params=BACKENDS)
def site(request, make_settings):
    yield from matching_runtime(make_settings, pg_url_if(request, request.param, "sqlite://"))


def test_the_counts_follow_every_event_that_changes_eligibility(site):
    org, other = str(uuid.uuid4()), str(uuid.uuid4())
    chairs, tables, cleaning = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    apply(site, envelope("registry.organisation.registered", org, 1, organisation(org)),
          envelope("registry.offer.published", chairs, 1, offer(chairs, org, cpv_codes=["39111000", "18937100"])),
          envelope("registry.offer.published", tables, 1, offer(tables, org, cpv_codes=["39121000"])))
    assert assert_counts_hold(site) == {"39": 2, "18": 1}
    # an offer published before its organisation is known is not eligible until it is
    apply(site, envelope("registry.offer.published", cleaning, 1, offer(cleaning, other, cpv_codes=["90910000"])))
    assert assert_counts_hold(site) == {"39": 2, "18": 1}
    apply(site, envelope("registry.organisation.registered", other, 1, organisation(other)))
    assert assert_counts_hold(site) == {"39": 2, "18": 1, "90": 1}
    # codes moved to other divisions; an update applied twice; a stale one ignored
    moved = envelope("registry.offer.updated", chairs, 3, offer(chairs, org, cpv_codes=["45000000"]))
    apply(site, moved, moved, envelope("registry.offer.updated", chairs, 2, offer(chairs, org, cpv_codes=["18000000"])))
    assert assert_counts_hold(site) == {"39": 1, "45": 1, "90": 1}
    apply(site, envelope("registry.offer.withdrawn", tables, 2, withdrawal(tables)))
    assert assert_counts_hold(site) == {"45": 1, "90": 1}
    apply(site, envelope("registry.organisation.updated", org, 2, organisation(org, kind="economic_enterprise")))
    assert assert_counts_hold(site) == {"90": 1}
    apply(site, envelope("registry.organisation.updated", org, 3, organisation(org)),
          envelope("registry.organisation.withdrawn", other, 2, withdrawal(other)))
    assert assert_counts_hold(site) == {"45": 1}
    apply(site, envelope("registry.offer.updated", tables, 3, offer(tables, org, cpv_codes=["39121000"])))
    assert assert_counts_hold(site) == {"45": 1, "39": 1}


def test_the_shortlist_reports_the_maintained_count(site):
    org = str(uuid.uuid4())
    offers = [str(uuid.uuid4()) for _ in range(4)]
    apply(site, envelope("registry.organisation.registered", org, 1, organisation(org)),
          *[envelope("registry.offer.published", o, 1, offer(o, org, cpv_codes=[code]))
            for o, code in zip(offers, ["39111000", "39111000", "39221100", "18937100"])])
    with site.engine.begin() as conn:  # a count only the table knows: the shortlist reads it
        conn.execute(text("UPDATE matching_division_count SET eligible = 30 WHERE division = '39'"))
    with site.engine.connect() as conn:
        assert service.shortlist(conn, request(10), limit=1).considered == 30


@pytest.fixture(params=BACKENDS)
def bare(request, make_settings):
    """A site with only the kernel's tables: the test migrates matching itself."""
    yield from kernel_only_runtime(make_settings, pg_url_if(request, request.param, "sqlite://"))


def test_migration_0004_fills_the_counts_from_the_rows_already_there(bare):
    config = alembic_config(bare.engine, [KERNEL, store.COMPONENT])
    command.upgrade(config, BEFORE_COUNTS)
    with bare.engine.begin() as conn:
        conn.execute(insert(store.matching_offer_division), [
            {"division": "39", "offer_id": "a", "eligible": True}, {"division": "39", "offer_id": "b", "eligible": True},
            {"division": "18", "offer_id": "a", "eligible": True}, {"division": "45", "offer_id": "c", "eligible": False}])
    command.upgrade(config, "matching@head")
    with bare.engine.connect() as conn:
        assert dict(conn.execute(select(store.matching_division_count)).all()) == {"39": 2, "18": 1}
