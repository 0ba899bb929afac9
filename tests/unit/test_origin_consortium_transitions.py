"""The moves the origin site makes when the hub reports its consortium: only the system makes them, only
once the consortium is agreed (or, for delivered, once every part is), and the broker's own moves accept
an agreed consortium where they asked for an agreement."""
from __future__ import annotations

import pytest

from services.common.errors import Conflict, Forbidden
from services.enquiries.lifecycle.transitions import (
    AGREED, BROKER, CLIENT, DELIVERED, IN_CONSULTATION, IN_PRODUCTION, MATCHING, NEGOTIATING, SOCIAL_ENTERPRISE,
    SUBMITTED, SYSTEM, TABLE, Facts,
)
from tests.support.enquiries import ACTORS, NOW, SE_ORG, TODAY, enquiry

AGREED_CONSORTIUM = Facts(TODAY, consortium_agreed=True)
DELIVERED_CONSORTIUM = Facts(TODAY, consortium_agreed=True, consortium_delivered=True)
BEFORE_AGREEMENT = (SUBMITTED, IN_CONSULTATION, MATCHING)


def move(state: str, target: str, party: str, facts: Facts):
    e = enquiry(state)
    entry = e.move(target, ACTORS[party], facts, NOW, "consortium_agreed", social_enterprise_id=SE_ORG)
    return e, entry


@pytest.mark.parametrize("state", BEFORE_AGREEMENT + (NEGOTIATING,))
def test_the_system_moves_an_open_enquiry_to_agreed_when_its_consortium_is_agreed(state):
    e, entry = move(state, AGREED, SYSTEM, AGREED_CONSORTIUM)
    assert e.state == AGREED
    assert (entry.from_state, entry.to_state, entry.party, entry.reason) == (state, AGREED, SYSTEM,
                                                                             "consortium_agreed")


@pytest.mark.parametrize("state", BEFORE_AGREEMENT)
@pytest.mark.parametrize("party", [CLIENT, BROKER, SOCIAL_ENTERPRISE])
def test_no_one_but_the_system_jumps_an_enquiry_to_agreed(state, party):
    with pytest.raises(Forbidden):
        move(state, AGREED, party, AGREED_CONSORTIUM)


@pytest.mark.parametrize("state", BEFORE_AGREEMENT + (NEGOTIATING,))
def test_without_an_agreed_consortium_the_system_cannot_agree(state):
    with pytest.raises(Conflict) as caught:
        move(state, AGREED, SYSTEM, Facts(TODAY))
    assert caught.value.code == "precondition_failed"


def test_the_system_follows_production_and_delivery_of_an_agreed_consortium():
    e, _ = move(AGREED, IN_PRODUCTION, SYSTEM, AGREED_CONSORTIUM)
    assert e.state == IN_PRODUCTION
    with pytest.raises(Conflict) as caught:
        e.move(DELIVERED, ACTORS[SYSTEM], AGREED_CONSORTIUM, NOW)
    assert "consortium has not delivered" in caught.value.message
    e.move(DELIVERED, ACTORS[SYSTEM], DELIVERED_CONSORTIUM, NOW)
    assert e.state == DELIVERED


@pytest.mark.parametrize("source,target", [(AGREED, IN_PRODUCTION), (IN_PRODUCTION, DELIVERED)])
@pytest.mark.parametrize("party", [CLIENT, SOCIAL_ENTERPRISE])
def test_production_and_delivery_stay_with_the_broker_and_the_system(source, target, party):
    with pytest.raises(Forbidden):
        move(source, target, party, DELIVERED_CONSORTIUM)
    assert {BROKER, SYSTEM} == set(TABLE[(source, target)].parties)


def test_the_broker_may_report_a_delivered_consortium_delivered_but_not_a_local_agreement_left_undelivered():
    e, _ = move(IN_PRODUCTION, DELIVERED, BROKER, DELIVERED_CONSORTIUM)
    assert e.state == DELIVERED
    with pytest.raises(Conflict):
        move(IN_PRODUCTION, DELIVERED, BROKER,
             Facts(TODAY, active_agreements=1, undelivered_agreements=1, consortium_agreed=True,
                   consortium_delivered=True))
