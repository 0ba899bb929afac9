"""Shortlists and capacity commitments, from a projection fed through the handlers: on in-memory SQLite
(the fast tier) and on PostgreSQL."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from services.common.errors import Conflict, Invalid, NotFound
from services.enquiries.matching import service
from tests.support.databases import pg_url_if
from tests.support.events import envelope
from tests.support.matching import (
    IN_4_WEEKS, TODAY, apply, matching_runtime, publish_se, request, shortlist, withdrawal,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def runtime(request, make_settings):
    yield from matching_runtime(make_settings, pg_url_if(request, request.param, "sqlite://"))


def test_shortlist_ranks_local_social_enterprises_with_their_reasons(runtime):
    _, exact = publish_se(runtime, org_changes={"labour_market_segment": "third_labour_market"})
    _, sibling = publish_se(runtime, cpv_codes=["39112000"])
    _, far = publish_se(runtime, org_changes={"lat": 47.07, "lon": 15.44})  # Graz
    publish_se(runtime, cpv_codes=["45000000"])  # another division
    publish_se(runtime, org_changes={"kind": "economic_enterprise"})  # not a social enterprise
    _, withdrawn = publish_se(runtime)
    apply(runtime, envelope("registry.offer.withdrawn", withdrawn, 2, withdrawal(withdrawn)))

    result = shortlist(runtime, request(100))
    assert [r.candidate.offer_id for r in result.candidates] == [exact, far, sibling]
    assert result.considered == 3
    best = result.candidates[0]
    assert best.score == 90 and best.reasons[0] == "CPV 39111000 exact: +40"
    assert best.candidate.free_capacity == 280
    assert result.split is None and not result.cross_border_needed and result.missing_quantity == 0
    as_json = result.to_dict()
    assert as_json["candidates"][0]["free_capacity"] == "280.000" and as_json["candidates"][0]["reasons"]


def test_limit_cuts_the_list_but_not_what_was_considered(runtime):
    for _ in range(3):
        publish_se(runtime)
    result = shortlist(runtime, request(10), limit=2)
    assert len(result.candidates) == 2 and result.considered == 3


def test_no_single_se_has_the_capacity_so_a_split_is_proposed(runtime):
    _, a = publish_se(runtime, capacity="70")   # 280 in four weeks
    _, b = publish_se(runtime, capacity="35")   # 140
    _, c = publish_se(runtime, capacity="10")   # 40
    result = shortlist(runtime, request(400))
    assert not result.cross_border_needed
    assert [(p.offer_id, p.quantity) for p in result.split.parts] == [(a, 280), (b, 120)]
    assert result.split.parts[0].price == Decimal("14000.00")  # 280 x 50 (middle of 40..60)
    assert c not in {p.offer_id for p in result.split.parts}


def test_when_the_site_cannot_cover_the_order_cross_border_is_needed(runtime):
    publish_se(runtime, capacity="70")
    publish_se(runtime, capacity="35", cpv_codes=["39100000"])  # a group-level fit still joins a split
    publish_se(runtime, capacity="700", cpv_codes=["39000000"])  # a division-level fit does not
    result = shortlist(runtime, request(1000))
    assert result.split.covered == 420
    assert result.cross_border_needed and result.missing_quantity == 580
    assert result.to_dict()["missing_quantity"] == "580.000"


def test_commitments_and_lead_time_reduce_the_free_capacity_in_the_shortlist(runtime):
    org, offer = publish_se(runtime, lead_time_days=7)  # three weeks left before the deadline: 210
    with runtime.engine.begin() as conn:
        service.reserve(conn, str(uuid.uuid4()), org, offer, Decimal(150), until=date(2026, 3, 20), start=TODAY)
    [only] = shortlist(runtime, request(100)).candidates
    assert only.candidate.free_capacity == 60
    assert only.points["capacity"] == 15


def test_an_enquiry_without_cpv_codes_cannot_be_matched(runtime):
    with pytest.raises(Invalid):
        shortlist(runtime, request(1, cpv_codes=()))


# --- reserve, release, free capacity ----------------------------------------------------------------

def reserve(runtime, org, offer, quantity, agreement_id=None, until=IN_4_WEEKS, start=TODAY):
    with runtime.engine.begin() as conn:
        return service.reserve(conn, agreement_id or str(uuid.uuid4()), org, offer, Decimal(quantity), until, start)


def free(runtime, offer, start=TODAY, until=IN_4_WEEKS) -> Decimal:
    with runtime.engine.connect() as conn:
        return service.free_capacity(conn, offer, start, until)


def test_reserve_takes_capacity_release_gives_it_back(runtime):
    org, offer = publish_se(runtime)
    assert free(runtime, offer) == 280
    reservation = reserve(runtime, org, offer, 200)
    assert free(runtime, offer) == 80
    assert free(runtime, offer, start=date(2026, 4, 1), until=date(2026, 4, 29)) == 280  # a later period

    with pytest.raises(Conflict) as refused:
        reserve(runtime, org, offer, 100)
    assert refused.value.code == "capacity_exceeded" and "80.000 piece free" in refused.value.message

    with runtime.engine.begin() as conn:
        assert service.release(conn, reservation.agreement_id) is True
        assert service.release(conn, reservation.agreement_id) is False
    assert free(runtime, offer) == 280
    assert reserve(runtime, org, offer, 100, agreement_id=reservation.agreement_id).quantity == 100  # taken up again


def test_reserving_the_same_agreement_twice_is_idempotent_but_different_figures_conflict(runtime):
    org, offer = publish_se(runtime)
    agreement = str(uuid.uuid4())
    reserve(runtime, org, offer, 100, agreement)
    assert reserve(runtime, org, offer, 100, agreement).quantity == 100
    assert free(runtime, offer) == 180
    with pytest.raises(Conflict) as refused:
        reserve(runtime, org, offer, 50, agreement)
    assert refused.value.code == "already_reserved"


def test_reserve_refuses_bad_input_unknown_and_withdrawn_offers(runtime):
    org, offer = publish_se(runtime)
    with pytest.raises(Invalid):
        reserve(runtime, org, offer, 0)
    with pytest.raises(Invalid):
        reserve(runtime, org, offer, 1, start=IN_4_WEEKS, until=TODAY)
    with pytest.raises(Invalid):
        reserve(runtime, str(uuid.uuid4()), offer, 1)  # not the offer's organisation
    with pytest.raises(NotFound):
        reserve(runtime, org, str(uuid.uuid4()), 1)
    with pytest.raises(NotFound):
        free(runtime, str(uuid.uuid4()))
    apply(runtime, envelope("registry.offer.withdrawn", offer, 2, withdrawal(offer)))
    with pytest.raises(Conflict):
        reserve(runtime, org, offer, 1)
    assert free(runtime, offer) == 0
