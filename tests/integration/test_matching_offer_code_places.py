"""matching_offer_code's place (the unit vector of the offer's organisation, by which the shortlist picks the
offers nearest the delivery place) follows every event that changes it, in or out of order, and matching
migration 0005 fills it from the rows already there; likewise the offer's weekly capacity and the
organisation's labour-market segment (by which the shortlist bounds an offer's score from its code rows) and
matching migration 0006. SQLite and PostgreSQL."""
from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import select, text

from services.common.migrate import KERNEL, alembic_config
from services.enquiries.matching import store
from tests.support.databases import BACKENDS, pg_url_if
from tests.support.events import envelope
from tests.support.matching import apply, kernel_only_runtime, matching_runtime, offer, organisation

BEFORE_PLACES = "4b9d62e1f0a5"  # matching 0004
VIENNA = {"lat": 48.208, "lon": 16.373}


def places(runtime) -> dict:
    """{offer id: {(ux, uy, uz) of its code rows}}."""
    code = store.matching_offer_code
    found: dict = {}
    with runtime.engine.connect() as conn:
        for offer_id, *place in conn.execute(select(code.c.offer_id, code.c.ux, code.c.uy, code.c.uz)):
            found.setdefault(offer_id, set()).add(tuple(None if v is None else round(v, 9) for v in place))
    return found


def place_of(lat, lon) -> set:
    return {tuple(None if v is None else round(v, 9) for v in store.unit_vector(lat, lon).values())}


@pytest.fixture(params=BACKENDS)
def site(request, make_settings):
    yield from matching_runtime(make_settings, pg_url_if(request, request.param, "sqlite://"))


def test_the_places_follow_the_organisation_and_the_offer(site):
    org, other, chairs, tables = (str(uuid.uuid4()) for _ in range(4))
    # an offer before its organisation: no place yet (always scored)
    apply(site, envelope("registry.offer.published", chairs, 1, offer(chairs, org, cpv_codes=["39111000", "18937100"])))
    assert places(site) == {chairs: {(None, None, None)}}
    apply(site, envelope("registry.organisation.registered", org, 1, organisation(org)),
          envelope("registry.offer.published", tables, 1, offer(tables, org, cpv_codes=["39121000"])))
    here = place_of(48.204, 15.626)
    assert places(site) == {chairs: here, tables: here}
    # the organisation moves; a stale snapshot does not move it back
    apply(site, envelope("registry.organisation.updated", org, 3, organisation(org, **VIENNA)),
          envelope("registry.organisation.updated", org, 2, organisation(org)))
    assert places(site) == {chairs: place_of(**VIENNA), tables: place_of(**VIENNA)}
    # new codes, then another organisation's offer; a place unknown
    apply(site, envelope("registry.offer.updated", chairs, 2, offer(chairs, org, cpv_codes=["45000000"])),
          envelope("registry.organisation.registered", other, 1, organisation(other, lat=None, lon=None)),
          envelope("registry.offer.updated", tables, 2, offer(tables, other, cpv_codes=["39121000"])))
    assert places(site) == {chairs: place_of(**VIENNA), tables: {(None, None, None)}}


@pytest.fixture(params=BACKENDS)
def bare(request, make_settings):
    """A site with only the kernel's tables: the test migrates matching itself."""
    yield from kernel_only_runtime(make_settings, pg_url_if(request, request.param, "sqlite://"))


def test_migration_0005_fills_the_places_from_the_rows_already_there(bare):
    config = alembic_config(bare.engine, [KERNEL, store.COMPONENT])
    command.upgrade(config, BEFORE_PLACES)
    with bare.engine.begin() as conn:
        conn.execute(text("INSERT INTO matching_organisation (id, aggregate_version, last_event_id, status, lat, lon, "
                          "ux, uy, uz) VALUES ('g', 1, 'e', 'active', 48.208, 16.373, :ux, :uy, :uz), "
                          "('h', 1, 'e', 'active', NULL, NULL, NULL, NULL, NULL)"), store.unit_vector(**VIENNA))
        conn.execute(text("INSERT INTO matching_offer (id, aggregate_version, last_event_id, status, organisation_id) "
                          "VALUES ('a', 1, 'e', 'published', 'g'), ('b', 1, 'e', 'published', 'h')"))
        conn.execute(text("INSERT INTO matching_offer_code (division, prefix, offer_id) "
                          "VALUES ('39', '3911', 'a'), ('18', '18937', 'a'), ('39', '3912', 'b'), ('45', '45', 'c')"))
    command.upgrade(config, "matching@head")
    assert places(bare) == {"a": place_of(**VIENNA), "b": {(None, None, None)}, "c": {(None, None, None)}}


BEFORE_CAPACITY = "5c0e73f2a1b6"  # matching 0005


def capacities(runtime) -> dict:
    """{offer id: {(weekly capacity, labour-market segment) of its code rows}}."""
    code = store.matching_offer_code
    found: dict = {}
    with runtime.engine.connect() as conn:
        for offer_id, capacity, segment in conn.execute(select(code.c.offer_id, code.c.capacity_per_week,
                                                               code.c.labour_market_segment)):
            found.setdefault(offer_id, set()).add((None if capacity is None else float(capacity), segment))
    return found


SECOND, THIRD = "second_labour_market", "third_labour_market"


def test_the_weekly_capacity_and_the_segment_follow_the_offer_and_the_organisation(site):
    org, chairs = str(uuid.uuid4()), str(uuid.uuid4())
    # an offer before its organisation: no segment yet
    apply(site, envelope("registry.offer.published", chairs, 1, offer(chairs, org, cpv_codes=["39111000", "18937100"],
                                                                      capacity_per_week="70")))
    assert capacities(site) == {chairs: {(70.0, None)}}
    apply(site, envelope("registry.organisation.registered", org, 1, organisation(org, labour_market_segment=SECOND)))
    assert capacities(site) == {chairs: {(70.0, SECOND)}}
    apply(site, envelope("registry.offer.updated", chairs, 3, offer(chairs, org, capacity_per_week="12.5")),
          envelope("registry.offer.updated", chairs, 2, offer(chairs, org, capacity_per_week="99")))  # stale
    assert capacities(site) == {chairs: {(12.5, SECOND)}}
    apply(site, envelope("registry.organisation.updated", org, 3, organisation(org, labour_market_segment=THIRD)),
          envelope("registry.organisation.updated", org, 2, organisation(org, labour_market_segment=None)))
    assert capacities(site) == {chairs: {(12.5, THIRD)}}


def test_migration_0006_fills_the_capacities_from_the_rows_already_there(bare):
    config = alembic_config(bare.engine, [KERNEL, store.COMPONENT])
    command.upgrade(config, BEFORE_CAPACITY)
    with bare.engine.begin() as conn:
        conn.execute(text("INSERT INTO matching_organisation (id, aggregate_version, last_event_id, status, "
                          "labour_market_segment) VALUES ('g', 1, 'e', 'active', 'third_labour_market')"))
        conn.execute(text("INSERT INTO matching_offer (id, aggregate_version, last_event_id, status, organisation_id, "
                          "capacity_per_week) VALUES ('a', 1, 'e', 'published', 'g', 35), "
                          "('b', 1, 'e', 'withdrawn', 'h', NULL)"))
        conn.execute(text("INSERT INTO matching_offer_code (division, prefix, offer_id) "
                          "VALUES ('39', '3911', 'a'), ('18', '18937', 'a'), ('39', '3912', 'b'), ('45', '45', 'c')"))
    command.upgrade(config, "matching@head")
    assert capacities(bare) == {"a": {(35.0, THIRD)}, "b": {(None, None)}, "c": {(None, None)}}
